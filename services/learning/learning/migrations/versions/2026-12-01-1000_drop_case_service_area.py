"""Drop learning_case.case_service_area: no case event carries a service area, so it was never set.

Revision ID: learning_0004
Revises: learning_0003
Create Date: 2026-12-01 10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "learning_0004"
down_revision = "learning_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_case") as batch:
        batch.drop_column("case_service_area")


def downgrade() -> None:
    op.add_column("learning_case", sa.Column("case_service_area", sa.String(40), nullable=True))
