"""Casework consumes agreed ownership, and triage's later decisions about safeguarding."""

from __future__ import annotations

from casework import safeguarding, service
from nwd_shared import events as ev
from nwd_shared.app import ConsumerSpec, Runtime
from nwd_shared.messaging.consumer import Handler


def handlers(runtime: Runtime) -> dict[str, Handler]:
    async def on_ownership_agreed(session, event):
        return await service.open_case(session, event, calendar=runtime.calendar,
                                       source=runtime.settings.source, now=runtime.clock())

    async def on_triage_overridden(session, event):
        return await safeguarding.on_triage_overridden(
            session, event, calendar=runtime.calendar, directory=runtime.directory,
            source=runtime.settings.source, now=runtime.clock())

    return {"nwd.ownership.agreed.v1": on_ownership_agreed,
            "nwd.triage.overridden.v1": on_triage_overridden}


CONSUMERS = [ConsumerSpec(name="nwd-casework", topics=[ev.REFERRALS, ev.TRIAGE], handlers=handlers)]
