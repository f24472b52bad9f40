"""Create contact, idempotency_record, journey_entry, and the outbox and inbox.

Revision ID: intake_0001
Revises:
Create Date: 2026-11-22 21:30
"""

import sqlalchemy as sa
from alembic import op

from nwd_shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "contact",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("submission", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("route", sa.String(16), nullable=True),
        sa.Column("visible_to", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_contact"),
    )
    op.create_index("ix_contact_received_by", "contact", ["received_by"])
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_record"),
        sa.UniqueConstraint("organisation_id", "key", name="uq_idempotency_record_organisation_id"),
        sa.ForeignKeyConstraint(["reference"], ["contact.reference"],
                                name="fk_idempotency_record_reference_contact"),
    )
    op.create_table(
        "journey_entry",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journey_entry"),
        sa.UniqueConstraint("event_id", name="uq_journey_entry_event_id"),
    )
    op.create_index("ix_journey_entry_reference", "journey_entry", ["reference"])


def downgrade() -> None:
    op.drop_table("journey_entry")
    op.drop_table("idempotency_record")
    op.drop_index("ix_contact_received_by", table_name="contact")
    op.drop_table("contact")
    drop_messaging_tables_v1()
