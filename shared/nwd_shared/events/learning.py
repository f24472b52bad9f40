"""Events learning publishes on nwd.learning: learning actions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from nwd_shared.events.common import LEARNING
from nwd_shared.events.envelope import CloudEvent, EventData


class LearningActionData(EventData):
    action_id: str
    reference: str
    organisation: str
    description: str
    owner: str | None = None
    due_on: date | None = None
    # Added in v1, all optional: the case the action comes from, when it was raised and completed.
    case_id: str | None = None
    raised_on: date | None = None
    completed_on: date | None = None


class LearningActionRaised(CloudEvent):
    """A learning action was raised from a complaint."""

    topic = LEARNING
    type: Literal["nwd.learning.action_raised.v1"] = "nwd.learning.action_raised.v1"
    data: LearningActionData


class LearningActionCompleted(CloudEvent):
    """A learning action was completed."""

    topic = LEARNING
    type: Literal["nwd.learning.action_completed.v1"] = "nwd.learning.action_completed.v1"
    data: LearningActionData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (
    LearningActionRaised,
    LearningActionCompleted,
)

__all__ = ["LearningActionData", "LearningActionRaised", "LearningActionCompleted"]
