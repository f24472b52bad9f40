"""Add complaint_case.anonymised_at for retention.

Revision ID: casework_0005
Revises: casework_0004
Create Date: 2026-11-23 12:00
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0005"
down_revision = "casework_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaint_case", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint_case") as batch:
        batch.drop_column("anonymised_at")
