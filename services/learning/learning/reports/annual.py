"""The reg 18 annual report: received, well-founded, referred to an ombudsman, subjects, matters
of general importance and actions taken. Pure: no I/O."""

from __future__ import annotations

from datetime import date

from learning import domain
from learning.reports import figures
from learning.reports.figures import OUTCOMES, Period
from learning.repository import Records
from learning.taxonomy import SUBJECTS, service_area_label, subject_label
from nwd_shared import events as ev

TOP_THEMES = 5


def _trend(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "none"
    if now > before:
        return "rising"
    if now < before:
        return "falling"
    return "steady"


def annual(records: Records, organisation: str, name: str, year: int, *, today: date) -> dict:
    """The annual report of one organisation for the year starting 1 April `year`."""
    period = figures.financial_year(year)
    previous = figures.financial_year(year - 1)
    cases = [c for c in records.cases if c.owner == organisation]
    received = [c for c in cases if c.received_on in period]
    received_before = [c for c in cases if c.received_on in previous]
    decided = [c for c in cases if figures.decided_on(c) in period]
    outcomes = {o: sum(c.outcome == o for c in decided) for o in OUTCOMES}
    this_year = figures.subject_counts(records, received)
    last_year = figures.subject_counts(records, received_before)
    order = {s.code: i for i, s in enumerate(SUBJECTS)}
    ranked = sorted(this_year, key=lambda code: (-this_year[code], order.get(code, len(order))))
    quarters = figures.quarters(year)
    themes = []
    for code in ranked[:TOP_THEMES]:
        per_quarter = [figures.subject_counts(records, [c for c in received if c.received_on in q])[code]
                       for q in quarters]
        themes.append({"code": code, "label": subject_label(code), "count": this_year[code],
                       "previous_year": last_year[code], "by_quarter": per_quarter,
                       "trend": _trend(this_year[code], last_year[code])})
    areas = figures.service_area_counts(records, received)
    actions = [a for a in records.actions if a.organisation == organisation and a.raised_on in period]
    as_at = min(period.end, today)
    links = [link for link in records.links if link.organisation == organisation]
    answered = [link for link in links if link.responded_on in period]
    acknowledged = [c for c in cases if c.acknowledged_on in period]
    responded = [c for c in cases if c.responded_on in period]
    return {
        "organisation": organisation,
        "name": name,
        "year": f"{year}-{(year + 1) % 100:02d}",
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "received": len(received),
        "received_by_quarter": [sum(c.received_on in q for c in received) for q in quarters],
        "received_previous_year": len(received_before),
        "decided": len(decided),
        "well_founded": sum(c.outcome in ev.UPHELD for c in decided),
        "outcomes": outcomes,
        "referred_to_ombudsman": sum(c.escalated_on in period for c in cases),
        "subjects": [{"code": code, "label": subject_label(code), "count": this_year[code]} for code in ranked],
        "without_subject": sum(not figures.classification(records, c).subjects for c in received),
        "service_areas": [{"code": code, "label": service_area_label(code), "count": n}
                          for code, n in sorted(areas.items(), key=lambda item: (-item[1], item[0]))],
        "matters_of_general_importance": themes,
        "timeliness": {
            "acknowledged_within_3_working_days": figures.share(
                sum(c.acknowledge_by is not None and c.acknowledged_on <= c.acknowledge_by
                    for c in acknowledged), len(acknowledged)),
            "responded_by_notified_date": figures.share(
                sum(bool(c.responded_on_time) for c in responded), len(responded)),
        },
        "actions": {
            "raised": len(actions),
            "completed": sum(a.completed_on is not None and a.completed_on <= as_at for a in actions),
            "overdue": sum(domain.is_overdue(a, as_at) for a in actions),
            "items": [{"description": a.description, "owner": a.owner, "raised_on": a.raised_on.isoformat(),
                       "due_on": a.due_on.isoformat(),
                       "completed_on": a.completed_on.isoformat() if a.completed_on else None,
                       "status": domain.action_status(a, as_at)} for a in actions],
        },
        "experience": figures.experience_figures(answered),
    }


__all__ = ["annual", "Period"]
