"""The statutory clock of a case: opening, acknowledgement, plan, alerts and the final response."""

from collections import namedtuple
from datetime import date

from casework import domain
from casework.domain import Progress, deadlines_on_opening
from nwd_shared.calendar import WorkingCalendar

CALENDAR = WorkingCalendar()


def test_acknowledge_by_is_three_working_days_after_receipt_over_easter():
    deadlines = deadlines_on_opening(date(2026, 4, 2), WorkingCalendar())
    assert deadlines["acknowledge_by"] == date(2026, 4, 9)


def test_six_months_by_is_six_calendar_months_after_receipt():
    assert deadlines_on_opening(date(2026, 8, 31), WorkingCalendar())["six_months_by"] == date(2027, 2, 28)


def test_action_plan_and_response_dates_wait_for_the_acknowledgement():
    deadlines = deadlines_on_opening(date(2026, 11, 23), WorkingCalendar())
    assert deadlines["action_plan_by"] is None and deadlines["respond_by"] is None


def test_the_plan_is_due_five_working_days_after_acknowledgement_by_default_policy():
    dates = domain.deadlines_on_acknowledgement(date(2026, 12, 22), received_on=date(2026, 12, 22),
                                                action_plan_working_days=5,
                                                likely_response_working_days=20, calendar=CALENDAR)
    # 23, 24, 29, 30, 31 December: Christmas, Boxing Day's substitute and the weekend skipped.
    assert dates["action_plan_by"] == date(2026, 12, 31)
    assert dates["respond_by"] == date(2027, 1, 22)  # New Year's Day skipped too


def test_the_response_target_counts_from_receipt_not_from_acknowledgement():
    # Received Wednesday 1 July 2026, acknowledged three working days later: 20 working days from receipt.
    dates = domain.deadlines_on_acknowledgement(date(2026, 7, 6), received_on=date(2026, 7, 1),
                                                action_plan_working_days=5,
                                                likely_response_working_days=20, calendar=CALENDAR)
    assert dates["respond_by"] == date(2026, 7, 29)
    assert dates["action_plan_by"] == date(2026, 7, 13)
    # Working days a suspension already took are added to it.
    paused = domain.deadlines_on_acknowledgement(date(2026, 7, 6), received_on=date(2026, 7, 1),
                                                 action_plan_working_days=5, likely_response_working_days=20,
                                                 calendar=CALENDAR, paused_working_days=2)
    assert paused["respond_by"] == date(2026, 7, 31)
    assert domain.respond_by_for_plan(date(2026, 7, 1), 20, CALENDAR) == date(2026, 7, 29)


def test_a_timescale_over_the_usual_one_needs_a_reason():
    assert domain.timescale_problem(20, None, 20) is None
    assert "state the reason" in domain.timescale_problem(25, None, 20)
    assert "state the reason" in domain.timescale_problem(25, "   ", 20)
    assert domain.timescale_problem(25, "Records take four weeks to arrive.", 20) is None


def test_an_extension_must_be_a_later_working_day():
    current = date(2026, 8, 7)
    assert "not a working day" in domain.extension_problem(current, date(2026, 8, 8), date(2026, 8, 3), CALENDAR)
    assert "after the current" in domain.extension_problem(current, date(2026, 8, 6), date(2026, 8, 3), CALENDAR)
    assert "plan first" in domain.extension_problem(None, date(2026, 8, 20), date(2026, 8, 3), CALENDAR)
    assert domain.extension_problem(current, date(2026, 8, 21), date(2026, 8, 3), CALENDAR) is None


def test_a_suspension_before_acknowledgement_pauses_nothing_yet():
    assert domain.paused_working_days(suspended_on=date(2026, 7, 6), resumed_on=date(2026, 7, 20),
                                      clock_started_on=None, calendar=CALENDAR) == 0
    assert domain.paused_working_days(suspended_on=date(2026, 7, 6), resumed_on=date(2026, 7, 20),
                                      clock_started_on=date(2026, 7, 8), calendar=CALENDAR) == 8


