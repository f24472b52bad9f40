"""Add negotiation.lead_received_at: when the complaint reached the lead, where its clock starts.

Revision ID: referral_0005
Revises: referral_0004
Create Date: 2026-12-07 21:00
"""

import sqlalchemy as sa
from alembic import op

revision = "referral_0005"
down_revision = "referral_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("negotiation", sa.Column("lead_received_at", sa.DateTime(timezone=True), nullable=True))
    # A lead that accepted a proposal received the contact when it was proposed; one that had it
    # already (the receiving body) when it accepted, which was its receipt.
    op.execute("""
        UPDATE negotiation SET lead_received_at = (
            SELECT max(referral.created_at) FROM referral
            WHERE referral.reference = negotiation.reference AND referral.role = 'lead'
              AND referral.to_organisation = negotiation.lead AND referral.status = 'accepted')
        WHERE lead_accepted_at IS NOT NULL
    """)
    op.execute("UPDATE negotiation SET lead_received_at = lead_accepted_at "
               "WHERE lead_received_at IS NULL AND lead_accepted_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("negotiation") as batch:
        batch.drop_column("lead_received_at")
