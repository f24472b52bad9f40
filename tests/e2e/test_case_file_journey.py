"""The case file, end to end (issue 15): a complaint a PALS received about council home care, from the
referral to the council's handler, through the response, the senior review and the ombudsman's remedies,
to learning's figures. All five services as processes over the real broker, through HTTP only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import httpx
import pytest

from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
PALS = bearer("demo-uhsussex-pals-key")
CARA = bearer("demo-wsx-cara-key")  # customer relations
ANA = bearer("demo-wsx-ana-key")  # handler, team adults
DEV = bearer("demo-wsx-dev-key")  # senior manager
LGSCO = bearer("demo-lgsco-key")
# A small but real PDF: casework decides the type from the content (`%PDF-`), not the name.
CARE_PLAN = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
             b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
# What learning's summary should gain from this one case (and its contact), each exactly once.
FIGURES_OF_ONE_CASE = {
    "ownership.agreed": 1, "cases.opened": 1, "cases.acknowledged": 1, "cases.acknowledged_on_time": 1,
    "cases.action_plans": 1, "cases.action_plans_on_time": 1, "cases.responded": 1, "cases.responded_on_time": 1,
    "cases.outcome.partly_upheld": 1, "cases.escalated": 1, "cases.open_at_end": 1, "cases.closed": 0,
    "learning_actions.raised": 1,
}


def _ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, f"{answer.request.method} {answer.request.url}: {answer.text}"
    return answer.json()


def _gained(before: dict, after: dict) -> dict[str, int]:
    """Each count's change between two summaries (a count of 0 is left out of a summary)."""
    return {name: after["counts"].get(name, 0) - before["counts"].get(name, 0) for name in FIGURES_OF_ONE_CASE}


