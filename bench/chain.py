"""The latency floor: one message relayed through four topics by four bare aiokafka consumers."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.load import percentile


async def relay_chain_latency(bootstrap: str, rate: float, seconds: float, fetch_wait_ms: int = 10) -> dict:
    """p50/p99 from producing to the first topic until arrival on the fifth, at `rate` msg/s."""
    run = uuid.uuid4().hex[:6]
    topics = [f"bench.chain.{run}.{i}" for i in range(5)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, 3, 1) for t in topics])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()

    def consumer(topic: str, group: str) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=True,
                                auto_offset_reset="earliest", fetch_max_wait_ms=fetch_wait_ms)

    relays = [consumer(topics[i], f"bench-relay-{run}-{i}") for i in range(4)]
    sink = consumer(topics[4], f"bench-sink-{run}")
    sent: dict[bytes, float] = {}
    latencies: list[float] = []
    stopping = asyncio.Event()

    async def relay(source: AIOKafkaConsumer, target: str) -> None:
        while not stopping.is_set():
            for records in (await source.getmany(timeout_ms=100)).values():
                for record in records:
                    await producer.send(target, record.value, key=record.key)

    async def drain() -> None:
        while not stopping.is_set():
            for records in (await sink.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    if record.key in sent:
                        latencies.append(now - sent[record.key])

    await asyncio.gather(*(c.start() for c in [*relays, sink]))
    await asyncio.sleep(7)  # consumer groups join (5 s on Tansu)
    tasks = [asyncio.create_task(relay(relays[i], topics[i + 1])) for i in range(4)]
    tasks.append(asyncio.create_task(drain()))
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        key = uuid.uuid4().hex.encode()
        sent[key] = time.perf_counter()
        await producer.send(topics[0], b"{}", key=key)
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(2)
    stopping.set()
    await asyncio.gather(*tasks)
    await asyncio.gather(*(c.stop() for c in [*relays, sink]))
    await producer.stop()
    return {"p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "delivered": len(latencies), "sent": len(sent)}
