"""A contact may have several cases: one live, and those transferred to a new owner or closed.

Revision ID: casework_0004
Revises: casework_0003
Create Date: 2026-11-23 11:00
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0004"
down_revision = "casework_0003"
branch_labels = None
depends_on = None

LIVE_CASE = "status NOT IN ('transferred', 'closed')"


def upgrade() -> None:
    # SQLite cannot drop a constraint in place: batch mode copies the table without it.
    with op.batch_alter_table("complaint_case") as batch:
        batch.drop_constraint("uq_complaint_case_reference", type_="unique")
    op.create_index("ix_complaint_case_reference", "complaint_case", ["reference"])
    op.create_index("uq_complaint_case_live_reference", "complaint_case", ["reference"], unique=True,
                    sqlite_where=sa.text(LIVE_CASE), postgresql_where=sa.text(LIVE_CASE))


def downgrade() -> None:
    op.drop_index("uq_complaint_case_live_reference", table_name="complaint_case")
    op.drop_index("ix_complaint_case_reference", table_name="complaint_case")
    with op.batch_alter_table("complaint_case") as batch:
        batch.create_unique_constraint("uq_complaint_case_reference", ["reference"])
