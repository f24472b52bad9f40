"""The KO41a's profession and age-group sections, GP practices left out, and unresolved endings.

learning_contact.professions and .concern_kinds; learning_case.ended_as and .age_group. Projections:
rows from before are filled by a rebuild (`python -m learning rebuild`), which replays the topics.

Revision ID: learning_0005
Revises: learning_0004
Create Date: 2026-12-07 21:00
"""

import sqlalchemy as sa
from alembic import op

revision = "learning_0005"
down_revision = "learning_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("learning_contact", sa.Column("professions", sa.JSON(), nullable=True))
    op.add_column("learning_contact", sa.Column("concern_kinds", sa.JSON(), nullable=True))
    op.add_column("learning_case", sa.Column("ended_as", sa.String(16), nullable=True))
    op.add_column("learning_case", sa.Column("age_group", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_case") as batch:
        batch.drop_column("age_group")
        batch.drop_column("ended_as")
    with op.batch_alter_table("learning_contact") as batch:
        batch.drop_column("concern_kinds")
        batch.drop_column("professions")
