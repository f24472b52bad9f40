"""The safeguarding hand-off in process: concerns opened from referrals, the council's answers over HTTP,
and the chasing job on a fake working-day clock. Real database, no broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import (
    DATABASES,
    NO_BROKER,
    FakeClock,
    bearer,
    contact_received,
    deliver,
    new_reference,
    service_client,
    staged,
)
from triage import chasing
from triage.config import Settings
from triage.main import create_app

COUNCIL, RECEIVER, STRANGER = (bearer(f"demo-{o}-key") for o in ("wsx-council", "uhsussex", "bh-council"))
FRIDAY = date(2026, 7, 3)
HANDOFF = ("nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.chased.v1", "nwd.safeguarding.escalated.v1",
           "nwd.safeguarding.outcome_recorded.v1")


@pytest.fixture(scope="module", params=DATABASES)
async def triage(request, tmp_path_factory):
    """Triage on a fake clock; the chasing job runs only when a test runs it (its interval is a day)."""
    async with service_client(create_app, Settings, request.param, NO_BROKER,
                              tmp_path_factory.mktemp("triage-handoff"), clock=FakeClock(datetime(2026, 7, 3, tzinfo=UTC)),
                              safeguarding_check_seconds=86400) as client:
        yield client


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ENGLAND).astimezone(UTC)


def referred(reference: str, *, when: datetime) -> ev.SafeguardingReferred:
    return ev.SafeguardingReferred(source="/nwd/triage", subject=reference, time=when, data=ev.SafeguardingReferredData(
        reference=reference, organisation_id="wsx-council", categories=["physical"], reasons=["test"],
        received_by="uhsussex", route="split"))


async def concern(triage, *, received: datetime) -> str:
    """A concern referred at `received`, before any decision is stored (the referral's time counts)."""
    reference = new_reference()
    triage.clock.now = received
    await deliver(triage, referred(reference, when=received))
    return reference


async def handoff_events(triage, reference: str) -> list[tuple[str, dict]]:
    return [(kind, data) for kind, data in await staged(triage, reference) if kind in HANDOFF]


async def chase(triage, now: datetime) -> None:
    triage.clock.now = now
    await run_job_once(chasing.periodic(triage.runtime.settings), triage.runtime)


async def test_a_referral_from_the_rules_opens_the_councils_concern_dated_from_the_contacts_receipt(triage):
    received = at(FRIDAY, 10, 30)
    triage.clock.now = at(FRIDAY, 11)
    contact = contact_received(received_by="uhsussex", received_at=received, safeguarding_concern=True,
                               concerns=[{"organisation_id": "uhsussex", "area": "west-sussex"}],
                               description="The night staff shout at her and there are bruises on her arm.")
    await deliver(triage, contact)
    [(_, referral)] = [(k, d) for k, d in await staged(triage, contact.subject) if k == "nwd.safeguarding.referred.v1"]
    assert referral["organisation_id"] == "wsx-council"
    await deliver(triage, ev.SafeguardingReferred(source="/nwd/triage", subject=contact.subject, time=at(FRIDAY, 11),
                                                  data=ev.SafeguardingReferredData(**referral)))

    response = await triage.get(f"/v1/safeguarding-concerns/{contact.subject}", headers=COUNCIL)
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["state"], view["organisation_id"], view["received_by"]) == ("referred", "wsx-council", "uhsussex")
    # Received on Friday at 10:30: due on Monday at 10:30, escalated on Tuesday at 10:30 (London).
    assert datetime.fromisoformat(view["acknowledge_by"]) == at(date(2026, 7, 6), 10, 30)
    assert datetime.fromisoformat(view["escalate_by"]) == at(date(2026, 7, 7), 10, 30)
    listed = (await triage.get("/v1/safeguarding-concerns", headers=COUNCIL, params={"state": "referred"})).json()
    assert contact.subject in [item["reference"] for item in listed["items"]]
    assert (await triage.get(f"/v1/safeguarding-concerns/{contact.subject}", headers=RECEIVER)).status_code == 200
    assert (await triage.get(f"/v1/safeguarding-concerns/{contact.subject}", headers=STRANGER)).status_code == 404
    assert (await triage.get(f"/v1/safeguarding-concerns/{contact.subject}")).status_code == 401
    stranger_list = (await triage.get("/v1/safeguarding-concerns", headers=STRANGER)).json()["items"]
    assert contact.subject not in [item["reference"] for item in stranger_list]


async def test_the_same_referral_twice_opens_one_concern(triage):
    reference = new_reference()
    first = referred(reference, when=at(FRIDAY, 9))
    await deliver(triage, first, first)
    await deliver(triage, first.model_copy(update={"id": "resent", "time": at(FRIDAY, 12)}))
    view = (await triage.get(f"/v1/safeguarding-concerns/{reference}", headers=COUNCIL)).json()
    assert datetime.fromisoformat(view["referred_at"]) == at(FRIDAY, 9)