def progress(**changes) -> Progress:
    base = dict(status="acknowledged", suspended=False, acknowledged=True, action_plan_issued=False,
                acknowledge_by=date(2026, 7, 7), action_plan_by=date(2026, 7, 13),
                respond_by=date(2026, 8, 3), six_months_by=date(2027, 1, 2))
    return Progress(**(base | changes))


def test_alerts_warn_within_the_window_and_breach_the_day_after():
    assert domain.due_alerts(progress(), date(2026, 7, 8), 2, CALENDAR) == []
    assert domain.due_alerts(progress(), date(2026, 7, 9), 2, CALENDAR) == [("action_plan_by", date(2026, 7, 13),
                                                                             "warning")]
    assert domain.due_alerts(progress(), date(2026, 7, 13), 0, CALENDAR) == []
    assert domain.due_alerts(progress(), date(2026, 7, 14), 0, CALENDAR) == [("action_plan_by", date(2026, 7, 13),
                                                                              "breach")]


def test_a_suspended_case_is_only_held_to_acknowledgement_and_six_months():
    waiting = progress(suspended=True, acknowledged=False)
    alerts = domain.due_alerts(waiting, date(2027, 2, 1), 2, CALENDAR)
    assert {name for name, _, _ in alerts} == {"acknowledge_by", "six_months_by"}
    assert domain.due_alerts(progress(status="responded"), date(2027, 2, 1), 2, CALENDAR) == []


FULL = dict(outcome="upheld", desired_outcome_met=True, issues="i", investigation="how", evidence="e",
            findings="f", went_wrong=True, impact="harm", apology="sorry", actions=["a"], signed_by="S")


def test_a_complete_final_response_passes_and_each_missing_part_is_named():
    assert domain.response_problems(FULL) == []
    lacking = FULL | {"apology": "", "actions": [], "learning": [], "desired_outcome_met": False,
                      "went_wrong": None}
    fields = [p["field"] for p in domain.response_problems(lacking)]
    assert fields == ["went_wrong", "apology", "actions", "alternative"]
    not_upheld = FULL | {"outcome": "not_upheld", "went_wrong": False, "apology": None, "impact": None,
                         "actions": []}
    assert domain.response_problems(not_upheld) == []


def test_the_record_summary_says_how_the_complaint_was_resolved():
    summary = domain.record_summary(reference="NWD-1", subject="missed visits", received_on=date(2026, 7, 2),
                                    outcome="partly_upheld", responded_on=date(2026, 8, 20), on_time_=True,
                                    desired_outcome_met=False, closed_on=date(2026, 8, 24), reason=None,
                                    escalated=False)
    assert summary == ("Complaint NWD-1 about missed visits, received 2026-07-02. Response sent 2026-08-20, "
                       "within the notified (or extended) period; outcome partly upheld. Desired outcome not "
                       "met; an alternative was offered. Closed 2026-08-24.")
    withdrawn = domain.record_summary(reference="NWD-2", subject=None, received_on=date(2026, 7, 2), outcome=None,
                                      responded_on=None, on_time_=None, desired_outcome_met=None,
                                      closed_on=date(2026, 7, 3), reason="withdrawn by the complainant",
                                      escalated=False)
    assert "Closed without a response: withdrawn by the complainant." in withdrawn


def test_a_breach_replaces_its_warning_and_an_alert_for_a_moved_date_is_no_longer_live():
    Raised = namedtuple("Raised", "deadline due_on kind")
    warning = Raised("action_plan_by", date(2026, 7, 13), "warning")
    breach = Raised("action_plan_by", date(2026, 7, 13), "breach")
    moved = Raised("respond_by", date(2026, 7, 30), "warning")
    assert domain.live_alerts(progress(), [warning, breach, moved]) == [breach]
    assert domain.live_alerts(progress(action_plan_issued=True), [warning, breach]) == []
