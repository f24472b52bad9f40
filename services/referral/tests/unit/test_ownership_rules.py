"""Who should own a contact after triage."""

from datetime import UTC, datetime

from nwd_shared.events import TriageDecisionData
from referral.domain import Agree, Propose, next_step


def decision(route="complaint", responsible=("wsx-council",), received_by="wsx-council"):
    return TriageDecisionData(reference="NWD-1", received_by=received_by, received_at=datetime.now(UTC),
                              kind="complaint", route=route, responsible_organisations=list(responsible),
                              reasons=["test"])


def test_receiver_that_is_responsible_owns_it_at_once():
    assert next_step(decision()) == Agree(owner="wsx-council", contributors=[])


def test_receiver_responsible_with_another_body_leads_and_the_other_contributes():
    assert next_step(decision(responsible=["uhsussex", "wsx-council"])) == Agree(
        owner="wsx-council", contributors=["uhsussex"])


def test_another_responsible_body_is_proposed_as_owner():
    assert next_step(decision(responsible=["uhsussex"])) == Propose(to_organisation="uhsussex", contributors=[])


def test_routes_without_a_case_need_no_owner():
    for route in ("feedback", "day_to_day", "safeguarding", "pals"):
        assert next_step(decision(route=route)) is None
