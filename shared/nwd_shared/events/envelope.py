"""CloudEvents 1.0 over the Kafka protocol binding, binary content mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]


class EventData(BaseModel):
    """Base of every event's `data`: tolerant of fields added later in v1."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class CloudEvent(BaseModel):
    """One event: CloudEvents attributes plus typed `data`; subclasses fix `type`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: ClassVar[str]

    id: str = Field(default_factory=lambda: str(uuid4()))
    source: str
    type: str
    specversion: str = SPECVERSION
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    # The contact reference: also the record key, so one contact's events stay in order.
    subject: str
    data: EventData

    @property
    def key(self) -> str:
        """The record key: the contact reference."""
        return self.subject

    def headers(self) -> Headers:
        """The `ce_*` headers and content type of binary content mode."""
        return [
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_specversion", self.specversion.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", self.subject.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]

    def value(self) -> bytes:
        """The record value: the JSON `data`."""
        return self.data.model_dump_json().encode()


class EnvelopeError(ValueError):
    """A record that is not a CloudEvent of this catalogue; it goes to the dead-letter topic."""


class UnknownEventType(EnvelopeError):
    """A well-formed CloudEvent of a type this version does not know (a newer producer's): skipped."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown ce_type {event_type!r}")
        self.type = event_type


# The attributes the envelope models; any other `ce_*` header is an extension this reader ignores
# (ce_traceparent, ce_dataschema, ce_partitionkey from the cloudevents SDK, or one added later).
KNOWN_ATTRIBUTES = frozenset(CloudEvent.model_fields) - {"data"}


def attributes_from_headers(headers: Headers | tuple | None) -> dict[str, str]:
    """The known CloudEvents attributes carried in `ce_*` headers; extensions are dropped."""
    attributes: dict[str, str] = {}
    for name, raw in headers or ():
        if name.startswith("ce_") and name[3:] in KNOWN_ATTRIBUTES and raw is not None:
            try:
                attributes[name[3:]] = raw.decode()
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {name} is not UTF-8") from exc
    return attributes


def envelope_dict(headers: Headers | tuple | None, value: bytes | None) -> dict[str, Any]:
    """Headers and value of a record as one dict ready for model validation."""
    attributes = attributes_from_headers(headers)
    missing = {"id", "source", "type", "specversion", "subject"} - attributes.keys()
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(sorted(missing))}")
    if attributes["specversion"] != SPECVERSION:
        raise EnvelopeError(f"unsupported specversion {attributes['specversion']!r}")
    try:
        data = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError(f"value is not JSON: {exc}") from exc
    return {**attributes, "data": data}
