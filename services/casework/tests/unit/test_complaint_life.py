"""The later life of a complaint (issue 15): each new move, legal and illegal. No I/O."""

from datetime import date

import pytest

from casework import domain
from casework.domain import CaseStatus
from casework.life import domain as life
from casework.models import Case
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.errors import Conflict

CALENDAR = WorkingCalendar()
RECEIVED = date(2026, 7, 1)  # a Wednesday


def case(**overrides) -> Case:
    values = dict(id="c1", reference="NWD-1", owner="wsx-council", contributors=[], status=CaseStatus.OPEN,
                  suspended=False, received_on=RECEIVED, acknowledge_by=date(2026, 7, 6), action_plan_by=None,
                  respond_by=None, six_months_by=date(2027, 1, 1), paused_working_days=0,
                  unreasonably_persistent=False, route="complaint")
    return Case(**{**values, **overrides})


def responded(**overrides) -> Case:
    values = dict(status=CaseStatus.RESPONDED, acknowledged_on=date(2026, 7, 2), responded_on=date(2026, 7, 20),
                  outcome="not_upheld")
    return case(**{**values, **overrides})


# --- day-to-day business ----------------------------------------------------------------

def test_day_to_day_business_is_due_by_the_end_of_the_next_working_day():
    assert life.resolve_by(date(2026, 7, 3), CALENDAR) == date(2026, 7, 6)  # Friday, then Monday
    assert life.resolve_by(date(2026, 4, 2), CALENDAR) == date(2026, 4, 7)  # over Good Friday and Easter Monday


def test_day_to_day_business_put_right_in_time_closes_as_day_to_day_never_a_complaint():
    c = case(status=CaseStatus.DAY_TO_DAY, resolve_by=date(2026, 7, 2))
    life.resolve_day_to_day(c, date(2026, 7, 2), None)
    assert (c.status, c.closed_as, c.closed_from) == ("closed", "day_to_day", "day_to_day")


def test_day_to_day_business_not_put_right_in_time_cannot_be_resolved_and_becomes_a_complaint():
    c = case(status=CaseStatus.DAY_TO_DAY, resolve_by=date(2026, 7, 2), acknowledge_by=None)
    assert not life.lapsed(c, date(2026, 7, 2)) and life.lapsed(c, date(2026, 7, 3))
    with pytest.raises(Conflict, match="not put right by 2026-07-02"):
        life.resolve_day_to_day(c, date(2026, 7, 3), None)
    deadlines = life.become_complaint(c, CALENDAR)
    # Its clock runs from the day it was made: acknowledge within three working days of 1 July.
    assert (c.status, c.route, c.acknowledge_by) == ("open", "complaint", date(2026, 7, 6))
    assert deadlines["six_months_by"] == date(2027, 1, 1)


def test_only_day_to_day_business_is_resolved_or_becomes_a_complaint():
    with pytest.raises(Conflict, match="not day-to-day business"):
        life.resolve_day_to_day(case(), RECEIVED, None)
    with pytest.raises(Conflict, match="not day-to-day business"):
        life.become_complaint(case(), CALENDAR)


def test_day_to_day_business_is_neither_acknowledged_withdrawn_nor_escalated():
    c = case(status=CaseStatus.DAY_TO_DAY, resolve_by=date(2026, 7, 2))
    with pytest.raises(Conflict, match="cannot acknowledge"):
        domain.acknowledge(c, RECEIVED)
    with pytest.raises(Conflict, match="nothing to withdraw"):
        life.withdraw(c, RECEIVED, None)
    with pytest.raises(Conflict, match="nothing to escalate"):
        domain.escalate(c, RECEIVED)


# --- the oral record -----------------------------------------------------------------------

def test_an_oral_complaint_is_owed_its_written_record_until_it_is_given():
    assert life.oral_record_due(case(channel="phone")) is True
    assert life.oral_record_due(case(channel="in_person", oral_record={"sent_on": "2026-07-02"})) is False
    assert life.oral_record_due(case(channel="email")) is False
    assert life.oral_record_due(case(channel=None)) is None


def test_the_oral_record_is_given_once_and_never_for_a_written_complaint():
    life.check_oral_record(case(channel="phone"))
    with pytest.raises(Conflict, match="given on 2026-07-02"):
        life.check_oral_record(case(channel="phone", oral_record={"sent_on": "2026-07-02"}))
    with pytest.raises(Conflict, match="made by email, not orally"):
        life.check_oral_record(case(channel="email"))


