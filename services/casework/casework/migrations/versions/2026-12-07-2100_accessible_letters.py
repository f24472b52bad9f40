"""Accessible letters (issue 19): the contact's communication needs, and tasks for needs a person meets.

Revision ID: casework_0009
Revises: casework_0008
Create Date: 2026-12-07 21:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nwd_shared.db import UtcDateTime
from nwd_shared.messaging.tables import OUTBOX_ID

revision = "casework_0009"
down_revision = "casework_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_contact_fact") as batch:
        batch.add_column(sa.Column("communication_needs", sa.JSON(), nullable=True))
    op.create_table(
        "letter_task",
        sa.Column("id", OUTBOX_ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("complaint_case.id"), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("need", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("letter", sa.String(32), nullable=False),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("done_at", UtcDateTime(), nullable=True),
        sa.Column("done_by", sa.String(128), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("case_id", "need", name="uq_letter_task_case_id"),
    )
    op.create_index("ix_letter_task_case_id", "letter_task", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_letter_task_case_id", table_name="letter_task")
    op.drop_table("letter_task")
    with op.batch_alter_table("case_contact_fact") as batch:
        batch.drop_column("communication_needs")
