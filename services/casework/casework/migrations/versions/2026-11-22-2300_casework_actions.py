"""Case actions, suspension, joint contributions, extensions and once-only deadline alerts.

Revision ID: casework_0002
Revises: casework_0001
Create Date: 2026-11-22 23:00
"""

import sqlalchemy as sa
from alembic import op

revision = "casework_0002"
down_revision = "casework_0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def case_columns() -> list[sa.Column]:
    """New columns of complaint_case; built afresh per run, since a Column joins one table only."""
    return [
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("complainant", sa.JSON(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("discussion_accepted", sa.Boolean(), nullable=True),
        sa.Column("likely_response_working_days", sa.Integer(), nullable=True),
        sa.Column("acknowledgement", sa.JSON(), nullable=True),
        sa.Column("notified_respond_by", sa.Date(), nullable=True),
        sa.Column("action_plan", sa.JSON(), nullable=True),
        sa.Column("action_plan_issued_on", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("suspension_reason", sa.String(1000), nullable=True),
        sa.Column("paused_working_days", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(1000), nullable=True),
        sa.Column("record_summary", sa.String(500), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("escalation", sa.JSON(), nullable=True),
        sa.Column("unreasonably_persistent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("persistent_history", sa.JSON(), nullable=True),
    ]


def upgrade() -> None:
    for column in case_columns():
        op.add_column("complaint_case", column)
    op.create_index("ix_complaint_case_status", "complaint_case", ["status"])
    op.create_table(
        "case_extension",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("extended_on", sa.Date(), nullable=False),
        sa.Column("previous_respond_by", sa.Date(), nullable=False),
        sa.Column("new_respond_by", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_extension"),
        sa.ForeignKeyConstraint(["case_id"], ["complaint_case.id"],
                                name="fk_case_extension_case_id_complaint_case"),
    )
    op.create_index("ix_case_extension_case_id", "case_extension", ["case_id"])
    op.create_table(
        "case_contribution",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("contributor", sa.String(64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("request", sa.Text(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("part", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_contribution"),
        sa.ForeignKeyConstraint(["case_id"], ["complaint_case.id"],
                                name="fk_case_contribution_case_id_complaint_case"),
        sa.UniqueConstraint("case_id", "contributor", name="uq_case_contribution_case_id"),
    )
    op.create_index("ix_case_contribution_case_id", "case_contribution", ["case_id"])
    op.create_table(
        "case_deadline_alert",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("deadline", sa.String(24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_deadline_alert"),
        sa.ForeignKeyConstraint(["case_id"], ["complaint_case.id"],
                                name="fk_case_deadline_alert_case_id_complaint_case"),
        # Once per case, deadline, date and kind: two monitors racing insert one row between them.
        sa.UniqueConstraint("case_id", "deadline", "due_on", "kind", name="uq_case_deadline_alert_once"),
    )
    op.create_index("ix_case_deadline_alert_case_id", "case_deadline_alert", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_deadline_alert_case_id", table_name="case_deadline_alert")
    op.drop_table("case_deadline_alert")
    op.drop_index("ix_case_contribution_case_id", table_name="case_contribution")
    op.drop_table("case_contribution")
    op.drop_index("ix_case_extension_case_id", table_name="case_extension")
    op.drop_table("case_extension")
    op.drop_index("ix_complaint_case_status", table_name="complaint_case")
    with op.batch_alter_table("complaint_case") as batch:
        for column in reversed(case_columns()):
            batch.drop_column(column.name)
