"""Casework: the case at the owning organisation and its statutory clock. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from casework import retention, service
from casework.api import router
from casework.casefile import api as casefile
from casework.config import Settings
from casework.consumers import CONSUMERS
from casework.deadlines import deadline_monitor
from casework.letters.api import router as letters_router
from casework.life.api import router as life_router
from casework.models import audit, messaging
from casework.queues.api import router as queues_router
from casework.runtime import CaseworkRuntime
from nwd_shared.app import build_service_app
from nwd_shared.audit_api import audit_router
from nwd_shared.calendar import Clock, system_clock

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The casework app."""
    settings = settings or Settings()
    return build_service_app(
        settings=settings, title="No Wrong Door: casework", tables=messaging,
        migrations_dir=MIGRATIONS, consumers=CONSUMERS,
        routers=[queues_router, router, letters_router, casefile.router, life_router,
                 audit_router(audit, "/v1/cases/{case_id}/audit", service.audited_case)],
        periodic=[deadline_monitor(settings.deadline_monitor_interval_seconds), retention.periodic(settings)],
        clock=clock, runtime_type=CaseworkRuntime,
        body_limits={casefile.DOCUMENT_UPLOAD_PATH: settings.document_max_bytes + casefile.MULTIPART_OVERHEAD_BYTES},
    )
