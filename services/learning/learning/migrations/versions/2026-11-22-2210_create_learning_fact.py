"""Create learning_fact, and the outbox and inbox.

Revision ID: learning_0001
Revises:
Create Date: 2026-11-22 22:10
"""

import sqlalchemy as sa
from alembic import op

from nwd_shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "learning_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "learning_fact",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learning_fact"),
    )
    op.create_index("ix_learning_fact_organisation_on", "learning_fact", ["organisation_id", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_learning_fact_organisation_on", table_name="learning_fact")
    op.drop_table("learning_fact")
    drop_messaging_tables_v1()
