"""Triage decides once per contact and a person can override it with a reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from nwd_shared import events as ev
from nwd_shared.testing import bearer, eventually, group_of, publish, wait_until_committed
from triage.models import messaging

COUNCIL = bearer("demo-wsx-council-key")


def received(reference: str) -> ev.ContactReceived:
    return ev.ContactReceived(
        source="/nwd/intake", subject=reference, time=datetime.now(UTC),
        data=ev.ContactReceivedData(reference=reference, received_by="wsx-council",
                                    received_at=datetime.now(UTC), kind="complaint", channel="email",
                                    complainant={"name": "A"}, concerns=[{"organisation_id": "wsx-council"}],
                                    description="Missed visits"),
    )


async def outbox_types(triage, reference):
    async with triage.runtime.sessions() as session:
        return list((await session.execute(select(messaging.outbox.c.event_type).where(
            messaging.outbox.c.key == reference).order_by(messaging.outbox.c.id))).scalars())


async def test_duplicate_contact_received_is_triaged_once(triage, broker):
    reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
    event = received(reference)
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, group_of(triage), second)
    assert await outbox_types(triage, reference) == ["nwd.triage.completed.v1"]
    decision = (await triage.get(f"/v1/triage/{reference}", headers=COUNCIL)).json()
    assert decision["route"] == "complaint" and decision["reasons"]


async def test_override_changes_the_route_keeps_the_reasons_and_is_announced(triage, broker):
    reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
    await publish(broker.bootstrap_servers, received(reference))
    await eventually(lambda: _decided(triage, reference))
    bad = await triage.post(f"/v1/triage/{reference}/decision", json={"route": "nonsense", "reason": "x y z"},
                            headers=COUNCIL)
    assert bad.status_code == 422
    response = await triage.post(f"/v1/triage/{reference}/decision",
                                 json={"route": "feedback", "reason": "It is a comment, not a complaint"},
                                 headers=COUNCIL)
    assert response.status_code == 200
    body = response.json()
    assert body["route"] == "feedback" and body["overridden_by"] == "wsx-council"
    assert body["reasons"][-1] == "overridden by wsx-council: It is a comment, not a complaint"
    assert await outbox_types(triage, reference) == ["nwd.triage.completed.v1", "nwd.triage.overridden.v1"]
    stranger = await triage.get(f"/v1/triage/{reference}", headers=bearer("demo-bh-council-key"))
    assert stranger.status_code == 404


async def _decided(triage, reference) -> bool:
    return (await triage.get(f"/v1/triage/{reference}", headers=COUNCIL)).status_code == 200
