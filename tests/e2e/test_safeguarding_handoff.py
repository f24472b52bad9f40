"""The safeguarding hand-off end to end: all five services as processes over the real broker, HTTP only.

The hospital receives two contacts about harm on its ward, in West Sussex, so the county council's
safeguarding team is asked. The first is a complaint entwined with the enquiry: the complaint waits
(suspended), the council acknowledges, opens an enquiry and concludes it, and the complaint resumes
with the paused working days on its deadlines. The second came in by letter days ago and is left
unacknowledged: past its due date the council is chased, and later it is escalated to the hospital.
Every step reaches the council's webhook. The stack has no clock to move, so the second contact is
dated back (intake accepts a past `received_at`): the acknowledgement counts from the contact's receipt.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
HOSPITAL, COUNCIL, STRANGER = bearer("demo-uhsussex-key"), bearer("demo-wsx-council-key"), bearer("demo-bh-council-key")
HANDOFF = ["nwd.safeguarding.referred.v1", "nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.chased.v1",
           "nwd.safeguarding.escalated.v1", "nwd.safeguarding.outcome_recorded.v1"]
# The safeguarding job checks every minute (NWD_SAFEGUARDING_CHECK_SECONDS): a chase may take that long.
JOB_WAIT = 120


class Webhooks:
    """The council's endpoint on 127.0.0.1: records the CloudEvents it is sent."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        received = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/safeguarding"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def types_for(self, reference: str) -> list[str]:
        return [e["type"] for e in self.events if e["subject"] == reference]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_a_concern_is_acknowledged_or_chased_and_its_conclusion_resumes_the_suspended_complaint(stack):
    webhooks = Webhooks()
    try:
        async with httpx.AsyncClient(timeout=15) as client:
            await _journey(client, stack, webhooks)
    finally:
        webhooks.close()


