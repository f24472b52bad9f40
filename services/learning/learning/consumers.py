"""Learning consumes every topic but its own."""

from __future__ import annotations

from learning import service
from nwd_shared import events as ev
from nwd_shared.app import ConsumerSpec, Runtime
from nwd_shared.messaging.consumer import Handler


def handlers(_: Runtime) -> dict[str, Handler]:
    async def on_event(session, event):
        await service.project(session, event)
        return None

    return {name: on_event for name in ev.TYPE_NAMES}


CONSUMERS = [ConsumerSpec(name="nwd-learning",
                          topics=[ev.CONTACTS, ev.TRIAGE, ev.REFERRALS, ev.CASES], handlers=handlers)]
