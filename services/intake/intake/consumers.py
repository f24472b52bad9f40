"""Intake consumes every topic to keep each contact's journey."""

from __future__ import annotations

from sqlalchemy.orm import defer

from intake import service
from intake.models import Contact
from nwd_shared import events as ev
from nwd_shared.db import load_rows
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime


def handlers(_: Runtime) -> dict[str, Handler]:
    async def journey(session, event):
        await service.record_step(session, event)
        return None

    return {name: journey for name in ev.TYPE_NAMES}


async def prefetch(session, events):
    """Every contact the batch's events move on, in one query (not the submission: steps never read it)."""
    return await load_rows(session, Contact.reference, (event.subject for event in events),
                           defer(Contact.submission))


CONSUMERS = [ConsumerSpec(name="nwd-intake-journey", topics=ev.TOPICS, handlers=handlers, prefetch=prefetch)]
