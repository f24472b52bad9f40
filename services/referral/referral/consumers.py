"""Referral consumes contacts, triage decisions and hand-offs, casework's escalations: one group, one order per key."""

from __future__ import annotations

from nwd_shared import events as ev
from nwd_shared.db import load_rows
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime
from referral import partners, repository, retention, service
from referral.config import Settings
from referral.context import Context
from referral.models import Contact, Negotiation, Ownership
from referral.staging import forward, stage

SAFEGUARDING_HANDOFF = (
    "nwd.safeguarding.referred.v1", "nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.chased.v1",
    "nwd.safeguarding.escalated.v1", "nwd.safeguarding.outcome_recorded.v1",
)


def handlers(runtime: Runtime[Settings]) -> dict[str, Handler]:
    def handler(use_case) -> Handler:
        async def handle(session, event):
            ctx = Context.of(runtime)
            await stage(session, ctx, await use_case(session, event, ctx))
            return []  # staged already, outbox and webhooks together

        return handle

    async def on_safeguarding(session, event):
        # Triage's safeguarding hand-off reaches the council and the receiver by webhook too.
        await forward(session, Context.of(runtime), [event])
        return []

    on_triage = handler(service.on_triage)
    return {
        **{event_type: on_safeguarding for event_type in SAFEGUARDING_HANDOFF},
        "nwd.contact.received.v1": handler(service.on_contact),
        "nwd.triage.completed.v1": on_triage,
        "nwd.triage.overridden.v1": on_triage,
        "nwd.case.escalated.v1": handler(partners.on_case_escalated),
        "nwd.case.opened.v1": handler(retention.on_case),
        "nwd.case.closed.v1": handler(retention.on_case),
    }


async def prefetch(session, events):
    """Lock a batch's references (sorted), then load their contacts, ownerships and negotiations in three queries."""
    references = {event.subject for event in events}
    # Before any read: another replica's request or job on the same contact commits first, or waits.
    await repository.lock_reference(session, *references)
    return [row for model in (Contact, Ownership, Negotiation)
            for row in await load_rows(session, model.reference, references)]


CONSUMERS = [ConsumerSpec(name="nwd-referral", topics=[ev.CONTACTS, ev.TRIAGE, ev.CASES], handlers=handlers,
                          prefetch=prefetch)]
