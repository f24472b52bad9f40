"""Learning consumes every topic but its own: each event updates the projections once."""

from __future__ import annotations

from learning import service
from learning.config import Settings
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.messaging.consumer import Handler
from nwd_shared.runtime import ConsumerSpec, Runtime

TOPICS = (ev.CONTACTS, ev.TRIAGE, ev.REFERRALS, ev.CASES)


def handlers(runtime: Runtime[Settings]) -> dict[str, Handler]:
    due_working_days = runtime.settings.learning_action_due_working_days

    async def on_event(session, event):
        return await service.project(session, Context.of(runtime), event,
                                     action_due_working_days=due_working_days)

    return {name: on_event for name in ev.TYPE_NAMES if ev.topic_of(name) in TOPICS}


CONSUMER_NAME = "nwd-learning"
CONSUMERS = [ConsumerSpec(name=CONSUMER_NAME, topics=list(TOPICS), handlers=handlers,
                          prefetch=service.prefetch)]
