"""Triage hears its own safeguarding referrals: each opens the council's concern (the hand-off)."""

from __future__ import annotations

from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime
from triage import safeguarding_concerns


def handlers(runtime: Runtime) -> dict[str, Handler]:
    async def on_safeguarding_referred(session, event: ev.SafeguardingReferred):
        return await safeguarding_concerns.open_concern(session, Context.of(runtime), event)

    return {"nwd.safeguarding.referred.v1": on_safeguarding_referred}


# A group of its own on nwd.triage: the referral, from whichever path made it, opens the concern.
CONSUMERS = [ConsumerSpec(name="nwd-triage-safeguarding", topics=[ev.TRIAGE], handlers=handlers)]
