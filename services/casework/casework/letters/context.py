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


def sample_facts(organisation_id: str, organisation_name: str, today: date, usual_working_days: int,
                 ombudsman: Organisation | None = None) -> LetterFacts:
    """Made-up facts for previewing a template: every letter can be written, no real person is named."""
    from datetime import UTC, datetime, timedelta

    def ahead(days: int) -> date:
        return today + timedelta(days=days)

    received = today - timedelta(days=30)
    case = Case(
        id="preview", reference="NWD-PREVIEW", owner=organisation_id, contributors=[], kind="complaint",
        route="complaint", status="responded", suspended=False, received_on=received,
        acknowledge_by=received + timedelta(days=3), action_plan_by=received + timedelta(days=10),
        respond_by=ahead(10), six_months_by=received + timedelta(days=182),
        opened_at=datetime(received.year, received.month, received.day, tzinfo=UTC),
        subject="the care at home (sample)", anonymous=False,
        complainant={"name": "Alex Sample", "address": ["1 Example Street", "Exampletown", "EX1 1AA"]},
        acknowledged_on=received + timedelta(days=2), discussion_accepted=True, likely_response_working_days=20,
        acknowledgement={"action_plan_by": (received + timedelta(days=10)).isoformat(),
                         "respond_by": ahead(10).isoformat(), "suspended": False, "discussion_accepted": True,
                         "likely_response_working_days": 20},
        action_plan={"understanding": "A sample understanding of the complaint.",
                     "desired_outcome": "A sample outcome the person wants.",
                     "steps": ["A first sample step", "A second sample step"], "timescale_working_days": 20,
                     "longer_timescale_reason": None, "respond_by": ahead(10).isoformat(), "comments": []},
        action_plan_issued_on=received + timedelta(days=9), notified_respond_by=ahead(10),
        response={"outcome": "partly_upheld", "desired_outcome_met": True, "alternative": None,
                  "issues": "The sample issues.", "investigation": "How it was looked into (sample).",
                  "evidence": "Sample evidence.", "findings": "Sample findings.", "went_wrong": True,
                  "impact": "The sample impact.", "apology": "We are sorry (sample).", "actions": ["A sample action"],
                  "learning": ["A sample lesson"], "signed_by": "A. Manager", "signed_role": "Sample role",
                  "respond_by": ahead(10).isoformat()},
        responded_on=today, outcome="partly_upheld", on_time=True, paused_working_days=0,
    )
    extension = CaseExtension(case_id=case.id, extended_on=today - timedelta(days=5),
                              previous_respond_by=today - timedelta(days=2), new_respond_by=ahead(10),
                              reason="A sample reason for needing more time.")
    return LetterFacts(case=case, organisation_name=organisation_name, today=today,
                       usual_working_days=usual_working_days, extensions=[extension], ombudsman=ombudsman)
