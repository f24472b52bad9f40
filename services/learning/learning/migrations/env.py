"""Alembic environment for learning."""

from learning.models import Base
from nwd_shared.migrations import run_env

run_env(Base.metadata)
