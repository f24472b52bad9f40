"""Triage consumes received contacts."""

from __future__ import annotations

from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.db import load_rows
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime
from triage import service
from triage.models import TriageDecision


def handlers(runtime: Runtime) -> dict[str, Handler]:
    async def on_contact_received(session, event: ev.ContactReceived):
        return await service.triage_contact(session, Context.of(runtime), event)

    return {"nwd.contact.received.v1": on_contact_received}


async def prefetch(session, events):
    """The batch's earlier decisions, in one query: most contacts have none, and then none is asked again."""
    return await load_rows(session, TriageDecision.reference, (event.subject for event in events))


CONSUMERS = [ConsumerSpec(name="nwd-triage", topics=[ev.CONTACTS], handlers=handlers, prefetch=prefetch)]
