"""Create safeguarding_concern: the hand-off of a safeguarding referral to the council, and its outcome.

Revision ID: triage_0004
Revises: triage_0003
Create Date: 2026-12-07 19:30
"""

import sqlalchemy as sa
from alembic import op

revision = "triage_0004"
down_revision = "triage_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safeguarding_concern",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("route", sa.String(16), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enquiry", sa.String(16), nullable=True),
        sa.Column("concluded_on", sa.Date(), nullable=True),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("reference", name="pk_safeguarding_concern"),
    )
    op.create_index("ix_safeguarding_concern_organisation_id", "safeguarding_concern", ["organisation_id"])
    op.create_index("ix_safeguarding_concern_state_acknowledge_by", "safeguarding_concern",
                    ["state", "acknowledge_by"])


def downgrade() -> None:
    op.drop_index("ix_safeguarding_concern_state_acknowledge_by", table_name="safeguarding_concern")
    op.drop_index("ix_safeguarding_concern_organisation_id", table_name="safeguarding_concern")
    op.drop_table("safeguarding_concern")
