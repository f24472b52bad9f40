"""The `nwd` operator CLI against the real broker."""

from __future__ import annotations

import asyncio
import re
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from typer.testing import CliRunner

from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.directory import hash_key
from nwd_shared.events import TOPICS, dead_letter_topic
from nwd_shared.ops import app
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import wait_for_record

runner = CliRunner()


def test_directory_check_accepts_the_demo_and_warns_about_plain_keys():
    result = runner.invoke(app, ["directory", "check", str(DEMO_ORGANISATIONS_FILE)])
    assert result.exit_code == 0
    assert "10 organisations, valid" in result.stdout
    assert "use api_key_sha256 in production" in result.stderr


def test_directory_check_fails_with_the_reason(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisations:\n  - {id: a, name: A, kind: hospital}\n")
    result = runner.invoke(app, ["directory", "check", str(bad)])
    assert result.exit_code == 1
    assert "organisations.0.kind" in result.stderr


def test_key_create_prints_a_key_whose_hash_is_the_directory_entry():
    result = runner.invoke(app, ["keys", "create", "wsx-council"])
    key = re.search(r"not shown again\): (\S+)", result.stdout).group(1)
    digest = re.search(r"api_key_sha256: ([0-9a-f]{64})", result.stdout).group(1)
    assert hash_key(key) == digest


async def _dead_letter(bootstrap: str, original_topic: str, key: bytes):
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        return await producer.send_and_wait("nwd.contacts.dlt", b'{"x": 1}', key=key, headers=[
            ("ce_type", b"nwd.contact.received.v1"), ("nwd_dlt_original_topic", original_topic.encode()),
            ("nwd_dlt_original_partition", b"0"), ("nwd_dlt_original_offset", b"7"),
            ("nwd_dlt_error", b"EnvelopeError: test")])
    finally:
        await producer.stop()


def test_dead_letters_are_listed_shown_and_requeued_to_their_topic(broker):
    bootstrap = ["--bootstrap", broker.bootstrap_servers]
    original, key = f"test.requeue.{uuid.uuid4().hex[:6]}", f"NWD-{uuid.uuid4().hex[:8]}".encode()
    sent = asyncio.run(_dead_letter(broker.bootstrap_servers, original, key))

    listed = runner.invoke(app, ["dlt", "list", "nwd.contacts", *bootstrap])
    assert listed.exit_code == 0
    assert f"{sent.partition}:{sent.offset}\tkey={key.decode()}" in listed.stdout
    assert "error=EnvelopeError: test" in listed.stdout

    shown = runner.invoke(app, ["dlt", "show", "nwd.contacts", str(sent.partition), str(sent.offset), *bootstrap])
    assert '"nwd_dlt_original_topic": "' + original in shown.stdout

    requeued = runner.invoke(app, ["dlt", "requeue", "nwd.contacts.dlt", str(sent.partition), str(sent.offset),
                                   *bootstrap])
    assert requeued.exit_code == 0, requeued.stdout
    record = asyncio.run(wait_for_record(broker.bootstrap_servers, original, lambda r: r.key == key))
    assert record.value == b'{"x": 1}'
    assert [k for k, _ in record.headers] == ["ce_type"]  # the dead-letter headers are gone


def test_requeue_of_an_unknown_offset_is_an_error(broker):
    result = runner.invoke(app, ["dlt", "requeue", "nwd.contacts", "0", "999999",
                                 "--bootstrap", broker.bootstrap_servers])
    # A usage error (2) naming the missing dead letter, not a crash (1) or any other failure.
    assert result.exit_code == 2, result.output
    assert "no dead letter at 0:999999" in result.output


def test_topics_create_makes_every_topic_and_its_dead_letters_once(tmp_path):
    with TansuBroker(port=free_port(), log_file=tmp_path / "tansu.log") as fresh:
        bootstrap = ["--bootstrap", fresh.bootstrap_servers]
        first = runner.invoke(app, ["topics", "create", *bootstrap, "--partitions", "4"])
        assert first.exit_code == 0, first.stdout
        assert f"topics ready ({2 * len(TOPICS)} created)" in first.stdout
        partitions = asyncio.run(_partition_counts(fresh.bootstrap_servers))
        assert {topic: partitions[topic] for topic in TOPICS} == {topic: 4 for topic in TOPICS}
        assert {partitions[dead_letter_topic(topic)] for topic in TOPICS} == {3}
        again = runner.invoke(app, ["topics", "create", *bootstrap])
        assert again.exit_code == 0 and "topics ready (0 created)" in again.stdout


async def _partition_counts(bootstrap: str) -> dict[str, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return {topic: len(consumer.partitions_for_topic(topic) or ()) for topic in await consumer.topics()}
    finally:
        await consumer.stop()
