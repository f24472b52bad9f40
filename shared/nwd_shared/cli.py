"""The command line every service shares: `serve` (default) or `migrate`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from nwd_shared import migrations
from nwd_shared.observability import configure_logging
from nwd_shared.settings import ServiceSettings


def run_service(
    *,
    settings_type: type[ServiceSettings],
    create_app: Callable[[ServiceSettings], FastAPI],
    migrations_dir: Path,
    default_port: int,
    argv: list[str] | None = None,
) -> None:
    """Serve the app (running migrations first in dev) or only migrate, for a deploy step."""
    parser = argparse.ArgumentParser(prog=f"nwd-{settings_type().service_name}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = settings_type()
    configure_logging(settings.log_level)
    if args.command == "migrate":
        migrations.upgrade(migrations_dir, settings.database_url)
        return
    uvicorn.run(
        create_app(settings),
        host=os.environ.get("NWD_HOST", "127.0.0.1"),
        port=int(os.environ.get("NWD_PORT", default_port)),
        log_level=settings.log_level.lower(),
        access_log=False,
        # X-Forwarded-For is read by TrustedProxyMiddleware, from NWD_TRUSTED_PROXIES only.
        proxy_headers=False,
        lifespan="on",
        log_config=None,
        # SIGTERM: stop accepting, let in-flight requests finish, then the lifespan drains.
        timeout_graceful_shutdown=15,
    )
