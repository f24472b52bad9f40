"""The whole life of a complaint over HTTP, in process (issue 15): each endpoint, its event and its refusals."""

from __future__ import annotations

from datetime import date, datetime, time

from casework import repository
from casework.deadlines import deadline_monitor
from nwd_shared.calendar import ENGLAND
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    bearer,
    contact_received,
    deliver,
    new_reference,
    ownership_agreed,
    staged,
    triage_completed,
)

COUNCIL = bearer("demo-wsx-council-key")
HANDLER, CUSTOMER_RELATIONS, SENIOR = (bearer(f"demo-wsx-{n}-key") for n in ("ana", "cara", "dev"))
TRUST, STRANGER = bearer("demo-uhsussex-key"), bearer("demo-bh-council-key")
TODAY = date(2026, 7, 2)  # a Thursday
RESPONSE = {
    "outcome": "not_upheld", "desired_outcome_met": True, "went_wrong": False,
    "issues": "Missed home care visits.", "investigation": "Visit logs and the agency's rota.",
    "evidence": "Logs for June.", "findings": "Visits were made as planned.", "signed_by": "Pat Chief",
}


def contact(reference: str, *, channel: str = "email", resolved_at_first_contact: bool = False, **person):
    """A contact.received made by `channel` (the factory's is email)."""
    event = contact_received(reference, **person)
    data = event.data.model_copy(update={"channel": channel, "resolved_at_first_contact": resolved_at_first_contact})
    return event.model_copy(update={"data": data})


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ENGLAND)


async def case_of(casework, reference: str) -> dict:
    async with casework.runtime.sessions() as session:
        case = await repository.case_for_reference(session, reference)
    return await view(casework, case.id)


