"""A known set of events, each delivered twice, gives hand-computed figures in every report.

The events go straight through the consumer's handler on a fresh database (no topic: other tests'
events would mix in), each in its own transaction, and each twice, as a redelivery would.

The story, for trust T in the year 2025-26 (1 April 2025 to 31 March 2026):
  A  received 10 Mar 2025 (year before)  upheld 28 Apr, closed 2 May           brought forward, resolved
  B  received  3 Feb 2025 (year before)  still open                            brought and carried forward
  C  received 14 Apr 2025 (Q1)           partly upheld 20 May, closed 22 May   the case's own subject
  I  received  6 May 2025 (Q1, via PALS) still open                            two subjects
  D  received  7 Jul 2025 (Q2)           not upheld 20 Aug (late), ombudsman
  E  received  6 Oct 2025 (Q3)           acknowledged late, open               no subject: a warning
  F  received 12 Jan 2026 (Q4)           closed 2 Mar 2026 without an outcome  subjects corrected
  G  received  2 Apr 2026 (year after)
  H  the council's case                  never in T's figures
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, time

from sqlalchemy import text

from learning import actions, classification, experience, repository, service
from learning.main import MIGRATIONS
from learning.reports import figures
from learning.reports.annual import annual
from learning.reports.digest import digest
from learning.reports.ko41a import ko41a, to_csv
from nwd_shared import db, migrations
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, add_months
from nwd_shared.context import Context
from nwd_shared.directory import Directory

T, COUNCIL, PALS = "trust-known", "council-known", "pals-known"
DIRECTORY = Directory.model_validate({"organisations": [
    {"id": T, "name": "=Known Trust", "kind": "nhs_trust", "responsible_for": ["health"], "areas": ["known"]},
    {"id": COUNCIL, "name": "Known Council", "kind": "council", "responsible_for": ["social_care"],
     "areas": ["known"]},
    {"id": PALS, "name": "Known PALS", "kind": "pals", "serves": T, "areas": ["known"]},
]})
CALENDAR = WorkingCalendar()
# The consumer's context: no caller, and a moment the projections never read.
CONSUMER = Context(source="/nwd/learning", now=datetime(2026, 6, 1, tzinfo=UTC), calendar=CALENDAR,
                   directory=DIRECTORY)
TODAY = date(2026, 6, 1)
NAME, EMAIL, PHONE = "Ann Example", "ann@example.org", "07700 900123"


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def contact(ref, on, description, *, by=T, kind="complaint", channel="email", relationship="self",
            concerns=None):
    return ev.ContactReceived(source="/nwd/intake", subject=ref, time=at(on), data=ev.ContactReceivedData(
        reference=ref, received_by=by, received_at=at(on, 10), kind=kind, channel=channel,
        complainant={"name": NAME, "email": EMAIL, "phone": PHONE, "relationship": relationship},
        concerns=concerns or [{"organisation_id": T, "summary": None}], description=description))


def triage(ref, on, route="complaint", *, by=T, kind="complaint", categories=()):
    return ev.TriageCompleted(source="/nwd/triage", subject=ref, time=at(on, 11), data=ev.TriageDecisionData(
        reference=ref, received_by=by, received_at=at(on, 10), kind=kind, route=route,
        safeguarding_categories=list(categories), responsible_organisations=[T], reasons=["test"]))


def agreed(ref, on, *, owner=T, received_by=T):
    return ev.OwnershipAgreed(source="/nwd/referral", subject=ref, time=at(on, 13), data=ev.OwnershipAgreedData(
        reference=ref, owner=owner, received_by=received_by, owner_received_at=at(on, 13), kind="complaint",
        route="complaint"))


def deadlines(received_on, **more):
    return ev.Deadlines(acknowledge_by=CALENDAR.add_working_days(received_on, 3),
                        six_months_by=add_months(received_on, 6), **more)


def case_event(kind, ref, on, owner=T, **data):
    model, data_model = {
        "opened": (ev.CaseOpened, ev.CaseOpenedData), "acknowledged": (ev.CaseAcknowledged, ev.CaseAcknowledgedData),
        "plan": (ev.CaseActionPlanIssued, ev.CaseActionPlanIssuedData),
        "extended": (ev.CaseExtended, ev.CaseExtendedData), "responded": (ev.CaseResponded, ev.CaseRespondedData),
        "closed": (ev.CaseClosed, ev.CaseClosedData), "escalated": (ev.CaseEscalated, ev.CaseEscalatedData),
        "breached": (ev.CaseDeadlineBreached, ev.CaseDeadlineBreachedData),
    }[kind]
    return model(source="/nwd/casework", subject=ref, time=at(on, 14),
                 data=data_model(case_id=f"case-{ref}", reference=ref, owner=owner, **data))


def opened(ref, received_on, owner=T):
    return case_event("opened", ref, received_on, owner, received_on=received_on,
                      deadlines=deadlines(received_on))


def responded(ref, on, outcome, on_time=True, *, actions_=(), learning=(), subject=None):
    return case_event("responded", ref, on, responded_on=on, outcome=outcome, desired_outcome_met=False,
                      on_time=on_time, actions=list(actions_), learning=list(learning), subject=subject)


def closed(ref, on, outcome=None):
    return case_event("closed", ref, on, closed_on=on, outcome=outcome,
                      summary=f"Complaint {ref} from {NAME} closed.")


def story() -> list[ev.CloudEvent]:
    d = date
    a, b, c, i, dd, e, f, g, h, j = (f"NWD-K-{x}" for x in "ABCIDEFGHJ")
    return [
        # A: the year before, upheld in the year; its only action comes from the response's learning.
        contact(a, d(2025, 3, 10), "I waited months for an appointment."), triage(a, d(2025, 3, 10)),
        agreed(a, d(2025, 3, 10)), opened(a, d(2025, 3, 10)),
        responded(a, d(2025, 4, 28), "upheld", learning=["Review how waiting list letters are sent"]),
        closed(a, d(2025, 5, 2), "upheld"),
        # B: the year before, still open; its six months ran out on 3 August.
        contact(b, d(2025, 2, 3), "Nobody told me what was happening."), triage(b, d(2025, 2, 3)),
        agreed(b, d(2025, 2, 3)), opened(b, d(2025, 2, 3)),
        case_event("breached", b, d(2025, 8, 4), deadline="six_months_by", due_on=d(2025, 8, 3)),
        # C: Q1; acknowledged and planned in time, extended, partly upheld with two actions.
        contact(c, d(2025, 4, 14), "Mum was discharged from the ward without her medication."),
        triage(c, d(2025, 4, 14)), agreed(c, d(2025, 4, 14)), opened(c, d(2025, 4, 14)),
        case_event("acknowledged", c, d(2025, 4, 16), acknowledged_on=d(2025, 4, 16),
                   deadlines=deadlines(d(2025, 4, 14), action_plan_by=d(2025, 4, 24))),
        case_event("plan", c, d(2025, 4, 22), issued_on=d(2025, 4, 22),
                   deadlines=deadlines(d(2025, 4, 14), action_plan_by=d(2025, 4, 24), respond_by=d(2025, 5, 20))),
        case_event("extended", c, d(2025, 5, 12), reason="waiting for notes",
                   deadlines=deadlines(d(2025, 4, 14), action_plan_by=d(2025, 4, 24), respond_by=d(2025, 5, 27))),
        responded(c, d(2025, 5, 20), "partly_upheld", subject="Communications",
                  actions_=["Retrain ward staff on discharge letters", "Audit discharge summaries"]),
        closed(c, d(2025, 5, 22), "partly_upheld"),
        # I: received by PALS, referred to T and accepted the next working day.
        contact(i, d(2025, 5, 6), "Nobody told me about the appointment.", by=PALS),
        triage(i, d(2025, 5, 6), by=PALS),
        ev.ReferralProposed(source="/nwd/referral", subject=i, time=at(d(2025, 5, 6), 15), data=ev.ReferralData(
            referral_id="r-i", reference=i, from_organisation=PALS, to_organisation=T, purpose="ownership")),
        ev.ReferralAccepted(source="/nwd/referral", subject=i, time=at(d(2025, 5, 7), 9), data=ev.ReferralData(
            referral_id="r-i", reference=i, from_organisation=PALS, to_organisation=T, purpose="ownership")),
        agreed(i, d(2025, 5, 7), received_by=PALS), opened(i, d(2025, 5, 6)),
        case_event("acknowledged", i, d(2025, 5, 8), acknowledged_on=d(2025, 5, 8),
                   deadlines=deadlines(d(2025, 5, 6))),
        ev.SafeguardingReferred(source="/nwd/triage", subject=i, time=at(d(2025, 5, 1)),
                                data=ev.SafeguardingReferredData(reference=i, organisation_id=T,
                                                                 categories=["neglect_and_acts_of_omission"],
                                                                 reasons=["test"])),
        # D: Q2; not upheld, late, then to the ombudsman.
        contact(dd, d(2025, 7, 7), "The nurse on the ward was rude and my father was not fed properly."),
        triage(dd, d(2025, 7, 7)), agreed(dd, d(2025, 7, 7)), opened(dd, d(2025, 7, 7)),
        responded(dd, d(2025, 8, 20), "not_upheld", on_time=False), closed(dd, d(2025, 8, 21), "not_upheld"),
        case_event("escalated", dd, d(2025, 9, 1), reason="unhappy", ombudsman_id="phso"),
        # E: Q3, from a representative; acknowledged late; nothing in its words gives a subject.
        contact(e, d(2025, 10, 6), "Something about my visit last year.", relationship="representative"),
        triage(e, d(2025, 10, 6)), agreed(e, d(2025, 10, 6)), opened(e, d(2025, 10, 6)),
        case_event("acknowledged", e, d(2025, 10, 13), acknowledged_on=d(2025, 10, 13),
                   deadlines=deadlines(d(2025, 10, 6))),
        # F: Q4, about health and social care; closed without an outcome.
        contact(f, d(2026, 1, 12), "My prescription was wrong.",
                concerns=[{"service_type": "health"}, {"service_type": "social_care"}]),
        triage(f, d(2026, 1, 12)), agreed(f, d(2026, 1, 12)), opened(f, d(2026, 1, 12)),
        closed(f, d(2026, 3, 2)),
        # G: the year after.
        contact(g, d(2026, 4, 2), "Nobody told me."), triage(g, d(2026, 4, 2)), agreed(g, d(2026, 4, 2)),
        opened(g, d(2026, 4, 2)),
        # H: the council's own case.
        contact(h, d(2025, 6, 2), "Home care visits were missed.", by=COUNCIL,
                concerns=[{"organisation_id": COUNCIL}]),
        agreed(h, d(2025, 6, 2), owner=COUNCIL, received_by=COUNCIL), opened(h, d(2025, 6, 2), owner=COUNCIL),
        # J: a compliment, no case.
        contact(j, d(2025, 6, 9), "Thank you for the excellent care.", kind="compliment", channel="letter"),
        triage(j, d(2025, 6, 9), "feedback", kind="compliment"),
    ]


async def _known_records(database_url: str):
    """Apply the story twice over and the people's part of it; return a session factory."""
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, database_url)
    engine = db.create_engine(database_url)
    sessions = db.session_factory(engine)
    caused = []
    for event in story():
        for _ in range(2):  # every event delivered twice
            async with sessions() as session, session.begin():
                caused += await service.project(session, CONSUMER, event, action_due_working_days=40)
    trust = Context(source="/nwd/learning", now=at(date(2026, 1, 20)), calendar=CALENDAR, directory=DIRECTORY,
                    caller=T)
    async with sessions() as session, session.begin():
        c_actions = [a for a in await repository.actions_of(session, T) if a.reference == "NWD-K-C"]
        first = sorted(c_actions, key=lambda a: a.id)[0]
        await actions.complete(session, trust, first.id, on=date(2025, 6, 30))
        for ref, rating, on in (("NWD-K-A", 4, date(2025, 5, 10)), ("NWD-K-D", 2, date(2025, 9, 3))):
            [link] = await repository.links_for(session, T, ref)
            assert experience.answer(link, rating=rating, comment="ok", on=on)
            assert not experience.answer(link, rating=1, comment="again", on=on)  # single use
        await classification.correct(session, trust, "NWD-K-F", subject_codes=["prescribing", "communications"],
                                     service_area="outpatient", reason="read the letter")
    return engine, sessions, caused


