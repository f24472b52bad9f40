"""Alembic environment for intake."""

from intake.models import Base
from nwd_shared.migrations import run_env

run_env(Base.metadata)
