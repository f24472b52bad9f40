"""Create audit_record.

Revision ID: intake_0002
Revises: intake_0001
Create Date: 2026-11-22 23:30
"""

from nwd_shared.audit import create_audit_table_v1, drop_audit_table_v1

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table_v1()


def downgrade() -> None:
    drop_audit_table_v1()
