"""Triage: safeguarding first, then the route and the responsible organisations. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from nwd_shared.app import build_service_app
from nwd_shared.audit_api import audit_router
from nwd_shared.calendar import Clock, system_clock
from triage import chasing, service
from triage.api import router
from triage.api_safeguarding import router as safeguarding_router
from triage.config import Settings
from triage.consumers import CONSUMERS
from triage.models import audit, messaging
from triage.runtime import TriageRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The triage app."""
    settings = settings or Settings()
    return build_service_app(
        settings=settings, title="No Wrong Door: triage", tables=messaging, migrations_dir=MIGRATIONS,
        consumers=CONSUMERS,
        routers=[router, safeguarding_router, audit_router(audit, "/v1/triage/{reference}/audit", service.audited_decision)],
        periodic=[chasing.periodic(settings)], clock=clock, runtime_type=TriageRuntime,
    )
