"""The FastAPI app factory: a service's routers over its runtime, with health, metrics and problem+json."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import db
from nwd_shared.calendar import Clock, WorkingCalendar, system_clock
from nwd_shared.directory import load_directory
from nwd_shared.events import CloudEvent
from nwd_shared.http import (
    ERROR_RESPONSES,
    BodyLimitMiddleware,
    MetricsMiddleware,
    SecurityHeadersMiddleware,
    TrustedProxyMiddleware,
    declare_problem_schemas,
    install_problem_handlers,
    problem_response,
    problem_responses,
)
from nwd_shared.messaging.housekeeping import Expiry
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.observability import TracingMiddleware, configure_tracing
from nwd_shared.runtime import ConsumerSpec, PeriodicSpec, Runtime, ServiceParts, running
from nwd_shared.settings import ServiceSettings

NO_FASTAPI_TELEMETRY = {"tracing": False, "operation_spans": False, "metrics": False, "logs": False}


class UnitOfWork:
    """A request's transaction: state changes and the events they cause commit together."""

    def __init__(self, session: AsyncSession, tables: MessagingTables) -> None:
        self.session = session
        self._tables = tables

    async def emit(self, events: Iterable[CloudEvent]) -> None:
        """Stage events in the outbox, in this transaction."""
        await add_to_outbox(self.session, self._tables, events)


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


async def _unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    runtime = runtime_of(request)
    async with runtime.sessions() as session:
        async with session.begin():
            yield UnitOfWork(session, runtime.tables)
    runtime.relay.wake()


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).sessions() as session:
        yield session


# scope="function": the commit finishes before the response is sent, so a 2xx means stored.
Work = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


def build_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    tables: MessagingTables,
    migrations_dir: Path,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[ConsumerSpec] = (),
    periodic: Sequence[PeriodicSpec] = (),
    clock: Clock = system_clock,
    calendar: WorkingCalendar | None = None,
    runtime_type: type[Runtime] = Runtime,
    body_limits: Mapping[str, int] | None = None,
    expiring: Sequence[Expiry] = (),
) -> FastAPI:
    """A FastAPI app whose lifespan starts and cleanly stops everything the service runs.

    `body_limits` gives paths (regular expressions) a body limit other than 1 MiB, e.g. uploads;
    `expiring` names tables of the service's own that housekeeping prunes (intake's idempotency keys).
    """
    refuse_unsafe_defaults(settings)
    parts = ServiceParts(tables=tables, migrations_dir=migrations_dir, consumers=consumers,
                         periodic=periodic, clock=clock, calendar=calendar, runtime_type=runtime_type,
                         expiring=expiring)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, parts) as runtime:
            app.state.runtime = runtime
            yield

    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    # FastAPI's own telemetry off: TracingMiddleware makes the one server span a request needs and
    # Prometheus has the metrics; FastAPI's request and operation spans doubled them (about 8% of
    # intake's CPU under load, measured with py-spy).
    app = FastAPI(title=title, version="1", lifespan=lifespan, telemetry=NO_FASTAPI_TELEMETRY)
    install_problem_handlers(app)
    declare_problem_schemas(app)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(BodyLimitMiddleware, limits=body_limits)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(TracingMiddleware)
    # Outermost: everything inside, the audit trail included, sees the client's own address.
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies)
    app.include_router(_health_router())
    for router in routers:
        # Every error a client can meet is declared, so a client generated from the document is right.
        app.include_router(router, responses=ERROR_RESPONSES)
    return app


class UnsafeDeployment(RuntimeError):
    """NWD_ENV=production with one of the demo's defaults: the service refuses to start."""


def refuse_unsafe_defaults(settings: ServiceSettings) -> None:
    """In production, refuse the demo directory, plain API keys and each service's own unsafe settings."""
    if settings.env != "production":
        return
    refusals = settings.production_refusals()
    plain = [o.id for o in load_directory(settings.organisations_file).organisations if o.api_key]
    if plain:
        refusals.append(f"NWD_ORGANISATIONS_FILE: plain api_key for {', '.join(plain)}; give api_key_sha256")
    if refusals:
        raise UnsafeDeployment("NWD_ENV=production refuses to start: " + "; ".join(refusals))


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/livez")
    async def livez() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz", responses=problem_responses(503))
    async def readyz(request: Request) -> Response:
        """Ready while the database answers: that is all a request or a consumer batch needs.

        A broker outage leaves the pod ready (the outbox takes the work and the relay publishes it
        later), and so does a consumer with no partition (more replicas than partitions). The
        broker and the consumers are reported, from what the relay and consumers last saw, never
        probed here; lag and assignment are metrics (nwd_consumer_lag, nwd_consumer_assigned_partitions).
        """
        runtime = runtime_of(request)
        try:
            await asyncio.wait_for(db.ping(runtime.engine), 2)
            checks = {"database": "ok"}
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks = {"database": type(exc).__name__}
        seen = {"broker": runtime.relay.broker,
                "consumers": {c.name: {"joined": c.assigned.is_set(), "partitions": c.partitions}
                              for c in runtime.consumers}}
        if checks["database"] == "ok":
            return JSONResponse({"status": "ready", "checks": checks, **seen})
        return problem_response(503, "not ready", checks=checks, **seen)

    @router.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
