"""Referral's ownership rules in-process: contact and decision handed to its consumer, no broker."""

from __future__ import annotations

from nwd_shared.testing import (
    contact_received,
    deliver,
    in_process,
    staged,
    triage_completed,
)
from referral.config import Settings
from referral.main import create_app

referral = in_process(create_app, Settings, timeout_check_seconds=86400, webhook_poll_seconds=86400)


async def test_a_body_responsible_for_what_it_received_owns_it_at_once_and_once(referral):
    contact = contact_received(received_by="wsx-council", concerns=[{"organisation_id": "wsx-council"}])
    decision = triage_completed(contact.subject, received_by="wsx-council", responsible=["wsx-council"])
    await deliver(referral, contact, decision, decision)
    await deliver(referral, decision.model_copy(update={"id": "the-same-decision-resent"}))
    [(kind, agreed)] = await staged(referral, contact.subject)
    assert kind == "nwd.ownership.agreed.v1" and agreed["owner"] == "wsx-council"


async def test_a_contact_for_another_body_is_proposed_to_it(referral):
    contact = contact_received(received_by="wsx-council", concerns=[{"service_type": "health"}])
    await deliver(referral, contact,
                  triage_completed(contact.subject, received_by="wsx-council", responsible=["uhsussex"]))
    [(kind, proposed)] = await staged(referral, contact.subject)
    assert kind == "nwd.referral.proposed.v1" and proposed["to_organisation"] == "uhsussex"
