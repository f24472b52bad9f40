"""The five letters render from templates to HTML and PDF, dates in words; organisations may override."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pytest

from casework.letters import KINDS, LetterFacts, Letters, context_for, in_words, to_pdf, unavailable
from casework.letters.api import wants_pdf
from casework.models import Case, CaseExtension
from nwd_shared.directory import Organisation

LGSCO = Organisation(id="lgsco", name="Local Government and Social Care Ombudsman", kind="ombudsman",
                     responsible_for=["social_care"])


def handled_case() -> Case:
    """A case that has been through every step, six months included."""
    return Case(
        id="c1", reference="NWD-7Q4K2M", owner="wsx-council", contributors=["uhsussex"], kind="complaint",
        route="complaint", status="responded", suspended=False, received_on=date(2026, 1, 5),
        acknowledge_by=date(2026, 1, 8), action_plan_by=date(2026, 1, 14), respond_by=date(2026, 7, 31),
        six_months_by=date(2026, 7, 5), opened_at=datetime(2026, 1, 5, tzinfo=UTC), subject="missed home care visits",
        complainant={"name": "Łukasz O’Brien", "address": ["1 High Street", "Chichester"]},
        acknowledged_on=date(2026, 1, 7), discussion_accepted=True, likely_response_working_days=20,
        acknowledgement={"action_plan_by": "2026-01-14", "respond_by": "2026-02-04", "suspended": False,
                         "discussion_accepted": True, "likely_response_working_days": 20},
        action_plan={"understanding": "Visits were missed.", "desired_outcome": "Visits as planned.",
                     "steps": ["Read the logs", "Talk to the agency"], "timescale_working_days": 30,
                     "longer_timescale_reason": "The agency’s records take four weeks.",
                     "respond_by": "2026-02-24", "comments": []},
        action_plan_issued_on=date(2026, 1, 13), notified_respond_by=date(2026, 2, 24),
        response={"outcome": "partly_upheld", "desired_outcome_met": False, "alternative": "A new agency.",
                  "issues": "Missed visits.", "investigation": "Logs and interviews.", "evidence": "The rota.",
                  "findings": "Four visits missed.", "went_wrong": True, "impact": "No meals on four days.",
                  "apology": "We are sorry.", "actions": ["Daily checks"], "learning": ["Weekly review"],
                  "signed_by": "Sam Senior", "signed_role": "Head of Adults’ Services", "respond_by": "2026-07-31"},
        responded_on=date(2026, 7, 30), outcome="partly_upheld", on_time=True, paused_working_days=0,
    )


def facts(case: Case, today: date = date(2026, 7, 30)) -> LetterFacts:
    extension = CaseExtension(case_id=case.id, extended_on=date(2026, 2, 20), previous_respond_by=date(2026, 2, 24),
                              new_respond_by=date(2026, 7, 31), reason="A key witness is abroad until July.")
    return LetterFacts(case=case, organisation_name="West Sussex County Council", today=today,
                       usual_working_days=20, extensions=[extension], ombudsman=LGSCO,
                       contributor_names=["University Hospitals Sussex NHS Foundation Trust"])


DUE = {  # the date each letter must show, in words
    "acknowledgement": "Wednesday 14 January 2026",
    "action-plan": "Tuesday 24 February 2026",
    "extension": "Friday 31 July 2026",
    "six-months": "Sunday 5 July 2026",
    "final-response": "Friday 31 July 2026",
}


def pdf_text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_renders_to_html_and_to_a_pdf_with_its_reference_and_due_date(kind):
    case = handled_case()
    assert unavailable(kind, case, facts(case).extensions, date(2026, 7, 30)) is None
    context = context_for(kind, facts(case))
    page = Letters().html(kind, case.owner, context)
    assert page.startswith("<!doctype html>") and 'lang="en-GB"' in page
    assert case.reference in page and DUE[kind] in page
    assert "2026-" not in page.split("<main>")[1]  # every date in words
    body = Letters().html(kind, case.owner, context, pdf=True)
    assert "<html" not in body
    document = to_pdf(body, title=context["title"], author="West Sussex County Council")
    assert document.startswith(b"%PDF")
    text = pdf_text(document)
    assert case.reference in text and DUE[kind] in text
    assert "Łukasz O’Brien" in text  # embedded Unicode fonts: the name as it is written
    metadata = pypdf.PdfReader(io.BytesIO(document)).metadata
    assert metadata.title == context["title"]


def test_the_final_response_names_the_ombudsman_the_apology_and_the_joint_working():
    case = handled_case()
    page = Letters().html("final-response", case.owner, context_for("final-response", facts(case)))
    for words in ["Local Government and Social Care Ombudsman", "www.lgo.org.uk", "We are sorry.",
                  "We partly uphold your complaint", "A new agency.",
                  "We worked with University Hospitals Sussex NHS Foundation Trust", "Sam Senior"]:
        assert words in page


def test_an_organisation_overrides_a_letter_and_others_keep_the_built_in_one(tmp_path):
    (tmp_path / "wsx-council").mkdir()
    (tmp_path / "wsx-council" / "acknowledgement.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}<p>Council wording, plan by '
        "{{ acknowledgement.action_plan_by | in_words }}.</p>{% endblock %}")
    case = handled_case()
    letters = Letters(tmp_path)
    own = letters.html("acknowledgement", "wsx-council", context_for("acknowledgement", facts(case)))
    assert "Council wording, plan by Wednesday 14 January 2026." in own
    built_in = letters.html("acknowledgement", "bh-council", context_for("acknowledgement", facts(case)))
    assert "Council wording" not in built_in and "Talking about your complaint" in built_in


def test_markup_in_case_text_is_escaped():
    case = handled_case()
    case.subject = "<script>alert(1)</script>"
    page = Letters().html("acknowledgement", case.owner, context_for("acknowledgement", facts(case)))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_letters_wait_for_their_step():
    case = Case(reference="NWD-1", owner="x", received_on=date(2026, 7, 2), six_months_by=date(2027, 1, 2))
    assert "not been acknowledged" in unavailable("acknowledgement", case, [], date(2026, 7, 3))
    assert "no action plan" in unavailable("action-plan", case, [], date(2026, 7, 3))
    assert "not been extended" in unavailable("extension", case, [], date(2026, 7, 3))
    assert "six months end" in unavailable("six-months", case, [], date(2026, 7, 3))
    assert "no final response" in unavailable("final-response", case, [], date(2026, 7, 3))


def test_dates_are_written_in_words():
    assert in_words(date(2026, 4, 9)) == "Thursday 9 April 2026"
    assert in_words(None) == ""


def test_accept_chooses_html_or_pdf():
    assert wants_pdf(None) is False and wants_pdf("*/*") is False and wants_pdf("text/html") is False
    assert wants_pdf("application/pdf") is True
    assert wants_pdf("text/html;q=0.4, application/pdf;q=0.9") is True
    assert wants_pdf("application/*") is True
    assert wants_pdf("application/json") is None and wants_pdf("text/html;q=0") is None

