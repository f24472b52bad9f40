"""Apache Kafka (KRaft, idempotent producer) and PostgreSQL by testcontainers, where Docker answers.

The whole integration and fault suites run on them with `--kafka=testcontainers` (or
NWD_TEST_KAFKA=testcontainers); this module runs them however the suite was started, so a machine
without a Docker engine shows, in the skip, why it did not.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from nwd_shared import db
from nwd_shared.devstack import containers
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.outbox import add_to_outbox
from nwd_shared.messaging.relay import OutboxRelay
from nwd_shared.settings import KafkaSettings
from nwd_shared.testing import container_broker

from .conftest import create_topic, schema_engine, tables
from .test_outbox_order import event, label


@pytest.fixture(scope="module")
async def kafka():
    async with container_broker() as running:
        yield running


@pytest.fixture(scope="module")
def postgres_container():
    reason = containers.docker_unavailable_reason()
    if reason:
        pytest.skip(f"PostgreSQL by testcontainers: {reason}")
    database = containers.PostgresContainerDatabase().start()
    try:
        yield database.url
    finally:
        database.stop()


def test_without_a_docker_engine_the_skip_says_so(monkeypatch):
    # A socket nothing listens on stands for a machine without Docker (as these machines are).
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    reason = containers.docker_unavailable_reason()
    assert reason is not None and reason.startswith("no Docker engine answers at unix:///nonexistent/docker.sock")


def test_the_mode_comes_from_the_option_or_the_environment(monkeypatch, pytestconfig):
    monkeypatch.delenv("NWD_TEST_KAFKA", raising=False)
    assert containers.kafka_mode() == "tansu"
    monkeypatch.setenv("NWD_TEST_KAFKA", "testcontainers")
    assert containers.kafka_mode() == "testcontainers"


async def test_the_relay_publishes_in_order_on_apache_kafka_with_the_idempotent_producer(kafka, postgres_container):
    topic = await create_topic(kafka.bootstrap_servers, f"test.kafka.{uuid.uuid4().hex[:8]}", partitions=3)
    engine = await schema_engine(postgres_container)
    sessions = db.session_factory(engine)
    async with sessions() as session, session.begin():
        await add_to_outbox(session, tables, [event(f"NWD-KAFK-{n % 3:04d}", f"m{n}", topic) for n in range(30)])
    settings = KafkaSettings(kafka_bootstrap_servers=kafka.bootstrap_servers, kafka_enable_idempotence=True)
    producer = ProducerHandle(settings, "t")
    relay = OutboxRelay(service="kafka", engine=engine, tables=tables, producer=producer)
    assert await relay.publish_batch() == 30
    await producer.stop()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen: dict[str, list[str]] = {}
    try:
        async with asyncio.timeout(60):
            while sum(map(len, seen.values())) < 30:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    for record in records:
                        seen.setdefault(record.key.decode(), []).append(label(record.value))
    finally:
        await consumer.stop()
    for k in range(3):
        assert seen[f"NWD-KAFK-{k:04d}"] == [f"m{n}" for n in range(30) if n % 3 == k]
    await engine.dispose()
