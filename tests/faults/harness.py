"""Steady load, faults, and the audit afterwards: nothing lost, nothing duplicated, order kept."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from nwd_shared.devstack import containers
from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import Stack
from nwd_shared.events import TOPICS, EnvelopeError, decode
from nwd_shared.testing import bearer, contact_payload

KEY = bearer("demo-uhsussex-key")
# A plain written complaint, about the receiving trust itself: its end state is an opened case.
COMPLAINT = contact_payload(
    concerns=[{"organisation_id": "uhsussex"}],
    description="The appointment letter gave the wrong date and nobody answered the phone to change it.",
    desired_outcome="A correct appointment and an explanation.",
)


def fault_broker(data) -> TansuBroker | containers.KafkaContainerBroker:
    """The suite's broker: Tansu, or Apache Kafka (KRaft) by testcontainers under
    `--kafka=testcontainers`, skipped with the reason where no Docker engine answers."""
    if containers.kafka_mode() == "testcontainers":
        import pytest

        reason = containers.docker_unavailable_reason()
        if reason:
            pytest.skip(f"Apache Kafka by testcontainers: {reason}")
        return containers.KafkaContainerBroker().start()
    return TansuBroker(port=free_port(), log_file=data / "broker.log").start()


def broker_env(broker) -> dict[str, str]:
    """What the services need for this broker (Apache Kafka: the idempotent producer)."""
    return dict(getattr(broker, "service_env", {}))


@dataclass
class Load:
    """Posts contacts at a steady rate and keeps every accepted reference."""

    stack: Stack
    rate: float = 20.0
    timeout: float = 5.0
    accepted: list[str] = field(default_factory=list)
    refused: int = 0
    unavailable: int = 0
    server_errors: int = 0

    async def run(self, seconds: float) -> None:
        interval = 1 / self.rate
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            started = time.monotonic()
            tasks = []
            while time.monotonic() - started < seconds:
                tasks.append(asyncio.create_task(self._post(client)))
                await asyncio.sleep(interval)
            await asyncio.gather(*tasks)

    async def _post(self, client: httpx.AsyncClient) -> None:
        try:
            response = await client.post(f"{self.stack.url('intake')}/v1/contacts", json=COMPLAINT, headers=KEY)
        except httpx.HTTPError:
            self.refused += 1  # intake itself down: nothing was acknowledged, nothing to lose
            return
        if response.status_code == 202:
            self.accepted.append(response.json()["reference"])
        elif response.status_code >= 500:
            # Refused, not acknowledged: nothing to lose, but reported (a 500 should be a 503).
            self.server_errors += 1 if response.status_code != 503 else 0
            self.unavailable += 1 if response.status_code == 503 else 0
            self.refused += 1
        else:
            raise AssertionError(f"unexpected {response.status_code}: {response.text}")


@dataclass
class Report:
    scenario: str
    accepted: int
    reached: int
    lost: int
    duplicated: int
    out_of_order: int
    recovery_seconds: float
    server_errors: int = 0

    def line(self) -> str:
        return (f"{self.scenario:<34} accepted {self.accepted:>4}  reached {self.reached:>4}  lost {self.lost}"
                f"  duplicated {self.duplicated}  out of order {self.out_of_order}"
                f"  refused with 500 {self.server_errors}  recovery {self.recovery_seconds:.1f}s")


async def statuses(stack: Stack, references: list[str]) -> dict[str, str]:
    # Generous: while recovering, a slow answer is latency, not loss.
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=20)) as client:
        async def one(reference: str) -> tuple[str, str]:
            response = await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=KEY)
            return reference, response.json().get("status", "missing") if response.status_code == 200 else "missing"

        return dict(await asyncio.gather(*(one(r) for r in references)))


async def wait_for_end_states(stack: Stack, references: list[str], timeout: float = 120) -> float:
    """Seconds until every reference's journey reached 'case_open' (or the timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(s == "case_open" for s in (await statuses(stack, references)).values()):
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def topic_records(bootstrap: str, topics=TOPICS) -> dict[str, list]:
    """Every record of the topics (the catalogue's unless told), in offset order per partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: dict[str, list] = defaultdict(list)
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                records[tp.topic].extend(batch)
        return records
    finally:
        await consumer.stop()


async def audit(scenario: str, stack: Stack, bootstrap: str, load: Load, recovery: float) -> Report:
    """Count lost, duplicated (a second case, referral or letter for one contact) and out-of-order events."""
    final = await statuses(stack, load.accepted)
    records = await topic_records(bootstrap)
    cases: dict[str, set[str]] = defaultdict(set)
    # A journey's events of one type under different ce_ids: the work was done twice, not re-sent.
    event_ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    out_of_order = 0
    for batch in records.values():
        last_time: dict[str, object] = {}
        for record in sorted(batch, key=lambda r: (r.partition, r.offset)):
            try:
                event = decode(record.headers, record.value)
            except EnvelopeError:
                continue  # poison: dead-lettered by every consumer, part of no journey
            reference = event.subject
            if reference in last_time and event.time < last_time[reference]:
                out_of_order += 1
            last_time[reference] = max(event.time, last_time.get(reference, event.time))
            event_ids[reference, event.type].add(event.id)
            if event.type == "nwd.case.opened.v1":
                cases[reference].add(event.data.case_id)
    twice = {reference for (reference, _), ids in event_ids.items() if len(ids) > 1}
    twice |= {reference for reference, ids in cases.items() if len(ids) > 1}
    accepted = set(load.accepted)
    return Report(
        scenario=scenario, accepted=len(accepted),
        reached=sum(1 for r in accepted if final.get(r) == "case_open"),
        lost=sum(1 for r in accepted if final.get(r) != "case_open"),
        duplicated=len(accepted & twice),
        out_of_order=out_of_order, recovery_seconds=recovery, server_errors=load.server_errors,
    )
