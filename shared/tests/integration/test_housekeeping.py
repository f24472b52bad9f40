"""Housekeeping deletes expired inbox rows, published outbox rows and idempotency keys, in batches."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, insert, select

from nwd_shared import db
from nwd_shared.messaging.housekeeping import Expiry, keep_house, messaging_expiries, prune_expired
from nwd_shared.settings import HousekeepingSettings, ServiceSettings
from nwd_shared.testing import FakeClock, eventually

from .conftest import metadata, tables

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
# A service table of its own (as intake's idempotency_record), registered with `expiring=`.
own = MetaData()
idempotency = Table("idempotency_key", own, Column("id", Integer, primary_key=True, autoincrement=True),
                    Column("created_at", DateTime(timezone=True), nullable=False))


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
async def sessions(database_url):
    engine = db.create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.run_sync(own.create_all)
    yield db.session_factory(engine)
    await engine.dispose()


async def stage(sessions, *, inbox: list[float], published: list[float], unpublished: list[float],
                keys: list[float]) -> None:
    """Rows whose stamp is that many days before NOW."""
    outbox_rows = [(days_ago(age), days_ago(age)) for age in published]
    outbox_rows += [(None, days_ago(age)) for age in unpublished]
    rows = {
        tables.inbox: [{"consumer": "nwd-test", "event_id": f"/test#{n}", "event_type": "t",
                        "processed_at": days_ago(age)} for n, age in enumerate(inbox)],
        tables.outbox: [{"event_id": f"e-{n}", "event_type": "t", "topic": "t", "key": "NWD-1", "headers": [],
                         "payload": b"{}", "created_at": created_at, "published_at": published_at, "attempts": 0}
                        for n, (published_at, created_at) in enumerate(outbox_rows)],
        idempotency: [{"created_at": days_ago(age)} for age in keys],
    }
    async with sessions() as session, session.begin():
        for table, values in rows.items():
            if values:
                await session.execute(insert(table), values)


async def ages(sessions) -> dict[str, list[int]]:
    """What is left, as whole days before NOW, per table (outbox: by created_at)."""
    async with sessions() as session:
        inbox = (await session.execute(select(tables.inbox.c.processed_at))).scalars()
        outbox = (await session.execute(select(tables.outbox.c.created_at))).scalars()
        keys = (await session.execute(select(idempotency.c.created_at))).scalars()
        return {name: sorted(round((NOW - stamp.replace(tzinfo=stamp.tzinfo or UTC)) / timedelta(days=1))
                             for stamp in stamps)
                for name, stamps in (("inbox", inbox), ("outbox", outbox), ("keys", keys))}


EXPIRIES = [*messaging_expiries(tables), Expiry(idempotency.c.created_at, "idempotency_key_retention_days")]


async def test_expired_rows_go_and_unpublished_outbox_rows_stay_however_old(sessions):
    await stage(sessions, inbox=[1, 29, 31, 40, 400], published=[2, 29, 31, 90], unpublished=[45, 400],
                keys=[1, 6, 8, 30])
    # A batch smaller than what expires: the rounds of one run delete the rest.
    settings = ServiceSettings(housekeeping_batch_size=2)
    pruned = await prune_expired(sessions, EXPIRIES, settings, NOW, service="test-housekeeping")
    assert pruned == {"inbox_message": 3, "outbox_message": 2, "idempotency_key": 2}
    assert await ages(sessions) == {"inbox": [1, 29], "outbox": [2, 29, 45, 400], "keys": [1, 6]}


async def test_periods_are_settings(sessions):
    await stage(sessions, inbox=[3, 10], published=[3, 10], unpublished=[], keys=[1, 3])
    settings = ServiceSettings(inbox_retention_days=5, outbox_retention_days=5, idempotency_key_retention_days=2)
    await prune_expired(sessions, EXPIRIES, settings, NOW, service="test-housekeeping")
    assert await ages(sessions) == {"inbox": [3], "outbox": [3], "keys": [1]}


async def test_replicas_pruning_at_once_delete_each_row_once_and_fail_nothing(sessions):
    await stage(sessions, inbox=[31 + n for n in range(50)], published=[31 + n for n in range(50)], unpublished=[],
                keys=[8 + n for n in range(50)])
    settings = ServiceSettings(housekeeping_batch_size=7)
    runs = await asyncio.gather(*[prune_expired(sessions, EXPIRIES, settings, NOW, service="test-housekeeping")
                                  for _ in range(3)])
    assert {table: sum(run[table] for run in runs) for table in runs[0]} == \
        {"inbox_message": 50, "outbox_message": 50, "idempotency_key": 50}
    assert await ages(sessions) == {"inbox": [], "outbox": [], "keys": []}


async def test_the_periodic_job_reads_the_services_clock(sessions):
    await stage(sessions, inbox=[20], published=[20], unpublished=[], keys=[])
    clock = FakeClock(NOW)
    runtime = SimpleNamespace(settings=ServiceSettings(service_name="test-housekeeping",
                                                       housekeeping_interval_seconds=0.05),
                              sessions=sessions, clock=clock)
    stopping = asyncio.Event()
    task = asyncio.create_task(keep_house(runtime, EXPIRIES, stopping))
    await asyncio.sleep(0.2)
    assert await ages(sessions) == {"inbox": [20], "outbox": [20], "keys": []}
    clock.now = NOW + timedelta(days=11)
    await eventually(lambda: _empty(sessions), timeout=10)
    stopping.set()
    await asyncio.wait_for(task, 5)


async def _empty(sessions) -> bool:
    return await ages(sessions) == {"inbox": [], "outbox": [], "keys": []}


def test_inbox_rows_must_outlive_the_outbox_rows_that_could_publish_their_events_again():
    with pytest.raises(ValidationError, match="inbox_retention_days must be at least outbox_retention_days"):
        HousekeepingSettings(inbox_retention_days=7, outbox_retention_days=30)


async def test_housekeeping_counts_what_it_pruned(sessions):
    def pruned() -> float:
        return REGISTRY.get_sample_value("nwd_rows_pruned_total",
                                         {"service": "test-counted", "table": "inbox_message"}) or 0.0

    before = pruned()
    await stage(sessions, inbox=[31, 32], published=[], unpublished=[], keys=[])
    await prune_expired(sessions, EXPIRIES, ServiceSettings(), NOW, service="test-counted")
    assert pruned() - before == 2
