"""Replay: rebuilding learning's projections from the topics, beside raw aiokafka reading the same records."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from learning.consumers import CONSUMER_NAME, TOPICS
from learning.models import PROJECTIONS
from learning.rebuild import BATCH
from nwd_shared.devstack.stack import Stack

# Run in the learning service's environment, as `python -m learning rebuild` would, timing only the rebuild.
_REBUILD = """
import asyncio, json, time
from learning.config import Settings
from learning.rebuild import rebuild
settings = Settings()
began = time.perf_counter()
done = asyncio.run(rebuild(settings))
print(json.dumps({"records": done.records, "by_topic": done.by_topic, "seconds": time.perf_counter() - began}))
"""


async def _partitions(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    await consumer.topics()
    return [TopicPartition(t, p) for t in TOPICS for p in sorted(consumer.partitions_for_topic(t) or ())]


async def wait_for_learning(bootstrap: str, ends: dict, timeout: float) -> float:
    """Seconds until the live learning consumer has committed every record up to `ends`."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=CONSUMER_NAME, enable_auto_commit=False)
    await reader.start()
    began = time.monotonic()
    try:
        while time.monotonic() - began < timeout:
            committed = {tp: await reader.committed(tp) or 0 for tp in ends}
            if all(committed[tp] >= end for tp, end in ends.items()):
                break
            await asyncio.sleep(1)
        return time.monotonic() - began
    finally:
        await reader.stop()


async def raw_consumption(bootstrap: str) -> dict:
    """Every record of learning's topics, from the beginning to the high watermark, by a bare consumer.

    The end is the high watermark of the fetch responses: Tansu's ListOffsets (`end_offsets`) lags it.
    """
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=BATCH)
    await reader.start()
    try:
        partitions = await _partitions(reader)
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        listed = await reader.end_offsets(partitions)
        records, began, last = 0, time.perf_counter(), time.monotonic()
        finished = began
        while time.monotonic() - last < 5:
            behind = [tp for tp in partitions
                      if reader.highwater(tp) is None or await reader.position(tp) < reader.highwater(tp)]
            if not behind:
                break
            batch = await reader.getmany(timeout_ms=500, max_records=BATCH)
            if batch:
                records, last = records + sum(len(rs) for rs in batch.values()), time.monotonic()
                finished = time.perf_counter()
        seconds = finished - began
        ends = {tp: reader.highwater(tp) or 0 for tp in partitions}
        return {"records": records, "seconds": seconds, "events_per_s": records / seconds, "ends": ends,
                "listed_end_total": sum(listed.values()), "high_watermark_total": sum(ends.values())}
    finally:
        await reader.stop()


def projection_counts(database: str) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {m.__tablename__: db.execute(f"SELECT count(*) FROM {m.__tablename__}").fetchone()[0]  # noqa: S608
                for m in PROJECTIONS}


def replay(stack: Stack, bootstrap: str, catch_up_timeout: float = 900) -> dict:
    """Read learning's topics raw, stop learning once it has caught up, and rebuild its projections."""
    raw = asyncio.run(raw_consumption(bootstrap))
    ends = raw.pop("ends")
    caught_up = asyncio.run(wait_for_learning(bootstrap, ends, catch_up_timeout))
    stack.kill("learning", signal.SIGTERM)
    database = str(stack.data_dir / "learning.db")
    before = projection_counts(database)
    done = subprocess.run([sys.executable, "-c", _REBUILD], env=stack.env_for("learning"), check=True,
                          capture_output=True, text=True)
    rebuilt = json.loads(done.stdout.strip().splitlines()[-1])
    rebuilt["events_per_s"] = rebuilt["records"] / rebuilt["seconds"]
    after = projection_counts(database)
    return {"learning_caught_up_seconds": caught_up, "rebuild": rebuilt, "raw_floor": raw,
            "ratio": rebuilt["events_per_s"] / raw["events_per_s"],
            "projections_before": before, "projections_after": after, "projections_same": before == after}
