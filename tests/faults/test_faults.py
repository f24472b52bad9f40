"""The short fault suite: faults under steady load, then every accepted contact accounted for."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sqlite3
import time
from collections import defaultdict
from datetime import UTC, datetime
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import SERVICES, UNLIMITED, Stack
from nwd_shared.events import TOPICS, dead_letter_topic
from nwd_shared.events.catalogue import EVENT_TYPES

from .harness import Load, audit, broker_env, fault_broker, topic_records, wait_for_end_states

pytestmark = pytest.mark.e2e
REPORTS: list[str] = []


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A broker and stack of their own: these tests pause, kill and restart them."""
    data = tmp_path_factory.mktemp("faults")
    broker = fault_broker(data)  # Tansu; Apache Kafka under --kafka=testcontainers
    stack = Stack(data_dir=data, bootstrap_servers=broker.bootstrap_servers,
                  ports={service: free_port() for service in SERVICES},
                  extra_env={**UNLIMITED, **broker_env(broker)})
    stack.start()
    try:
        stack.wait_ready(timeout=180)  # generous: a loaded CI machine starts five services slowly
        yield broker, stack
    finally:
        stack.stop()
        broker.stop()
        print("\n" + "\n".join(REPORTS))


async def under_load(stack: Stack, fault, seconds: float = 8.0, **options) -> tuple[Load, float]:
    """Run load for `seconds`, inject the fault at a third of it; return the load and recovery time."""
    load = Load(stack, **options)
    running = asyncio.create_task(load.run(seconds))
    await asyncio.sleep(seconds / 3)
    await fault()
    await running
    recovery = await wait_for_end_states(stack, load.accepted)
    return load, recovery


async def check(name: str, broker: TansuBroker, stack: Stack, load: Load, recovery: float) -> None:
    report = await audit(name, stack, broker.bootstrap_servers, load, recovery)
    REPORTS.append(report.line())
    assert report.accepted > 0
    assert (report.lost, report.duplicated, report.out_of_order) == (0, 0, 0), report.line()


# The short suite stops the door; `make chaos` stops every service in turn.
@pytest.mark.parametrize("service", [
    "intake", *(pytest.param(s, marks=pytest.mark.chaos) for s in ("casework", "triage", "referral", "learning")),
])
async def test_sigterm_under_load_loses_nothing(faulty, service):
    broker, stack = faulty

    async def restart_gracefully():
        log = stack.data_dir / f"{service}.log"
        before = log.read_text().count("Application shutdown complete.")
        # uvicorn shuts down cleanly, then re-raises the signal: -SIGTERM is its normal exit.
        assert stack.kill(service, signal.SIGTERM) == -signal.SIGTERM
        assert log.read_text().count("Application shutdown complete.") == before + 1
        stack.start_service(service)
        await asyncio.to_thread(stack.wait_ready, 120, {service})

    load, recovery = await under_load(stack, restart_gracefully)
    await check(f"SIGTERM {service}", broker, stack, load, recovery)


async def test_two_services_killed_at_once_lose_nothing(faulty):
    broker, stack = faulty

    async def kill_two():
        for service in ("referral", "casework"):
            stack.kill(service, signal.SIGKILL)
        for service in ("referral", "casework"):
            stack.start_service(service)
        await asyncio.to_thread(stack.wait_ready, 120, {"referral", "casework"})

    load, recovery = await under_load(stack, kill_two)
    await check("SIGKILL referral+casework", broker, stack, load, recovery)


# The short suite kills two at once (below); `make chaos` also kills every service in turn.
@pytest.mark.parametrize("service", [
    pytest.param(s, marks=pytest.mark.chaos) for s in ("triage", "intake", "casework", "referral", "learning")
])
async def test_sigkill_under_load_loses_nothing(faulty, service):
    broker, stack = faulty

    async def crash_and_restart():
        assert stack.kill(service, signal.SIGKILL) == -signal.SIGKILL
        stack.start_service(service)
        # Generous: the dead member's session has to expire before its group rebalances.
        await asyncio.to_thread(stack.wait_ready, 120, {service})

    load, recovery = await under_load(stack, crash_and_restart)
    await check(f"SIGKILL {service}", broker, stack, load, recovery)


