"""Add learning_experience_link.anonymised_at for retention.

Revision ID: learning_0003
Revises: learning_0002
Create Date: 2026-11-23 12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "learning_0003"
down_revision = "learning_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("learning_experience_link",
                  sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_experience_link") as batch:
        batch.drop_column("anonymised_at")
