"""Referral rules: who should own a contact, who is asked next, when an answer is due. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Literal, Protocol

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND, WorkingCalendar, local_date
from nwd_shared.directory import Directory
from nwd_shared.errors import Conflict

LeadCriterion = Literal["most_concerns", "receiver", "directory_order"]
# The stated rule for choosing the lead of a joint complaint (reg 9): the body with most of the
# concerns, then the receiving body if it is responsible, then the directory's order.
DEFAULT_LEAD_RULE: tuple[LeadCriterion, ...] = ("most_concerns", "receiver", "directory_order")


# --- The negotiation of a contact's owner: one state machine --------------------------------

class NegotiationState(StrEnum):
    """Where agreeing a contact's owner stands; the values are stored and shown as they are."""

    AWAITING_CONTACT = "awaiting_contact"  # triage decided; its contact has not arrived yet
    NEGOTIATING = "negotiating"  # a lead or contributors are being asked
    AGREED = "agreed"  # ownership agreed (reg 9)
    ESCALATED = "escalated"  # nobody is being asked to lead: the receiving organisation decides
    NO_CASE = "no_case"  # the route leads to no complaint case
    PALS = "pals"  # with a PALS, outside the complaints procedure
    CLOSED = "closed"  # the PALS resolved it


class IllegalTransition(Conflict):
    """A negotiation cannot make this move from the state it is in."""


class Negotiable(Protocol):
    """What a transition changes: the state, the lead, and when it changed."""

    reference: str
    state: str
    lead: str | None
    lead_accepted_at: datetime | None
    lead_received_at: datetime | None
    updated_at: datetime


_ANY = frozenset(NegotiationState)
# From which states each move may be made.
MOVES: dict[str, frozenset[NegotiationState]] = {
    # A triage decision, or an override of it, starts the protocol again from wherever it stood.
    "negotiate": _ANY,
    "find_no_case": _ANY,
    "refer_to_pals": _ANY,
    # By hand, the receiver (as interim owner) proposes an owner or takes it on, until one is agreed.
    "take_by_hand": _ANY - {NegotiationState.AGREED},
    "agree": frozenset({NegotiationState.NEGOTIATING}),
    "escalate": frozenset({NegotiationState.NEGOTIATING}),
    "close": frozenset({NegotiationState.PALS}),
}


def check(negotiation: Negotiable, move: str) -> None:
    """Refuse a move the negotiation's state does not allow."""
    if NegotiationState(negotiation.state) not in MOVES[move]:
        raise IllegalTransition(f"the negotiation of {negotiation.reference} is {negotiation.state}: "
                                f"it cannot {move.replace('_', ' ')}")


def _move(negotiation: Negotiable, move: str, to: NegotiationState, now: datetime) -> None:
    check(negotiation, move)
    negotiation.state, negotiation.updated_at = to.value, now


def negotiate(negotiation: Negotiable, *, lead: str, lead_accepted_at: datetime | None, now: datetime,
              lead_received_at: datetime | None = None) -> None:
    """A decision calls for an owner: `lead` is asked, or has it already when `lead_accepted_at` is set."""
    _move(negotiation, "negotiate", NegotiationState.NEGOTIATING, now)
    negotiation.lead, negotiation.lead_accepted_at = lead, lead_accepted_at
    negotiation.lead_received_at = lead_received_at


def find_no_case(negotiation: Negotiable, *, now: datetime) -> None:
    """A decision on which no complaint case follows: nobody needs to own it."""
    _move(negotiation, "find_no_case", NegotiationState.NO_CASE, now)


def refer_to_pals(negotiation: Negotiable, *, now: datetime) -> None:
    """Route `pals`: the trust's PALS sorts it out informally."""
    _move(negotiation, "refer_to_pals", NegotiationState.PALS, now)


