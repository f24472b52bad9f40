"""A service's runtime: database, producer, relay, consumers and periodic jobs, started and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nwd_shared import db, migrations
from nwd_shared.auth import JwksVerifier, Limits
from nwd_shared.calendar import Clock, WorkingCalendar, system_clock
from nwd_shared.directory import Directory, load_directory
from nwd_shared.events import CloudEvent
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.consumer import EventConsumer, Handler, Prefetch
from nwd_shared.messaging.housekeeping import Expiry, keep_house, messaging_expiries
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.messaging.republish import log_checked
from nwd_shared.messaging.tables import MessagingTables
from nwd_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Runtime(Generic[S]):
    """Everything a service's handlers, jobs and endpoints share while it runs.

    A service with singletons of its own (casework's letters) subclasses it and builds them from its
    settings in `__post_init__`; `Runtime[Settings]` types `settings` as the service's own.
    """

    settings: S
    directory: Directory
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    producer: ProducerHandle
    relay: OutboxRelay
    clock: Clock
    calendar: WorkingCalendar
    # Per credential, and failed authentications per client address.
    rate_limiter: Limits | None = None
    # Set when NWD_JWKS_URL is: identity-provider tokens are accepted beside API keys.
    jwks: JwksVerifier | None = None
    consumers: list[EventConsumer] = field(default_factory=list)


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer group of a service: its topics and, given the runtime, its handlers."""

    name: str
    topics: Sequence[str]
    handlers: Callable[[Runtime[Any]], dict[str, Handler]]
    prefetch: Prefetch | None = None


# A periodic job runs in one transaction and returns the events it causes.
Job = Callable[[AsyncSession, Runtime[Any]], Awaitable[Iterable[CloudEvent] | None]]


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


@dataclass(frozen=True)
class ServiceParts:
    """What a service runs besides its HTTP API: tables, migrations, consumers, jobs, clock."""

    tables: MessagingTables
    migrations_dir: Path
    consumers: Sequence[ConsumerSpec] = ()
    periodic: Sequence[PeriodicSpec] = ()
    clock: Clock = system_clock
    calendar: WorkingCalendar | None = None
    runtime_type: type[Runtime] = Runtime
    # Tables of the service's own that housekeeping prunes besides the inbox and outbox.
    expiring: Sequence[Expiry] = ()


@contextlib.asynccontextmanager
async def running(settings: ServiceSettings, parts: ServiceParts) -> AsyncIterator[Runtime]:
    """Start a service's runtime (migrations, relay, consumers, jobs); stop it cleanly on exit."""
    directory = load_directory(settings.organisations_file)
    if settings.migrate_on_start:
        await asyncio.to_thread(migrations.upgrade, parts.migrations_dir, settings.database_url)
    engine = db.create_engine(settings.database_url)
    producer = ProducerHandle(settings, client_id=f"nwd-{settings.service_name}")
    # Checks the broker's log before publishing: what it lost is re-published (issue 17, item 3).
    relay_producer = log_checked(producer, engine, parts.tables, settings)
    relay = OutboxRelay(
        service=settings.service_name, engine=engine, tables=parts.tables, producer=relay_producer,
        batch_size=settings.outbox_batch_size, poll_interval=settings.outbox_poll_interval_ms / 1000,
    )
    jwks = JwksVerifier(settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                        claim=settings.jwt_organisation_claim) if settings.jwks_url else None
    runtime = parts.runtime_type(
        settings=settings, directory=directory, engine=engine, sessions=db.session_factory(engine),
        tables=parts.tables, producer=producer, relay=relay, clock=parts.clock,
        calendar=parts.calendar or WorkingCalendar(),
        rate_limiter=Limits.of(settings), jwks=jwks,
    )
    await asyncio.to_thread(runtime.calendar.warm, parts.clock().date())
    runtime.consumers = [
        EventConsumer(
            service=settings.service_name, name=settings.kafka_group_prefix + spec.name, inbox_name=spec.name,
            topics=spec.topics, handlers=spec.handlers(runtime), sessions=runtime.sessions,
            tables=parts.tables, producer=producer, settings=settings, after_commit=relay.wake,
            prefetch=spec.prefetch,
        )
        for spec in parts.consumers
    ]
    relay_task = asyncio.create_task(relay.run(), name=f"{settings.service_name}-relay")
    workers = [asyncio.create_task(c.run(), name=c.name) for c in runtime.consumers]
    stopping = asyncio.Event()
    workers += [asyncio.create_task(run_periodic(p, runtime, stopping), name=p.name)
                for p in parts.periodic]
    workers.append(asyncio.create_task(relay_producer.watch(stopping, relay.wake),
                                       name=f"{settings.service_name}-log-check"))
    workers.append(asyncio.create_task(
        keep_house(runtime, [*messaging_expiries(parts.tables), *parts.expiring], stopping),
        name=f"{settings.service_name}-housekeeping"))
    try:
        yield runtime
    finally:
        # Consumers finish their batch and commit, jobs their run; then the relay drains.
        stopping.set()
        for consumer in runtime.consumers:
            consumer.stop()
        await _finish(workers, timeout=10)
        relay.stop()
        await _finish([relay_task], timeout=5)
        await relay.drain(settings.shutdown_drain_seconds)
        await producer.stop()
        await engine.dispose()


async def _finish(tasks: list[asyncio.Task], timeout: float) -> None:
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
