"""Unanswered proposals: a reminder, then escalation after the time-out, in working days (injected clock)."""

from __future__ import annotations

from datetime import date, datetime

from nwd_shared.testing import eventually, publish

from ..conftest import BROKER_WAIT, contact_received, key_of, new_reference, triage_completed


async def test_an_unanswered_proposal_is_reminded_then_escalated_in_working_days(clocked_driver):
    driver, clock = clocked_driver, clocked_driver.client.clock
    clock.on(date(2026, 12, 11))  # a Friday
    reference = await driver.contact(received_by="uhsussex", responsible=["wsx-council"],
                                     concerns=[{"organisation_id": "wsx-council"}])
    proposal = await driver.pending(reference, "wsx-council")
    # Two working days on, at the same time: the weekend does not count.
    assert datetime.fromisoformat(proposal["due_at"]) == datetime.fromisoformat("2026-12-15T10:00:00+00:00")

    clock.on(date(2026, 12, 14), 9, 59)
    await driver.chase()
    assert await driver.types(reference) == ["nwd.referral.proposed.v1"]
    clock.on(date(2026, 12, 14), 10)
    await driver.chase()
    await driver.chase()
    events = await driver.events(reference)
    assert [(kind, data["reminder"]) for kind, data in events] == [
        ("nwd.referral.proposed.v1", False), ("nwd.referral.proposed.v1", True)]
    assert events[1][1]["referral_id"] == proposal["id"]

    clock.on(date(2026, 12, 15), 10)
    await driver.chase()
    await driver.chase()
    [escalated] = await driver.wait_for(reference, "nwd.referral.escalated.v1")
    assert escalated["from_organisation"] == "uhsussex" and "no answer from wsx-council" in escalated["reason"]
    assert len(await driver.events(reference)) == 3
    interim = (await driver.client.get(f"/v1/ownership/{reference}", headers=key_of("uhsussex"))).json()
    assert interim["owner"] == "uhsussex" and interim["interim"] is True

    # Escalation tells customer relations; a late answer still counts.
    clock.on(date(2026, 12, 16), 11)
    accepted = await driver.answer(proposal, "accept")
    assert accepted.status_code == 200
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "wsx-council" and agreed["owner_received_at"].startswith("2026-12-16T11:00")


async def test_bank_holidays_do_not_count_towards_the_time_out(clocked_driver):
    driver, clock = clocked_driver, clocked_driver.client.clock
    clock.on(date(2026, 12, 24))  # then Christmas Day, a weekend and the Boxing Day substitute holiday
    reference = await driver.contact(received_by="uhsussex", responsible=["wsx-council"],
                                     concerns=[{"organisation_id": "wsx-council"}])
    proposal = await driver.pending(reference, "wsx-council")
    assert proposal["due_at"].startswith("2026-12-30T10:00")
    clock.on(date(2026, 12, 29), 23)
    await driver.chase()
    assert "nwd.referral.escalated.v1" not in await driver.types(reference)


async def test_a_decision_whose_contact_never_comes_goes_ahead_after_the_wait(clocked_driver, broker):
    driver, clock = clocked_driver, clocked_driver.client.clock
    clock.on(date(2027, 1, 5))
    reference = new_reference()
    await publish(broker.bootstrap_servers,
                  triage_completed(reference, received_by="uhsussex", responsible=["wsx-council"]))
    interim = await _ownership_when_known(driver, reference)
    assert interim["state"] == "awaiting_contact" and interim["owner"] == "uhsussex"
    await driver.chase()
    assert await driver.types(reference) == []
    clock.on(date(2027, 1, 5), 10, 6)
    await driver.chase()
    [proposed] = await driver.wait_for(reference, "nwd.referral.proposed.v1")
    assert proposed["to_organisation"] == "wsx-council" and proposed["personal"] is None
    # The contact arriving late still adds what only it knows: here, that advocacy is wanted.
    await publish(broker.bootstrap_servers, contact_received(
        reference, received_by="uhsussex", concerns=[{"organisation_id": "wsx-council"}], wants_advocacy=True))
    proposals = await driver.wait_for(reference, "nwd.referral.proposed.v1", count=2)
    assert proposals[1]["purpose"] == "advocacy"


async def _ownership_when_known(driver, reference: str) -> dict:
    async def known():
        response = await driver.client.get(f"/v1/ownership/{reference}", headers=key_of("uhsussex"))
        return response.json() if response.status_code == 200 else None

    return await eventually(known, timeout=BROKER_WAIT)
