"""Triage rules: advocacy, consent, areas, concern counts, safeguarding evidence and referral,
summary; and which organisations may see each decision (the review queue per organisation).

Revision ID: triage_0002
Revises: triage_0001
Create Date: 2026-11-22 23:00
"""

import sqlalchemy as sa
from alembic import op

revision = "triage_0002"
down_revision = "triage_0001"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    """The new triage_decision columns (built afresh each time: a Column belongs to one table)."""
    return [
        sa.Column("wants_advocacy", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("areas", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("concern_count", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("safeguarding_evidence", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("safeguarding_referred_to", sa.String(64), nullable=True),
        sa.Column("summary", sa.String(500), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    with op.batch_alter_table("triage_decision") as batch:
        for column in _columns():
            batch.add_column(column)
    table = op.create_table(
        "triage_decision_organisation",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["reference"], ["triage_decision.reference"], ondelete="CASCADE",
                                name="fk_triage_decision_organisation_reference_triage_decision"),
        sa.PrimaryKeyConstraint("reference", "organisation_id", name="pk_triage_decision_organisation"),
    )
    op.create_index("ix_triage_decision_organisation_organisation_id", "triage_decision_organisation",
                    ["organisation_id"])
    # Decisions made before this revision: visible to their receiver and responsible organisations.
    decisions = sa.table("triage_decision", sa.column("reference", sa.String),
                         sa.column("received_by", sa.String), sa.column("responsible_organisations", sa.JSON))
    rows = []
    for reference, received_by, responsible in op.get_bind().execute(sa.select(decisions)):
        for organisation_id in dict.fromkeys([received_by, *(responsible or [])]):
            rows.append({"reference": reference, "organisation_id": organisation_id})
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_triage_decision_organisation_organisation_id", table_name="triage_decision_organisation")
    op.drop_table("triage_decision_organisation")
    with op.batch_alter_table("triage_decision") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