# --- the time limit ----------------------------------------------------------------------

def test_the_time_limit_waived_leaves_the_case_open_and_is_decided_once():
    c = case()
    life.decide_time_limit(c, RECEIVED, "waived", "a fair investigation is still possible")
    assert c.status == "open"
    c.time_limit = {"decision": "waived", "decided_on": "2026-07-01"}
    with pytest.raises(Conflict, match="decided on 2026-07-01: waived"):
        life.decide_time_limit(c, RECEIVED, "not_waived", "again")


def test_the_time_limit_not_waived_closes_the_case_out_of_time_never_resolved():
    c = case()
    life.decide_time_limit(c, date(2026, 7, 2), "not_waived", "events of 2023, records gone")
    assert (c.status, c.closed_as, c.closed_on) == ("closed", "out_of_time", date(2026, 7, 2))
    with pytest.raises(Conflict, match="cannot decide the time limit: the case is responded"):
        life.decide_time_limit(responded(), date(2026, 7, 2), "waived", "late")


# --- withdrawal and reopening --------------------------------------------------------------

def test_withdrawal_ends_the_case_as_withdrawn_from_any_live_status():
    for status in (CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED, CaseStatus.RESPONDED, CaseStatus.UNDER_REVIEW,
                   CaseStatus.ESCALATED):
        c = case(status=status)
        life.withdraw(c, date(2026, 7, 3), None)
        assert (c.status, c.closed_as, c.closed_from) == ("withdrawn", "withdrawn", status)
        assert c.close_reason == "withdrawn by the complainant"


def test_an_ended_case_is_not_withdrawn_and_a_withdrawn_one_not_closed():
    with pytest.raises(Conflict, match="closed since 2026-07-02"):
        life.withdraw(case(status=CaseStatus.CLOSED, closed_on=date(2026, 7, 2)), date(2026, 7, 3), None)
    withdrawn = case(status=CaseStatus.WITHDRAWN, closed_on=date(2026, 7, 2))
    with pytest.raises(Conflict, match="cannot become closed"):
        domain.end(withdrawn, CaseStatus.CLOSED, date(2026, 7, 3), "closing")


def test_closing_reports_resolved_after_a_response_and_early_resolution_without_one():
    answered = responded()
    domain.end(answered, CaseStatus.CLOSED, date(2026, 7, 21), None)
    unanswered = case()
    domain.end(unanswered, CaseStatus.CLOSED, date(2026, 7, 2), "put right straight away")
    assert (answered.closed_as, unanswered.closed_as) == ("resolved", "early_resolution")


def test_a_reopened_case_returns_to_the_status_it_ended_from_and_keeps_the_ending():
    c = responded()
    life.withdraw(c, date(2026, 7, 22), "changed her mind")
    restored = life.reopen(c, date(2026, 7, 24), "she wants it looked at after all", "cara.jones")
    assert restored == c.status == "responded"
    assert c.closed_on is None and c.closed_as is None and c.closed_from is None
    assert c.reopenings == [{"on": "2026-07-24", "by": "cara.jones", "reason": "she wants it looked at after all",
                             "closed_on": "2026-07-22", "closed_as": "withdrawn", "close_reason": "changed her mind"}]


def test_only_a_closed_or_withdrawn_complaint_is_reopened():
    with pytest.raises(Conflict, match="this one is open"):
        life.reopen(case(), RECEIVED, "why", None)
    with pytest.raises(Conflict, match="this one is transferred"):
        life.reopen(case(status=CaseStatus.TRANSFERRED), RECEIVED, "why", None)
    for how in ("day_to_day", "rerouted"):
        with pytest.raises(Conflict, match="overrides the triage decision"):
            life.reopen(case(status=CaseStatus.CLOSED, closed_as=how, closed_from="open"), RECEIVED, "why", None)


# --- after the response ---------------------------------------------------------------------

