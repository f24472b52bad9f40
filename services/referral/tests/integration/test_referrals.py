"""Referral agrees ownership from triage decisions, and partners answer proposals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nwd_shared import events as ev
from nwd_shared.testing import (
    bearer,
    eventually,
    group_of,
    publish,
    wait_for_record,
    wait_until_committed,
)

TRUST = bearer("demo-uhsussex-key")
COUNCIL = bearer("demo-wsx-council-key")


def completed(reference: str, responsible: list[str]) -> ev.TriageCompleted:
    return ev.TriageCompleted(
        source="/nwd/triage", subject=reference, time=datetime.now(UTC),
        data=ev.TriageDecisionData(reference=reference, received_by="wsx-council",
                                   received_at=datetime.now(UTC), kind="complaint", route="complaint",
                                   responsible_organisations=responsible, reasons=["test"]),
    )


def new_reference() -> str:
    return f"NWD-{uuid.uuid4().hex[:8].upper()}"


async def test_duplicate_triage_decision_agrees_ownership_once(referral, broker):
    reference = new_reference()
    event = completed(reference, ["wsx-council"])
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, group_of(referral), second)
    agreed = await wait_for_record(broker.bootstrap_servers, "nwd.referrals",
                                   lambda r: r.key == reference.encode())
    assert dict(agreed.headers)["ce_type"] == b"nwd.ownership.agreed.v1"
    rows = await _outbox_types(referral, reference)
    assert rows == ["nwd.ownership.agreed.v1"]


async def test_proposal_to_another_body_is_accepted_by_it(referral, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, completed(reference, ["uhsussex"]))

    async def pending():
        items = (await referral.get("/v1/referrals", params={"status": "pending"}, headers=TRUST)).json()["items"]
        return [r for r in items if r["reference"] == reference]

    [proposal] = await eventually(pending)
    assert proposal["from_organisation"] == "wsx-council" and proposal["purpose"] == "ownership"
    # The receiver sees what it sent; a stranger cannot answer it.
    sent = (await referral.get("/v1/referrals", params={"reference": reference}, headers=COUNCIL)).json()
    assert [r["id"] for r in sent["items"]] == [proposal["id"]]
    stranger = await referral.post(f"/v1/referrals/{proposal['id']}/accept", headers=bearer("demo-bh-council-key"))
    assert stranger.status_code == 404

    accepted = await referral.post(f"/v1/referrals/{proposal['id']}/accept", headers=TRUST)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = await referral.post(f"/v1/referrals/{proposal['id']}/accept", headers=TRUST)
    assert again.status_code == 409
    assert await _outbox_types(referral, reference) == [
        "nwd.referral.proposed.v1", "nwd.referral.accepted.v1", "nwd.ownership.agreed.v1"]


async def test_declined_proposal_escalates_to_the_receiver(referral, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers, completed(reference, ["uhsussex"]))

    async def pending():
        items = (await referral.get("/v1/referrals", params={"reference": reference}, headers=TRUST)).json()["items"]
        return items

    [proposal] = await eventually(pending)
    invalid = await referral.post(f"/v1/referrals/{proposal['id']}/decline", json={"reason": ""}, headers=TRUST)
    assert invalid.status_code == 422
    declined = await referral.post(f"/v1/referrals/{proposal['id']}/decline",
                                   json={"reason": "Not our service", "suggested_organisation_id": "sussex-icb"},
                                   headers=TRUST)
    assert declined.json()["status"] == "declined"
    assert await _outbox_types(referral, reference) == [
        "nwd.referral.proposed.v1", "nwd.referral.declined.v1", "nwd.referral.escalated.v1"]


async def _outbox_types(referral, reference: str) -> list[str]:
    from sqlalchemy import select

    from referral.models import messaging

    async with referral.runtime.sessions() as session:
        rows = await session.execute(select(messaging.outbox.c.event_type)
                                     .where(messaging.outbox.c.key == reference)
                                     .order_by(messaging.outbox.c.id))
        return list(rows.scalars())
