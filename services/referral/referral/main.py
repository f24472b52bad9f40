"""Referral: ownership agreed between organisations; the partner feed. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from nwd_shared.app import build_service_app
from nwd_shared.audit_api import audit_router
from nwd_shared.calendar import Clock, system_clock
from referral import chasing, partners, retention
from referral.api import ownership_router, router
from referral.config import Settings
from referral.consumers import CONSUMERS
from referral.models import audit, messaging
from referral.webhooks import delivery
from referral.webhooks.api import router as webhooks_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The referral app."""
    settings = settings or Settings()
    return build_service_app(
        settings=settings, title="No Wrong Door: referral", tables=messaging,
        migrations_dir=MIGRATIONS, consumers=CONSUMERS,
        routers=[router, ownership_router, webhooks_router,
                 audit_router(audit, "/v1/ownership/{reference}/audit", partners.audited_contact)],
        periodic=[chasing.periodic(settings), chasing.sweeper(settings), delivery.periodic(settings),
                  retention.periodic(settings)],
        clock=clock,
    )
