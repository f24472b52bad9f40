"""Referral consumes triage decisions."""

from __future__ import annotations

from nwd_shared import events as ev
from nwd_shared.app import ConsumerSpec, Runtime
from nwd_shared.messaging.consumer import Handler
from referral import service


def handlers(runtime: Runtime) -> dict[str, Handler]:
    async def on_triage(session, event):
        return await service.on_triage(session, event, source=runtime.settings.source, now=runtime.clock())

    return {"nwd.triage.completed.v1": on_triage, "nwd.triage.overridden.v1": on_triage}


CONSUMERS = [ConsumerSpec(name="nwd-referral", topics=[ev.TRIAGE], handlers=handlers)]
