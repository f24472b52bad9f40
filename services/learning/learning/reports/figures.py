"""The figures every report is made of, computed from projected records. Pure: no I/O.

A period is inclusive at both ends. A case counts as received on the day its owner received it,
as decided on the day of its response (or of its closing, if it closed with an outcome and no
response), as resolved on the day it closed, unless it ended another way: a case transferred to
another body, withdrawn or out of time is not resolved (it leaves the open cases all the same).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import get_args

from learning import domain, subjects
from learning.models import CaseRecord, ContactRecord
from learning.repository import Records
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar

OUTCOMES: tuple[str, ...] = get_args(ev.Outcome)  # upheld, partly upheld, not upheld: the contract's order
AGEING_BUCKETS = ("up_to_20_working_days", "21_to_40_working_days", "over_40_working_days")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def financial_year(year: int) -> Period:
    """Reg 18 and KO41a years run from 1 April to 31 March; `year` is the one it starts in."""
    return Period(date(year, 4, 1), date(year + 1, 3, 31))


def quarters(year: int) -> list[Period]:
    bounds = [(4, 6, 0), (7, 9, 0), (10, 12, 0), (1, 3, 1)]
    ends = {3: 31, 6: 30, 9: 30, 12: 31}
    return [Period(date(year + dy, first, 1), date(year + dy, last, ends[last])) for first, last, dy in bounds]


def share(part: int, whole: int) -> float | None:
    """A proportion to three places, or None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None


def decided_on(case: CaseRecord) -> date | None:
    if case.outcome is None:
        return None
    return case.responded_on or case.closed_on


def classification(records: Records, case: CaseRecord) -> subjects.Effective:
    """The subjects and service area a case is counted under."""
    contact: ContactRecord | None = records.contacts.get(case.reference)
    rules = []
    if contact is not None:
        rules = subjects.merge(
            [tuple(a) for a in contact.text_subjects or []],
            subjects.subjects_from_triage(service_types=contact.service_types or [],
                                          safeguarding_categories=contact.safeguarding_categories or [],
                                          route=contact.route))
    correction = records.corrections.get(case.reference)
    return subjects.effective(
        rules=[code for code, _ in rules], case=[code for code, _ in case.case_subjects or []],
        correction=correction.subjects if correction is not None else None,
        rule_area=contact.service_area if contact is not None else None,
        corrected_area=correction.service_area if correction is not None else None)


def subject_counts(records: Records, cases: Iterable[CaseRecord]) -> Counter[str]:
    """Each case once per subject it has (KO41a: once per aspect)."""
    counts: Counter[str] = Counter()
    for case in cases:
        counts.update(set(classification(records, case).subjects))
    return counts


def service_area_counts(records: Records, cases: Iterable[CaseRecord]) -> Counter[str]:
    return Counter(classification(records, case).service_area or "not_known" for case in cases)


def resolved(case: CaseRecord) -> bool:
    """Closed as a resolution: not transferred, withdrawn or otherwise ended unresolved."""
    return case.closed_on is not None and case.ended_as is None


def ended_unresolved(case: CaseRecord) -> str | None:
    """How a closed case ended when it was not resolved (transferred, withdrawn...); None otherwise."""
    return case.ended_as if case.closed_on is not None else None


def about_gp_practice(records: Records, case: CaseRecord) -> bool:
    """Whether every organisation the complaint names is a GP practice (their complaints go to the KO41b)."""
    contact = records.contacts.get(case.reference)
    kinds = set(contact.concern_kinds or []) if contact is not None else set()
    return kinds == {"gp_practice"}


def profession_counts(records: Records, cases: Iterable[CaseRecord]) -> Counter[str]:
    """Each case once per staff group its words name; "not known" when they name none."""
    counts: Counter[str] = Counter()
    for case in cases:
        contact = records.contacts.get(case.reference)
        codes = {code for code, _ in (contact.professions or [])} if contact is not None else set()
        counts.update(codes or {"not_known"})
    return counts


def age_group_counts(cases: Iterable[CaseRecord]) -> Counter[str]:
    """Each case once under its age group; "not known" without equality data."""
    return Counter(case.age_group or "not_known" for case in cases)


def open_at(case: CaseRecord, day: date) -> bool:
    return case.received_on is not None and case.received_on <= day and (
        case.closed_on is None or case.closed_on > day)


