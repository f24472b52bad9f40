"""Referral rules: who should own a contact, who is asked next, when an answer is due. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Literal

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND, WorkingCalendar, local_date
from nwd_shared.directory import Directory

# Routes that lead to a complaint case at a responsible body.
CASE_ROUTES: frozenset[str] = frozenset({"complaint", "split", "suspended"})

LeadCriterion = Literal["most_concerns", "receiver", "directory_order"]
# The stated rule for choosing the lead of a joint complaint (reg 9): the body with most of the
# concerns, then the receiving body if it is responsible, then the directory's order.
DEFAULT_LEAD_RULE: tuple[LeadCriterion, ...] = ("most_concerns", "receiver", "directory_order")


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


def receiving_body(received_by: str, directory: Directory) -> str:
    """The body a contact was received by: a PALS is part of the trust it serves (reg 13(3))."""
    organisation = directory.get(received_by)
    if organisation is not None and organisation.kind == "pals" and organisation.serves:
        return organisation.serves
    return received_by


def responsible_bodies(candidates: Sequence[str], directory: Directory) -> list[str]:
    """The candidates that can own a complaint, in their order, once each."""
    seen: list[str] = []
    for organisation_id in candidates:
        organisation = directory.get(organisation_id)
        if organisation is not None and organisation.is_responsible_body and organisation_id not in seen:
            seen.append(organisation_id)
    return seen


def concern_counts(responsible: Sequence[str], concerns: Sequence[ev.Concern],
                   directory: Directory) -> dict[str, int]:
    """How many of the contact's concerns each responsible body answers for."""
    counts = dict.fromkeys(responsible, 0)
    for concern in concerns:
        if concern.organisation_id in counts:
            counts[concern.organisation_id] += 1
            continue
        if concern.service_type is None:
            continue
        for organisation_id in responsible:
            organisation = directory.get(organisation_id)
            if concern.service_type in organisation.responsible_for and (
                    concern.area is None or concern.area in organisation.areas):
                counts[organisation_id] += 1
                break
    return counts


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


def next_step(decision: ev.TriageDecisionData, *, concerns: Sequence[ev.Concern], directory: Directory,
              rule: Sequence[LeadCriterion] = DEFAULT_LEAD_RULE) -> Agree | Propose | None:
    """What ownership needs after a triage decision; None when no case follows the route."""
    if decision.route not in CASE_ROUTES:
        return None
    responsible = responsible_bodies(decision.responsible_organisations, directory)
    if not responsible:
        return None
    receiver = receiving_body(decision.received_by, directory)
    if responsible == [receiver]:
        return Agree(owner=receiver)
    counts = concern_counts(responsible, concerns, directory)
    lead = choose_lead(responsible, counts=counts, receiver=receiver, directory=directory, rule=rule)
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


def advocacy_for(concerns: Sequence[ev.Concern], received_by: str, directory: Directory) -> str | None:
    """An advocacy service covering the complainant's area (the concerns', else the receiver's)."""
    receiver = directory.get(received_by)
    areas = concern_areas(concerns, directory) or (list(receiver.areas) if receiver else [])
    for area in areas:
        for organisation in directory.organisations:
            if organisation.kind == "advocacy" and area in organisation.areas:
                return organisation.id
    return None


def ombudsmen_for(service_types: set[str], directory: Directory) -> tuple[list[str], bool]:
    """PHSO for health, LGSCO for social care; both as the Joint Working Team when both are involved."""
    chosen: list[str] = []
    for service_type in ("health", "social_care"):
        if service_type not in service_types:
            continue
        for organisation in directory.organisations:
            if organisation.kind == "ombudsman" and service_type in organisation.responsible_for:
                if organisation.id not in chosen:
                    chosen.append(organisation.id)
                break
    return chosen, {"health", "social_care"} <= service_types and len(chosen) > 1


def services_of(organisations: Sequence[str], directory: Directory) -> set[str]:
    """The services a set of responsible bodies answer for."""
    return {s for o in organisations if directory.get(o) for s in directory.get(o).responsible_for}


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

