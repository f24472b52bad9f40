"""Periodic jobs run in one transaction: their effects and events commit together or not at all."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select

from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.runtime import PeriodicSpec, run_job_once, run_periodic
from nwd_shared.testing import eventually

from .conftest import effect, metadata, tables


def closed(reference: str) -> ev.CaseClosed:
    return ev.CaseClosed(source="/test", subject=reference, time=datetime.now(UTC),
                         data=ev.CaseClosedData(case_id="c", reference=reference, owner="o",
                                                closed_on=date(2026, 11, 20)))


@pytest.fixture
async def runtime(database_url):
    engine = db.create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    woken = []
    yield SimpleNamespace(sessions=db.session_factory(engine), tables=tables,
                          relay=SimpleNamespace(wake=lambda: woken.append(True)), woken=woken)
    await engine.dispose()


async def counts(runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        effects = (await session.execute(select(func.count()).select_from(effect))).scalar()
        outbox = (await session.execute(select(func.count()).select_from(tables.outbox))).scalar()
    return effects, outbox


async def test_job_effects_and_events_commit_together_and_wake_the_relay(runtime):
    async def job(session, _):
        await session.execute(insert(effect).values(reference="NWD-1", event_id="e"))
        return [closed("NWD-1")]

    assert await run_job_once(PeriodicSpec("ok", 1, job), runtime) == 1
    assert await counts(runtime) == (1, 1)
    assert runtime.woken == [True]


async def test_failing_job_leaves_nothing_behind(runtime):
    async def job(session, _):
        await session.execute(insert(effect).values(reference="NWD-2", event_id="e"))
        raise RuntimeError("half way")

    with pytest.raises(RuntimeError):
        await run_job_once(PeriodicSpec("fails", 1, job), runtime)
    assert await counts(runtime) == (0, 0)
    assert runtime.woken == []


async def test_periodic_runner_survives_a_failing_run_and_stops_when_told(runtime):
    runs = []

    async def job(session, _):
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("first run fails")
        return []

    stopping = asyncio.Event()
    task = asyncio.create_task(run_periodic(PeriodicSpec("flaky", 0.01, job), runtime, stopping))
    await eventually(lambda: len(runs) >= 3, timeout=5)
    stopping.set()
    await asyncio.wait_for(task, 2)
    assert runs[:3] == [0, 1, 2]
