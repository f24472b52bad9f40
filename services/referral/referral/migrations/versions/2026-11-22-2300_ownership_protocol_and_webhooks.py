"""The ownership protocol, other referrals, the personal-data audit trail and webhooks.

Revision ID: referral_0002
Revises: referral_0001
Create Date: 2026-11-22 23:00
"""

import sqlalchemy as sa
from alembic import op

revision = "referral_0002"
down_revision = "referral_0001"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=True))
        batch.add_column(sa.Column("request_reason", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("joint_working_team", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("case_id", sa.String(36), nullable=True))
    op.create_index("ix_referral_status_due_at", "referral", ["status", "due_at"])
    op.create_table(
        "contact",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False),
        sa.Column("wants_advocacy", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_contact"),
    )
    op.create_table(
        "negotiation",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("lead", sa.String(64), nullable=True),
        sa.Column("lead_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tried", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_negotiation"),
    )
    op.create_index("ix_negotiation_state", "negotiation", ["state"])
    op.create_table(
        "detail_access",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_detail_access"),
    )
    op.create_index("ix_detail_access_referral_id", "detail_access", ["referral_id"])
    op.create_index("ix_detail_access_reference", "detail_access", ["reference"])
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscription"),
    )
    op.create_index("ix_webhook_subscription_organisation_id", "webhook_subscription", ["organisation_id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_subscription_event"),
    )
    op.create_index("ix_webhook_delivery_subscription_id", "webhook_delivery", ["subscription_id"])
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "next_attempt_at"])
    op.create_table(
        "webhook_attempt",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_attempt"),
    )
    op.create_index("ix_webhook_attempt_delivery_id", "webhook_attempt", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_attempt_delivery_id", table_name="webhook_attempt")
    op.drop_table("webhook_attempt")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_subscription_id", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscription_organisation_id", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
    op.drop_index("ix_detail_access_reference", table_name="detail_access")
    op.drop_index("ix_detail_access_referral_id", table_name="detail_access")
    op.drop_table("detail_access")
    op.drop_index("ix_negotiation_state", table_name="negotiation")
    op.drop_table("negotiation")
    op.drop_table("contact")
    op.drop_index("ix_referral_status_due_at", table_name="referral")
    with op.batch_alter_table("referral") as batch:
        for column in ("case_id", "joint_working_team", "escalated_at", "reminded_at", "remind_at",
                       "due_at", "request_reason", "role"):
            batch.drop_column(column)
