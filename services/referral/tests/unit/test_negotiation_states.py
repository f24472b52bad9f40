"""The negotiation of a contact's owner is one state machine: each move from the states it allows."""

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from nwd_shared.errors import Conflict
from referral import domain
from referral.domain import IllegalTransition, NegotiationState
from referral.models import Negotiation

NOW = datetime(2026, 12, 14, 10, tzinfo=UTC)
EARLIER = datetime(2026, 12, 11, 9, tzinfo=UTC)


def negotiation(state: NegotiationState, lead: str | None = None) -> Negotiation:
    return Negotiation(reference="NWD-1", received_by="wsx-council", decision={}, route="complaint",
                       state=state.value, tried=[], lead=lead, lead_accepted_at=None, decided_at=EARLIER,
                       updated_at=EARLIER)


def test_the_states_are_an_enum_whose_values_are_the_stored_strings():
    assert issubclass(NegotiationState, StrEnum)
    assert [s.value for s in NegotiationState] == [
        "awaiting_contact", "negotiating", "agreed", "escalated", "no_case", "pals", "closed"]


@pytest.mark.parametrize("start", list(NegotiationState))
def test_a_triage_decision_starts_again_from_any_state(start):
    for move, to in ((lambda n: domain.negotiate(n, lead="uhsussex", lead_accepted_at=None, now=NOW),
                      NegotiationState.NEGOTIATING),
                     (lambda n: domain.find_no_case(n, now=NOW), NegotiationState.NO_CASE),
                     (lambda n: domain.refer_to_pals(n, now=NOW), NegotiationState.PALS)):
        row = negotiation(start)
        move(row)
        assert (row.state, row.updated_at) == (to, NOW)


def test_negotiating_sets_the_lead_and_when_it_has_the_contact():
    row = negotiation(NegotiationState.AWAITING_CONTACT)
    domain.negotiate(row, lead="wsx-council", lead_accepted_at=EARLIER, now=NOW)
    assert (row.state, row.lead, row.lead_accepted_at) == ("negotiating", "wsx-council", EARLIER)


def test_agreement_follows_negotiation_and_names_the_owner():
    row = negotiation(NegotiationState.NEGOTIATING, lead="uhsussex")
    domain.agree(row, owner="uhsussex", now=NOW)
    assert (row.state, row.lead, row.updated_at) == ("agreed", "uhsussex", NOW)


def test_escalation_follows_negotiation_and_leaves_nobody_asked_to_lead():
    row = negotiation(NegotiationState.NEGOTIATING, lead="uhsussex")
    domain.escalate(row, now=NOW)
    assert (row.state, row.lead) == ("escalated", None)


def test_a_pals_that_resolves_it_closes_it():
    row = negotiation(NegotiationState.PALS)
    domain.close(row, now=NOW)
    assert row.state == "closed"


@pytest.mark.parametrize("start", [s for s in NegotiationState if s != NegotiationState.AGREED])
def test_the_receiver_takes_it_by_hand_until_ownership_is_agreed(start):
    row = negotiation(start)
    domain.take_by_hand(row, lead="wsx-council", lead_accepted_at=EARLIER, now=NOW)
    assert (row.state, row.lead, row.lead_accepted_at) == ("negotiating", "wsx-council", EARLIER)


@pytest.mark.parametrize(("start", "move"), [
    (NegotiationState.AWAITING_CONTACT, lambda n: domain.agree(n, owner="uhsussex", now=NOW)),
    (NegotiationState.ESCALATED, lambda n: domain.agree(n, owner="uhsussex", now=NOW)),
    (NegotiationState.AGREED, lambda n: domain.escalate(n, now=NOW)),
    (NegotiationState.PALS, lambda n: domain.escalate(n, now=NOW)),
    (NegotiationState.NEGOTIATING, lambda n: domain.close(n, now=NOW)),
    (NegotiationState.AGREED, lambda n: domain.take_by_hand(n, lead="uhsussex", lead_accepted_at=None, now=NOW)),
])
def test_an_illegal_move_is_refused_with_a_domain_error_and_changes_nothing(start, move):
    row = negotiation(start, lead="wsx-council")
    with pytest.raises(IllegalTransition) as refused:
        move(row)
    assert isinstance(refused.value, Conflict) and refused.value.status == 409
    assert "NWD-1" in refused.value.detail
    assert (row.state, row.lead, row.updated_at) == (start, "wsx-council", EARLIER)


def test_every_move_is_allowed_from_some_state_and_closing_only_from_pals():
    assert all(domain.MOVES.values())
    assert domain.MOVES["close"] == {NegotiationState.PALS}