def take_by_hand(negotiation: Negotiable, *, lead: str, lead_accepted_at: datetime | None, now: datetime,
                 lead_received_at: datetime | None = None) -> None:
    """The receiver proposes `lead` by hand, or takes it on itself (`lead_accepted_at` set)."""
    _move(negotiation, "take_by_hand", NegotiationState.NEGOTIATING, now)
    negotiation.lead, negotiation.lead_accepted_at = lead, lead_accepted_at
    negotiation.lead_received_at = lead_received_at


def accept_lead(negotiation: Negotiable, *, lead: str, proposed_at: datetime, now: datetime) -> None:
    """The lead accepted: it owns the contact from now, but the complaint reached it when proposed."""
    negotiation.lead, negotiation.lead_accepted_at, negotiation.lead_received_at = lead, now, proposed_at


def agree(negotiation: Negotiable, *, owner: str, now: datetime) -> None:
    """Ownership agreed: the lead accepted and every contributor answered."""
    _move(negotiation, "agree", NegotiationState.AGREED, now)
    negotiation.lead = owner


def escalate(negotiation: Negotiable, *, now: datetime) -> None:
    """Nobody is left to ask to lead: the receiving organisation decides who does."""
    _move(negotiation, "escalate", NegotiationState.ESCALATED, now)
    negotiation.lead = None


def close(negotiation: Negotiable, *, now: datetime) -> None:
    """The PALS resolved it: the contact's handling ends here."""
    _move(negotiation, "close", NegotiationState.CLOSED, now)


# --- Who should own a contact --------------------------------------------------------------

@dataclass(frozen=True)
class Agree:
    """Ownership can be agreed now: the receiving body alone is responsible."""

    owner: str


@dataclass(frozen=True)
class Propose:
    """Ask the lead to own the contact and the others to contribute (reg 9: one response)."""

    lead: str
    contributors: list[str] = field(default_factory=list)
    # The receiver leads: it has the contact already, only the contributors need asking.
    lead_is_receiver: bool = False

    @property
    def joint(self) -> bool:
        return bool(self.contributors)


def receivers(received_by: str, directory: Directory) -> set[str]:
    """The organisation that received a contact and, for a PALS, the trust it is part of."""
    return {received_by, directory.receiving_body(received_by)}


def responsible_bodies(candidates: Sequence[str], directory: Directory) -> list[str]:
    """The candidates that can own a complaint, in their order, once each."""
    seen: list[str] = []
    for organisation_id in candidates:
        organisation = directory.get(organisation_id)
        if organisation is not None and organisation.is_responsible_body and organisation_id not in seen:
            seen.append(organisation_id)
    return seen


def choose_lead(responsible: Sequence[str], *, counts: dict[str, int], receiver: str,
                directory: Directory, rule: Sequence[LeadCriterion] = DEFAULT_LEAD_RULE) -> str:
    """The lead of a joint complaint by the rule's criteria in turn; ties keep triage's order."""
    order = {o.id: index for index, o in enumerate(directory.organisations)}

    def key(organisation_id: str) -> tuple:
        parts: list[int] = []
        for criterion in rule:
            if criterion == "most_concerns":
                parts.append(-counts.get(organisation_id, 0))
            elif criterion == "receiver":
                parts.append(0 if organisation_id == receiver else 1)
            elif criterion == "directory_order":
                parts.append(order.get(organisation_id, len(order)))
        return (*parts, responsible.index(organisation_id))

    return min(responsible, key=key)


def next_step(decision: ev.TriageDecisionData, *, directory: Directory,
              rule: Sequence[LeadCriterion] = DEFAULT_LEAD_RULE) -> Agree | Propose | None:
    """What ownership needs after a triage decision; None when no case follows the route."""
    if decision.route not in ev.CASE_ROUTES:
        return None
    responsible = responsible_bodies(decision.responsible_organisations, directory)
    if not responsible:
        return None
    receiver = directory.receiving_body(decision.received_by)
    if responsible == [receiver]:
        return Agree(owner=receiver)
    # Triage counted each body's concerns when it resolved them: the one home of that count.
    lead = choose_lead(responsible, counts=decision.concern_count, receiver=receiver, directory=directory,
                       rule=rule)
    return Propose(lead=lead, contributors=[o for o in responsible if o != lead],
                   lead_is_receiver=lead == receiver)


