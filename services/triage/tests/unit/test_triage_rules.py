"""Triage rules: safeguarding first, then the route, the responsible organisations and the flags."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nwd_shared.directory import load_directory
from nwd_shared.events import SAFEGUARDING_ROUTES, ContactReceivedData
from nwd_shared.settings import ServiceSettings
from triage.domain import triage

RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def directory():
    return load_directory(ServiceSettings().organisations_file)


def contact(**overrides) -> ContactReceivedData:
    body = dict(reference="NWD-TEST", received_by="wsx-council", received_at=RECEIVED, kind="complaint",
                channel="email", complainant={"name": "A", "relationship": "self"},
                concerns=[{"organisation_id": "wsx-council"}],
                description="The social worker has not returned my calls for three weeks.")
    body.update(overrides)
    return ContactReceivedData(**body)


# --- routes without safeguarding ---------------------------------------------------------------

def test_a_written_complaint_is_a_complaint_for_the_body_it_names_with_reasons(directory):
    decision = triage(contact(), directory)
    assert decision.route == "complaint"
    assert decision.responsible_organisations == ["wsx-council"]
    assert decision.reasons and not decision.needs_review


def test_a_compliment_is_feedback_and_so_is_a_comment(directory):
    thanks = triage(contact(kind="compliment", description="Thank you to the reablement team."), directory)
    comment = triage(contact(kind="comment", description="Letters in bigger print would help."), directory)
    assert (thanks.route, comment.route) == ("feedback", "feedback")


def test_praise_recorded_as_a_complaint_becomes_feedback_for_review(directory):
    decision = triage(contact(description="The carers were fantastic, we are so grateful."), directory)
    assert decision.route == "feedback" and decision.needs_review


def test_an_oral_complaint_put_right_at_first_contact_is_day_to_day_business(directory):
    decision = triage(contact(channel="phone", resolved_at_first_contact=True,
                              description="Her blue badge letter went to an old address; fixed on the call."),
                      directory)
    assert decision.route == "day_to_day"
    assert any("reg 8" in r for r in decision.reasons)


def test_a_written_complaint_put_right_at_first_contact_is_still_a_complaint(directory):
    decision = triage(contact(channel="letter", resolved_at_first_contact=True), directory)
    assert decision.route == "complaint"
    assert any("in writing" in r for r in decision.reasons)


def test_an_immediate_problem_at_a_trust_with_a_pals_goes_to_pals(directory):
    decision = triage(contact(channel="phone", immediate_issue=True, received_by="uhsussex",
                              concerns=[{"organisation_id": "uhsussex"}],
                              description="Dad is waiting on the ward for his discharge transport."), directory)
    assert decision.route == "pals" and decision.responsible_organisations == ["uhsussex"]


def test_an_immediate_problem_at_a_council_without_a_pals_is_a_complaint(directory):
    decision = triage(contact(immediate_issue=True, description="Nobody is booked on tonight's rota."), directory)
    assert decision.route == "complaint"


# --- responsible organisations ---------------------------------------------------------------------

@pytest.mark.parametrize("concern", [{"organisation_id": "wsx-council"},
                                     {"service_type": "social_care", "area": "west-sussex"}])
def test_a_hospital_pals_receiving_a_complaint_about_council_home_care_routes_it_to_the_council(directory, concern):
    decision = triage(contact(received_by="uhsussex-pals", concerns=[concern],
                              description="The council's home care agency keeps changing the visit times."),
                      directory)
    assert decision.responsible_organisations == ["wsx-council"]
    assert not decision.needs_review


def test_a_concern_naming_a_pals_means_its_trust(directory):
    decision = triage(contact(concerns=[{"organisation_id": "uhsussex-pals"}]), directory)
    assert decision.responsible_organisations == ["uhsussex"]


def test_health_in_an_area_goes_to_its_trust_or_else_its_icb(directory):
    trust = triage(contact(concerns=[{"service_type": "health", "area": "west-sussex"}]), directory)
    icb = triage(contact(concerns=[{"service_type": "health", "area": "east-sussex"}]), directory)
    assert trust.responsible_organisations == ["uhsussex"]
    assert icb.responsible_organisations == ["sussex-icb"]


@pytest.mark.parametrize("concern", [{"organisation_id": "sussex-advocacy"}, {"organisation_id": "no-such-body"},
                                     {"service_type": "social_care", "area": "atlantis"}, {}])
def test_an_unresolvable_concern_is_never_dropped_the_receiver_stays_responsible(directory, concern):
    decision = triage(contact(received_by="bh-council", concerns=[concern]), directory)
    assert decision.responsible_organisations == ["bh-council"]
    assert decision.needs_review
    assert any("stays responsible" in r for r in decision.reasons)


def test_an_unresolvable_concern_received_by_a_pals_stays_with_its_trust(directory):
    decision = triage(contact(received_by="uhsussex-pals", concerns=[{"organisation_id": "phso"}]), directory)
    assert decision.responsible_organisations == ["uhsussex"] and decision.needs_review


def test_the_organisation_with_most_concerns_comes_first_and_the_counts_are_kept(directory):
    decision = triage(contact(concerns=[{"organisation_id": "uhsussex"}, {"organisation_id": "wsx-council"},
                                        {"service_type": "health", "area": "west-sussex"}]), directory)
    assert decision.responsible_organisations == ["uhsussex", "wsx-council"]
    assert decision.concern_count == {"uhsussex": 2, "wsx-council": 1}


# --- safeguarding first ------------------------------------------------------------------------

def test_a_complaint_entwined_with_abuse_by_the_service_is_suspended_never_a_plain_complaint(directory):
    decision = triage(contact(concerns=[{"organisation_id": "downs-care"}],
                              description="A carer slapped my mother and the manager covered it up. "
                                          "I want an apology."), directory)
    assert decision.route == "suspended"
    assert decision.safeguarding_categories == ["physical"]
    assert decision.safeguarding_council == "wsx-council"


def test_separable_safeguarding_and_complaint_issues_split(directory):
    decision = triage(contact(description="The council has charged us twice this month. Separately, her "
                                          "lodger has been using her bank card."), directory)
    assert decision.route == "split" and decision.safeguarding_categories == ["financial"]


def test_safeguarding_with_no_complaint_about_a_service_goes_to_safeguarding_only(directory):
    decision = triage(contact(kind="concern", description="My sister is scared of her husband. He pushed her "
                                                          "down the stairs last week."), directory)
    assert decision.route == "safeguarding"
    assert decision.safeguarding_categories == ["physical", "domestic"]  # fear alone is only possible


@pytest.mark.parametrize("description", [
    "No one hurt her, but the carers are always late and rushed.",
    "There were no bruises or marks, but nobody phoned me about her fall.",
    "I'm not saying anyone abused my father, but the food is cold.",
    "My mother was abused by her first husband forty years ago, so she asked for female carers "
    "and the agency keeps sending men.",
    "We are still waiting for the financial abuse awareness session the council promised.",
])
def test_negations_past_abuse_and_abuse_as_a_topic_are_not_safeguarding(directory, description):
    decision = triage(contact(description=description), directory)
    assert decision.route == "complaint" and decision.safeguarding_categories == []


def test_a_euphemism_for_theft_is_financial_abuse(directory):
    decision = triage(contact(description="Money keeps going missing from her purse after the carers visit."),
                      directory)
    assert decision.route in SAFEGUARDING_ROUTES and "financial" in decision.safeguarding_categories


def test_poor_care_without_harm_is_a_complaint_put_up_for_review(directory):
    decision = triage(contact(description="Home care visits for my mother were missed for a week."), directory)
    assert decision.route == "complaint" and decision.needs_review
    assert decision.evidence[0]["status"] == "possible"


def test_missed_care_with_harm_is_neglect_and_divided_from_the_complaint(directory):
    decision = triage(contact(description="Carers didn't turn up for three days and we found Dad on the floor."),
                      directory)
    assert decision.route == "split" and decision.safeguarding_categories == ["neglect"]


def test_a_staff_flag_starts_safeguarding_even_when_the_text_says_nothing(directory):
    decision = triage(contact(kind="concern", safeguarding_concern=True,
                              description="Caller would not give details, asked for a call back."), directory)
    assert decision.route == "safeguarding" and decision.needs_review
    assert decision.safeguarding_council == "wsx-council"


def test_when_staff_say_no_but_the_text_shows_abuse_safeguarding_wins_and_a_person_reviews(directory):
    decision = triage(contact(safeguarding_concern=False, description="She says her carer hit her yesterday."),
                      directory)
    assert decision.route == "suspended" and decision.needs_review
    assert any("Staff judged" in r for r in decision.reasons)


def test_the_safeguarding_council_is_the_one_for_the_area_given(directory):
    decision = triage(contact(received_by="uhsussex", kind="concern",
                              concerns=[{"service_type": "social_care", "area": "brighton-and-hove"}],
                              description="Her grandson takes her pension every week."), directory)
    assert decision.safeguarding_council == "bh-council"


def test_an_uncertain_safeguarding_area_still_refers_and_asks_a_person(directory):
    decision = triage(contact(received_by="uhsussex", concerns=[{"organisation_id": "uhsussex"}],
                              description="A nurse slapped my mother on the ward."), directory)
    assert decision.safeguarding_council == "wsx-council" and decision.needs_review
    assert any("area is not certain" in r and "a person should confirm" in r for r in decision.reasons)


def test_reasons_and_summary_never_quote_the_description(directory):
    decision = triage(contact(description="Mrs Zebedee says her carer Quentin hit her with a hairbrush."),
                      directory)
    words = " ".join([*decision.reasons, decision.summary]).lower()
    assert "zebedee" not in words and "quentin" not in words and "hairbrush" not in words
    assert any(e["words"] == "hit her" for e in decision.evidence)  # kept apart, for triage's own record


# --- other flags ------------------------------------------------------------------------------

def test_over_twelve_months_is_flagged_out_of_time_never_rejected(directory):
    late = triage(contact(event_date=date(2025, 10, 1)), directory)
    in_time = triage(contact(event_date=date(2025, 12, 1)), directory)
    assert late.out_of_time and late.route == "complaint"
    assert not in_time.out_of_time


def test_out_of_time_but_only_just_found_out_asks_a_person(directory):
    decision = triage(contact(event_date=date(2024, 1, 5),
                              description="I only found out last month that her medication was stopped."),
                      directory)
    assert decision.out_of_time and decision.needs_review


def test_a_representative_needs_the_persons_consent_but_someone_complaining_for_themself_does_not(directory):
    representative = triage(contact(complainant={"name": "A", "relationship": "representative"},
                                    person_affected={"name": "B"}), directory)
    advocate = triage(contact(complainant={"name": "A", "relationship": "advocate"},
                              person_affected={"name": "B"}), directory)
    assert representative.needs_consent and advocate.needs_consent
    assert not triage(contact(), directory).needs_consent


def test_for_someone_who_has_died_the_representative_is_checked_instead(directory):
    decision = triage(contact(complainant={"name": "A", "relationship": "representative"},
                              person_affected={"name": "B"},
                              description="My father died on the ward and nobody called us."), directory)
    assert decision.needs_consent and any("died" in r for r in decision.reasons)


def test_advocacy_and_consent_to_share_are_passed_on(directory):
    decision = triage(contact(wants_advocacy=True, consent_to_share=True), directory)
    assert decision.wants_advocacy and decision.consent_to_share
    assert any("advocate" in r for r in decision.reasons)


@pytest.mark.parametrize("description", [("no " * 5 + "food ") * 700, "left " * 4000, "£" + "1," * 9999])
def test_a_long_hostile_description_is_decided(directory, description):
    # How fast is for `make bench`; here only that such a text gets a decision like any other.
    decision = triage(contact(description=description[:20000]), directory)
    assert decision.route and decision.reasons


# --- issue 3: wider safeguarding cues, and entwined never a plain complaint --------------------
# Fresh wording, not taken from the corpus: each cue is a kind of sign, not a sentence. Written
# before running them: 3 of these 13 failed at first (the sleeping pills, the account for every
# penny, the flat taken over) and the rules were widened for those kinds of wording.

@pytest.mark.parametrize(("description", "category"), [
    ("The agency carer keeps sending him texts late at night and says it is their special secret.", "sexual"),
    ("The night nurse warned him that if he kept complaining he would never see his grandchildren.",
     "psychological"),
    ("Staff hand out the sleeping pills early so that they are all in bed before the late shift leaves.",
     "physical"),
])
def test_a_complaint_about_the_conduct_of_staff_said_to_have_harmed_is_proposed_suspended(directory, description,
                                                                                          category):
    decision = triage(contact(concerns=[{"organisation_id": "downs-care"}], description=description), directory)
    assert decision.route == "suspended" and decision.needs_review, decision.reasons
    assert category in decision.safeguarding_categories


@pytest.mark.parametrize("description", [
    "On the unit nobody brushed her teeth for a fortnight and her gums are coated with ulcers.",
    "The staff were too busy to help him to the commode so he sat in the lounge until he collapsed.",
    "She fell out of bed at night and was lying there until the day staff came in at eight.",
])
def test_neglect_in_a_complaint_about_care_is_divided_when_nothing_says_the_enquiry_is_at_risk(directory,
                                                                                                description):
    decision = triage(contact(concerns=[{"organisation_id": "downs-care"}], description=description), directory)
    assert decision.route == "split", decision.reasons
    assert decision.safeguarding_categories == ["neglect"]


@pytest.mark.parametrize(("description", "category"), [
    ("Her husband makes her account for every penny and goes through her handbag every evening.", "financial"),
    ("His nephew has taken over his flat and uses it to keep things for his mates.", "financial"),
    ("Two men have had his passport since he arrived and he owes them for the journey here.", "modern_slavery"),
])
def test_a_concern_about_someone_outside_any_service_is_safeguarding(directory, description, category):
    decision = triage(contact(kind="concern", description=description), directory)
    assert decision.route == "safeguarding", decision.reasons
    assert category in decision.safeguarding_categories


@pytest.mark.parametrize("description", [
    "Nobody laid a finger on him and there were no marks, but the carers were late three times this week.",
    "She was hit by her father in the 1980s and still feels anxious around men; the GP was rude to her.",
    "The home lost her reading glasses and the cardigan we bought her. Poor, but she is fine.",
])
def test_denied_past_or_harmless_poor_care_is_a_complaint(directory, description):
    decision = triage(contact(concerns=[{"organisation_id": "downs-care"}], description=description), directory)
    assert decision.route == "complaint", decision.reasons
    assert not decision.safeguarding_categories


def test_a_weak_sign_in_a_complaint_is_put_up_for_review_not_a_plain_complaint(directory):
    decision = triage(contact(concerns=[{"organisation_id": "downs-care"}],
                              description="Since the new carer started mum seems withdrawn and the carers are late."),
                      directory)
    # Reviewed for the sign itself: needs_review for another reason (out of time, say) would not do.
    signs = [r for r in decision.reasons if r.startswith("Possible psychological or emotional abuse")]
    assert decision.route in SAFEGUARDING_ROUTES or (
        decision.needs_review and signs and signs[0].endswith("a person should check")), decision.reasons
