"""Triage consumes received contacts; a batch's contacts are scored by the safeguarding model together."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.db import load_rows
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec
from triage import domain, service
from triage.consumers_safeguarding import CONSUMERS as SAFEGUARDING_CONSUMERS
from triage.models import TriageDecision
from triage.runtime import TriageRuntime
from triage.semantic.model import Assessment

# Kept in the batch's session (one per transaction): the contacts still to decide, and their scores.
_UNDECIDED = "triage.undecided"
_ASSESSED = "triage.assessed"


def _key(event: ev.CloudEvent) -> tuple[str, str]:
    return event.source, event.id


def handlers(runtime: TriageRuntime) -> dict[str, Handler]:
    async def on_contact_received(session, event: ev.ContactReceived):
        assessment = await _assessment(session, runtime, event)
        return await service.triage_contact(session, Context.of(runtime), event, assessment=assessment)

    return {"nwd.contact.received.v1": on_contact_received}


async def _assessment(session: AsyncSession, runtime: TriageRuntime, event: ev.ContactReceived) -> Assessment | None:
    """The model's assessment of a contact; the first asked scores the batch's undecided contacts in one call."""
    model = getattr(runtime, "safeguarding_model", None)
    if model is None:
        return None
    assessed: dict = session.info.setdefault(_ASSESSED, {})
    if _key(event) not in assessed:
        batch = [e for e in session.info.pop(_UNDECIDED, []) if _key(e) not in assessed]
        if _key(event) not in {_key(e) for e in batch}:
            batch.append(event)
        # CPU work off the event loop, so the API keeps answering while a large batch is scored.
        scores = await asyncio.to_thread(model.assess, [domain.contact_text(e.data) for e in batch])
        assessed.update(zip((_key(e) for e in batch), scores, strict=True))
    return assessed[_key(event)]


async def prefetch(session, events):
    """The batch's earlier decisions, in one query, and the contacts still to decide (to score together)."""
    rows = await load_rows(session, TriageDecision.reference, (event.subject for event in events))
    decided = {row.reference for row in rows}
    session.info[_UNDECIDED] = [e for e in events
                                if isinstance(e, ev.ContactReceived) and e.subject not in decided]
    return rows


# Every consumer group of triage: contacts to decide, and its own safeguarding referrals to follow up.
CONSUMERS = [ConsumerSpec(name="nwd-triage", topics=[ev.CONTACTS], handlers=handlers, prefetch=prefetch),
             *SAFEGUARDING_CONSUMERS]
