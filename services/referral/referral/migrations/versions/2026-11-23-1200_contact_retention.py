"""Add contact.ended_at and contact.anonymised_at for retention.

Revision ID: referral_0004
Revises: referral_0003
Create Date: 2026-11-23 12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "referral_0004"
down_revision = "referral_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contact", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("contact", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_contact_ended_at", "contact", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_contact_ended_at", table_name="contact")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("ended_at")
