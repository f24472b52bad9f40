"""The partner learning digest: anonymised themes and actions shared across the partners of an
area (seeds 000, 001). Pure: no I/O.

Only counts and the taxonomy's own labels leave here: no reference, name, contact detail or
free text (an action's description is the organisation's words about a person's complaint, so
actions are shared as counts by theme). Every count from 1 to 4 is shown as "fewer than 5", and
no total is published beside the cells that add up to it (outcomes are area-wide only, complaints
received per partner only), so a hidden cell cannot be worked out by subtraction.
"""

from __future__ import annotations

from collections import Counter

from learning.domain import suppress
from learning.reports import figures
from learning.reports.figures import OUTCOMES, Period
from learning.repository import Records
from learning.taxonomy import SUBJECTS, subject_label

MIN_RESPONSES_FOR_AVERAGE = 5


def digest(records: Records, area: str, partners: list[tuple[str, str]], period: Period) -> dict:
    """The digest of an area's partners (organisation id and name) for a period."""
    ids = {org for org, _ in partners}
    cases = [c for c in records.cases if c.owner in ids]
    received = [c for c in cases if c.received_on in period]
    decided = [c for c in cases if figures.decided_on(c) in period]
    themes = figures.subject_counts(records, received)
    case_of = {(c.reference, c.case_id): c for c in cases}
    raised: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    for action in records.actions:
        case = case_of.get((action.reference, action.case_id))
        if action.organisation not in ids or case is None:
            continue
        for code in figures.classification(records, case).subjects or ("other",):
            raised[code] += action.raised_on in period
            completed[code] += action.completed_on in period
    order = {s.code: i for i, s in enumerate(SUBJECTS)}
    ranked = sorted(set(themes) | {c for c in raised if raised[c]},
                    key=lambda code: (-themes[code], order.get(code, len(order))))
    answered = [link for link in records.links if link.organisation in ids and link.responded_on in period]
    ratings = [link.rating for link in answered]
    return {
        "area": area,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "suppression": "counts from 1 to 4 are shown as \"fewer than 5\"",
        "partners": [
            {"organisation": org, "name": name,
             "complaints_received": suppress(sum(c.owner == org for c in received))}
            for org, name in partners
        ],
        "outcomes": {o: suppress(sum(c.outcome == o for c in decided)) for o in OUTCOMES},
        "themes": [{"code": code, "label": subject_label(code), "complaints": suppress(themes[code]),
                    "actions_raised": suppress(raised[code]), "actions_completed": suppress(completed[code])}
                   for code in ranked],
        "experience": {
            "responses": suppress(len(ratings)),
            "average_rating": (round(sum(ratings) / len(ratings), 1)
                               if len(ratings) >= MIN_RESPONSES_FOR_AVERAGE else None),
        },
    }
