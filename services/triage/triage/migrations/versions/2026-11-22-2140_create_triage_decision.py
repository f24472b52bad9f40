"""Create triage_decision, and the outbox and inbox.

Revision ID: triage_0001
Revises:
Create Date: 2026-11-22 21:40
"""

import sqlalchemy as sa
from alembic import op

from nwd_shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "triage_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "triage_decision",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("safeguarding_categories", sa.JSON(), nullable=False),
        sa.Column("responsible_organisations", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("out_of_time", sa.Boolean(), nullable=False),
        sa.Column("needs_consent", sa.Boolean(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("overridden_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_triage_decision"),
    )
    op.create_index("ix_triage_decision_received_by", "triage_decision", ["received_by"])


def downgrade() -> None:
    op.drop_index("ix_triage_decision_received_by", table_name="triage_decision")
    op.drop_table("triage_decision")
    drop_messaging_tables_v1()