@pytest.mark.parametrize("pause", [5, pytest.param(20, marks=pytest.mark.chaos)])
async def test_broker_paused_loses_nothing(faulty, pause):
    broker, stack = faulty

    async def hang():
        broker.pause()
        await asyncio.sleep(pause)
        broker.resume()

    load, recovery = await under_load(stack, hang, seconds=2 * pause)
    await check(f"broker SIGSTOP {pause} s", broker, stack, load, recovery)


async def test_relay_crash_after_publishing_before_marking_duplicates_change_nothing(faulty):
    broker, stack = faulty

    async def forget_publishing():
        # The state a relay leaves when it dies after the broker's ack and before its update:
        # rows already published look unpublished, so they are published again.
        for service in ("intake", "triage", "referral"):
            with sqlite3.connect(stack.data_dir / f"{service}.db", timeout=10) as db:
                db.execute("UPDATE outbox_message SET published_at = NULL")

    load, recovery = await under_load(stack, forget_publishing)
    await check("relay crash before marking", broker, stack, load, recovery)


# Who meets a poison message on each topic: every consumer group of every service.
CONSUMERS_OF = defaultdict(set)
for _service in SERVICES:
    for _spec in importlib.import_module(f"{_service}.consumers").CONSUMERS:
        for _topic in _spec.topics:
            CONSUMERS_OF[_topic].add(_spec.name)


def poison_for(topic: str, run: str) -> list[tuple[str, bytes, list, str]]:
    """(key, value, headers, expected cause) of three records no consumer can handle."""
    known = next(m.model_fields["type"].default for m in EVENT_TYPES if m.topic == topic)

    def headers(key: str, *, without: str = "") -> list:
        attributes = {"id": str(uuid4()), "source": "fault-test", "type": known, "specversion": "1.0",
                      "time": datetime.now(UTC).isoformat(), "subject": key}
        return [(f"ce_{k}", v.encode()) for k, v in attributes.items() if k != without]

    keys = [f"POISON-{run}-{topic}-{n}" for n in range(3)]
    return [
        (keys[0], b"\xff\x00 not json", headers(keys[0]), "value is not JSON"),
        (keys[1], b'{"unexpected": true}', headers(keys[1]), f"invalid {known}"),
        (keys[2], b"{}", headers(keys[2], without="type"), "missing CloudEvents headers: type"),
    ]


async def dead_letters(bootstrap: str, run: str) -> dict[tuple[str, str, str], tuple[str, str]]:
    """This run's poison on the dead-letter topics: (topic, consumer, key) -> (DLT, error header)."""
    found = {}
    for dlt, batch in (await topic_records(bootstrap, [dead_letter_topic(t) for t in TOPICS])).items():
        for record in batch:
            if record.key and record.key.decode().startswith(f"POISON-{run}-"):
                headers = {name: value.decode() for name, value in record.headers}
                found[headers["nwd_dlt_original_topic"], headers["nwd_dlt_consumer"], record.key.decode()] = (
                    dlt, headers["nwd_dlt_error"])
    return found


async def test_poison_on_every_topic_is_dead_lettered_and_the_stream_moves_on(faulty):
    broker, stack = faulty
    run = uuid4().hex[:8]
    poison = {topic: poison_for(topic, run) for topic in TOPICS}

    async def inject():
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        await producer.start()
        try:
            for topic, records in poison.items():
                for key, value, headers, _ in records:
                    await producer.send_and_wait(topic, value=value, key=key.encode(), headers=headers)
        finally:
            await producer.stop()

    load, recovery = await under_load(stack, inject)
    expected = {(topic, consumer, key): cause for topic, records in poison.items()
                for key, _, _, cause in records for consumer in CONSUMERS_OF[topic]}
    deadline = time.monotonic() + 120
    while (found := await dead_letters(broker.bootstrap_servers, run)).keys() < expected.keys():
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    REPORTS.append(f"  poison: {len(found)} of {len(expected)} dead-lettered "
                   f"({sum(len(CONSUMERS_OF[t]) for t in TOPICS)} consumer-topic pairs, 3 records each)")
    assert found.keys() == expected.keys()
    for (topic, consumer, key), cause in expected.items():
        dlt, error = found[topic, consumer, key]
        assert dlt == dead_letter_topic(topic) and cause in error, (consumer, key, error)
    await check("poison on every topic", broker, stack, load, recovery)


