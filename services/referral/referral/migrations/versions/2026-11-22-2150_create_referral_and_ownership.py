"""Create referral and ownership, and the outbox and inbox.

Revision ID: referral_0001
Revises:
Create Date: 2026-11-22 21:50
"""

import sqlalchemy as sa
from alembic import op

from nwd_shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "referral_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "referral",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("from_organisation", sa.String(64), nullable=False),
        sa.Column("to_organisation", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("suggested_organisation_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_referral"),
    )
    op.create_index("ix_referral_reference", "referral", ["reference"])
    op.create_index("ix_referral_to_organisation", "referral", ["to_organisation"])
    op.create_table(
        "ownership",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_ownership"),
    )
    op.create_index("ix_ownership_owner", "ownership", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_ownership_owner", table_name="ownership")
    op.drop_table("ownership")
    op.drop_index("ix_referral_to_organisation", table_name="referral")
    op.drop_index("ix_referral_reference", table_name="referral")
    op.drop_table("referral")
    drop_messaging_tables_v1()
