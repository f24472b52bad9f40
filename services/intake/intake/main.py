"""Intake: the one door. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from intake import retention, service
from intake.api import router
from intake.config import Settings
from intake.consumers import CONSUMERS
from intake.models import IdempotencyRecord, audit, messaging
from nwd_shared.app import build_service_app
from nwd_shared.audit_api import audit_router
from nwd_shared.calendar import Clock, system_clock
from nwd_shared.messaging.housekeeping import Expiry

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The intake app: contacts in, contact.received out, journeys kept."""
    settings = settings or Settings()
    return build_service_app(
        settings=settings, title="No Wrong Door: intake", tables=messaging,
        migrations_dir=MIGRATIONS, consumers=CONSUMERS,
        routers=[router, audit_router(audit, "/v1/contacts/{reference}/audit", service.audited_contact)],
        periodic=[retention.periodic(settings)], clock=clock,
        expiring=[Expiry(IdempotencyRecord.__table__.c.created_at, "idempotency_key_retention_days")],
    )