def summary(records: Records, organisation: str, period: Period, *, today: date,
            calendar: WorkingCalendar) -> dict:
    """The projections of one organisation for a period: counts and the figures made from them."""
    counts: Counter[str] = Counter()
    contacts = [c for c in records.contacts.values() if c.received_by == organisation and c.received_on in period]
    counts["contacts.received"] = len(contacts)
    for contact in contacts:
        counts[f"contacts.kind.{contact.kind}"] += 1
        counts[f"contacts.channel.{contact.channel}"] += 1
        counts[f"contacts.route.{contact.route or 'not_triaged'}"] += 1
    for fact in records.facts:
        if fact.organisation_id == organisation and fact.occurred_on in period:
            counts[fact.metric] += 1
    agreed = [c for c in records.contacts.values() if c.owner == organisation and c.ownership_agreed_on in period]
    counts["ownership.agreed"] = len(agreed)

    cases = [c for c in records.cases if c.owner == organisation]
    received = [c for c in cases if c.received_on in period]
    counts["cases.opened"] = len(received)
    counts["cases.closed"] = sum(c.closed_on in period and resolved(c) for c in cases)
    for case in cases:
        if case.closed_on in period and (how := ended_unresolved(case)):
            counts[f"cases.ended.{how}"] += 1
    as_at = min(period.end, today)
    still_open = [c for c in cases if open_at(c, period.end)]
    counts["cases.open_at_end"] = len(still_open)
    acknowledged = [c for c in cases if c.acknowledged_on in period]
    counts["cases.acknowledged"] = len(acknowledged)
    counts["cases.acknowledged_on_time"] = sum(
        c.acknowledge_by is not None and c.acknowledged_on <= c.acknowledge_by for c in acknowledged)
    plans = [c for c in cases if c.action_plan_on in period]
    counts["cases.action_plans"] = len(plans)
    counts["cases.action_plans_on_time"] = sum(
        c.action_plan_by is not None and c.action_plan_on <= c.action_plan_by for c in plans)
    responded = [c for c in cases if c.responded_on in period]
    counts["cases.responded"] = len(responded)
    counts["cases.responded_on_time"] = sum(bool(c.responded_on_time) for c in responded)
    for case in cases:
        if decided_on(case) in period:
            counts[f"cases.outcome.{case.outcome}"] += 1
    counts["cases.escalated"] = sum(c.escalated_on in period for c in cases)
    for code, n in subject_counts(records, received).items():
        counts[f"subjects.{code}"] = n
    actions = [a for a in records.actions if a.organisation == organisation]
    counts["learning_actions.raised"] = sum(a.raised_on in period for a in actions)
    counts["learning_actions.completed"] = sum(a.completed_on in period for a in actions)
    counts["learning_actions.overdue"] = sum(domain.is_overdue(a, as_at) for a in actions)
    links = [link for link in records.links if link.organisation == organisation]
    counts["experience.links_issued"] = sum(link.issued_on in period for link in links)
    answered = [link for link in links if link.responded_on in period]
    counts["experience.responses"] = len(answered)

    days = [c.ownership_working_days for c in agreed if c.ownership_working_days is not None]
    ageing = Counter({bucket: 0 for bucket in AGEING_BUCKETS})
    for case in still_open:
        age = calendar.working_days_between(case.received_on, period.end)
        ageing[AGEING_BUCKETS[0] if age <= 20 else AGEING_BUCKETS[1] if age <= 40 else AGEING_BUCKETS[2]] += 1
    ageing["past_six_months"] = sum(c.six_months_by is not None and c.six_months_by < period.end
                                    for c in still_open)
    return {
        "counts": {k: v for k, v in sorted(counts.items()) if v},
        "timeliness": {
            "acknowledged_within_3_working_days": share(counts["cases.acknowledged_on_time"], len(acknowledged)),
            "action_plans_within_5_working_days": share(counts["cases.action_plans_on_time"], len(plans)),
            "responded_by_notified_date": share(counts["cases.responded_on_time"], len(responded)),
            "six_month_breaches": counts["cases.breached.six_months_by"],
        },
        "ownership": {"agreed": len(agreed),
                      "median_working_days": statistics.median(days) if days else None,
                      "longest_working_days": max(days) if days else None},
        "ageing": dict(ageing),
        "experience": experience_figures(answered),
    }


def experience_figures(answered) -> dict:
    ratings = Counter(link.rating for link in answered)
    return {"responses": len(answered),
            "average_rating": round(statistics.mean(ratings.elements()), 2) if answered else None,
            "ratings": {str(r): ratings.get(r, 0) for r in range(1, 6)}}
