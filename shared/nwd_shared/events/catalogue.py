"""The v1 event catalogue: every event type of contract.md, each defined in its producer's module."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, TypeAdapter, ValidationError

from nwd_shared.events import cases, contacts, learning, referrals, triage
from nwd_shared.events.envelope import (
    CloudEvent,
    EnvelopeError,
    Headers,
    UnknownEventType,
    envelope_dict,
)

# Producers in the order events flow: intake, triage, referral, casework, learning.
PRODUCERS = {"intake": contacts, "triage": triage, "referral": referrals, "casework": cases,
             "learning": learning}
EVENT_TYPES: tuple[type[CloudEvent], ...] = tuple(e for module in PRODUCERS.values() for e in module.EVENTS)

AnyEvent = Annotated[Union[EVENT_TYPES], Field(discriminator="type")]  # noqa: UP007
_any_event: TypeAdapter[CloudEvent] = TypeAdapter(AnyEvent)

TYPE_NAMES: frozenset[str] = frozenset(t.model_fields["type"].default for t in EVENT_TYPES)


def type_name(model: type[CloudEvent]) -> str:
    """An event model's CloudEvents type, e.g. nwd.contact.received.v1."""
    return model.model_fields["type"].default


def producer_of(model: type[CloudEvent]) -> str:
    """The service that publishes an event type."""
    return next(name for name, module in PRODUCERS.items() if model in module.EVENTS)


def topic_of(event_type: str) -> str:
    """The topic an event type is published on."""
    for model in EVENT_TYPES:
        if type_name(model) == event_type:
            return model.topic
    raise KeyError(event_type)


def decode(headers: Headers | tuple | None, value: bytes | None) -> CloudEvent:
    """A record's headers and value as a typed event; EnvelopeError if it is not one."""
    raw = envelope_dict(headers, value)
    if raw["type"] not in TYPE_NAMES:
        raise UnknownEventType(raw["type"])
    try:
        return _any_event.validate_python(raw)
    except ValidationError as exc:
        # Field names and messages only: the input values may be personal data.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        raise EnvelopeError(f"invalid {raw['type']}: {problems}") from None
