"""Kafka clients built from settings; the producer starts lazily so a broker outage never stops a service."""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context

from nwd_shared.events.common import TOPICS, dead_letter_topic
from nwd_shared.settings import KafkaSettings

log = logging.getLogger(__name__)


def client_security(settings: KafkaSettings) -> dict[str, Any]:
    """The transport arguments every aiokafka client of this deployment gets: TLS and SASL as set."""
    protocol = settings.kafka_security_protocol
    arguments: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        arguments["ssl_context"] = tls_context(settings)
    if protocol.startswith("SASL_"):
        password = settings.kafka_sasl_password
        arguments |= {"sasl_mechanism": settings.kafka_sasl_mechanism,
                      "sasl_plain_username": settings.kafka_sasl_username,
                      "sasl_plain_password": password.get_secret_value() if password else None}
    return arguments


def tls_context(settings: KafkaSettings) -> ssl.SSLContext:
    """A client TLS context: the brokers' certificates verified (against the CA file when set)."""
    key_password = settings.kafka_ssl_key_password
    context = create_ssl_context(
        cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
        certfile=str(settings.kafka_ssl_certfile) if settings.kafka_ssl_certfile else None,
        keyfile=str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        password=key_password.get_secret_value() if key_password else None,
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = settings.kafka_ssl_check_hostname
    return context


def new_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica; idempotent where the broker supports it."""
    return AIOKafkaProducer(
        **client_security(settings),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
    )


def new_consumer(settings: KafkaSettings, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
    """A consumer that commits by hand, after the database commit, and starts at the earliest offset."""
    return AIOKafkaConsumer(
        *topics,
        **client_security(settings),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        max_poll_records=settings.kafka_max_poll_records,
        retry_backoff_ms=200,
    )


class ProducerHandle:
    """One producer per process, (re)started on demand until the broker answers."""

    def __init__(self, settings: KafkaSettings, client_id: str) -> None:
        self._settings = settings
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def get(self) -> AIOKafkaProducer:
        """The started producer; raises KafkaError while the broker cannot be reached."""
        async with self._lock:
            if self._producer is None:
                producer = new_producer(self._settings, self._client_id)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def ping(self) -> None:
        """Raise unless the broker answers a metadata request within two seconds."""
        async with asyncio.timeout(2):
            producer = await self.get()
            await producer.client.fetch_all_metadata()

    async def stop(self) -> None:
        async with self._lock:
            if self._producer is not None:
                await self._producer.stop()
                self._producer = None


DAY_MS = 24 * 3600 * 1000


async def ensure_topics(bootstrap_servers: str, partitions: int = 3, *, replication_factor: int = 1,
                        retention_days: int | None = None, dead_letter_retention_days: int | None = None,
                        dead_letter_partitions: int | None = None,
                        security: dict[str, Any] | None = None) -> list[str]:
    """Create every catalogue topic and its dead-letter topic if missing; returns those created.

    `security`: `client_security(settings)` for a broker that wants TLS or SASL.
    """
    # Retention unset means the broker's default (dev, tests); production sets both, as compose does.
    def new(name: str, count: int, days: int | None) -> NewTopic:
        configs = {"cleanup.policy": "delete", "retention.ms": str(days * DAY_MS)} if days else {}
        return NewTopic(name, count, replication_factor, topic_configs=configs)

    admin = AIOKafkaAdminClient(**(security or {}), bootstrap_servers=bootstrap_servers, client_id="nwd-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [new(topic, partitions, retention_days) for topic in TOPICS]
        wanted += [new(dead_letter_topic(topic), dead_letter_partitions or partitions, dead_letter_retention_days)
                   for topic in TOPICS]
        missing = [topic for topic in wanted if topic.name not in existing]
        if missing:
            await admin.create_topics(missing)
        return [topic.name for topic in missing]
    except KafkaError:
        log.exception("could not create topics")
        raise
    finally:
        await admin.close()
