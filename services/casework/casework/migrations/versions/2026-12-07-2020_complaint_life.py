"""The whole life of a complaint: replies, reviews, withdrawal, reopening, the ombudsman stage (issue 15)."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "casework_0008"
down_revision = "casework_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
