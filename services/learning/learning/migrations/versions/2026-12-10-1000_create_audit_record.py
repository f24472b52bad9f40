"""Create audit_record: who read or corrected a complaint's learning records, what, when and from where.

Revision ID: learning_0006
Revises: learning_0005
Create Date: 2026-12-10 10:00
"""

from nwd_shared.audit import create_audit_table_v1, drop_audit_table_v1

revision = "learning_0006"
down_revision = "learning_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table_v1()


def downgrade() -> None:
    drop_audit_table_v1()
