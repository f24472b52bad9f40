"""`nwd`: the operator's command line (topics, dead letters, directory, keys, learning rebuild)."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from nwd_shared.directory import DirectoryError, hash_key, load_directory
from nwd_shared.events import dead_letter_topic
from nwd_shared.kafka import client_security, ensure_topics
from nwd_shared.settings import KafkaSettings

app = typer.Typer(help="Operate No Wrong Door.", no_args_is_help=True)
topics = typer.Typer(help="Kafka topics.", no_args_is_help=True)
dlt = typer.Typer(help="Dead letters: list, inspect, requeue.", no_args_is_help=True)
directory = typer.Typer(help="The organisation directory.", no_args_is_help=True)
keys = typer.Typer(help="API keys.", no_args_is_help=True)
learning = typer.Typer(help="The learning service.", no_args_is_help=True)
for sub, name in ((topics, "topics"), (dlt, "dlt"), (directory, "directory"), (keys, "keys"),
                  (learning, "learning")):
    app.add_typer(sub, name=name)

Bootstrap = Annotated[str, typer.Option(envvar="NWD_KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers")]
DLT_PREFIX = "nwd_dlt_"


@topics.command("create")
def create_topics(bootstrap: Bootstrap = "127.0.0.1:9092", partitions: int = 6, replication_factor: int = 1,
                  retention_days: int = 30, dead_letter_partitions: int = 3, dead_letter_retention_days: int = 90,
                  ) -> None:
    """Create every catalogue topic and its dead-letter topic, if missing (defaults as in compose)."""
    created = asyncio.run(ensure_topics(
        bootstrap, partitions=partitions, replication_factor=replication_factor, retention_days=retention_days,
        dead_letter_partitions=dead_letter_partitions, dead_letter_retention_days=dead_letter_retention_days,
        security=_security()))
    for name in created:
        typer.echo(f"created {name}")
    typer.echo(f"topics ready ({len(created)} created)")


def _security() -> dict:
    """TLS and SASL from the same NWD_KAFKA_* settings the services read."""
    return client_security(KafkaSettings())


def _dlt_name(topic: str) -> str:
    return topic if topic.endswith(".dlt") else dead_letter_topic(topic)


async def _read_all(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(**_security(), bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}


@dlt.command("list")
def list_dead_letters(topic: str, bootstrap: Bootstrap = "127.0.0.1:9092") -> None:
    """One line per dead letter of a topic: where it came from and why."""
    records = asyncio.run(_read_all(bootstrap, _dlt_name(topic)))
    for record in records:
        h = _headers(record)
        typer.echo(f"{record.partition}:{record.offset}\tkey={(record.key or b'').decode(errors='replace')}"
                   f"\ttype={h.get('ce_type', '-')}\tfrom={h.get('nwd_dlt_original_topic')}"
                   f"[{h.get('nwd_dlt_original_partition')}]@{h.get('nwd_dlt_original_offset')}"
                   f"\terror={h.get('nwd_dlt_error', '')[:120]}")
    typer.echo(f"{len(records)} dead letter(s) on {_dlt_name(topic)}")


def _find(records: list[ConsumerRecord], partition: int, offset: int) -> ConsumerRecord:
    for record in records:
        if record.partition == partition and record.offset == offset:
            return record
    raise typer.BadParameter(f"no dead letter at {partition}:{offset}")


@dlt.command("show")
def show_dead_letter(topic: str, partition: int, offset: int, bootstrap: Bootstrap = "127.0.0.1:9092") -> None:
    """A dead letter's headers and value (the value may hold personal data: handle with care)."""
    record = _find(asyncio.run(_read_all(bootstrap, _dlt_name(topic))), partition, offset)
    typer.echo(json.dumps({"key": (record.key or b"").decode(errors="replace"), "headers": _headers(record),
                           "value": (record.value or b"").decode(errors="replace")}, indent=2))


async def _republish(bootstrap: str, record: ConsumerRecord) -> str:
    headers = [(k, v) for k, v in record.headers or () if not k.startswith(DLT_PREFIX)]
    original = _headers(record)["nwd_dlt_original_topic"]
    producer = AIOKafkaProducer(**_security(), bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(original, record.value, key=record.key, headers=headers)
    finally:
        await producer.stop()
    return original


@dlt.command("requeue")
def requeue_dead_letter(topic: str, partition: int, offset: int, bootstrap: Bootstrap = "127.0.0.1:9092") -> None:
    """Publish a dead letter again to its original topic, as it first came (after a fix)."""
    record = _find(asyncio.run(_read_all(bootstrap, _dlt_name(topic))), partition, offset)
    original = asyncio.run(_republish(bootstrap, record))
    typer.echo(f"requeued {partition}:{offset} to {original}")


@directory.command("check")
def check_directory(path: Path) -> None:
    """Validate an organisation directory file; exit 1 with the reason if it is bad."""
    try:
        loaded = load_directory(path)
    except DirectoryError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    plain = [o.id for o in loaded.organisations if o.api_key]
    typer.echo(f"{path}: {len(loaded.organisations)} organisations, valid")
    if plain:
        typer.echo(f"warning: plain api_key for {', '.join(plain)}; use api_key_sha256 in production",
                   err=True)


@keys.command("create")
def create_key(organisation_id: str) -> None:
    """A new API key, shown once, and the line for the directory (only the hash is stored)."""
    key = f"nwd_{secrets.token_urlsafe(32)}"
    typer.echo(f"key (give it to {organisation_id}; it is not shown again): {key}")
    typer.echo(f"directory entry for {organisation_id}:  api_key_sha256: {hash_key(key)}")


@learning.command("rebuild")
def rebuild_learning() -> None:
    """Drop the learning projections and replay the topics (runs `python -m learning rebuild`)."""
    raise typer.Exit(subprocess.call([sys.executable, "-m", "learning", "rebuild"]))


def main() -> None:
    app()