async def _journey(client: httpx.AsyncClient, stack, webhooks: Webhooks) -> None:
    subscribed = await client.post(f"{stack.url('referral')}/v1/subscriptions", headers=COUNCIL,
                                   json={"url": webhooks.url, "event_types": HANDOFF})
    assert subscribed.status_code == 201, subscribed.text

    async def post(**body) -> str:
        posted = await client.post(f"{stack.url('intake')}/v1/contacts", headers=HOSPITAL, json=contact_payload(
            concerns=[{"organisation_id": "uhsussex", "area": "west-sussex"}], safeguarding_concern=True, **body))
        assert posted.status_code == 202, posted.text
        return posted.json()["reference"]

    entwined = await post(description=(
        "I am complaining about my mother's care on the ward. The night staff shout at her and there are "
        "marks on her arm, and when I raised it nobody answered my calls or my letter."))
    # A letter that reached the hospital eight days ago, entered only now: its concern is already late.
    unanswered = await post(channel="letter", received_at=(datetime.now(UTC) - timedelta(days=8)).isoformat(),
                            description="The carer takes his bank card and it is never in his wallet after she has been.")

    async def concern(reference: str, key: dict = COUNCIL) -> dict | None:
        response = await client.get(f"{stack.url('triage')}/v1/safeguarding-concerns/{reference}", headers=key)
        return response.json() if response.status_code == 200 else None

    async def cases() -> list[dict]:
        return (await client.get(f"{stack.url('casework')}/v1/cases", params={"reference": entwined},
                                 headers=HOSPITAL)).json()["items"]

    # The complaint is entwined with the enquiry: the hospital confirms it waits (Appendix 2).
    [case] = await eventually(cases, timeout=60)
    if not case["suspended"]:
        overridden = await client.post(f"{stack.url('triage')}/v1/triage/{entwined}/decision", headers=HOSPITAL, json={
            "route": "suspended", "reason": "Interviewing the night staff now could compromise the enquiry"})
        assert overridden.status_code == 200, overridden.text

    async def suspended_case() -> dict | None:
        found = [c for c in await cases() if c["id"] == case["id"] and c["suspended"]]
        return found[0] if found else None

    suspended = await eventually(suspended_case, timeout=60)
    acknowledged_case = await client.post(f"{stack.url('casework')}/v1/cases/{case['id']}/acknowledge",
                                          headers=HOSPITAL, json={})
    assert acknowledged_case.status_code == 200, acknowledged_case.text
    deadlines_before = acknowledged_case.json()["deadlines"]

    # The council acknowledges the first concern; no one else may, and others cannot see it.
    first = await eventually(lambda: concern(entwined), timeout=60)
    assert (first["state"], first["organisation_id"], first["received_by"]) == ("referred", "wsx-council", "uhsussex")
    path = f"{stack.url('triage')}/v1/safeguarding-concerns/{entwined}"
    assert (await client.post(f"{path}/acknowledge", headers=HOSPITAL)).status_code == 403
    assert (await client.post(f"{path}/acknowledge", headers=STRANGER)).status_code == 404
    acknowledged = await client.post(f"{path}/acknowledge", headers=COUNCIL)
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["state"] == "acknowledged"
    listed = (await client.get(f"{stack.url('triage')}/v1/safeguarding-concerns", headers=COUNCIL)).json()["items"]
    assert {entwined, unanswered} <= {item["reference"] for item in listed}

    # The second, unacknowledged past its due date, is chased, then escalated: once each.
    async def chased_and_escalated() -> dict | None:
        view = await concern(unanswered, HOSPITAL)
        return view if view and view["chased_at"] and view["escalated_at"] else None

    late = await eventually(chased_and_escalated, timeout=JOB_WAIT, interval=1)
    assert late["state"] == "referred" and datetime.fromisoformat(late["acknowledge_by"]) <= datetime.now(UTC)
    first_now = await concern(entwined)
    assert first_now["chased_at"] is None and first_now["escalated_at"] is None

    # The enquiry opens, and later concludes: the complaint resumes.
    opened = await client.post(f"{path}/outcome", headers=COUNCIL, json={"enquiry": "opened"})
    assert opened.status_code == 200 and opened.json()["state"] == "enquiry_opened"
    await eventually(lambda: _has(webhooks, entwined, "nwd.safeguarding.outcome_recorded.v1"), timeout=30)
    assert (await suspended_case()) is not None  # an open enquiry: the complaint still waits
    today = local_date(datetime.now(UTC))
    concluded = await client.post(f"{path}/outcome", headers=COUNCIL,
                                  json={"enquiry": "opened", "concluded_on": today.isoformat()})
    assert concluded.status_code == 200, concluded.text
    assert (await client.post(f"{path}/outcome", headers=COUNCIL,
                              json={"enquiry": "opened", "concluded_on": today.isoformat()})).status_code == 409

    async def resumed() -> dict | None:
        found = [c for c in await cases() if c["id"] == case["id"] and not c["suspended"]]
        return found[0] if found else None

    after = await eventually(resumed, timeout=60)
    calendar = WorkingCalendar()
    # The clock lost the working days from when it started (the case's acknowledgement) to the resumption.
    started = max(date.fromisoformat(suspended["suspended_on"]),
                  date.fromisoformat(acknowledged_case.json()["acknowledged_on"]))
    paused = calendar.working_days_between(started, today) if today > started else 0
    assert after["paused_working_days"] == paused
    assert after["deadlines"]["respond_by"] == calendar.add_working_days(
        date.fromisoformat(deadlines_before["respond_by"]), paused).isoformat()

    # The council heard every step by webhook, the chase and the escalation once each.
    await eventually(lambda: _has(webhooks, unanswered, "nwd.safeguarding.escalated.v1"), timeout=30)
    await eventually(lambda: webhooks.types_for(entwined).count("nwd.safeguarding.outcome_recorded.v1") == 2,
                     timeout=30)
    assert sorted(webhooks.types_for(entwined)) == [
        "nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.outcome_recorded.v1",
        "nwd.safeguarding.outcome_recorded.v1", "nwd.safeguarding.referred.v1"]
    assert sorted(webhooks.types_for(unanswered)) == [
        "nwd.safeguarding.chased.v1", "nwd.safeguarding.escalated.v1", "nwd.safeguarding.referred.v1"]
    print(f"\nconcern {unanswered}: due {late['acknowledge_by']}, chased {late['chased_at']}, "
          f"escalated {late['escalated_at']}; complaint {entwined} resumed after {paused} working days paused")


def _has(webhooks: Webhooks, reference: str, event_type: str) -> bool:
    return event_type in webhooks.types_for(reference)
