"""The whole life of a complaint: replies, reviews, withdrawal, reopening, the ombudsman stage (issue 15).

Revision ID: casework_0008
Revises: casework_0007
Create Date: 2026-12-07 20:20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nwd_shared.messaging.tables import OUTBOX_ID

revision = "casework_0008"
down_revision = "casework_0007"
branch_labels = None
depends_on = None

LIVE_BEFORE = "status NOT IN ('transferred', 'closed')"
# A withdrawn case has ended too: a reopening or a new agreement may follow it.
LIVE_CASE = "status NOT IN ('transferred', 'closed', 'withdrawn')"

CASE_COLUMNS = [
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    sa.Column("person_key", sa.String(64), nullable=True),
    sa.Column("resolve_by", sa.Date(), nullable=True),
    sa.Column("oral_record", sa.JSON(), nullable=True),
    sa.Column("time_limit", sa.JSON(), nullable=True),
    sa.Column("closed_as", sa.String(16), nullable=True),
    sa.Column("closed_from", sa.String(24), nullable=True),
    sa.Column("reopenings", sa.JSON(), nullable=True),
    sa.Column("reply", sa.JSON(), nullable=True),
    sa.Column("final_response_by", sa.Date(), nullable=True),
    sa.Column("review", sa.JSON(), nullable=True),
    sa.Column("final_response", sa.JSON(), nullable=True),
    sa.Column("final_responded_on", sa.Date(), nullable=True),
    sa.Column("ombudsman_stage", sa.JSON(), nullable=True),
    sa.Column("equality", sa.JSON(), nullable=True),
]


def _live_index(where: str) -> None:
    op.create_index("uq_complaint_case_live_reference", "complaint_case", ["reference"], unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    with op.batch_alter_table("complaint_case") as batch:
        for column in CASE_COLUMNS:
            batch.add_column(column)
    op.create_index("ix_complaint_case_person_key", "complaint_case", ["person_key"])
    op.drop_index("uq_complaint_case_live_reference", table_name="complaint_case")
    _live_index(LIVE_CASE)
    op.create_table(
        "case_contact_fact",
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("resolved_at_first_contact", sa.Boolean(), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=True),
    )
    op.create_table(
        "case_ombudsman_request",
        sa.Column("id", OUTBOX_ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("complaint_case.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.UniqueConstraint("case_id", "number"),
    )
    op.create_index("ix_case_ombudsman_request_case_id", "case_ombudsman_request", ["case_id"])
    op.create_index("ix_case_ombudsman_request_due_on", "case_ombudsman_request", ["due_on"])
    op.create_table(
        "case_ombudsman_remedy",
        sa.Column("id", OUTBOX_ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("complaint_case.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("complied_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.UniqueConstraint("case_id", "number"),
    )
    op.create_index("ix_case_ombudsman_remedy_case_id", "case_ombudsman_remedy", ["case_id"])
    op.create_index("ix_case_ombudsman_remedy_due_on", "case_ombudsman_remedy", ["due_on"])
    op.create_table(
        "persistent_complainant",
        sa.Column("id", OUTBOX_ID, primary_key=True, autoincrement=True),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("restrictions", sa.JSON(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("complaint_case.id"), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.UniqueConstraint("organisation", "person_key"),
    )
    op.create_index("ix_persistent_complainant_review_on", "persistent_complainant", ["review_on"])


def downgrade() -> None:
    op.drop_index("ix_persistent_complainant_review_on", table_name="persistent_complainant")
    op.drop_table("persistent_complainant")
    for table in ("case_ombudsman_remedy", "case_ombudsman_request"):
        op.drop_index(f"ix_{table}_due_on", table_name=table)
        op.drop_index(f"ix_{table}_case_id", table_name=table)
        op.drop_table(table)
    op.drop_table("case_contact_fact")
    op.drop_index("uq_complaint_case_live_reference", table_name="complaint_case")
    op.drop_index("ix_complaint_case_person_key", table_name="complaint_case")
    with op.batch_alter_table("complaint_case") as batch:
        for column in reversed(CASE_COLUMNS):
            batch.drop_column(column.name)
    _live_index(LIVE_BEFORE)
