"""The case's state machine: which moves each status allows, and what an illegal one is told. No I/O."""

from datetime import date

import pytest

from casework import domain
from casework.domain import MOVES, CaseStatus
from casework.models import Case
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.errors import Conflict, Forbidden

CALENDAR = WorkingCalendar()
RECEIVED = date(2026, 7, 1)


def case(**overrides) -> Case:
    """A case as it opens (a row never stored: the rules need no database)."""
    values = dict(id="c1", reference="NWD-1", owner="wsx-council", contributors=["uhsussex"],
                  status=CaseStatus.OPEN, suspended=False, received_on=RECEIVED,
                  acknowledge_by=date(2026, 7, 6), action_plan_by=None, respond_by=None,
                  six_months_by=date(2027, 1, 1), paused_working_days=0, unreasonably_persistent=False)
    return Case(**{**values, **overrides})


def acknowledged(**overrides) -> Case:
    values = dict(status=CaseStatus.ACKNOWLEDGED, acknowledged_on=date(2026, 7, 2),
                  action_plan_by=date(2026, 7, 9), respond_by=date(2026, 7, 30))
    return case(**{**values, **overrides})


def test_the_statuses_keep_the_values_stored_and_published():
    assert [s.value for s in CaseStatus] == ["open", "acknowledged", "action_plan_issued", "responded",
                                             "escalated", "closed", "transferred", "day_to_day", "under_review",
                                             "final_response_sent", "withdrawn"]
    assert set(MOVES) == set(CaseStatus)


def test_closed_transferred_and_withdrawn_cases_move_nowhere_but_by_a_reopening():
    assert MOVES[CaseStatus.CLOSED] == MOVES[CaseStatus.TRANSFERRED] == MOVES[CaseStatus.WITHDRAWN] == frozenset()


def test_a_case_walks_from_open_to_closed_through_each_legal_move():
    c = case()
    domain.acknowledge(c, date(2026, 7, 2))
    assert (c.status, c.acknowledged_on) == ("acknowledged", date(2026, 7, 2))
    domain.issue_action_plan(c, date(2026, 7, 3))
    assert (c.status, c.action_plan_issued_on) == ("action_plan_issued", date(2026, 7, 3))
    c.respond_by = date(2026, 7, 31)
    domain.respond(c, date(2026, 7, 30), "upheld")
    assert (c.status, c.outcome, c.on_time) == ("responded", "upheld", True)
    domain.escalate(c, date(2026, 8, 3))
    assert (c.status, c.escalated_on) == ("escalated", date(2026, 8, 3))
    domain.end(c, CaseStatus.CLOSED, date(2026, 8, 4), None)
    assert (c.status, c.closed_on) == ("closed", date(2026, 8, 4))


def test_a_case_is_acknowledged_once():
    c = acknowledged()
    with pytest.raises(Conflict, match="acknowledged on 2026-07-02"):
        domain.acknowledge(c, date(2026, 7, 3))
    assert c.acknowledged_on == date(2026, 7, 2)


def test_the_plan_and_the_response_wait_for_acknowledgement():
    with pytest.raises(Conflict, match="acknowledge the complaint before issuing its action plan"):
        domain.issue_action_plan(case(), date(2026, 7, 2))
    with pytest.raises(Conflict, match="acknowledge the complaint before responding"):
        domain.respond(case(), date(2026, 7, 2), "upheld")


def test_a_suspended_case_takes_no_plan_response_or_extension():
    c = acknowledged(suspended=True, suspended_on=date(2026, 7, 3))
    for check in (domain.check_issue_action_plan, domain.check_respond, domain.check_extend):
        with pytest.raises(Conflict, match="waits for safeguarding"):
            check(c)
    assert c.status == "acknowledged"


def test_a_closed_case_cannot_be_acknowledged_closed_again_or_transferred():
    c = case(status=CaseStatus.CLOSED, closed_on=date(2026, 7, 3))
    with pytest.raises(Conflict, match="cannot acknowledge: the case is closed"):
        domain.acknowledge(c, date(2026, 7, 4))
    with pytest.raises(Conflict, match="closed on 2026-07-03"):
        domain.end(c, CaseStatus.CLOSED, date(2026, 7, 4), "again")
    with pytest.raises(Conflict, match="cannot become transferred"):
        domain.end(c, CaseStatus.TRANSFERRED, date(2026, 7, 4), "new owner")
    assert c.status == "closed"


def test_a_transferred_case_is_the_new_owners_to_act_on():
    c = case(status=CaseStatus.TRANSFERRED, closed_on=date(2026, 7, 3))
    with pytest.raises(Conflict, match="transferred on 2026-07-03"):
        domain.check_live(c)
    domain.check_live(case())


def test_only_the_owner_acts_and_a_contributor_is_told_why():
    domain.check_owner(case(), "wsx-council", "owner only")
    with pytest.raises(Forbidden, match="owner only"):
        domain.check_owner(case(), "uhsussex", "owner only")


def test_escalation_is_never_barred_by_the_six_months_and_before_a_response_leaves_the_status():
    c = acknowledged()
    # Well inside six months: the six-month rule is a letter (reg 14), prematurity the ombudsman's call.
    domain.escalate(c, date(2026, 7, 10))
    assert (c.status, c.escalated_on) == ("acknowledged", date(2026, 7, 10))
    with pytest.raises(Conflict, match="escalated on 2026-07-10"):
        domain.escalate(c, date(2026, 7, 13))


def test_suspension_pauses_the_clock_and_resumption_moves_its_dates_later():
    c = acknowledged()
    domain.suspend(c, date(2026, 7, 6), "safeguarding enquiry")
    with pytest.raises(Conflict, match="already suspended since 2026-07-06"):
        domain.suspend(c, date(2026, 7, 7), "again")
    paused = domain.resume(c, date(2026, 7, 13), CALENDAR)
    assert paused == 5 and c.respond_by == date(2026, 8, 6) and c.action_plan_by == date(2026, 7, 16)
    assert not c.suspended and c.paused_working_days == 5


def test_a_suspension_before_acknowledgement_still_pauses_the_response_clock_that_runs_from_receipt():
    c = case()
    domain.suspend(c, date(2026, 7, 2), "safeguarding enquiry")
    # 2 July to 9 July: five working days lost; no dates yet, so the acknowledgement adds them.
    assert domain.resume(c, date(2026, 7, 9), CALENDAR) == 5
    assert c.respond_by is None and c.paused_working_days == 5
    assert not c.suspended and c.paused_working_days == 5
    with pytest.raises(Conflict, match="not suspended"):
        domain.resume(c, date(2026, 7, 14), CALENDAR)


def test_a_case_that_no_longer_awaits_its_response_cannot_be_suspended():
    with pytest.raises(Conflict, match="cannot suspend: the case is responded"):
        domain.suspend(acknowledged(status=CaseStatus.RESPONDED), date(2026, 7, 6), "late")


def test_setting_the_persistent_flag_to_what_it_is_is_refused():
    c = case()
    domain.flag_persistent(c, True)
    with pytest.raises(Conflict, match="already set"):
        domain.flag_persistent(c, True)


def test_a_joint_response_waits_for_requested_parts_unless_the_owner_says_why():
    domain.check_parts_in([], None)
    domain.check_parts_in(["uhsussex"], "the trust did not reply in eight weeks")
    with pytest.raises(Conflict) as refused:
        domain.check_parts_in(["uhsussex"], None)
    assert refused.value.status == 409 and refused.value.extensions() == {"outstanding": ["uhsussex"]}
