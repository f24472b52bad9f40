"""Triage's routing in-process: a contact handed to its consumer by `deliver`, no broker."""

from __future__ import annotations

from nwd_shared.testing import (
    contact_received,
    deliver,
    in_process,
    staged,
)
from triage.config import Settings
from triage.main import create_app

triage = in_process(create_app, Settings)


async def test_a_pals_contact_about_council_home_care_is_the_councils_and_decided_once(triage):
    contact = contact_received(
        received_by="uhsussex-pals", concerns=[{"service_type": "social_care", "area": "west-sussex"}],
        description="The council's home care agency keeps changing Dad's visit times without telling us.")
    await deliver(triage, contact, contact)
    [(kind, decision)] = await staged(triage, contact.subject)
    assert kind == "nwd.triage.completed.v1"
    assert decision["route"] == "complaint" and decision["responsible_organisations"] == ["wsx-council"]