def test_a_satisfied_reply_leaves_the_case_responded_and_closable_as_resolved():
    c = responded()
    life.record_reply(c, date(2026, 7, 22), satisfied=True, notes=None, final_response_by=None)
    assert c.status == "responded" and c.reply["satisfied"] is True
    with pytest.raises(Conflict, match="reply was recorded on 2026-07-22"):
        life.record_reply(c, date(2026, 7, 23), satisfied=False, notes=None, final_response_by=None)
    domain.end(c, CaseStatus.CLOSED, date(2026, 7, 23), None)
    assert c.closed_as == "resolved"


def test_a_dissatisfied_reply_puts_the_case_under_senior_review_with_its_final_response_date():
    c = responded()
    due = life.final_response_by(date(2026, 7, 22), 20, CALENDAR)
    assert due == date(2026, 8, 19)
    life.record_reply(c, date(2026, 7, 22), satisfied=False, notes="nothing changed", final_response_by=due)
    assert (c.status, c.final_response_by) == ("under_review", due)


def test_the_reply_follows_a_response():
    with pytest.raises(Conflict, match="replies to the response: the case is acknowledged"):
        life.record_reply(case(status=CaseStatus.ACKNOWLEDGED), RECEIVED, satisfied=True, notes=None,
                          final_response_by=None)


def test_the_final_response_follows_the_review_and_says_whether_it_was_on_time():
    c = responded(status=CaseStatus.UNDER_REVIEW, final_response_by=date(2026, 8, 19))
    with pytest.raises(Conflict, match="record the senior manager's review"):
        life.send_final_response(c, date(2026, 8, 1))
    life.check_review(c)
    c.review = {"on": "2026-08-01"}
    with pytest.raises(Conflict, match="review was recorded on 2026-08-01"):
        life.check_review(c)
    assert life.send_final_response(c, date(2026, 8, 20)) is False
    assert (c.status, c.final_responded_on) == ("final_response_sent", date(2026, 8, 20))
    with pytest.raises(Conflict, match="the case is final_response_sent"):
        life.send_final_response(c, date(2026, 8, 21))


def test_a_review_needs_a_dissatisfied_reply():
    with pytest.raises(Conflict, match="follows a dissatisfied reply: the case is responded"):
        life.check_review(responded())


def test_escalation_after_the_final_response_escalates_and_under_review_keeps_the_status():
    sent = responded(status=CaseStatus.FINAL_RESPONSE_SENT)
    domain.escalate(sent, date(2026, 8, 25))
    assert sent.status == "escalated"
    reviewing = responded(status=CaseStatus.UNDER_REVIEW)
    domain.escalate(reviewing, date(2026, 8, 25))
    assert (reviewing.status, reviewing.escalated_on) == ("under_review", date(2026, 8, 25))


# --- the ombudsman stage -------------------------------------------------------------------

def test_the_ombudsman_stage_follows_escalation_enquiry_then_decision_then_remedies():
    c = responded()
    with pytest.raises(Conflict, match="escalate the case first"):
        life.check_enquiry(c)
    c.escalated_on = date(2026, 8, 1)
    with pytest.raises(Conflict, match="enquiry before its decision"):
        life.check_decision(c)
    with pytest.raises(Conflict, match="remedies follow the ombudsman's decision"):
        life.check_remedy(c)
    life.check_enquiry(c)
    c.ombudsman_stage = {"enquiry": {"their_reference": "LG-1", "received_on": "2026-08-03"}}
    with pytest.raises(Conflict, match="enquiry was recorded: LG-1"):
        life.check_enquiry(c)
    life.check_decision(c)
    c.ombudsman_stage["decision"] = {"decided_on": "2026-10-01"}
    with pytest.raises(Conflict, match="decision was recorded: 2026-10-01"):
        life.check_decision(c)
    life.check_remedy(c)


# --- the person ---------------------------------------------------------------------------

def test_the_person_key_is_the_same_for_the_same_email_or_phone_however_written():
    assert life.person_key(" Ann@Example.org ", None) == life.person_key("ann@example.org", "0123")
    assert life.person_key(None, "+44 7700 900123") == life.person_key(None, "07700 900123")
    assert life.person_key(None, None) is None and life.person_key("", "n/a") is None
    assert len(life.person_key("ann@example.org", None)) == 64


def test_setting_the_flag_to_what_it_is_is_refused():
    life.check_flag_change(False, True)
    with pytest.raises(Conflict, match="already clear"):
        life.check_flag_change(False, False)
