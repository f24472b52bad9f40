"""Triage's safeguarding hand-off reaches the council and the receiver by webhook, once, and no one else."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from nwd_shared import events as ev
from nwd_shared.testing import bearer, deliver, in_process, new_reference, staged
from referral.config import Settings
from referral.main import create_app
from referral.models import WebhookDelivery, WebhookSubscription

referral = in_process(create_app, Settings, timeout_check_seconds=86400, webhook_poll_seconds=86400)
HANDOFF = ["nwd.safeguarding.referred.v1", "nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.chased.v1",
           "nwd.safeguarding.escalated.v1", "nwd.safeguarding.outcome_recorded.v1"]


def acknowledged(reference: str) -> ev.SafeguardingAcknowledged:
    now = datetime.now(UTC)
    return ev.SafeguardingAcknowledged(source="/nwd/triage", subject=reference, time=now, data=ev.SafeguardingConcernData(
        reference=reference, organisation_id="wsx-council", received_by="uhsussex", acknowledge_by=now,
        escalate_by=now, state="acknowledged"))


async def test_the_council_and_the_receiver_get_each_hand_off_event_once_and_others_none(referral):
    for organisation in ("wsx-council", "uhsussex", "bh-council"):
        response = await referral.post("/v1/subscriptions", headers=bearer(f"demo-{organisation}-key"),
                                       json={"url": f"https://{organisation}.example.org/hooks", "event_types": HANDOFF})
        assert response.status_code == 201, response.text
    reference = new_reference()
    event = acknowledged(reference)
    await deliver(referral, event, event)

    async with referral.runtime.sessions() as session:
        rows = (await session.execute(
            select(WebhookSubscription.organisation_id, WebhookDelivery.payload)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookDelivery.reference == reference))).all()
    assert sorted(organisation for organisation, _ in rows) == ["uhsussex", "wsx-council"]
    body = json.loads(rows[0][1])
    assert body["type"] == "nwd.safeguarding.acknowledged.v1" and body["data"]["state"] == "acknowledged"
    # Already on nwd.triage: referral forwards it to webhooks and does not publish it again.
    assert await staged(referral, reference) == []
