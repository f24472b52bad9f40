"""Who should own a contact after triage, who leads a joint complaint, and who is asked next."""

from datetime import UTC, datetime

from nwd_shared.directory import load_directory
from nwd_shared.events import Concern, TriageDecisionData
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from referral.domain import (
    Agree,
    Propose,
    advocacy_for,
    choose_lead,
    next_candidate,
    next_step,
    receivers,
)

DIRECTORY = load_directory(DEMO_ORGANISATIONS_FILE)


def decision(route="complaint", responsible=("wsx-council",), received_by="wsx-council", **published):
    return TriageDecisionData(reference="NWD-1", received_by=received_by, received_at=datetime.now(UTC),
                              kind="complaint", route=route, responsible_organisations=list(responsible),
                              reasons=["test"], **published)


def step(rule=None, **kwargs):
    options = {"rule": rule} if rule else {}
    return next_step(decision(**kwargs), directory=DIRECTORY, **options)


def test_receiver_that_is_responsible_owns_it_at_once():
    assert step() == Agree(owner="wsx-council")


def test_a_pals_receives_for_its_trust():
    assert receivers("uhsussex-pals", DIRECTORY) == {"uhsussex-pals", "uhsussex"}
    assert step(received_by="uhsussex-pals", responsible=["uhsussex"]) == Agree(owner="uhsussex")


def test_another_responsible_body_is_proposed_as_owner():
    assert step(responsible=["uhsussex"]) == Propose(lead="uhsussex")


def test_pals_received_contact_about_the_council_is_proposed_to_the_council():
    assert step(received_by="uhsussex-pals", responsible=["wsx-council"]) == Propose(lead="wsx-council")


def test_only_responsible_bodies_can_own():
    assert step(responsible=["uhsussex-pals", "sussex-advocacy"]) is None
    assert step(responsible=["uhsussex-pals", "uhsussex"]) == Propose(lead="uhsussex")


def test_joint_lead_is_the_body_with_most_concerns_as_triage_counted_them():
    counted = {"uhsussex": 2, "wsx-council": 1}
    assert step(responsible=["wsx-council", "uhsussex"], concern_count=counted) == Propose(
        lead="uhsussex", contributors=["wsx-council"])


def test_on_a_tie_the_responsible_receiver_leads_then_the_directory_order_decides():
    tie = {"uhsussex": 1, "wsx-council": 1}
    assert step(responsible=["wsx-council", "uhsussex"], received_by="uhsussex", concern_count=tie) == Propose(
        lead="uhsussex", contributors=["wsx-council"], lead_is_receiver=True)
    # Received by neither: wsx-council comes first in the directory.
    assert step(responsible=["uhsussex", "wsx-council"], received_by="healthwatch-wsx", concern_count=tie) == Propose(
        lead="wsx-council", contributors=["uhsussex"])


def test_the_lead_rule_is_configurable():
    counts = {"uhsussex": 3, "wsx-council": 1}
    assert choose_lead(["uhsussex", "wsx-council"], counts=counts, receiver="wsx-council", directory=DIRECTORY,
                       rule=["receiver", "most_concerns"]) == "wsx-council"
    assert choose_lead(["uhsussex", "wsx-council"], counts=counts, receiver="wsx-council", directory=DIRECTORY) == "uhsussex"


def test_routes_without_a_case_need_no_owner():
    for route in ("feedback", "day_to_day", "safeguarding", "pals"):
        assert step(route=route) is None


def test_the_next_candidate_is_the_directory_next_match_for_the_same_service_and_area():
    concerns = [Concern(organisation_id="wsx-council")]
    assert next_candidate("wsx-council", excluded=set(), concerns=concerns, directory=DIRECTORY) == "downs-care"
    assert next_candidate("wsx-council", excluded={"downs-care"}, concerns=concerns, directory=DIRECTORY) is None
    health = [Concern(service_type="health", area="east-sussex")]
    assert next_candidate("uhsussex", excluded=set(), concerns=health, directory=DIRECTORY) == "sussex-icb"


def test_advocacy_in_the_complainants_area_as_triage_found_it_else_the_owners():
    assert advocacy_for(decision(responsible=["bh-council"]), DIRECTORY) == "sussex-advocacy"
    assert advocacy_for(decision(responsible=["uhsussex"], areas=["cornwall"]), DIRECTORY) is None
