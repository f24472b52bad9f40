"""No personal data in logs or error headers (issue 18, item 6): a contact's fields hold a marker, every
failure path is forced (validation, a handler's error, a dead letter), and the marker is in no log line,
no response header and no dead-letter header."""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pydantic import TypeAdapter

from intake import api as intake_api
from intake.config import Settings as IntakeSettings
from intake.main import create_app as create_intake
from nwd_shared import db
from nwd_shared import events as ev
from nwd_shared.kafka import ProducerHandle
from nwd_shared.messaging.consumer import EventConsumer
from nwd_shared.settings import KafkaSettings
from nwd_shared.testing import (
    NO_BROKER,
    bearer,
    contact_payload,
    fresh_database,
    service_client,
    staged,
    wait_for_record,
)

from .conftest import create_topic, metadata, tables

MARKER = "Zephyrine-Quillfeather-7731"
COUNCIL = bearer("demo-wsx-council-key")


def marked_contact(**overrides) -> dict:
    """A contact whose every personal field holds the marker."""
    return contact_payload(**{
        "complainant": {"name": f"{MARKER} Name", "email": f"{MARKER.lower()}@example.org",
                        "phone": "01903 123456", "relationship": "representative"},
        "person_affected": {"name": f"{MARKER} Affected"},
        "description": f"My mother {MARKER} was left without care.", "desired_outcome": f"An apology to {MARKER}.",
        **overrides})


def leaks(caplog, *texts: str) -> list[str]:
    """Every captured log line (message and traceback) and every given text that holds the marker."""
    lines = [caplog.handler.format(record) for record in caplog.records]
    return [line for line in [*lines, *texts] if MARKER in line or MARKER.lower() in line]


def header_text(headers) -> str:
    return "\n".join(f"{k}: {v.decode('utf-8', 'replace') if isinstance(v, bytes) else v}" for k, v in headers)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def intake(request, tmp_path_factory):
    async with service_client(create_intake, IntakeSettings, request.param, NO_BROKER,
                              tmp_path_factory.mktemp("marker")) as client:
        yield client


async def test_a_refused_contact_leaves_its_values_in_no_log_line_header_or_error(intake, caplog):
    caplog.set_level(logging.DEBUG)
    # Too long a description, an unknown field and a malformed email, each holding the marker.
    body = marked_contact(description=MARKER * 2000, unexpected=MARKER)
    body["complainant"]["email"] = MARKER
    refused = await intake.post("/v1/contacts", json=body, headers=COUNCIL)
    assert refused.status_code == 422
    assert {"body.description", "body.unexpected", "body.complainant.email"} <= {
        e["field"] for e in refused.json()["errors"]}
    assert leaks(caplog, header_text(refused.headers.items()), refused.text) == []


async def test_a_handlers_error_quoting_the_contact_leaves_it_in_no_log_line_or_header(intake, caplog,
                                                                                       monkeypatch):
    async def failing(session, ctx, *, contact, **_):
        # A bug as bugs are: validation of the person's words, wrapped in an error that quotes them.
        try:
            TypeAdapter(int).validate_python(contact.description)
        except ValueError as exc:
            raise RuntimeError(f"could not store the contact from {contact.complainant.name}") from exc

    monkeypatch.setattr(intake_api.service, "receive_contact", failing)
    caplog.set_level(logging.DEBUG)
    # As a server answers: the 500, not the exception re-raised into the test.
    transport = httpx.ASGITransport(app=intake._transport.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        failed = await client.post("/v1/contacts", json=marked_contact(), headers=COUNCIL)
    assert failed.status_code == 500
    # The error is logged, with its traceback and the exceptions' types, not their text.
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged and "RuntimeError" in caplog.text and "int_parsing" in caplog.text
    assert "test_no_personal_data_in_logs.py" in caplog.text  # the frames are kept
    assert leaks(caplog, header_text(failed.headers.items()), failed.text) == []


async def test_a_dead_lettered_contact_leaves_its_values_in_no_header_or_log_line(intake, broker, caplog,
                                                                                  tmp_path):
    caplog.set_level(logging.DEBUG)
    accepted = await intake.post("/v1/contacts", json=marked_contact(), headers=COUNCIL)
    assert accepted.status_code == 202
    reference = accepted.json()["reference"]
    [(kind, data)] = [(k, d) for k, d in await staged(intake, reference) if k == "nwd.contact.received.v1"]
    received = ev.ContactReceived(source="/nwd/intake", subject=reference, data=ev.ContactReceivedData(**data))
    assert MARKER in received.value().decode()  # the event itself carries the person's words

    async def handler(session, event):
        # A handler whose every failure quotes the event: a validation error, then a wrapper.
        try:
            TypeAdapter(int).validate_python(event.data.description)
        except ValueError as exc:
            raise ValueError(f"cannot apply {event.data.model_dump_json()}") from exc

    topic = await create_topic(broker.bootstrap_servers, f"test.marker.{uuid.uuid4().hex[:8]}")
    settings = KafkaSettings(kafka_bootstrap_servers=broker.bootstrap_servers, kafka_handler_retries=2,
                             kafka_retry_backoff_ms=10)
    async with fresh_database("sqlite", tmp_path) as url:
        engine = db.create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        producer = ProducerHandle(settings, "test-marker")
        consumer = EventConsumer(service="test", name=f"test-marker-{uuid.uuid4().hex[:8]}", topics=[topic],
                                 handlers={received.type: handler}, sessions=db.session_factory(engine),
                                 tables=tables, producer=producer, settings=settings)
        task = asyncio.create_task(consumer.run())
        try:
            await asyncio.wait_for(consumer.assigned.wait(), 30)
            await _send(broker.bootstrap_servers, topic, received)
            dead = await wait_for_record(broker.bootstrap_servers, ev.dead_letter_topic(topic),
                                         lambda r: dict(r.headers).get("ce_id") == received.id.encode())
        finally:
            consumer.stop()
            await task
            await producer.stop()
            await engine.dispose()
    error = dict(dead.headers)["nwd_dlt_error"].decode()
    # What failed, as far as it can be said without the values: the type and the field.
    assert error.startswith("ValueError") and MARKER not in error
    # The record itself is kept as it came (the dead-letter topic is as sensitive as the topic).
    assert dead.value == received.value()
    headers = [(k, v) for k, v in dead.headers]
    assert leaks(caplog, header_text(headers)) == []
    assert any("dead-lettered" in r.getMessage() for r in caplog.records)


async def _send(bootstrap: str, topic: str, event: ev.CloudEvent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, event.value(), key=event.key.encode(), headers=event.headers())
    finally:
        await producer.stop()


def test_the_marker_would_be_found_if_it_leaked(caplog):
    """The search itself works: an exception's text in a plain log line is found."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").warning("a careless line about %s", MARKER)
    assert leaks(caplog)
