"""Create audit_record: who read or changed a triage record, what, when and from where.

Revision ID: triage_0003
Revises: triage_0002
Create Date: 2026-11-23 09:00
"""

from nwd_shared.audit import create_audit_table_v1, drop_audit_table_v1

revision = "triage_0003"
down_revision = "triage_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table_v1()


def downgrade() -> None:
    drop_audit_table_v1()
