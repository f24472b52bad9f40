"""The short fault suite: faults under steady load, then every accepted contact accounted for."""

from __future__ import annotations

import asyncio
import signal
import sqlite3

import pytest

from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import SERVICES, UNLIMITED, Stack

from .harness import Load, audit, wait_for_end_states

pytestmark = pytest.mark.e2e
REPORTS: list[str] = []


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A broker and stack of their own: these tests pause, kill and restart them."""
    data = tmp_path_factory.mktemp("faults")
    broker = TansuBroker(port=free_port(), log_file=data / "broker.log").start()
    stack = Stack(data_dir=data, bootstrap_servers=broker.bootstrap_servers,
                  ports={service: free_port() for service in SERVICES},
                  extra_env=UNLIMITED)
    stack.start()
    try:
        stack.wait_ready(timeout=90)
        yield broker, stack
    finally:
        stack.stop()
        broker.stop()
        print("\n" + "\n".join(REPORTS))


async def under_load(stack: Stack, fault, seconds: float = 8.0, rate: float = 20.0) -> tuple[Load, float]:
    """Run load for `seconds`, inject the fault at a third of it; return the load and recovery time."""
    load = Load(stack, rate=rate)
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


# The short suite stops the door and the case owner; `make chaos` stops every service in turn.
@pytest.mark.parametrize("service", [
    "intake", "casework",
    *(pytest.param(s, marks=pytest.mark.chaos) for s in ("triage", "referral", "learning")),
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
        await asyncio.to_thread(stack.wait_ready, 60, {service})

    load, recovery = await under_load(stack, restart_gracefully)
    await check(f"SIGTERM {service}", broker, stack, load, recovery)


async def test_two_services_killed_at_once_lose_nothing(faulty):
    broker, stack = faulty

    async def kill_two():
        for service in ("referral", "casework"):
            stack.kill(service, signal.SIGKILL)
        for service in ("referral", "casework"):
            stack.start_service(service)
        await asyncio.to_thread(stack.wait_ready, 60, {"referral", "casework"})

    load, recovery = await under_load(stack, kill_two)
    await check("SIGKILL referral+casework", broker, stack, load, recovery)


async def test_broker_paused_loses_nothing(faulty):
    broker, stack = faulty

    async def pause():
        broker.pause()
        await asyncio.sleep(5)
        broker.resume()

    load, recovery = await under_load(stack, pause, seconds=10)
    await check("broker SIGSTOP 5 s", broker, stack, load, recovery)


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
