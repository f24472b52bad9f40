"""Referral on PostgreSQL with two replicas answering and chasing the same negotiations at the same instant.

The replicas are two app instances in this process, each with its own engine and connection pool,
on one PostgreSQL database (not processes: the database's transactions are what race, and they do
here). SQLite has a single writer, so these tests need NWD_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    NO_BROKER,
    POSTGRES_URL,
    FakeClock,
    contact_received,
    deliver,
    eventually,
    fresh_database,
    new_reference,
    running_app,
    triage_completed,
)
from referral import chasing
from referral.config import Settings
from referral.main import create_app
from referral.models import Negotiation, Referral

from ..conftest import key_of

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="replicas race only on PostgreSQL: set NWD_TEST_POSTGRES_URL")

COMPLAINTS = 200
AGREED = "nwd.ownership.agreed.v1"
ACCEPTED = "nwd.referral.accepted.v1"
PROPOSED = "nwd.referral.proposed.v1"
ESCALATED = "nwd.referral.escalated.v1"


@asynccontextmanager
async def replicas(tmp_path, *, clock: FakeClock, jobs_every: float = 86400.0, count: int = 2):
    """`count` referral apps on one fresh PostgreSQL database, started one after another (one migrates)."""
    async with fresh_database("postgres", tmp_path) as url, AsyncExitStack() as stack:
        prefix = f"test-{uuid.uuid4().hex[:8]}-"
        clients = []
        for _ in range(count):
            app = create_app(Settings(database_url=url, kafka_bootstrap_servers=NO_BROKER, kafka_group_prefix=prefix,
                                      timeout_check_seconds=jobs_every, sweep_seconds=jobs_every), clock=clock)
            client = await stack.enter_async_context(running_app(app))
            client.runtime = app.state.runtime
            clients.append(client)
        yield clients


async def joint_complaints(runtime, count: int) -> list[str]:
    """Joint complaints received by a PALS: the council is asked to lead, the hospital to contribute."""
    references = [new_reference() for _ in range(count)]
    for start in range(0, count, 50):
        events = []
        for reference in references[start:start + 50]:
            events += [contact_received(reference, received_by="uhsussex-pals",
                                        concerns=[{"organisation_id": "wsx-council"},
                                                  {"organisation_id": "uhsussex"}]),
                       triage_completed(reference, received_by="uhsussex-pals",
                                        responsible=["uhsussex", "wsx-council"],
                                        concern_count={"wsx-council": 2, "uhsussex": 1})]
        await deliver(runtime, *events)
    return references


async def single_complaints(runtime, count: int) -> list[str]:
    """Complaints received by the hospital about the council: one proposal each, to the council."""
    references = [new_reference() for _ in range(count)]
    for start in range(0, count, 50):
        events = []
        for reference in references[start:start + 50]:
            events += [contact_received(reference, received_by="uhsussex",
                                        concerns=[{"organisation_id": "wsx-council"}]),
                       triage_completed(reference, received_by="uhsussex", responsible=["wsx-council"])]
        await deliver(runtime, *events)
    return references


async def pending(runtime) -> list[Referral]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(Referral).where(Referral.status == "pending")
                                           .order_by(Referral.reference, Referral.role))).all())


async def staged(runtime) -> list[tuple[str, str, dict]]:
    """Every event the replicas staged (they share the outbox): (type, event id, data)."""
    outbox = runtime.tables.outbox
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(select(outbox.c.event_type, outbox.c.event_id, outbox.c.payload)
                                        .order_by(outbox.c.id))
        return [(kind, event_id, json.loads(payload)) for kind, event_id, payload in rows]


async def together(*calls):
    """Start every call, then release them at one instant; their results in order."""
    gate = asyncio.Event()

    async def held(call):
        await gate.wait()
        return await call()

    tasks = [asyncio.create_task(held(call)) for call in calls]
    await asyncio.sleep(0.1)  # every task is waiting at the gate
    gate.set()
    return await asyncio.gather(*tasks)


def accept(client, row: Referral):
    return lambda: client.post(f"/v1/referrals/{row.id}/accept", headers=key_of(row.to_organisation))


def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 14, 10, tzinfo=UTC))  # a Monday


async def test_lead_and_contributor_accepting_at_once_on_two_replicas_agree_exactly_once(tmp_path):
    async with replicas(tmp_path, clock=clock()) as (first, second):
        references = await joint_complaints(first.runtime, COMPLAINTS)
        rows = await pending(first.runtime)
        leads = {r.reference: r for r in rows if r.role == "lead"}
        contributors = {r.reference: r for r in rows if r.role == "contributor"}
        assert set(leads) == set(contributors) == set(references)
        answers = await together(*(call for reference in references
                                   for call in (accept(first, leads[reference]),
                                                accept(second, contributors[reference]))))
        assert [a.status_code for a in answers] == [200] * len(answers)
        agreed = Counter(data["reference"] for kind, _, data in await staged(first.runtime) if kind == AGREED)
        stuck = [r for r in references if agreed[r] == 0]
        doubled = [r for r in references if agreed[r] > 1]
        assert (len(stuck), len(doubled)) == (0, 0), f"never agreed: {len(stuck)}; agreed twice: {len(doubled)}"


async def test_a_retried_accept_on_the_other_replica_answers_the_same_and_emits_nothing_new(tmp_path):
    async with replicas(tmp_path, clock=clock()) as (first, second):
        references = await single_complaints(first.runtime, 50)
        rows = await pending(first.runtime)
        answers = await together(*(call for row in rows for call in (accept(first, row), accept(second, row))))
        assert [a.status_code for a in answers] == [200] * len(answers)
        assert all(one.json() == other.json() for one, other in zip(answers[::2], answers[1::2], strict=True))
        events = await staged(first.runtime)
        accepted = Counter(data["referral_id"] for kind, _, data in events if kind == ACCEPTED)
        agreed = Counter(data["reference"] for kind, _, data in events if kind == AGREED)
        assert set(accepted.values()) == {1} and len(accepted) == len(rows)
        assert set(agreed.values()) == {1} and set(agreed) == set(references)
        # Retried later, one at a time: still 200, still nothing new.
        again = await first.post(f"/v1/referrals/{rows[0].id}/accept", headers=key_of(rows[0].to_organisation))
        assert again.status_code == 200 and again.json()["status"] == "accepted"
        assert len(await staged(first.runtime)) == len(events)


async def test_both_replicas_chasing_live_remind_and_escalate_each_proposal_once(tmp_path):
    moving = clock()
    async with replicas(tmp_path, clock=moving, jobs_every=0.05) as (first, second):
        await single_complaints(first.runtime, COMPLAINTS)
        rows = await pending(first.runtime)
        assert len(rows) == COMPLAINTS

        async def all_marked(column) -> bool:
            async with first.runtime.sessions() as session:
                left = await session.scalars(select(Referral.id).where(getattr(Referral, column).is_(None)))
                return not left.all()

        moving.now = max(r.remind_at for r in rows)
        await eventually(lambda: all_marked("reminded_at"), timeout=60)
        await asyncio.sleep(1)  # both replicas' jobs go round a few more times
        moving.now = max(r.due_at for r in rows)
        await eventually(lambda: all_marked("escalated_at"), timeout=60)
        await asyncio.sleep(1)
        events = await staged(first.runtime)
        reminders = Counter(data["referral_id"] for kind, _, data in events if kind == PROPOSED and data["reminder"])
        escalations = Counter(data["referral_id"] for kind, _, data in events if kind == ESCALATED)
        assert len(reminders) == len(escalations) == COMPLAINTS
        assert (reminders.most_common(1)[0][1], escalations.most_common(1)[0][1]) == (1, 1), (
            f"reminded twice: {sum(n > 1 for n in reminders.values())}; "
            f"escalated twice: {sum(n > 1 for n in escalations.values())}")


async def test_the_sweeper_agrees_a_negotiation_whose_answers_are_all_in_once(tmp_path):
    # What the race left behind before the lock: both accepted, the lead recorded, nobody agreed.
    async with replicas(tmp_path, clock=clock()) as (first, second):
        references = await joint_complaints(first.runtime, 20)
        async with first.runtime.sessions() as session, session.begin():
            await session.execute(update(Referral).where(Referral.status == "pending")
                                  .values(status="accepted", answered_at=first.runtime.clock()))
            await session.execute(update(Negotiation).values(lead_accepted_at=first.runtime.clock(),
                                                             lead_received_at=first.runtime.clock()))
        sweeps = [chasing.sweeper(runtime.settings) for runtime in (first.runtime, second.runtime)]
        await together(*(lambda spec=spec, runtime=runtime: run_job_once(spec, runtime)
                         for spec, runtime in zip(sweeps, (first.runtime, second.runtime), strict=True)))
        await run_job_once(sweeps[0], first.runtime)
        agreed = Counter(data["reference"] for kind, _, data in await staged(first.runtime) if kind == AGREED)
        assert agreed == Counter({reference: 1 for reference in references})
        assert {data["contributors"][0] for kind, _, data in await staged(first.runtime) if kind == AGREED} \
            == {"uhsussex"}