async def test_known_events_give_the_hand_computed_figures(database_url):
    engine, sessions, caused = await _known_records(database_url)
    try:
        async with sessions() as session:
            records = await repository.records_of(session, [T])
            everyone = await repository.records_of(session, [T, COUNCIL])
            actions_ = await repository.actions_of(session, T)
            # The person's words and details are read when the events arrive, never stored.
            stored = [repr(row) for table in ("learning_contact", "learning_case", "learning_event_fact")
                      for row in (await session.execute(text(f"SELECT * FROM {table}"))).all()]
    finally:
        await engine.dispose()

    assert len(stored) > 10
    # (Only the taxonomy's keyword that matched is kept, e.g. "medication", never the sentence.)
    for word in (NAME, EMAIL, PHONE, "Mum was", "without her", "excellent care"):
        assert not any(word in row for row in stored)

    # Learning actions: A's from its learning, C's two from its actions; each raised once.
    raised = [e for e in caused if isinstance(e, ev.LearningActionRaised)]
    assert sorted(e.data.description for e in raised) == [
        "Audit discharge summaries", "Retrain ward staff on discharge letters",
        "Review how waiting list letters are sent"]
    a_action = next(a for a in actions_ if a.reference == "NWD-K-A")
    assert (a_action.raised_on, a_action.due_on) == (date(2025, 4, 28), date(2025, 6, 25))  # 40 working days

    # --- summary, Q1 2025-26 --------------------------------------------------------------
    q1 = figures.summary(records, T, figures.Period(date(2025, 4, 1), date(2025, 6, 30)), today=TODAY,
                         calendar=CALENDAR)
    assert q1["counts"] == {
        "cases.acknowledged": 2, "cases.acknowledged_on_time": 2, "cases.action_plans": 1,
        "cases.action_plans_on_time": 1, "cases.closed": 2, "cases.extended": 1, "cases.open_at_end": 2,
        "cases.opened": 2, "cases.outcome.partly_upheld": 1, "cases.outcome.upheld": 1, "cases.responded": 2,
        "cases.responded_on_time": 2,
        "contacts.channel.email": 1, "contacts.channel.letter": 1, "contacts.kind.complaint": 1,
        "contacts.kind.compliment": 1, "contacts.received": 2, "contacts.route.complaint": 1,
        "contacts.route.feedback": 1,
        "experience.links_issued": 2, "experience.responses": 1,
        "learning_actions.completed": 1, "learning_actions.overdue": 1, "learning_actions.raised": 3,
        "ownership.agreed": 2, "referrals.accepted": 1, "referrals.received.ownership": 1,
        "safeguarding.referred": 1, "subjects.appointments": 1, "subjects.communications": 2,
    }
    assert q1["timeliness"] == {"acknowledged_within_3_working_days": 1.0,
                                "action_plans_within_5_working_days": 1.0,
                                "responded_by_notified_date": 1.0, "six_month_breaches": 0}
    assert q1["ownership"] == {"agreed": 2, "median_working_days": 0.5, "longest_working_days": 1}
    # B (3 Feb) is far past 40 working days on 30 June; I (6 May) is 38.
    assert q1["ageing"] == {"up_to_20_working_days": 0, "21_to_40_working_days": 1,
                            "over_40_working_days": 1, "past_six_months": 0}
    assert q1["experience"] == {"responses": 1, "average_rating": 4, "ratings": {
        "1": 0, "2": 0, "3": 0, "4": 1, "5": 0}}
    q2 = figures.summary(records, T, figures.Period(date(2025, 7, 1), date(2025, 9, 30)), today=TODAY,
                         calendar=CALENDAR)
    assert q2["timeliness"]["six_month_breaches"] == 1
    assert q2["timeliness"]["responded_by_notified_date"] == 0.0
    assert q2["counts"]["cases.escalated"] == 1

    # --- annual report 2025-26 ------------------------------------------------------------
    report = annual(records, T, "=Known Trust", 2025, today=TODAY)
    assert report["received"] == 5  # C, I, D, E, F
    assert report["received_by_quarter"] == [2, 1, 1, 1]
    assert report["received_previous_year"] == 2  # A, B
    assert report["decided"] == 3 and report["well_founded"] == 2  # A upheld, C partly, D not
    assert report["outcomes"] == {"upheld": 1, "partly_upheld": 1, "not_upheld": 1}
    assert report["referred_to_ombudsman"] == 1
    # C counts under its case's own subject; I under two; F under its correction; E under none.
    assert [(s["code"], s["count"]) for s in report["subjects"]] == [
        ("communications", 3), ("appointments", 1), ("patient_care", 1), ("prescribing", 1),
        ("values_behaviours", 1)]
    assert report["without_subject"] == 1
    assert [(a["code"], a["count"]) for a in report["service_areas"]] == [
        ("inpatient", 2), ("other_health", 2), ("outpatient", 1)]
    assert [(t["code"], t["count"], t["previous_year"], t["by_quarter"], t["trend"])
            for t in report["matters_of_general_importance"]] == [
        ("communications", 3, 1, [2, 0, 0, 1], "rising"),
        ("appointments", 1, 1, [1, 0, 0, 0], "steady"),
        ("patient_care", 1, 0, [0, 1, 0, 0], "new"),
        ("prescribing", 1, 0, [0, 0, 0, 1], "new"),
        ("values_behaviours", 1, 0, [0, 1, 0, 0], "new")]
    assert report["timeliness"] == {"acknowledged_within_3_working_days": 0.667,
                                    "responded_by_notified_date": 0.667}
    assert (report["actions"]["raised"], report["actions"]["completed"], report["actions"]["overdue"]) == (3, 1, 2)
    assert sorted(a["status"] for a in report["actions"]["items"]) == ["completed", "overdue", "overdue"]
    assert report["experience"] == {"responses": 2, "average_rating": 3, "ratings": {
        "1": 0, "2": 1, "3": 0, "4": 1, "5": 0}}

    # --- KO41a 2025-26 ----------------------------------------------------------------------
    rows = list(csv.reader(io.StringIO(to_csv(ko41a(records, T, "=Known Trust", 2025)))))
    cells = {(r[0], r[1]): r[3] for r in rows[1:] if r[0] != "warning"}
    assert rows[0] == ["section", "item", "label", "value"]
    assert cells[("organisation", "name")] == "'=Known Trust"  # never a formula
    summary_ = [int(cells[("summary", k)]) for k in ("brought_forward", "new", "resolved", "carried_forward")]
    assert summary_ == [2, 5, 4, 3]  # A, B | C, I, D, E, F | A, C, D, F | B, I, E
    assert summary_[0] + summary_[1] - summary_[2] == summary_[3]
    assert [cells[("outcome", o)] for o in ("upheld", "partly_upheld", "not_upheld")] == ["1", "1", "1"]
    subject_cells = {k[1]: int(v) for k, v in cells.items() if k[0] == "subject_area"}
    assert {k: v for k, v in subject_cells.items() if v} == {
        "communications": 3, "appointments": 1, "patient_care": 1, "prescribing": 1, "values_behaviours": 1}
    assert sum(subject_cells.values()) == 7 > summary_[1]  # several subjects, one complaint each
    assert "waiting_times" in subject_cells and "home_care" not in subject_cells  # the KO41a list only
    assert {k[1]: int(v) for k, v in cells.items() if k[0] == "status_of_complainant"} == {
        "self": 4, "representative": 1, "advocate": 0}
    assert {k[1]: int(v) for k, v in cells.items() if k[0] == "service_area" and v != "0"} == {
        "inpatient": 2, "other_health": 2, "outpatient": 1}
    warnings = [(r[1], r[2]) for r in rows if r[0] == "warning"]
    assert [ref for ref, _ in warnings] == ["NWD-K-E", "NWD-K-F"]
    assert "no KO41a subject code" in warnings[0][1] and "without an outcome" in warnings[1][1]

    # --- partner digest of the area, 2025-26 --------------------------------------------------
    shared = digest(everyone, "known", [(T, "=Known Trust"), (COUNCIL, "Known Council")],
                    figures.financial_year(2025))
    assert shared["partners"] == [
        {"organisation": T, "name": "=Known Trust", "complaints_received": 5},
        {"organisation": COUNCIL, "name": "Known Council", "complaints_received": "fewer than 5"}]
    assert shared["outcomes"] == {o: "fewer than 5" for o in ("upheld", "partly_upheld", "not_upheld")}
    themes = {t["code"]: t for t in shared["themes"]}
    assert themes["communications"]["complaints"] == "fewer than 5"
    assert themes["communications"]["actions_raised"] == "fewer than 5"  # C's two
    assert_no_small_numbers_or_personal_data(shared, ["NWD-K-", "ann", "Example", "07700", "medication",
                                                      "Retrain", "discharge letters", "waiting list"])


def assert_no_small_numbers_or_personal_data(shared: dict, forbidden: list[str]) -> None:
    """No count from 1 to 4 anywhere, and none of the forbidden words (case-insensitive)."""
    def walk(value):
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            assert not 0 < value < 5, f"small count {value} shown"
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(shared)
    text = json.dumps(shared).lower()
    for word in forbidden:
        assert word.lower() not in text
