"""Intake keeps each contact's journey from every topic, once per event."""

from __future__ import annotations

from datetime import UTC, datetime

from nwd_shared import events as ev
from nwd_shared.testing import bearer, contact_payload, eventually, publish, wait_until_committed

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
    await wait_until_committed(broker.bootstrap_servers, "nwd-intake-journey", second)
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
