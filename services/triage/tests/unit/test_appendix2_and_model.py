"""Appendix 2 as written, and the safeguarding model beside the rules in the decision (issue 16).

The model's assessment is passed in, so these are pure: a stand-in Assessment fixes what the model
says, and each test shows what the decision does with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nwd_shared import events as ev
from nwd_shared.directory import load_directory
from nwd_shared.settings import ServiceSettings
from triage.domain import triage
from triage.semantic.model import Assessment, Neighbour

RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
NEAREST = (Neighbour("lgsco-21-001-3", 0.81, True, ("neglect",)), Neighbour("phso-22-014-1", 0.74, False, ()),
           Neighbour("lgsco-20-119-2", 0.70, True, ("neglect", "organisational")))


@pytest.fixture(scope="module")
def directory():
    return load_directory(ServiceSettings().organisations_file)


def contact(description: str, **overrides) -> ev.ContactReceivedData:
    body = dict(reference="NWD-A2", received_by="wsx-council", received_at=RECEIVED, kind="complaint",
                channel="email", complainant={"name": "A", "relationship": "self"},
                concerns=[{"organisation_id": "downs-care"}], description=description)
    body.update(overrides)
    return ev.ContactReceivedData(**body)


def said(level: str, probability: float, category: str | None = "neglect") -> Assessment:
    return Assessment(probability=probability, level=level, suspected_category=category, nearest=NEAREST)


def appendix2(decision) -> str:
    [reason] = [r for r in decision.reasons if "Appendix 2" in r]
    return reason


# --- Appendix 2 as written ---------------------------------------------------------------------

def test_a_separable_contact_is_proposed_split_not_suspended(directory):
    decision = triage(contact("A carer slapped my mother last week. Separately, the council has charged us twice "
                              "for her care and nobody replies to my emails."), directory)
    assert decision.route == "split", decision.reasons
    assert decision.safeguarding_categories == ["physical"]
    assert "does not by itself suspend a complaint" in appendix2(decision)
    assert decision.safeguarding_council == "wsx-council"


def test_neglect_whose_complaint_is_the_same_care_is_divided_when_nothing_says_the_enquiry_is_at_risk(directory):
    decision = triage(contact("Carers didn't turn up for three days and we found Dad on the floor."), directory)
    assert decision.route == "split" and "nothing indicates" in appendix2(decision)


@pytest.mark.parametrize(("description", "why"), [
    ("A carer slapped my mother. The manager covered it up.", "the harm being hidden"),
    ("The night carer hit my dad. I want her disciplined.", "action against the person"),
    ("The police are looking into the carer who hit my dad, and the home has not told me anything.",
     "the police or an enquiry"),
    ("The nurse on the ward slapped my mother's hand and told her to shut up.", "the very conduct of the staff"),
])
def test_an_entwined_complaint_that_may_compromise_the_enquiry_is_proposed_suspended_for_a_person(
        directory, description, why):
    decision = triage(contact(description), directory)
    assert decision.route == "suspended", decision.reasons
    assert decision.needs_review  # a person confirms the suspension
    reason = appendix2(decision)
    assert why in reason and "may compromise" in reason and "a person should confirm" in reason


def test_abuse_at_a_former_provider_is_a_current_concern_while_others_may_be_at_risk(directory):
    history = "At her old care home a carer hit her and took money from her purse, but we got her out and she is safe now."
    still = history + " That carer still works there with the other residents."
    assert triage(contact(history), directory).route == "complaint"  # escaped and no one else named: history
    decision = triage(contact(still), directory)
    assert decision.route in ev.SAFEGUARDING_ROUTES, decision.reasons
    assert {"physical", "financial"} <= set(decision.safeguarding_categories)
    assert any("former provider" in r and "current concern" in r for r in decision.reasons)
    assert not [e for e in decision.evidence if e["status"] == "past"]


def test_a_safeguarding_only_contact_filed_as_a_complaint_goes_to_safeguarding_and_opens_no_case(directory):
    decision = triage(contact("My neighbour has been taking Mum's pension every week and she is frightened of him.",
                              concerns=[{"organisation_id": "wsx-council"}]), directory)
    assert decision.route == "safeguarding", decision.reasons
    assert decision.route not in ev.CASE_ROUTES  # casework and referral open no complaint case for it
    assert decision.safeguarding_categories == ["financial"] and decision.safeguarding_council == "wsx-council"
    assert "no complaint case" in appendix2(decision) and decision.needs_review


# --- the model beside the rules ----------------------------------------------------------------

QUIET = "I am worried about my neighbour, he hardly goes out now and the curtains stay shut."


def test_possible_safeguarding_is_held_for_review_with_its_suspected_category_and_procedures_started(directory):
    rules_alone = triage(contact(QUIET, kind="concern"), directory)
    assert rules_alone.route not in ev.SAFEGUARDING_ROUTES  # no rule fires on these words
    decision = triage(contact(QUIET, kind="concern"), directory, said("possible", 0.41))
    assert decision.possible_safeguarding and decision.needs_review
    assert decision.safeguarding_categories == ["neglect"]
    assert decision.route == "safeguarding" and decision.safeguarding_council == "wsx-council"
    assert ("Possible safeguarding: the model's probability 0.41 suggests neglect and acts of omission; procedures "
            "start provisionally; a person confirms or clears it by overriding the route.") in decision.reasons
    assert decision.summary.startswith("possible safeguarding, held for review")
    assert decision.model == {
        "probability": 0.41, "level": "possible", "suspected_category": "neglect",
        "nearest": [{"id": "lgsco-21-001-3", "similarity": 0.81, "safeguarding": True, "categories": ["neglect"]},
                    {"id": "phso-22-014-1", "similarity": 0.74, "safeguarding": False, "categories": []},
                    {"id": "lgsco-20-119-2", "similarity": 0.70, "safeguarding": True,
                     "categories": ["neglect", "organisational"]}]}


def test_possible_safeguarding_in_a_complaint_follows_appendix_2_divided_by_default(directory):
    decision = triage(contact(QUIET + " The council has been late with his care and never replies to my emails."),
                      directory, said("possible", 0.43))
    assert decision.possible_safeguarding and decision.route == "split" and decision.needs_review


def test_the_model_alone_flagging_starts_the_procedures_with_the_category_it_suspects(directory):
    decision = triage(contact(QUIET, kind="concern"), directory, said("flag", 0.87, "self_neglect"))
    assert decision.route == "safeguarding" and not decision.possible_safeguarding
    assert decision.safeguarding_categories == ["self_neglect"]
    assert any(r.startswith("Safeguarding: no rule fired, but the model's probability 0.87 suggests self-neglect")
               for r in decision.reasons), decision.reasons
    assert decision.safeguarding_council == "wsx-council"


def test_a_rule_firing_decides_whatever_the_model_says_and_the_model_is_still_shown(directory):
    decision = triage(contact("A carer slapped my mother. The manager covered it up."), directory,
                      said("none", 0.12, None))
    assert decision.route == "suspended" and not decision.possible_safeguarding
    assert decision.model["probability"] == 0.12 and len(decision.model["nearest"]) == 3
    assert any("probability is 0.12 (none)" in r and "the rules decide" in r for r in decision.reasons)


def test_the_model_seeing_nothing_leaves_a_plain_complaint_a_complaint(directory):
    decision = triage(contact("The agency has charged us twice for the same week.",
                              concerns=[{"organisation_id": "wsx-council"}]), directory, said("none", 0.05, None))
    assert decision.route == "complaint" and not decision.possible_safeguarding and not decision.needs_review
    assert decision.safeguarding_categories == [] and decision.model["level"] == "none"


def test_without_an_assessment_triage_is_the_rules_alone(directory):
    decision = triage(contact(QUIET, kind="concern"), directory)
    assert decision.model is None and not decision.possible_safeguarding