async def test_a_complaint_the_council_takes_on_from_a_pals_is_worked_to_the_ombudsmans_remedies(stack):
    intake, referral, cases, learning = (stack.url(s) for s in ("intake", "referral", "casework", "learning"))
    calendar = WorkingCalendar()
    async with httpx.AsyncClient(timeout=15) as client:
        today = local_date(datetime.now().astimezone())
        period = {"organisation": "wsx-council", "from": (today - timedelta(days=7)).isoformat(),
                  "to": (today + timedelta(days=7)).isoformat()}

        async def council_summary() -> dict:
            return _ok(await client.get(f"{learning}/v1/reports/summary", params=period,
                                        headers=bearer("demo-wsx-rob-key")))

        # Other tests of this package may have counted council cases already: this case is the difference.
        before = await council_summary()

        # 1. The hospital's PALS receives a complaint about the council's home care.
        posted = _ok(await client.post(f"{intake}/v1/contacts", headers=PALS, json=contact_payload(
            concerns=[{"organisation_id": "wsx-council"}],
            complainant={"name": "Grace Holloway", "email": "grace.holloway@example.org", "phone": "01903 123456",
                         "relationship": "representative"},
            person_affected={"name": "Edith Holloway"},
            description="The council's carers missed my mother's morning visits for a week in October; "
                        "she went without her medication and breakfast.",
            desired_outcome="Visits on time, and an explanation of what went wrong.")), 202)
        reference = posted["reference"]

        # 2. It is proposed to the council, which accepts it (its customer relations, a named person).
        async def proposal():
            items = _ok(await client.get(f"{referral}/v1/referrals", params={"status": "pending"},
                                         headers=CARA))["items"]
            return next((r for r in items if r["reference"] == reference), None)

        proposed = await eventually(proposal, timeout=45)
        assert (proposed["from_organisation"], proposed["to_organisation"], proposed["purpose"]) == (
            "uhsussex-pals", "wsx-council", "ownership")
        proposed_on = local_date(datetime.fromisoformat(proposed["created_at"]))
        accepted = _ok(await client.post(f"{referral}/v1/referrals/{proposed['id']}/accept", headers=CARA))
        assert accepted["status"] == "accepted" and accepted["answered_at"] is not None

        async def opened():
            items = _ok(await client.get(f"{cases}/v1/cases", params={"reference": reference}, headers=CARA))["items"]
            return items[0] if items else None

        case = await eventually(opened, timeout=45)
        case_id = case["id"]
        assert (case["owner"], case["status"], case["contributors"]) == ("wsx-council", "open", [])
        # The clock runs from the day the complaint reached the council: the proposal, not the acceptance.
        assert case["received_on"] == proposed_on.isoformat()
        assert case["deadlines"]["acknowledge_by"] == calendar.add_working_days(proposed_on, 3).isoformat()

        # 3. Customer relations assigns it to a handler; it is in her queue and no longer unassigned.
        assigned = _ok(await client.put(f"{cases}/v1/cases/{case_id}/assignment", headers=CARA,
                                        json={"handler": "ana.patel", "reason": "adult social care"}))
        assert (assigned["handler"], assigned["handler_name"], assigned["team"], assigned["assigned_by"]) == (
            "ana.patel", "Ana Patel", "adults", "cara.jones")
        mine = _ok(await client.get(f"{cases}/v1/cases", params={"handler": "me"}, headers=ANA))["items"]
        listed = next(item for item in mine if item["id"] == case_id)
        assert (listed["reference"], listed["handler"], listed["team"], listed["relation"], listed["stage"]) == (
            reference, "ana.patel", "adults", "owner", "acknowledgement")
        unassigned = _ok(await client.get(f"{cases}/v1/cases", params={"handler": "unassigned"}, headers=CARA))
        assert case_id not in [item["id"] for item in unassigned["items"]]
        history = _ok(await client.get(f"{cases}/v1/cases/{case_id}/assignment/history", headers=CARA))["items"]
        assert [(h["handler"], h["previous_handler"], h["assigned_by"]) for h in history] == [
            ("ana.patel", None, "cara.jones")]

        # 4. The handler reads the complaint at intake, now that intake knows the council owns it.
        async def complaint():
            answer = await client.get(f"{intake}/v1/contacts/{reference}/complaint", headers=ANA)
            return answer.json() if answer.status_code == 200 else None

        whole = await eventually(complaint, timeout=45)
        assert (whole["owner"], whole["received_by"], whole["anonymous"]) == ("wsx-council", "uhsussex-pals", False)
        assert whole["description"].startswith("The council's carers missed my mother's morning visits")
        assert whole["desired_outcome"] == "Visits on time, and an explanation of what went wrong."
        assert whole["complainant"]["email"] == "grace.holloway@example.org"
        assert whole["person_affected"] == {"name": "Edith Holloway"}
        trail = _ok(await client.get(f"{intake}/v1/contacts/{reference}/audit", headers=CARA))
        reads = [e for e in trail if e["resource"] == "contact.complaint" and e["action"] == "read"]
        assert [(e["organisation_id"], e["person"]) for e in reads] == [
            ("wsx-council", {"id": "ana.patel", "name": "Ana Patel"})]

        # 5. The case file: a note, the care plan the complainant sent, and a phone call.
        note = _ok(await client.post(f"{cases}/v1/cases/{case_id}/notes", headers=ANA,
                                     json={"text": "Spoke to the home care provider: rota gap in week 42."}), 201)
        assert (note["author"]["person_id"], note["author"]["name"], note["corrects"]) == (
            "ana.patel", "Ana Patel", None)
        uploaded = _ok(await client.post(
            f"{cases}/v1/cases/{case_id}/documents", headers=ANA, data={"description": "Care plan, sent by Grace"},
            files={"file": ("care plan.pdf", CARE_PLAN, "application/octet-stream")}), 201)
        assert (uploaded["content_type"], uploaded["size"], uploaded["sha256"], uploaded["scan"]) == (
            "application/pdf", len(CARE_PLAN), hashlib.sha256(CARE_PLAN).hexdigest(), "not_scanned")
        assert uploaded["uploaded_by"]["person_id"] == "ana.patel"
        download = await client.get(f"{cases}/v1/cases/{case_id}/documents/{uploaded['id']}", headers=ANA)
        assert download.status_code == 200 and download.content == CARE_PLAN
        assert download.headers["content-type"].startswith("application/pdf")
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["x-content-type-options"] == "nosniff"
        call = _ok(await client.post(f"{cases}/v1/cases/{case_id}/correspondence", headers=ANA, json={
            "occurred_on": today.isoformat(), "channel": "phone", "direction": "out", "correspondent": "Grace Holloway",
            "summary": "Called Grace to introduce myself and agree how we will look into it.",
            "document_id": uploaded["id"]}), 201)
        assert call["recorded_by"]["person_id"] == "ana.patel"
        log = _ok(await client.get(f"{cases}/v1/cases/{case_id}/correspondence", headers=CARA))["items"]
        assert [(c["id"], c["channel"], c["direction"], c["document_id"]) for c in log] == [
            (call["id"], "phone", "out", uploaded["id"])]
        notes = _ok(await client.get(f"{cases}/v1/cases/{case_id}/notes", headers=CARA))["items"]
        assert [n["id"] for n in notes] == [note["id"]]

        # 6. Acknowledged, the action plan issued, the response sent.
        acknowledged = _ok(await client.post(f"{cases}/v1/cases/{case_id}/acknowledge", headers=ANA,
                                             json={"subject": "Missed home care visits"}))
        assert (acknowledged["status"], acknowledged["acknowledged_on"]) == ("acknowledged", today.isoformat())
        assert acknowledged["deadlines"]["acknowledge_by"] == calendar.add_working_days(proposed_on, 3).isoformat()
        planned = _ok(await client.post(f"{cases}/v1/cases/{case_id}/action-plan", headers=ANA, json={
            "subject": "Missed home care visits",
            "understanding": "Morning visits were missed for a week; medication and breakfast were missed.",
            "desired_outcome": "Visits on time, and an explanation.",
            "steps": ["Review the provider's rota for October", "Interview the care coordinator"]}))
        assert (planned["status"], planned["action_plan_issued_on"]) == ("action_plan_issued", today.isoformat())
        responded = _ok(await client.post(f"{cases}/v1/cases/{case_id}/response", headers=ANA, json={
            "outcome": "partly_upheld", "desired_outcome_met": True,
            "issues": "Missed morning visits; Grace wants them on time and an explanation.",
            "investigation": "Rota records and the coordinator's account.",
            "evidence": "The provider's rota and visit logs for October.",
            "findings": "Four visits were missed when a carer left and was not replaced.",
            "went_wrong": True, "impact": "Edith missed her medication on four mornings.",
            "apology": "We are sorry for the distress this caused.",
            "actions": ["Cover for absent carers is now booked a week ahead"],
            "learning": ["Rota gaps are escalated to the council on the day"],
            "signed_by": "Ana Patel"}))
        assert (responded["status"], responded["outcome"], responded["responded_on"], responded["on_time"]) == (
            "responded", "partly_upheld", today.isoformat(), True)

        # 7. The complainant is not satisfied: a senior manager reviews it and sends the final response.
        replied = _ok(await client.post(f"{cases}/v1/cases/{case_id}/reply", headers=ANA,
                                        json={"satisfied": False, "notes": "Grace wants to know why nobody called."}))
        final_due = calendar.add_working_days(today, 20)
        assert (replied["status"], replied["final_response_by"]) == ("under_review", final_due.isoformat())
        assert replied["life"]["reply"]["satisfied"] is False
        refused = await client.post(f"{cases}/v1/cases/{case_id}/review", headers=ANA, json={"findings": "…"})
        assert refused.status_code == 403, refused.text  # the review is a senior manager's
        reviewed = _ok(await client.post(f"{cases}/v1/cases/{case_id}/review", headers=DEV, json={
            "findings": "The response was right; nobody told the family when visits were missed."}))
        assert (reviewed["status"], reviewed["life"]["review"]["by"]) == ("under_review", "dev.singh")
        final = _ok(await client.post(f"{cases}/v1/cases/{case_id}/final-response", headers=DEV, json={
            "letter": "Having reviewed your complaint, we will also phone families when a visit is missed.",
            "signed_by": "Dev Singh, Director of Adult Services"}))
        assert (final["status"], final["life"]["final_responded_on"]) == ("final_response_sent", today.isoformat())
        assert final["life"]["final_response"]["on_time"] is True

        # 8. Still dissatisfied, Grace goes to the ombudsman; the council names the LGSCO.
        escalated = _ok(await client.post(f"{cases}/v1/cases/{case_id}/escalate", headers=ANA, json={
            "reason": "The complainant remains dissatisfied after the final response."}))
        assert (escalated["status"], escalated["escalated_on"]) == ("escalated", today.isoformat())

        async def referred_to_ombudsman():
            items = _ok(await client.get(f"{referral}/v1/referrals", params={"status": "pending"},
                                         headers=LGSCO))["items"]
            return next((r for r in items if r["reference"] == reference), None)

        to_lgsco = await eventually(referred_to_ombudsman, timeout=45)
        assert (to_lgsco["from_organisation"], to_lgsco["purpose"]) == ("wsx-council", "ombudsman")

        async def ombudsman_reads_the_complaint():
            answer = await client.get(f"{intake}/v1/contacts/{reference}/complaint", headers=LGSCO)
            return answer.json() if answer.status_code == 200 else None

        assert (await eventually(ombudsman_reads_the_complaint, timeout=45))["reference"] == reference

        # 9. The ombudsman's enquiry, its decision with two remedies, and the council's compliance with both.
        enquiry = _ok(await client.post(f"{cases}/v1/cases/{case_id}/ombudsman/enquiry", headers=ANA, json={
            "their_reference": "LGSCO-26-001234", "received_on": today.isoformat()}))
        assert enquiry["life"]["ombudsman"]["enquiry"]["their_reference"] == "LGSCO-26-001234"
        decided = _ok(await client.post(f"{cases}/v1/cases/{case_id}/ombudsman/decision", headers=ANA, json={
            "decided_on": today.isoformat(), "upheld": True,
            "findings": "Fault in the council's oversight of its provider caused injustice."}))
        assert decided["life"]["ombudsman"]["decision"]["upheld"] is True
        remedies = [("Apologise to Edith and Grace in writing", calendar.add_working_days(today, 20)),
                    ("Pay Edith £300 for the distress caused", calendar.add_working_days(today, 60))]
        for description, due_on in remedies:
            recommended = _ok(await client.post(f"{cases}/v1/cases/{case_id}/ombudsman/remedies", headers=ANA,
                                                json={"description": description, "due_on": due_on.isoformat()}))
        assert [(r["number"], r["description"], r["due_on"], r["status"])
                for r in recommended["life"]["ombudsman"]["remedies"]] == [
            (1, remedies[0][0], remedies[0][1].isoformat(), "outstanding"),
            (2, remedies[1][0], remedies[1][1].isoformat(), "outstanding")]
        for number, evidence in ((1, "Letter of apology sent, copy on file"), (2, "Payment made by BACS")):
            complied = _ok(await client.post(f"{cases}/v1/cases/{case_id}/ombudsman/remedies/{number}/complied",
                                             headers=ANA, json={"on": today.isoformat(), "evidence": evidence}))
        assert [(r["number"], r["status"], r["complied_on"], r["evidence"])
                for r in complied["life"]["ombudsman"]["remedies"]] == [
            (1, "complied", today.isoformat(), "Letter of apology sent, copy on file"),
            (2, "complied", today.isoformat(), "Payment made by BACS")]
        assert (complied["status"], complied["outcome"]) == ("escalated", "partly_upheld")

        # 10. Learning counts the case once: opened, acknowledged, planned, responded (partly upheld) and
        # escalated; the final response is not a second response, and the case is not closed.
        async def escalation_counted():
            after = await council_summary()
            return after if _gained(before, after)["cases.escalated"] >= 1 else None

        after = await eventually(escalation_counted, timeout=45)
        assert _gained(before, after) == FIGURES_OF_ONE_CASE