def concern_areas(concerns: Sequence[ev.Concern], directory: Directory) -> list[str]:
    """The areas a contact's concerns are about: stated areas, then the named bodies' areas."""
    areas: list[str] = []
    for concern in concerns:
        if concern.area and concern.area not in areas:
            areas.append(concern.area)
    for concern in concerns:
        organisation = directory.get(concern.organisation_id) if concern.organisation_id else None
        for area in organisation.areas if organisation else ():
            if area not in areas:
                areas.append(area)
    return areas


def next_candidate(declined_by: str, *, excluded: set[str], concerns: Sequence[ev.Concern],
                   directory: Directory) -> str | None:
    """The directory's next responsible body for what the declining body was asked about."""
    declined = directory.get(declined_by)
    if declined is None:
        return None
    asked_about = {c.service_type for c in concerns if c.service_type}
    asked_about |= {s for c in concerns if c.organisation_id and directory.get(c.organisation_id)
                    for s in directory.get(c.organisation_id).responsible_for}
    service_types = [s for s in declined.responsible_for if s in asked_about] or list(declined.responsible_for)
    areas = concern_areas(concerns, directory) or list(declined.areas)
    for service_type in service_types:
        for area in areas:
            for organisation in directory.responsible_for(service_type, area):
                if organisation.id not in excluded and organisation.id != declined_by:
                    return organisation.id
    return None


def advocacy_for(decision: ev.TriageDecisionData, directory: Directory) -> str | None:
    """An advocacy service in the complainant's area: the concerns', else the owners', else the receiver's."""
    areas = list(decision.areas) or [a for o in decision.responsible_organisations
                                     if (organisation := directory.get(o)) for a in organisation.areas]
    if not areas and (receiver := directory.get(decision.received_by)) is not None:
        areas = list(receiver.areas)
    for area in areas:
        for organisation in directory.organisations:
            if organisation.kind == "advocacy" and area in organisation.areas:
                return organisation.id
    return None


def _same_time_later(start: datetime, working_days: int, calendar: WorkingCalendar) -> datetime:
    local = start.astimezone(ENGLAND)
    day = calendar.add_working_days(local_date(start), working_days)
    return datetime.combine(day, time(local.hour, local.minute, local.second), ENGLAND).astimezone(UTC)


def answer_due(proposed_at: datetime, *, timeout_working_days: int, calendar: WorkingCalendar) -> datetime:
    """When an unanswered proposal escalates: the same time of day, that many working days on."""
    return _same_time_later(proposed_at, timeout_working_days, calendar)


def reminder_due(proposed_at: datetime, *, timeout_working_days: int, reminder_working_days: int,
                 calendar: WorkingCalendar) -> datetime | None:
    """When the addressed organisation is reminded; halfway when the time-out is too short for it."""
    if reminder_working_days <= 0:
        return None
    if reminder_working_days < timeout_working_days:
        return _same_time_later(proposed_at, timeout_working_days - reminder_working_days, calendar)
    due = answer_due(proposed_at, timeout_working_days=timeout_working_days, calendar=calendar)
    return proposed_at + (due - proposed_at) / 2


def personal_data(contact: ev.ContactReceivedData | None) -> dict | None:
    """What a partner may see of the person, given consent: names, contact details, description."""
    if contact is None:
        return None
    return {
        "complainant": contact.complainant.model_dump(mode="json"),
        "person_affected": contact.person_affected.model_dump(mode="json") if contact.person_affected else None,
        "description": contact.description,
        "desired_outcome": contact.desired_outcome,
        "concerns": [c.model_dump(mode="json") for c in contact.concerns],
    }

