"""Referral: ownership agreed between organisations; the partner feed. create_app(settings) builds the service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from nwd_shared.app import build_service_app
from nwd_shared.calendar import Clock, system_clock
from referral.api import router
from referral.config import Settings
from referral.consumers import CONSUMERS
from referral.models import messaging

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    """The referral app."""
    return build_service_app(
        settings=settings or Settings(), title="No Wrong Door: referral", tables=messaging,
        migrations_dir=MIGRATIONS, routers=[router], consumers=CONSUMERS, clock=clock,
    )
