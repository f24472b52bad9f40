"""Builds a service's FastAPI app: lifespan wiring of database, producer, relay and consumers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nwd_shared import db, migrations
from nwd_shared.auth import JwksVerifier, RateLimiter
from nwd_shared.calendar import Clock, WorkingCalendar, system_clock
from nwd_shared.directory import Directory, load_directory
from nwd_shared.events import CloudEvent
from nwd_shared.http import (
    BodyLimitMiddleware,
    MetricsMiddleware,
    install_problem_handlers,
    problem_response,
)
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.consumer import EventConsumer, Handler, Prefetch
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.observability import TracingMiddleware, configure_tracing
from nwd_shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a service's handlers and endpoints share while it runs."""

    settings: ServiceSettings
    directory: Directory
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    producer: ProducerHandle
    relay: OutboxRelay
    clock: Clock
    calendar: WorkingCalendar
    consumers: list[EventConsumer] = field(default_factory=list)


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer group of a service: its topics and, given the runtime, its handlers."""

    name: str
    topics: Sequence[str]
    handlers: Callable[[Runtime], dict[str, Handler]]
    prefetch: Prefetch | None = None


NO_FASTAPI_TELEMETRY = {"tracing": False, "operation_spans": False, "metrics": False, "logs": False}


# A periodic job runs in one transaction and returns the events it causes.
Job = Callable[[AsyncSession, "Runtime"], Awaitable[Iterable[CloudEvent] | None]]


@dataclass(frozen=True)
class PeriodicSpec:
    """A job a service runs every `interval` seconds (deadline monitors, time-outs)."""

    name: str
    interval: float
    job: Job


async def run_periodic(spec: PeriodicSpec, runtime: Runtime, stopping: asyncio.Event) -> None:
    """Run a job until stopped; a failure is logged and retried at the next tick, never fatal."""
    while not stopping.is_set():
        try:
            await run_job_once(spec, runtime)
        except Exception:
            log.exception("periodic job %s failed; retrying next time", spec.name)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), spec.interval)


async def run_job_once(spec: PeriodicSpec, runtime: Runtime) -> int:
    """One run of a job in its own transaction; returns how many events it staged."""
    async with runtime.sessions() as session, session.begin():
        caused = list(await spec.job(session, runtime) or ())
        await add_to_outbox(session, runtime.tables, caused)
    if caused:
        runtime.relay.wake()
    return len(caused)


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
) -> FastAPI:
    """A FastAPI app whose lifespan starts and cleanly stops everything the service runs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        directory = load_directory(settings.organisations_file)
        if settings.migrate_on_start:
            await asyncio.to_thread(migrations.upgrade, migrations_dir, settings.database_url)
        engine = db.create_engine(settings.database_url)
        producer = ProducerHandle(settings, client_id=f"nwd-{settings.service_name}")
        relay = OutboxRelay(
            service=settings.service_name, engine=engine, tables=tables, producer=producer,
            batch_size=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval_ms / 1000,
        )
        runtime = Runtime(
            settings=settings, directory=directory, engine=engine, sessions=db.session_factory(engine),
            tables=tables, producer=producer, relay=relay, clock=clock,
            calendar=calendar or WorkingCalendar(),
        )
        await asyncio.to_thread(runtime.calendar.warm, clock().date())
        runtime.consumers = [
            EventConsumer(
                service=settings.service_name, name=settings.kafka_group_prefix + spec.name,
                topics=spec.topics,
                handlers=spec.handlers(runtime), sessions=runtime.sessions, tables=tables,
                producer=producer, settings=settings, after_commit=relay.wake, prefetch=spec.prefetch,
            )
            for spec in consumers
        ]
        app.state.runtime = runtime
        app.state.directory = directory
        app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
        if settings.jwks_url:
            app.state.jwks = JwksVerifier(settings.jwks_url, issuer=settings.jwt_issuer,
                                          audience=settings.jwt_audience,
                                          claim=settings.jwt_organisation_claim)
        tasks = [asyncio.create_task(relay.run(), name=f"{settings.service_name}-relay")]
        tasks += [asyncio.create_task(c.run(), name=c.name) for c in runtime.consumers]
        stopping = asyncio.Event()
        tasks += [asyncio.create_task(run_periodic(p, runtime, stopping), name=p.name) for p in periodic]
        try:
            yield
        finally:
            # Consumers finish their batch and commit, jobs their run; then the relay drains.
            stopping.set()
            for consumer in runtime.consumers:
                consumer.stop()
            workers, relay_task = tasks[1:], tasks[0]
            await _finish(workers, timeout=10)
            relay.stop()
            await _finish([relay_task], timeout=5)
            await relay.drain(settings.shutdown_drain_seconds)
            await producer.stop()
            await engine.dispose()

    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    # FastAPI's own telemetry off: TracingMiddleware makes the one server span a request needs and
    # Prometheus has the metrics; FastAPI's request and operation spans doubled them (about 8% of
    # intake's CPU under load, measured with py-spy).
    app = FastAPI(title=title, version="1", lifespan=lifespan, telemetry=NO_FASTAPI_TELEMETRY)
    install_problem_handlers(app)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(TracingMiddleware)
    app.include_router(_health_router())
    for router in routers:
        app.include_router(router)
    return app


async def _finish(tasks: list[asyncio.Task], timeout: float) -> None:
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/livez")
    async def livez() -> dict:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> Response:
        """Database and broker reachable, and every consumer has joined its group once."""
        runtime = runtime_of(request)
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(db.ping(runtime.engine), 2)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks["database"] = type(exc).__name__
        try:
            await runtime.producer.ping()
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = type(exc).__name__
        for consumer in runtime.consumers:
            checks[f"consumer:{consumer.name}"] = "ok" if consumer.assigned.is_set() else "joining"
        if all(value == "ok" for value in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem_response(503, "not ready", checks=checks)

    @router.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
