"""Intake keeps each contact's journey from every topic, once per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nwd_shared import events as ev
from nwd_shared.testing import (
    bearer,
    contact_payload,
    eventually,
    group_of,
    publish,
    wait_until_committed,
)

COUNCIL = bearer("demo-wsx-council-key")


def triage_completed(reference: str) -> ev.TriageCompleted:
    return ev.TriageCompleted(
        source="/nwd/triage", subject=reference, time=datetime.now(UTC),
        data=ev.TriageDecisionData(reference=reference, received_by="wsx-council",
                                   received_at=datetime.now(UTC), kind="complaint", route="complaint",
                                   responsible_organisations=["wsx-council"], reasons=["test"]),
    )


async def test_duplicate_event_changes_the_journey_once(intake, broker):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    event = triage_completed(reference)
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, group_of(intake), second)
    view = (await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
    assert [step["type"] for step in view["journey"]].count("nwd.triage.completed.v1") == 1
    assert view["route"] == "complaint" and view["status"] in {"triaged", "owned"}


async def test_journey_shows_the_contact_received_from_intakes_own_event(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]

    async def received_step():
        view = (await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
        return [s for s in view["journey"] if s["type"] == "nwd.contact.received.v1"]

    [step] = await eventually(received_step)
    assert step["organisation"] == "wsx-council"
    assert step["summary"] == "Complaint received by wsx-council (email)"


async def test_a_late_event_from_another_topic_does_not_move_the_status_back(intake, broker):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    now = datetime.now(UTC)
    agreed = ev.OwnershipAgreed(
        source="/nwd/referral", subject=reference, time=now + timedelta(seconds=2),
        data=ev.OwnershipAgreedData(reference=reference, owner="wsx-council", received_by="wsx-council",
                                    owner_received_at=now, kind="complaint", route="complaint"))
    triaged_earlier = triage_completed(reference).model_copy(update={"time": now + timedelta(seconds=1)})
    _, last = await publish(broker.bootstrap_servers, agreed, triaged_earlier)
    await wait_until_committed(broker.bootstrap_servers, group_of(intake), last)
    view = (await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
    assert view["status"] == "owned"
    assert [s["type"] for s in view["journey"]][-2:] == [  # the journey is in the order things happened
        "nwd.triage.completed.v1", "nwd.ownership.agreed.v1"]
