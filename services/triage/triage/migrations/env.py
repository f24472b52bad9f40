"""Alembic environment for triage."""

from nwd_shared.migrations import run_env
from triage.models import Base

run_env(Base.metadata)
