"""What each letter says: when it can be written, and the facts its template is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casework.models import Case, CaseExtension
from nwd_shared.directory import Organisation

KINDS = ("acknowledgement", "action-plan", "extension", "six-months", "final-response")
TITLES = {
    "acknowledgement": "We have received your complaint",
    "action-plan": "Our plan for looking into your complaint",
    "extension": "We need more time to answer your complaint",
    "six-months": "Why we have not yet answered your complaint",
    "final-response": "Our response to your complaint",
}
# A contact may be anonymous (issue 15): it is handled, but there is no one to write to.
ANONYMOUS = "the complainant gave no name: no letter is sent for an anonymous contact"
OUTCOME_SENTENCES = {
    "upheld": "We uphold your complaint: we agree that things went wrong.",
    "partly_upheld": "We partly uphold your complaint: we agree that some things went wrong.",
    "not_upheld": "We do not uphold your complaint: we found that the care or service was as it should have been.",
}


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter may need, gathered from the case and the directory."""

    case: Case
    organisation_name: str
    today: date
    usual_working_days: int
    extensions: list[CaseExtension] = field(default_factory=list)
    contributor_names: list[str] = field(default_factory=list)
    ombudsman: Organisation | None = None


def unavailable(kind: str, case: Case, extensions: list[CaseExtension], today: date) -> str | None:
    """Why a letter cannot be written yet, or None when it can."""
    if case.anonymous:
        return ANONYMOUS
    if kind == "acknowledgement" and case.acknowledged_on is None:
        return "the complaint has not been acknowledged yet"
    if kind == "action-plan" and case.action_plan is None:
        return "no action plan has been issued yet"
    if kind == "extension" and not extensions:
        return "the response date has not been extended"
    if kind == "six-months":
        if today <= case.six_months_by:
            return f"the six months end on {case.six_months_by.isoformat()}"
        if case.responded_on is not None and case.responded_on <= case.six_months_by:
            return "the response was sent within six months"
    if kind == "final-response" and case.response is None:
        return "no final response has been sent yet"
    return None


def _website(ombudsman: Organisation) -> str:
    return "www.ombudsman.org.uk" if "health" in ombudsman.responsible_for else "www.lgo.org.uk"


def _with_dates(stored: dict, *names: str) -> dict:
    """A stored snapshot with its ISO dates as dates again, for the `in_words` filter."""
    return {**stored, **{n: date.fromisoformat(stored[n]) for n in names if stored.get(n)}}


def context_for(kind: str, facts: LetterFacts) -> dict:
    """The variables a letter template is given (documented in templates/base.html.j2)."""
    case = facts.case
    latest = facts.extensions[-1] if facts.extensions else None
    letter_date = {
        "acknowledgement": case.acknowledged_on,
        "action-plan": case.action_plan_issued_on,
        "extension": latest.extended_on if latest else None,
        "final-response": case.responded_on,
    }.get(kind) or facts.today
    response = _with_dates(case.response or {}, "respond_by")
    return {
        "title": TITLES[kind],
        "kind": kind,
        "letter_date": letter_date,
        "organisation": {"id": case.owner, "name": facts.organisation_name},
        "complainant": {"name": (case.complainant or {}).get("name"),
                        "address": (case.complainant or {}).get("address", [])},
        "case": {
            "reference": case.reference, "subject": case.subject, "received_on": case.received_on,
            "acknowledge_by": case.acknowledge_by, "action_plan_by": case.action_plan_by,
            "respond_by": case.respond_by, "six_months_by": case.six_months_by,
            "suspended": case.suspended, "status": case.status,
        },
        "acknowledgement": _with_dates(case.acknowledgement or {}, "action_plan_by", "respond_by"),
        "plan": _with_dates(case.action_plan or {}, "respond_by"),
        "usual_working_days": facts.usual_working_days,
        "extension": {"previous_respond_by": latest.previous_respond_by, "new_respond_by": latest.new_respond_by,
                      "reason": latest.reason} if latest else None,
        "delay_reason": latest.reason if latest else None,
        "response": response,
        "outcome_sentence": OUTCOME_SENTENCES.get(response.get("outcome", ""), ""),
        "contributors": facts.contributor_names,
        "ombudsman": {"name": facts.ombudsman.name, "website": _website(facts.ombudsman)}
        if facts.ombudsman else None,
    }
