"""Learning: projections and reports from every topic. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from learning import classification, retention
from learning.api import ROUTERS
from learning.config import Settings
from learning.consumers import CONSUMERS
from learning.models import audit, messaging
from nwd_shared.app import build_service_app
from nwd_shared.audit_api import audit_router
from nwd_shared.calendar import Clock, system_clock

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The learning app."""
    settings = settings or Settings()
    return build_service_app(
        settings=settings, title="No Wrong Door: learning", tables=messaging,
        migrations_dir=MIGRATIONS, consumers=CONSUMERS,
        routers=[*ROUTERS, audit_router(audit, "/v1/subjects/{reference}/audit", classification.audited_complaint)],
        periodic=[retention.periodic(settings)], clock=clock,
    )
