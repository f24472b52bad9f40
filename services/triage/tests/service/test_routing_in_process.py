"""Triage's routing in-process: a contact handed to its consumer by `deliver`, no broker."""

from __future__ import annotations

import pytest

from nwd_shared.testing import (
    DATABASES,
    NO_BROKER,
    contact_received,
    deliver,
    service_client,
    staged,
)
from triage.config import Settings
from triage.main import create_app


@pytest.fixture(scope="module", params=DATABASES)
async def triage(request, tmp_path_factory):
    async with service_client(create_app, Settings, request.param, NO_BROKER,
                              tmp_path_factory.mktemp("triage-in-process")) as client:
        yield client


async def test_a_pals_contact_about_council_home_care_is_the_councils_and_decided_once(triage):
    contact = contact_received(
        received_by="uhsussex-pals", concerns=[{"service_type": "social_care", "area": "west-sussex"}],
        description="The council's home care agency keeps changing Dad's visit times without telling us.")
    await deliver(triage, contact, contact)
    [(kind, decision)] = await staged(triage, contact.subject)
    assert kind == "nwd.triage.completed.v1"
    assert decision["route"] == "complaint" and decision["responsible_organisations"] == ["wsx-council"]
