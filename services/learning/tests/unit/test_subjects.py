"""Subject rules: transparent, each with its reason; a correction wins over the case, the case
over the rules."""

from learning import subjects
from learning.taxonomy import KO41A_SUBJECTS, SUBJECTS


def test_keywords_match_at_the_start_of_a_word_only():
    assert subjects.subjects_from_text("The coffee was cold", "d") == []
    assert ("charging", 'd mentions "fee"') in subjects.subjects_from_text("The fees went up", "d")


def test_each_subject_found_carries_the_keyword_that_matched():
    found = subjects.subjects_from_text("She was discharged without her medication.", "the description")
    assert found == [("admissions_discharges", 'the description mentions "discharg"'),
                     ("prescribing", 'the description mentions "medication"')]


def test_concerns_about_health_and_social_care_are_integrated_care():
    found = subjects.subjects_from_triage(service_types=["health", "social_care"],
                                          safeguarding_categories=[], route="complaint")
    assert found == [("integrated_care", "the concerns are about both health and social care")]


def test_neglect_found_by_triage_is_safeguarding_and_patient_care():
    found = dict(subjects.subjects_from_triage(service_types=["health"],
                                               safeguarding_categories=["neglect_and_acts_of_omission"],
                                               route="split"))
    assert set(found) == {"safeguarding", "patient_care"}


def test_the_cases_own_subject_is_read_as_a_code_a_label_or_its_keywords():
    assert subjects.subject_from_case_label("Trust administration") == [
        ("trust_administration", "the case's own subject")]
    assert subjects.subject_from_case_label("waiting_times") == [("waiting_times", "the case's own subject")]
    assert subjects.subject_from_case_label("rude receptionist") == [
        ("values_behaviours", 'the case\'s subject mentions "rude"')]
    assert subjects.subject_from_case_label(None) == []


def test_a_correction_wins_over_the_case_which_wins_over_the_rules():
    rules = dict(rules=["appointments"], rule_area="outpatient")
    assert subjects.effective(**rules, case=[], correction=None, corrected_area=None).source == "rules"
    by_case = subjects.effective(**rules, case=["communications"], correction=None, corrected_area=None)
    assert (by_case.subjects, by_case.source) == (("communications",), "case")
    corrected = subjects.effective(**rules, case=["communications"], correction=["facilities"],
                                   corrected_area="a_and_e")
    assert (corrected.subjects, corrected.service_area, corrected.source) == (("facilities",), "a_and_e", "correction")
    assert subjects.effective(rules=[], case=[], correction=None, rule_area=None,
                              corrected_area=None).source == "none"


def test_the_service_area_follows_the_concerns_service_type():
    assert subjects.service_area_from_text("the care home", ["social_care"])[0] == "residential_care"
    assert subjects.service_area_from_text("the ward", ["social_care"])[0] == "other_social_care"
    assert subjects.service_area_from_text("the ward", ["health"])[0] == "inpatient"


def test_the_taxonomy_has_the_ko41a_subjects_the_issue_names_and_unique_codes():
    codes = [s.code for s in SUBJECTS]
    assert len(codes) == len(set(codes))
    ko41a = {s.code for s in KO41A_SUBJECTS}
    assert {"communications", "clinical_treatment", "access_to_treatment", "appointments", "waiting_times",
            "values_behaviours", "patient_care", "prescribing", "admissions_discharges", "integrated_care",
            "trust_administration", "privacy_confidentiality", "other"} <= ko41a
    assert "home_care" not in ko41a
