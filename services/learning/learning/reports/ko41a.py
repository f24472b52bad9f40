"""The KO41a return (NHS hospital and community health services written complaints) as CSV.

Counting as the guidance says: a complaint with several subjects (or professions) counts once in the
total and once per subject (or profession); brought forward + new - resolved - ended unresolved =
carried forward, where a case transferred to another body, withdrawn or out of time ended unresolved.
Complaints about GP practices are left out: those go to the KO41b. Pure: no I/O.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from learning.reports import figures
from learning.reports.figures import OUTCOMES
from learning.repository import Records
from learning.taxonomy import (
    AGE_GROUPS,
    HEALTH,
    KO41A_SUBJECTS,
    PROFESSIONS,
    SERVICE_AREAS,
    SUBJECTS_BY_CODE,
)

# The complainant's status, from the relationship given at intake.
STATUSES = (("self", "Patient"), ("representative", "Relative, carer or other representative"),
            ("advocate", "Advocate"))
# Ways a case ends without a resolution, in the order the return lists them; the rest are "other".
ENDINGS = (("transferred", "Complaints transferred to another organisation (not resolved)"),
           ("withdrawn", "Complaints withdrawn (not resolved)"),
           ("other", "Complaints closed otherwise, not resolved (for example out of time)"))
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ko41a(records: Records, organisation: str, name: str, year: int) -> dict:
    """The return's figures, and warnings for what a person has to put right before sending it."""
    period = figures.financial_year(year)
    # Only complaints: a case never opened as one (day-to-day business put right in time) has no receipt.
    cases = [c for c in records.cases if c.owner == organisation and c.received_on is not None
             and not figures.about_gp_practice(records, c)]
    brought_forward = [c for c in cases if figures.open_at(c, period.start - timedelta(days=1))]
    new = [c for c in cases if c.received_on in period]
    resolved = [c for c in cases if c.closed_on in period and figures.resolved(c)]
    ended = {how: 0 for how, _ in ENDINGS}
    for case in cases:
        if case.closed_on in period and (how := figures.ended_unresolved(case)):
            ended[how if how in ended else "other"] += 1
    carried_forward = [c for c in cases if figures.open_at(c, period.end)]
    subject_counts = figures.subject_counts(records, new)
    area_counts = figures.service_area_counts(records, new)
    profession_counts = figures.profession_counts(records, new)
    age_counts = figures.age_group_counts(new)
    statuses = {key: 0 for key, _ in STATUSES}
    for case in new:
        contact = records.contacts.get(case.reference)
        relationship = contact.relationship if contact is not None else None
        if relationship in statuses:
            statuses[relationship] += 1
    warnings = []
    for case in sorted(new, key=lambda c: (c.received_on, c.reference)):
        codes = figures.classification(records, case).subjects
        if not any(SUBJECTS_BY_CODE.get(code) and SUBJECTS_BY_CODE[code].in_ko41a for code in codes):
            warnings.append((case.reference, "no KO41a subject code: correct it with "
                             f"PUT /v1/subjects/{case.reference} before sending the return"))
    for case in sorted(resolved, key=lambda c: (c.closed_on, c.reference)):
        if case.outcome is None:
            warnings.append((case.reference, "resolved without an outcome (upheld, partly upheld or not upheld)"))
    return {
        "organisation": organisation, "name": name, "year": f"{year}-{(year + 1) % 100:02d}",
        "from": period.start, "to": period.end,
        "brought_forward": len(brought_forward), "new": len(new), "resolved": len(resolved),
        "carried_forward": len(carried_forward), "ended_unresolved": ended,
        "outcomes": {o: sum(c.outcome == o for c in resolved) for o in OUTCOMES},
        "subjects": {s.code: subject_counts.get(s.code, 0) for s in KO41A_SUBJECTS},
        "service_areas": {a.code: area_counts.get(a.code, 0) for a in SERVICE_AREAS if a.service_type == HEALTH},
        "statuses": statuses,
        "professions": {p.code: profession_counts.get(p.code, 0) for p in PROFESSIONS},
        "age_groups": {code: age_counts.get(code, 0) for code, _ in AGE_GROUPS},
        "warnings": warnings,
    }


def neutralise(cell: object) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(report: dict) -> str:
    """The return as CSV rows of section, item, label, value."""
    labels = {s.code: s.label for s in KO41A_SUBJECTS} | {a.code: a.label for a in SERVICE_AREAS}
    rows: list[tuple] = [
        ("organisation", "id", "Organisation code", report["organisation"]),
        ("organisation", "name", "Organisation name", report["name"]),
        ("period", "from", "Period start", report["from"].isoformat()),
        ("period", "to", "Period end", report["to"].isoformat()),
        ("summary", "brought_forward", "Complaints brought forward", report["brought_forward"]),
        ("summary", "new", "Total new complaints", report["new"]),
        ("summary", "resolved", "Complaints resolved", report["resolved"]),
    ]
    rows += [("summary", how, label, report["ended_unresolved"][how]) for how, label in ENDINGS]
    rows += [("summary", "carried_forward", "Complaints carried forward", report["carried_forward"])]
    words = {"upheld": "Upheld", "partly_upheld": "Partially upheld", "not_upheld": "Not upheld"}
    rows += [("outcome", code, words[code], n) for code, n in report["outcomes"].items()]
    rows += [("status_of_complainant", code, label, report["statuses"][code]) for code, label in STATUSES]
    rows += [("service_area", code, labels[code], n) for code, n in report["service_areas"].items()]
    rows += [("subject_area", code, labels[code], n) for code, n in report["subjects"].items()]
    professions = {p.code: p.label for p in PROFESSIONS}
    rows += [("profession", code, professions[code], n) for code, n in report["professions"].items()]
    rows += [("age_group", code, label, report["age_groups"][code]) for code, label in AGE_GROUPS]
    rows += [("warning", reference, message, "") for reference, message in report["warnings"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("section", "item", "label", "value"))
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
