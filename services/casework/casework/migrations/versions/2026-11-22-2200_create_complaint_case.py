"""Create complaint_case, and the outbox and inbox.

Revision ID: casework_0001
Revises:
Create Date: 2026-11-22 22:00
"""

import sqlalchemy as sa
from alembic import op

from nwd_shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "casework_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "complaint_case",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=False),
        sa.Column("action_plan_by", sa.Date(), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("six_months_by", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_case"),
        sa.UniqueConstraint("reference", name="uq_complaint_case_reference"),
    )
    op.create_index("ix_complaint_case_owner", "complaint_case", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_complaint_case_owner", table_name="complaint_case")
    op.drop_table("complaint_case")
    drop_messaging_tables_v1()