async def readiness(stack: Stack, service: str, stopping: asyncio.Event) -> list[str]:
    """Poll a service's /readyz until told to stop: each answer, 'ready' or its database check."""
    seen: list[str] = []
    async with httpx.AsyncClient(timeout=10) as client:
        while not stopping.is_set():
            try:
                response = await client.get(f"{stack.url(service)}/readyz")
                seen.append("ready" if response.status_code == 200
                            else response.json().get("checks", {}).get("database", "?"))
            except httpx.HTTPError as exc:
                seen.append(type(exc).__name__)
            await asyncio.sleep(0.25)
    return seen


# SQLite only: PostgreSQL is shared with other tests on the machine, so a stop/start variant
# (the deployment's real database outage) is left to an environment of its own.
async def test_database_locked_refuses_with_503_and_loses_nothing(faulty):
    broker, stack = faulty
    locked = ["intake", "casework"]  # the door, and a consumer downstream of it
    held: dict[str, list[str]] = {}

    def hold_exclusive(service: str, seconds: float) -> None:
        db = sqlite3.connect(stack.data_dir / f"{service}.db", timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN EXCLUSIVE")
            time.sleep(seconds)
            db.execute("ROLLBACK")
        finally:
            db.close()

    async def lock_databases():
        stopping = asyncio.Event()
        polling = {s: asyncio.create_task(readiness(stack, s, stopping)) for s in locked}
        # Longer than the services' 5 s busy_timeout, so writers give up rather than only wait.
        await asyncio.gather(*(asyncio.to_thread(hold_exclusive, s, 8) for s in locked))
        stopping.set()
        held.update({s: await task for s, task in polling.items()})
        await asyncio.to_thread(stack.wait_ready, 120, set(locked))

    # A client timeout longer than the server's busy wait, so the answer seen is the server's.
    load, recovery = await under_load(stack, lock_databases, timeout=60)
    REPORTS.append(f"  database locked: {load.unavailable} refused with 503; /readyz during the lock: "
                   + "; ".join(f"{s} not ready {len(v) - v.count('ready')} of {len(v)} "
                               f"({', '.join(sorted(set(v) - {'ready'}))})" for s, v in held.items()))
    await check("database locked 8 s", broker, stack, load, recovery)
    assert load.server_errors == 0
    assert all(set(answers) - {"ready"} for answers in held.values()), held


# Ten minutes under `make chaos`; NWD_SOAK_SECONDS=60 to try it.
SOAK_SECONDS = float(os.environ.get("NWD_SOAK_SECONDS", 600))


def rss_mb(pid: int) -> float:
    """A process's resident memory, from /proc (no psutil in the environment)."""
    with open(f"/proc/{pid}/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmRSS:"))
    return int(kb) / 1024


async def vitals(stack: Stack, client: httpx.AsyncClient) -> str:
    """Each service's RSS and summed consumer lag (its nwd_consumer_lag gauge), on one line."""
    parts = []
    for service in stack.ports:
        try:
            text = (await client.get(f"{stack.url(service)}/metrics")).text
            lag = sum(sample.value for family in text_string_to_metric_families(text)
                      if family.name == "nwd_consumer_lag" for sample in family.samples)
            lag_text = f"{lag:.0f}"
        except httpx.HTTPError as exc:
            lag_text = type(exc).__name__
        parts.append(f"{service} {rss_mb(stack.processes[service].pid):.0f} MB lag {lag_text}")
    return "; ".join(parts)


@pytest.mark.chaos
async def test_soak_under_steady_load_loses_nothing(faulty):
    broker, stack = faulty
    load = Load(stack, rate=10)
    running = asyncio.create_task(load.run(SOAK_SECONDS))
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        while not running.done():
            await asyncio.wait({running}, timeout=60)
            line = f"  soak {(time.monotonic() - started) / 60:4.1f} min: {await vitals(stack, client)}"
            print(line, flush=True)
            REPORTS.append(line)
    await running
    # Generous: a backlog built over minutes drains over minutes on a slow machine.
    recovery = await wait_for_end_states(stack, load.accepted, timeout=max(300, SOAK_SECONDS))
    await check(f"soak {SOAK_SECONDS / 60:.0f} min at {load.rate:.0f}/s", broker, stack, load, recovery)
