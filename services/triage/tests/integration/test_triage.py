"""Triage decides once per contact, announces it, and a person can override it with a reason."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from nwd_shared import events as ev
from nwd_shared.testing import (
    bearer,
    eventually,
    publish,
    wait_for_record,
    wait_until_committed,
)
from triage.models import messaging

COUNCIL = bearer("demo-wsx-council-key")
PALS = bearer("demo-uhsussex-pals-key")
TRUST = bearer("demo-uhsussex-key")


def new_reference() -> str:
    return f"NWD-{uuid.uuid4().hex[:8].upper()}"


def received(reference: str, **data) -> ev.ContactReceived:
    body = dict(reference=reference, received_by="wsx-council", received_at=datetime.now(UTC), kind="complaint",
                channel="email", complainant={"name": "A"}, concerns=[{"organisation_id": "wsx-council"}],
                description="Missed visits")
    body.update(data)
    return ev.ContactReceived(source="/nwd/intake", subject=reference, time=datetime.now(UTC),
                              data=ev.ContactReceivedData(**body))


def contacts_group(triage) -> str:
    """The consumer group that decides received contacts (triage also hears its own referrals)."""
    [name] = [c.name for c in triage.runtime.consumers if c.name.endswith("nwd-triage")]
    return name


async def outbox(triage, reference) -> list[tuple[str, dict]]:
    """The events triage staged for a contact, in order, with their data."""
    async with triage.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.event_type, messaging.outbox.c.payload).where(
            messaging.outbox.c.key == reference).order_by(messaging.outbox.c.id))).all()
    return [(event_type, json.loads(payload)) for event_type, payload in rows]


async def decided(triage, reference, headers=COUNCIL) -> dict:
    async def ready():
        response = await triage.get(f"/v1/triage/{reference}", headers=headers)
        return response.json() if response.status_code == 200 else None
    return await eventually(ready)


async def test_duplicate_contact_received_is_triaged_once(triage, broker):
    reference = new_reference()
    event = received(reference)
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, contacts_group(triage), second)
    assert [t for t, _ in await outbox(triage, reference)] == ["nwd.triage.completed.v1"]
    decision = (await triage.get(f"/v1/triage/{reference}", headers=COUNCIL)).json()
    assert decision["route"] == "complaint" and decision["reasons"]


async def test_duplicate_safeguarding_contact_is_referred_once_before_the_decision(triage, broker):
    reference = new_reference()
    event = received(reference, concerns=[{"organisation_id": "downs-care"}],
                     description="A carer slapped my mother and the manager covered it up.")
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, contacts_group(triage), second)
    staged = await outbox(triage, reference)
    assert [t for t, _ in staged] == ["nwd.safeguarding.referred.v1", "nwd.triage.completed.v1"]
    referral, completed = staged[0][1], staged[1][1]
    assert referral["organisation_id"] == "wsx-council" and referral["categories"] == ["physical"]
    assert referral["route"] == "suspended"
    assert completed["route"] == "suspended" and completed["safeguarding_referred_to"] == "wsx-council"
    assert completed["responsible_organisations"] == ["downs-care"]
    # The decision event carries the decision, not the story.
    assert "slapped" not in json.dumps(completed) and "slapped" not in json.dumps(referral)
    view = await decided(triage, reference, headers=bearer("demo-downs-care-key"))
    assert {"category": "physical", "means": view["safeguarding_evidence"][0]["means"],
            "words": "slapped my mother", "status": "found"} in view["safeguarding_evidence"]


async def test_a_contact_received_by_a_hospital_pals_about_council_home_care_is_the_councils(triage, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, received(
        reference, received_by="uhsussex-pals", concerns=[{"service_type": "social_care", "area": "west-sussex"}],
        description="The council's home care agency keeps changing Dad's visit times without telling us."))
    decision = await decided(triage, reference, headers=PALS)
    assert decision["route"] == "complaint"
    assert decision["responsible_organisations"] == ["wsx-council"]
    assert (await triage.get(f"/v1/triage/{reference}", headers=COUNCIL)).status_code == 200
    assert (await triage.get(f"/v1/triage/{reference}", headers=TRUST)).status_code == 404
    [(_, completed)] = await outbox(triage, reference)
    assert completed["received_by"] == "uhsussex-pals" and completed["responsible_organisations"] == ["wsx-council"]


async def test_an_oral_complaint_put_right_at_once_is_day_to_day_and_a_compliment_is_feedback(triage, broker):
    oral, thanks = new_reference(), new_reference()
    await publish(broker.bootstrap_servers,
                  received(oral, channel="phone", resolved_at_first_contact=True,
                           description="Her bus pass renewal letter had not arrived; reissued on the call."),
                  received(thanks, kind="compliment", description="Thank you to the reablement team."))
    assert (await decided(triage, oral))["route"] == "day_to_day"
    assert (await decided(triage, thanks))["route"] == "feedback"


async def test_override_changes_the_route_keeps_the_reasons_and_is_announced(triage, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, received(reference))
    await decided(triage, reference)
    bad = await triage.post(f"/v1/triage/{reference}/decision", json={"route": "nonsense", "reason": "x y z"},
                            headers=COUNCIL)
    assert bad.status_code == 422
    response = await triage.post(f"/v1/triage/{reference}/decision",
                                 json={"route": "feedback", "reason": "It is a comment, not a complaint"},
                                 headers=COUNCIL)
    assert response.status_code == 200
    body = response.json()
    assert body["route"] == "feedback" and body["overridden_by"] == "wsx-council" and not body["needs_review"]
    assert body["reasons"][-1] == "overridden by wsx-council: It is a comment, not a complaint"
    assert [t for t, _ in await outbox(triage, reference)] == ["nwd.triage.completed.v1",
                                                                "nwd.triage.overridden.v1"]
    stranger = await triage.get(f"/v1/triage/{reference}", headers=bearer("demo-bh-council-key"))
    assert stranger.status_code == 404


async def test_overriding_the_responsible_organisation_re_routes_it_downstream(triage, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, received(reference))
    await decided(triage, reference)
    response = await triage.post(
        f"/v1/triage/{reference}/decision", headers=COUNCIL,
        json={"route": "complaint", "responsible_organisations": ["uhsussex"],
              "reason": "The missed visits were by the hospital's discharge team"})
    assert response.status_code == 200 and response.json()["responsible_organisations"] == ["uhsussex"]
    # The new owner sees it now; the referral service re-routes on the event the relay publishes.
    assert (await triage.get(f"/v1/triage/{reference}", headers=TRUST)).status_code == 200
    record = await wait_for_record(broker.bootstrap_servers, ev.TRIAGE, lambda r: r.key == reference.encode()
                                   and dict(r.headers).get("ce_type") == b"nwd.triage.overridden.v1")
    data = json.loads(record.value)
    assert data["responsible_organisations"] == ["uhsussex"]
    assert data["previous_responsible_organisations"] == ["wsx-council"]
    assert data["received_by"] == "wsx-council" and data["previous_route"] == "complaint"


async def test_only_responsible_bodies_may_be_made_responsible_and_only_by_those_involved(triage, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, received(reference))
    await decided(triage, reference)
    url = f"/v1/triage/{reference}/decision"
    pals = await triage.post(url, headers=COUNCIL, json={"route": "complaint", "reason": "PALS owns it",
                                                         "responsible_organisations": ["uhsussex-pals"]})
    unknown = await triage.post(url, headers=COUNCIL, json={"route": "complaint", "reason": "typo",
                                                            "responsible_organisations": ["nobody"]})
    no_pals = await triage.post(url, headers=COUNCIL, json={"route": "pals", "reason": "quick fix"})
    stranger = await triage.post(url, headers=TRUST, json={"route": "feedback", "reason": "not ours"})
    assert [r.status_code for r in (pals, unknown, no_pals, stranger)] == [422, 422, 422, 404]
    assert pals.json()["errors"][0]["field"] == "body.responsible_organisations.0"


async def test_overriding_into_safeguarding_refers_it_to_the_council(triage, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, received(reference, received_by="uhsussex-pals",
                                                     concerns=[{"organisation_id": "uhsussex"}],
                                                     description="Mum is frightened of the night nurse."))
    first = await decided(triage, reference, headers=PALS)
    assert first["route"] == "complaint" and first["needs_review"]  # fear alone is only possible
    response = await triage.post(f"/v1/triage/{reference}/decision", headers=PALS, json={
        "route": "suspended", "safeguarding_categories": ["psychological"],
        "reason": "Spoke to her: the nurse threatens her at night"})
    assert response.status_code == 200
    body = response.json()
    assert body["safeguarding_referred_to"] == "wsx-council" and body["needs_review"]  # area uncertain
    types = [t for t, _ in await outbox(triage, reference)]
    assert types == ["nwd.triage.completed.v1", "nwd.safeguarding.referred.v1", "nwd.triage.overridden.v1"]
    council = await triage.get(f"/v1/triage/{reference}", headers=COUNCIL)
    assert council.status_code == 200
    denied = await triage.post(f"/v1/triage/{reference}/decision", headers=COUNCIL,
                               json={"route": "complaint", "reason": "not safeguarding"})
    assert denied.status_code == 403


async def test_the_review_queue_lists_an_organisations_decisions_that_need_review(triage, broker):
    doubtful, clear, elsewhere = new_reference(), new_reference(), new_reference()
    await publish(broker.bootstrap_servers,
                  received(doubtful, description="Home care visits for my mother were missed for a week."),
                  received(clear, description="The social worker has not returned my calls."),
                  received(elsewhere, received_by="bh-council", concerns=[{"organisation_id": "bh-council"}],
                           description="Her calls were missed again this week."))
    for reference in (doubtful, clear):
        await decided(triage, reference)
    await decided(triage, elsewhere, headers=bearer("demo-bh-council-key"))
    queue = (await triage.get("/v1/triage", params={"needs_review": "true", "limit": 200},
                              headers=COUNCIL)).json()
    listed = {item["reference"] for item in queue["items"]}
    assert doubtful in listed and clear not in listed and elsewhere not in listed
    assert all(item["needs_review"] for item in queue["items"])
    first = (await triage.get("/v1/triage", params={"limit": 1}, headers=COUNCIL)).json()
    second = (await triage.get("/v1/triage", params={"limit": 1, "after": first["next"]}, headers=COUNCIL)).json()
    assert len(first["items"]) == 1 and first["next"] and second["items"][0]["reference"] != first["next"]
    assert (await triage.get("/v1/triage", params={"limit": 0}, headers=COUNCIL)).status_code == 422
    assert (await triage.get("/v1/triage")).status_code == 401