async def view(casework, case_id: str, who=COUNCIL) -> dict:
    answer = await casework.get(f"/v1/cases/{case_id}", headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def opened(casework, *, received_on: date = TODAY, contact_of: dict | None = None, **agreed) -> dict:
    """A case opened by agreed ownership, the contact (if given) delivered first."""
    casework.clock.on(TODAY, 12)
    reference = new_reference()
    if contact_of is not None:
        await deliver(casework, contact(reference, **contact_of))
    await deliver(casework, ownership_agreed(reference, received_at=at(received_on), **agreed))
    return await case_of(casework, reference)


async def act(casework, case: dict, path: str, body: dict | None = None, who=COUNCIL, method: str = "post"):
    return await getattr(casework, method)(f"/v1/cases/{case['id']}/{path}", json=body or {}, headers=who)


async def ok(casework, case: dict, path: str, body: dict | None = None, who=COUNCIL, method: str = "post") -> dict:
    answer = await act(casework, case, path, body, who, method)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def types(casework, reference: str) -> list[str]:
    return [kind for kind, _ in await staged(casework, reference)]


async def responded(casework, **opening) -> dict:
    case = await opened(casework, **opening)
    await ok(casework, case, "acknowledge")
    return await ok(casework, case, "response", RESPONSE)


async def monitor(casework) -> None:
    await run_job_once(deadline_monitor(60), casework.runtime)


async def breaches(casework, reference: str) -> list[dict]:
    return [data for kind, data in await staged(casework, reference) if kind == "nwd.case.deadline_breached.v1"]


# --- day-to-day business -----------------------------------------------------------------

async def test_day_to_day_business_put_right_by_the_next_working_day_closes_without_a_case_closed_event(casework):
    casework.clock.on(TODAY, 12)
    reference = new_reference()
    await deliver(casework, triage_completed(reference, route="day_to_day", received_at=at(TODAY)))
    case = await case_of(casework, reference)
    assert (case["status"], case["resolve_by"], case["owner"]) == ("day_to_day", "2026-07-03", "wsx-council")
    refused = await act(casework, case, "acknowledge")
    assert refused.status_code == 409 and "the case is day_to_day" in refused.json()["detail"]
    assert (await act(casework, case, "close", {"reason": "done"})).status_code == 409
    done = await ok(casework, case, "resolved", {"note": "Visit rearranged for tomorrow."})
    assert (done["status"], done["closed_as"]) == ("closed", "day_to_day")
    assert await types(casework, reference) == ["nwd.case.day_to_day_recorded.v1", "nwd.case.day_to_day_resolved.v1"]


async def test_day_to_day_business_put_right_at_first_contact_is_resolved_at_once(casework):
    casework.clock.on(TODAY, 12)
    reference = new_reference()
    await deliver(casework, contact(reference, channel="phone", resolved_at_first_contact=True),
                  triage_completed(reference, route="day_to_day", received_at=at(TODAY)))
    case = await case_of(casework, reference)
    assert (case["status"], case["closed_as"]) == ("closed", "day_to_day")


async def test_day_to_day_business_not_put_right_in_time_becomes_a_complaint_on_the_monitor(casework):
    casework.clock.on(TODAY, 12)
    reference = new_reference()
    # Made on Monday 29 June: to be put right by the end of Tuesday 30 June.
    await deliver(casework, triage_completed(reference, route="day_to_day", received_at=at(date(2026, 6, 29))))
    case = await case_of(casework, reference)
    late = await act(casework, case, "resolved")
    assert late.status_code == 409 and "not put right by 2026-06-30" in late.json()["detail"]
    await monitor(casework)
    now = await view(casework, case["id"])
    assert (now["status"], now["received_on"], now["deadlines"]["acknowledge_by"]) == ("open", "2026-06-29",
                                                                                     "2026-07-02")
    [opened_event] = [d for k, d in await staged(casework, reference) if k == "nwd.case.opened.v1"]
    assert opened_event["from_day_to_day"] is True
    await monitor(casework)  # once only
    assert (await types(casework, reference)).count("nwd.case.opened.v1") == 1


async def test_ownership_agreed_for_day_to_day_business_takes_the_record_over_as_the_complaint(casework):
    casework.clock.on(TODAY, 12)
    reference = new_reference()
    await deliver(casework, triage_completed(reference, route="day_to_day", received_at=at(TODAY)))
    before = await case_of(casework, reference)
    await deliver(casework, ownership_agreed(reference, contributors=["uhsussex"], received_at=at(TODAY)))
    after = await case_of(casework, reference)
    assert after["id"] == before["id"] and (after["status"], after["contributors"]) == ("open", ["uhsussex"])


# --- the oral record, the time limit, withdrawal, reopening ------------------------------------

async def test_an_oral_complaint_shows_its_written_record_due_until_it_is_given(casework):
    case = await opened(casework, contact_of={"channel": "phone"})
    assert case["oral_record_due"] is True and case["life"]["channel"] == "phone"
    future = await act(casework, case, "oral-record", {"record": "You told us...", "sent_on": "2026-07-03"})
    assert future.status_code == 422
    given = await ok(casework, case, "oral-record", {"record": "You told us on the phone...",
                                                      "sent_on": "2026-07-02", "how": "email"})
    assert given["oral_record_due"] is False and given["life"]["oral_record"]["sent_on"] == "2026-07-02"
    assert (await act(casework, case, "oral-record", {"record": "again", "sent_on": "2026-07-02"})).status_code == 409
    assert "nwd.case.oral_record_sent.v1" in await types(casework, case["reference"])


async def test_a_written_complaint_owes_no_oral_record(casework):
    case = await opened(casework, contact_of={"channel": "email"})
    assert case["oral_record_due"] is False
    refused = await act(casework, case, "oral-record", {"record": "x", "sent_on": "2026-07-02"})
    assert refused.status_code == 409 and "made by email" in refused.json()["detail"]


async def test_the_time_limit_not_waived_closes_the_case_out_of_time(casework):
    case = await opened(casework)
    done = await ok(casework, case, "time-limit", {"decision": "not_waived", "reason": "Events of 2023."})
    assert (done["status"], done["closed_as"]) == ("closed", "out_of_time")
    events = dict(await staged(casework, case["reference"]))
    assert events["nwd.case.time_limit_decided.v1"]["decision"] == "not_waived"
    assert events["nwd.case.closed.v1"]["closed_as"] == "out_of_time"


async def test_the_time_limit_waived_is_recorded_once_and_the_case_goes_on(casework):
    case = await opened(casework)
    done = await ok(casework, case, "time-limit", {"decision": "waived", "reason": "Records still exist."})
    assert done["status"] == "open" and done["life"]["time_limit"]["decision"] == "waived"
    again = await act(casework, case, "time-limit", {"decision": "not_waived", "reason": "x"})
    assert again.status_code == 409
    assert (await act(casework, case, "time-limit", {"decision": "maybe", "reason": "x"})).status_code == 422


async def test_a_withdrawn_case_is_reported_withdrawn_and_customer_relations_reopens_it(casework):
    case = await opened(casework)
    withdrawn = await ok(casework, case, "withdraw", {"reason": "She has moved away."}, who=HANDLER)
    assert (withdrawn["status"], withdrawn["closed_as"]) == ("withdrawn", "withdrawn")
    [closed] = [d for k, d in await staged(casework, case["reference"]) if k == "nwd.case.closed.v1"]
    assert closed["closed_as"] == "withdrawn" and closed["outcome"] is None
    assert (await act(casework, case, "close", {"reason": "x"})).status_code == 409
    assert (await act(casework, case, "withdraw")).status_code == 409
    # A handler is not customer relations; customer relations reopens it with the reason.
    assert (await act(casework, case, "reopen", {"reason": "She is back."}, who=HANDLER)).status_code == 403
    reopened = await ok(casework, case, "reopen", {"reason": "She is back."}, who=CUSTOMER_RELATIONS)
    assert (reopened["status"], reopened["closed_as"], reopened["closed_on"]) == ("open", None, None)
    assert reopened["life"]["reopenings"][0]["by"] == "cara.jones"
    [event] = [d for k, d in await staged(casework, case["reference"]) if k == "nwd.case.reopened.v1"]
    assert (event["status"], event["reason"]) == ("open", "She is back.")
    assert (await act(casework, case, "reopen", {"reason": "again"}, who=CUSTOMER_RELATIONS)).status_code == 409


async def test_the_new_endpoints_hide_a_case_from_strangers_and_refuse_contributors(casework):
    case = await opened(casework, contributors=["uhsussex"])
    for path, body in (("withdraw", {}), ("reply", {"satisfied": True}), ("ombudsman/enquiry",
                       {"their_reference": "X", "received_on": "2026-07-01"})):
        assert (await act(casework, case, path, body, who=STRANGER)).status_code == 404
        assert (await act(casework, case, path, body, who=TRUST)).status_code == 403
    # A contributor sees the case, never its later life (the owner's record).
    assert (await view(casework, case["id"], who=TRUST))["life"] is None


# --- after the response: reply, senior review, final response -----------------------------------

async def test_a_satisfied_reply_lets_the_case_close_as_resolved(casework):
    case = await responded(casework)
    replied = await ok(casework, case, "reply", {"satisfied": True})
    assert replied["status"] == "responded" and replied["life"]["reply"]["satisfied"] is True
    closed = await ok(casework, case, "close")
    assert closed["closed_as"] == "resolved"


async def test_a_dissatisfied_reply_goes_to_a_senior_managers_review_and_final_response(casework):
    case = await responded(casework)
    assert (await act(casework, case, "review", {"findings": "x"})).status_code == 409
    replied = await ok(casework, case, "reply", {"satisfied": False, "notes": "Nothing changed."})
    # Twenty working days (the response target) from the reply on Thursday 2 July.
    assert (replied["status"], replied["final_response_by"]) == ("under_review", "2026-07-30")
    assert (await act(casework, case, "final-response", {"letter": "x", "signed_by": "Dev Singh"},
                      who=SENIOR)).status_code == 409
    assert (await act(casework, case, "review", {"findings": "x"}, who=HANDLER)).status_code == 403
    reviewed = await ok(casework, case, "review", {"findings": "The visits were logged late."}, who=SENIOR)
    assert reviewed["life"]["review"]["by"] == "dev.singh"
    sent = await ok(casework, case, "final-response", {"letter": "Our review found...", "signed_by": "Dev Singh"},
                    who=SENIOR)
    assert sent["status"] == "final_response_sent" and sent["life"]["final_response"]["on_time"] is True
    escalated = await ok(casework, case, "escalate", {"reason": "Still unhappy."})
    assert escalated["status"] == "escalated"
    assert await types(casework, case["reference"]) == [
        "nwd.case.opened.v1", "nwd.case.acknowledged.v1", "nwd.case.responded.v1", "nwd.case.reply_recorded.v1",
        "nwd.case.reviewed.v1", "nwd.case.final_response_sent.v1", "nwd.case.escalated.v1"]


async def test_the_monitor_raises_a_missed_final_response(casework):
    case = await responded(casework)
    await ok(casework, case, "reply", {"satisfied": False})
    casework.clock.on(date(2026, 7, 31), 12)
    try:
        await monitor(casework)
    finally:
        casework.clock.on(TODAY, 12)
    [breach] = await breaches(casework, case["reference"])
    assert (breach["deadline"], breach["due_on"], breach["item"]) == ("final_response_by", "2026-07-30", None)
    assert [a["deadline"] for a in (await view(casework, case["id"]))["alerts"]] == ["final_response_by"]


# --- the ombudsman stage -----------------------------------------------------------------------

async def test_the_ombudsman_stage_records_each_step_and_the_monitor_raises_missed_due_dates(casework):
    case = await responded(casework)
    early = await act(casework, case, "ombudsman/enquiry", {"their_reference": "LG-26-001", "received_on": "2026-07-01"})
    assert early.status_code == 409 and "escalate the case first" in early.json()["detail"]
    await ok(casework, case, "escalate", {"reason": "Still unhappy."})
    await ok(casework, case, "ombudsman/enquiry", {"their_reference": "LG-26-001", "received_on": "2026-07-01"})
    await ok(casework, case, "ombudsman/information-requests", {"requested_on": "2026-06-30", "due_on": "2026-07-01"})
    await ok(casework, case, "ombudsman/information-requests", {"requested_on": "2026-07-01", "due_on": "2026-07-20"})
    sent = await ok(casework, case, "ombudsman/information-requests/2/sent", {"sent_on": "2026-07-02"})
    assert [r["status"] for r in sent["life"]["ombudsman"]["information_requests"]] == ["overdue", "sent"]
    assert (await act(casework, case, "ombudsman/information-requests/2/sent", {"sent_on": "2026-07-02"})).status_code == 409
    assert (await act(casework, case, "ombudsman/information-requests/9/sent", {"sent_on": "2026-07-02"})).status_code == 404
    assert (await act(casework, case, "ombudsman/remedies", {"description": "x", "due_on": "2026-08-01"})).status_code == 409
    await ok(casework, case, "ombudsman/decision", {"decided_on": "2026-07-02", "findings": "Fault causing injustice.",
                                                    "upheld": True})
    await ok(casework, case, "ombudsman/remedies", {"description": "Apologise.", "due_on": "2026-07-01"})
    await ok(casework, case, "ombudsman/remedies", {"description": "Pay £300.", "due_on": "2026-08-03"})
    complied = await ok(casework, case, "ombudsman/remedies/2/complied", {"on": "2026-07-02", "evidence": "Payment ref 77."})
    remedies = complied["life"]["ombudsman"]["remedies"]
    assert [(r["status"], r["evidence"]) for r in remedies] == [("overdue", None), ("complied", "Payment ref 77.")]
    await monitor(casework)
    found = {(b["deadline"], b["item"], b["due_on"]) for b in await breaches(casework, case["reference"])}
    assert found == {("information_due_on", 1, "2026-07-01"), ("remedy_due_on", 1, "2026-07-01")}
    steps = [d["step"] for k, d in await staged(casework, case["reference"]) if k == "nwd.case.ombudsman_step.v1"]
    assert steps == ["enquiry_received", "information_requested", "information_requested", "information_sent",
                     "decided", "remedy_recommended", "remedy_recommended", "remedy_complied"]


# --- the person and equality data ---------------------------------------------------------------

async def test_the_persistent_flag_is_on_the_person_across_their_cases_with_a_review_on_the_monitor(casework):
    email = f"{new_reference().lower()}@example.org"
    first = await opened(casework, contact_of={"email": email})
    second = await opened(casework, contact_of={"email": email.upper()})
    body = {"flagged": True, "reason": "Daily calls after the final response.",
            "restrictions": ["one named contact", "written contact only"], "review_on": "2026-07-06"}
    assert (await act(casework, first, "unreasonably-persistent", body, who=HANDLER)).status_code == 403
    flagged = await ok(casework, first, "unreasonably-persistent", body, who=CUSTOMER_RELATIONS)
    assert flagged["unreasonably_persistent"] is True
    other = await view(casework, second["id"])
    assert other["unreasonably_persistent"] is True and other["life"]["persistent"] == {
        "flagged": True, "restrictions": ["one named contact", "written contact only"], "review_on": "2026-07-06",
        "on_person": True}
    assert (await act(casework, second, "unreasonably-persistent", body, who=CUSTOMER_RELATIONS)).status_code == 409
    casework.clock.on(date(2026, 7, 7), 12)
    try:
        await monitor(casework)
    finally:
        casework.clock.on(TODAY, 12)
    [breach] = await breaches(casework, first["reference"])
    assert (breach["deadline"], breach["due_on"]) == ("review_on", "2026-07-06")
    [event] = [d for k, d in await staged(casework, first["reference"]) if k == "nwd.case.persistent_flag_changed.v1"]
    assert event == {**event, "flagged": True, "review_on": "2026-07-06"} and "restrictions" not in event
    cleared = await ok(casework, second, "unreasonably-persistent", {"flagged": False, "reason": "Reviewed."},
                       who=CUSTOMER_RELATIONS)
    assert cleared["unreasonably_persistent"] is False


async def test_equality_data_is_kept_only_with_consent_and_only_the_age_group_is_published(casework):
    case = await opened(casework)
    refused = await act(casework, case, "equality", {"consent": False, "age_group": "75-84"}, method="put")
    assert refused.status_code == 422
    assert (await act(casework, case, "equality", {"consent": True, "age_group": "70-80"}, method="put")).status_code == 422
    kept = await ok(casework, case, "equality", {"consent": True, "age_group": "75-84", "ethnicity": "White British",
                                                 "disability": "yes"}, method="put")
    assert kept["life"]["equality"]["age_group"] == "75-84"
    [event] = [d for k, d in await staged(casework, case["reference"]) if k == "nwd.case.equality_recorded.v1"]
    assert event["age_group"] == "75-84" and "ethnicity" not in event and "disability" not in event


async def test_an_anonymous_contact_gets_no_letter(casework):
    case = await opened(casework, contact_of={"name": None})
    await ok(casework, case, "acknowledge")
    now = await view(casework, case["id"])
    assert now["life"]["anonymous"] is True and now["letters"] == []
    refused = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=COUNCIL)
    assert refused.status_code == 409 and "anonymous" in refused.json()["detail"]


# --- rules corrected -----------------------------------------------------------------------------

async def test_the_clock_of_a_referred_complaint_runs_from_the_proposals_day_and_the_target_from_receipt(casework):
    # Proposed to the council on Monday 29 June, accepted (owner_received_at) on Thursday 2 July.
    case = await opened(casework, received_on=TODAY, received_by_owner_on=date(2026, 6, 29))
    assert (case["received_on"], case["deadlines"]["acknowledge_by"]) == ("2026-06-29", "2026-07-02")
    acknowledged = await ok(casework, case, "acknowledge")
    # Twenty working days from receipt on 29 June, not from the acknowledgement on 2 July.
    assert acknowledged["deadlines"]["respond_by"] == "2026-07-27"


async def test_an_agreement_changing_only_the_contributors_updates_the_case(casework):
    case = await opened(casework, contributors=["uhsussex"])
    await deliver(casework, ownership_agreed(case["reference"], contributors=[], received_at=at(TODAY)))
    assert (await view(casework, case["id"]))["contributors"] == []
    [changed] = [d for k, d in await staged(casework, case["reference"]) if k == "nwd.case.contributors_changed.v1"]
    assert (changed["contributors"], changed["previous_contributors"]) == ([], ["uhsussex"])
