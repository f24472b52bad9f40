"""Events referral publishes on nwd.referrals, the partner feed: proposals, answers, ownership."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from nwd_shared.events.common import REFERRALS, ContactKind, Purpose, Route
from nwd_shared.events.envelope import CloudEvent, EventData


class ReferralData(EventData):
    """Every referral event names who, to whom and why; personal data only with consent."""

    referral_id: str
    reference: str
    from_organisation: str
    to_organisation: str
    purpose: Purpose
    personal: dict | None = None
    # Added in v1, all optional: the triage summary, the role in a joint complaint, and the answer.
    kind: ContactKind | None = None
    route: Route | None = None
    role: Literal["lead", "contributor"] | None = None
    reason: str | None = None
    answer_by: datetime | None = None
    reminder: bool = False
    outcome: Literal["resolved", "returned"] | None = None
    joint_working_team: bool = False


class ReferralProposed(CloudEvent):
    """An organisation was asked to take, or contribute to, a contact."""

    topic = REFERRALS
    type: Literal["nwd.referral.proposed.v1"] = "nwd.referral.proposed.v1"
    data: ReferralData


class ReferralAccepted(CloudEvent):
    """The addressed organisation accepted a referral."""

    topic = REFERRALS
    type: Literal["nwd.referral.accepted.v1"] = "nwd.referral.accepted.v1"
    data: ReferralData


class ReferralDeclinedData(ReferralData):
    reason: str
    suggested_organisation_id: str | None = None


class ReferralDeclined(CloudEvent):
    """The addressed organisation declined a referral, with a reason or a suggestion."""

    topic = REFERRALS
    type: Literal["nwd.referral.declined.v1"] = "nwd.referral.declined.v1"
    data: ReferralDeclinedData


class ReferralEscalatedData(ReferralData):
    reason: str


class ReferralEscalated(CloudEvent):
    """A referral was not answered in time and went to the escalation contact."""

    topic = REFERRALS
    type: Literal["nwd.referral.escalated.v1"] = "nwd.referral.escalated.v1"
    data: ReferralEscalatedData


class OwnershipAgreedData(EventData):
    reference: str
    owner: str
    contributors: list[str] = []
    received_by: str
    # When the owner took the contact on: the receiving body's receipt, another body's acceptance.
    owner_received_at: datetime
    kind: ContactKind
    route: Route
    # Added in v1: the owner of the agreement this one replaces, when an override re-routed the contact.
    previous_owner: str | None = None
    # Added in v1: the London day the complaint reached the owner, from which its statutory clock runs:
    # the receiving body's day of receipt, the day the referral was proposed to another body (not its
    # acceptance), the day PALS returned it into the procedure. None in events from before it.
    received_by_owner_on: date | None = None


class OwnershipAgreed(CloudEvent):
    """The organisations agreed who owns a complaint (the lead) and who contributes."""

    topic = REFERRALS
    type: Literal["nwd.ownership.agreed.v1"] = "nwd.ownership.agreed.v1"
    data: OwnershipAgreedData


# The event types this producer publishes, in the contract's order.
EVENTS: tuple[type[CloudEvent], ...] = (
    ReferralProposed,
    ReferralAccepted,
    ReferralDeclined,
    ReferralEscalated,
    OwnershipAgreed,
)

__all__ = [
    "ReferralData",
    "ReferralProposed",
    "ReferralAccepted",
    "ReferralDeclinedData",
    "ReferralDeclined",
    "ReferralEscalatedData",
    "ReferralEscalated",
    "OwnershipAgreedData",
    "OwnershipAgreed",
]