async def test_only_the_council_acknowledges_and_only_once(triage):
    reference = await concern(triage, received=at(FRIDAY, 10))
    path = f"/v1/safeguarding-concerns/{reference}/acknowledge"
    assert (await triage.post(path, headers=STRANGER)).status_code == 404
    refused = await triage.post(path, headers=RECEIVER)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    triage.clock.now = at(FRIDAY, 14)
    acknowledged = await triage.post(path, headers=COUNCIL)
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["state"] == "acknowledged"
    assert datetime.fromisoformat(acknowledged.json()["acknowledged_at"]) == at(FRIDAY, 14)
    assert (await triage.post(path, headers=COUNCIL)).status_code == 409
    [(kind, data)] = await handoff_events(triage, reference)
    assert kind == "nwd.safeguarding.acknowledged.v1" and data["state"] == "acknowledged"


async def test_the_outcome_is_recorded_after_the_acknowledgement_and_concluding_twice_is_refused(triage):
    reference = await concern(triage, received=at(FRIDAY, 10))
    path = f"/v1/safeguarding-concerns/{reference}/outcome"
    early = await triage.post(path, headers=COUNCIL, json={"enquiry": "opened"})
    assert early.status_code == 409 and "acknowledge" in early.json()["detail"]
    assert (await triage.post(f"/v1/safeguarding-concerns/{reference}/acknowledge", headers=COUNCIL)).status_code == 200
    assert (await triage.post(path, headers=RECEIVER, json={"enquiry": "opened"})).status_code == 403
    assert (await triage.post(path, headers=COUNCIL, json={"enquiry": "maybe"})).status_code == 422
    assert (await triage.post(path, headers=COUNCIL,
                              json={"enquiry": "not_opened", "concluded_on": "2026-07-03"})).status_code == 422
    opened = await triage.post(path, headers=COUNCIL, json={"enquiry": "opened"})
    assert opened.status_code == 200 and opened.json()["state"] == "enquiry_opened"

    triage.clock.now = at(date(2026, 7, 20), 9)
    concluded = await triage.post(path, headers=COUNCIL, json={"enquiry": "opened", "concluded_on": "2026-07-17"})
    assert concluded.status_code == 200, concluded.text
    assert (concluded.json()["state"], concluded.json()["concluded_on"]) == ("concluded", "2026-07-17")
    again = await triage.post(path, headers=COUNCIL, json={"enquiry": "opened", "concluded_on": "2026-07-20"})
    assert again.status_code == 409

    outcomes = [data for kind, data in await handoff_events(triage, reference)
                if kind == "nwd.safeguarding.outcome_recorded.v1"]
    assert [(o["enquiry"], o["concluded_on"], o["ended"]) for o in outcomes] == [
        ("opened", None, False), ("opened", "2026-07-17", True)]


async def test_no_enquiry_ends_the_concern(triage):
    reference = await concern(triage, received=at(FRIDAY, 10))
    await triage.post(f"/v1/safeguarding-concerns/{reference}/acknowledge", headers=COUNCIL)
    answered = await triage.post(f"/v1/safeguarding-concerns/{reference}/outcome", headers=COUNCIL,
                                 json={"enquiry": "not_opened"})
    assert answered.status_code == 200 and answered.json()["state"] == "not_opened"
    [(_, outcome)] = [(k, d) for k, d in await handoff_events(triage, reference)
                      if k == "nwd.safeguarding.outcome_recorded.v1"]
    assert outcome["ended"] is True and outcome["concluded_on"] is None


async def test_an_unacknowledged_concern_is_chased_once_then_escalated_once_on_working_days(triage):
    late = await concern(triage, received=at(FRIDAY, 10, 30))
    answered = await concern(triage, received=at(FRIDAY, 10, 30))
    triage.clock.now = at(FRIDAY, 15)
    assert (await triage.post(f"/v1/safeguarding-concerns/{answered}/acknowledge", headers=COUNCIL)).status_code == 200

    await chase(triage, at(date(2026, 7, 4), 12))   # Saturday: not a working day, nothing is due
    await chase(triage, at(date(2026, 7, 6), 10, 29))  # Monday, a minute before it is due
    assert await handoff_events(triage, late) == []

    await chase(triage, at(date(2026, 7, 6), 10, 31))
    await chase(triage, at(date(2026, 7, 6), 16))  # a second run, or a second replica: no second chase
    assert [kind for kind, _ in await handoff_events(triage, late)] == ["nwd.safeguarding.chased.v1"]

    await chase(triage, at(date(2026, 7, 7), 10, 31))
    await chase(triage, at(date(2026, 7, 8), 10))
    events = await handoff_events(triage, late)
    assert [kind for kind, _ in events] == ["nwd.safeguarding.chased.v1", "nwd.safeguarding.escalated.v1"]
    escalated = events[1][1]
    assert escalated["organisation_id"] == "wsx-council" and escalated["received_by"] == "uhsussex"
    assert "uhsussex follows it up" in escalated["reason"]
    view = (await triage.get(f"/v1/safeguarding-concerns/{late}", headers=RECEIVER)).json()
    assert datetime.fromisoformat(view["chased_at"]) == at(date(2026, 7, 6), 10, 31)
    assert datetime.fromisoformat(view["escalated_at"]) == at(date(2026, 7, 7), 10, 31)
    # The acknowledged concern is never chased.
    assert [kind for kind, _ in await handoff_events(triage, answered)] == ["nwd.safeguarding.acknowledged.v1"]
    # A late acknowledgement still counts: the concern moves on.
    assert (await triage.post(f"/v1/safeguarding-concerns/{late}/acknowledge", headers=COUNCIL)).status_code == 200
