"""Projections of contacts, cases and counted events; learning actions, subject
corrections and experience links. Replaces the skeleton's learning_fact.

Revision ID: learning_0002
Revises: learning_0001
Create Date: 2026-11-22 23:00
"""

import sqlalchemy as sa
from alembic import op

revision = "learning_0002"
down_revision = "learning_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_learning_fact_organisation_on", table_name="learning_fact")
    op.drop_table("learning_fact")
    op.create_table(
        "learning_contact",
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("relationship", sa.String(16), nullable=True),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("route", sa.String(16), nullable=True),
        sa.Column("safeguarding_categories", sa.JSON(), nullable=False),
        sa.Column("out_of_time", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("ownership_agreed_on", sa.Date(), nullable=True),
        sa.Column("ownership_working_days", sa.Integer(), nullable=True),
        sa.Column("text_subjects", sa.JSON(), nullable=False),
        sa.Column("service_area", sa.String(40), nullable=True),
        sa.Column("service_area_reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("reference", name="pk_learning_contact"),
    )
    op.create_index("ix_learning_contact_received_by_on", "learning_contact", ["received_by", "received_on"])
    op.create_table(
        "learning_case",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("acknowledge_by", sa.Date(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("action_plan_by", sa.Date(), nullable=True),
        sa.Column("action_plan_on", sa.Date(), nullable=True),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("six_months_by", sa.Date(), nullable=True),
        sa.Column("extensions", sa.SmallInteger(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("desired_outcome_met", sa.Boolean(), nullable=True),
        sa.Column("responded_on_time", sa.Boolean(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("ombudsman_id", sa.String(64), nullable=True),
        sa.Column("six_months_breached_on", sa.Date(), nullable=True),
        sa.Column("case_subjects", sa.JSON(), nullable=False),
        sa.Column("case_service_area", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("reference", "case_id", name="pk_learning_case"),
    )
    op.create_index("ix_learning_case_owner", "learning_case", ["owner"])
    op.create_table(
        "learning_event_fact",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", "metric", name="pk_learning_event_fact"),
    )
    op.create_index("ix_learning_event_fact_organisation_on", "learning_event_fact",
                    ["organisation_id", "occurred_on"])
    op.create_table(
        "learning_action",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_learning_action"),
    )
    op.create_index("ix_learning_action_organisation", "learning_action", ["organisation"])
    op.create_index("ix_learning_action_case", "learning_action", ["reference", "case_id"])
    op.create_table(
        "learning_subject_correction",
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=True),
        sa.Column("service_area", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_learning_subject_correction"),
    )
    op.create_table(
        "learning_experience_link",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("token", name="pk_learning_experience_link"),
        sa.UniqueConstraint("reference", "case_id", name="uq_learning_experience_link_reference"),
    )
    op.create_index("ix_learning_experience_link_organisation", "learning_experience_link", ["organisation"])


def downgrade() -> None:
    op.drop_index("ix_learning_experience_link_organisation", table_name="learning_experience_link")
    op.drop_table("learning_experience_link")
    op.drop_table("learning_subject_correction")
    op.drop_index("ix_learning_action_case", table_name="learning_action")
    op.drop_index("ix_learning_action_organisation", table_name="learning_action")
    op.drop_table("learning_action")
    op.drop_index("ix_learning_event_fact_organisation_on", table_name="learning_event_fact")
    op.drop_table("learning_event_fact")
    op.drop_index("ix_learning_case_owner", table_name="learning_case")
    op.drop_table("learning_case")
    op.drop_index("ix_learning_contact_received_by_on", table_name="learning_contact")
    op.drop_table("learning_contact")
    op.create_table(
        "learning_fact",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learning_fact"),
    )
    op.create_index("ix_learning_fact_organisation_on", "learning_fact", ["organisation_id", "occurred_on"])
