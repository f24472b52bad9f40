"""Casework consumes agreed ownership, triage's later decisions about safeguarding, and its outcome."""

from __future__ import annotations

from casework import safeguarding, service
from casework.life import service as life
from casework.queues import service as queues
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime


def handlers(runtime: Runtime) -> dict[str, Handler]:
    async def on_ownership_agreed(session, event):
        return await service.open_case(session, event, Context.of(runtime))

    async def on_triage_overridden(session, event):
        return await safeguarding.on_triage_overridden(session, event, Context.of(runtime))

    async def on_safeguarding_outcome(session, event):
        return await safeguarding.on_safeguarding_outcome(session, event, Context.of(runtime))

    async def on_triage_completed(session, event):
        return await life.on_triage_decided(session, event, Context.of(runtime))

    async def on_contact_received(session, event):
        await queues.keep_words(session, event)  # the names and description the owner searches
        return await life.on_contact_received(session, event, Context.of(runtime))

    return {"nwd.ownership.agreed.v1": on_ownership_agreed,
            "nwd.triage.completed.v1": on_triage_completed,
            # The contact's channel, anonymity and person key (issue 15); chain any other use of it here.
            "nwd.contact.received.v1": on_contact_received,
            "nwd.triage.overridden.v1": on_triage_overridden,
            "nwd.safeguarding.outcome_recorded.v1": on_safeguarding_outcome}


CONSUMERS = [ConsumerSpec(name="nwd-casework", topics=[ev.REFERRALS, ev.TRIAGE, ev.CONTACTS], handlers=handlers)]
