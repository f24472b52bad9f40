"""Alembic environment for casework."""

from casework.models import Base
from nwd_shared.migrations import run_env

run_env(Base.metadata)
