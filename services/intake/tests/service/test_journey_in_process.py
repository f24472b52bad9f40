"""Intake's journey rules in-process: events handed to its consumer by `deliver`, no broker."""

from __future__ import annotations

from intake.config import Settings
from intake.main import create_app
from nwd_shared.testing import (
    bearer,
    contact_payload,
    deliver,
    in_process,
    ownership_agreed,
    triage_completed,
)

COUNCIL = bearer("demo-wsx-council-key")


intake = in_process(create_app, Settings)


async def test_a_decision_delivered_twice_is_one_step_of_the_journey(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    decision = triage_completed(reference)
    await deliver(intake, decision, decision)
    await deliver(intake, decision)
    view = (await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
    assert [step["type"] for step in view["journey"]] == ["nwd.triage.completed.v1"]
    assert view["route"] == "complaint" and view["status"] == "triaged"


async def test_agreed_ownership_makes_the_contact_owned(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    await deliver(intake, triage_completed(reference), ownership_agreed(reference))
    view = (await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)).json()
    assert view["status"] == "owned"
