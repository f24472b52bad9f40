"""Triage decision: possible safeguarding, and the safeguarding model's view (issue 16).

Revision ID: triage_0005
Revises: triage_0004
Create Date: 2026-12-07 20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "triage_0005"
down_revision = "triage_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triage_decision") as batch:
        batch.add_column(sa.Column("possible_safeguarding", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("safeguarding_model", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("triage_decision") as batch:
        batch.drop_column("safeguarding_model")
        batch.drop_column("possible_safeguarding")
