"""Referral agrees ownership from triage decisions, and partners answer proposals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.testing import group_of, publish, wait_for_record, wait_until_committed

from ..conftest import contact_received, key_of, new_reference, triage_completed


async def test_a_responsible_receiver_owns_the_contact_at_once(driver):
    received_at = datetime.now(UTC) - timedelta(hours=3)
    reference = await driver.contact(received_by="wsx-council", concerns=[{"organisation_id": "wsx-council"}],
                                     responsible=["wsx-council"], received_at=received_at)
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "wsx-council" and agreed["contributors"] == []
    # Its statutory clock started when it received the contact, not when ownership was recorded.
    assert datetime.fromisoformat(agreed["owner_received_at"]) == received_at
    assert await driver.types(reference) == ["nwd.ownership.agreed.v1"]


async def test_proposal_to_another_body_is_accepted_by_it(driver, referral):
    reference = await driver.contact(received_by="wsx-council", concerns=[{"service_type": "health"}],
                                     responsible=["uhsussex"])
    proposal = await driver.pending(reference, "uhsussex")
    assert proposal["from_organisation"] == "wsx-council" and proposal["purpose"] == "ownership"
    assert proposal["role"] == "lead" and proposal["due_at"] is not None
    # Until it accepts, the receiver is the interim owner: the contact never has no owner.
    interim = (await referral.get(f"/v1/ownership/{reference}", headers=key_of("wsx-council"))).json()
    assert interim["owner"] == "wsx-council" and interim["interim"] is True
    # The receiver sees what it sent; a stranger cannot see or answer it.
    sent = (await referral.get("/v1/referrals", params={"reference": reference}, headers=key_of("wsx-council"))).json()
    assert [r["id"] for r in sent["items"]] == [proposal["id"]]
    assert (await driver.answer(proposal, "accept", by="bh-council")).status_code == 404
    assert (await driver.answer(proposal, "accept", by="wsx-council")).status_code == 404
    assert (await referral.get(f"/v1/ownership/{reference}", headers=key_of("bh-council"))).status_code == 404

    accepted = await driver.answer(proposal, "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # A retried accept answers the same and causes nothing (the events below are all there are).
    again = await driver.answer(proposal, "accept")
    assert again.status_code == 200 and again.json() == accepted.json()
    events = await driver.events(reference)
    assert [kind for kind, _ in events] == [
        "nwd.referral.proposed.v1", "nwd.referral.accepted.v1", "nwd.ownership.agreed.v1"]
    agreed = events[-1][1]
    assert agreed["owner"] == "uhsussex" and agreed["received_by"] == "wsx-council"
    # It took the contact on when it accepted; but the complaint reached it, and its clock runs, from
    # the London day the referral was proposed to it (reg 13(3)), not from the acceptance.
    assert datetime.fromisoformat(agreed["owner_received_at"]) == datetime.fromisoformat(accepted.json()["answered_at"])
    assert agreed["received_by_owner_on"] == local_date(datetime.fromisoformat(proposal["created_at"])).isoformat()
    owned = (await referral.get(f"/v1/ownership/{reference}", headers=key_of("uhsussex"))).json()
    assert owned == {**owned, "owner": "uhsussex", "interim": False, "state": "agreed"}


async def test_a_decision_before_its_contact_waits_for_it(driver, broker):
    reference = new_reference()
    await publish(broker.bootstrap_servers,
                  triage_completed(reference, received_by="wsx-council", responsible=["uhsussex"]))
    contact = contact_received(reference, received_by="wsx-council", concerns=[{"service_type": "health"}],
                               consent=True)
    meta = await publish(broker.bootstrap_servers, contact)
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), meta[0])
    [proposed] = await driver.wait_for(reference, "nwd.referral.proposed.v1")
    # Acting once both are known gives the same proposal in either order, personal data included.
    assert proposed["to_organisation"] == "uhsussex" and proposed["personal"]["complainant"]["name"] == "Ann Example"


async def test_duplicate_triage_decision_agrees_ownership_once(driver, broker):
    reference = new_reference()
    decision = triage_completed(reference, received_by="wsx-council", responsible=["wsx-council"])
    await publish(broker.bootstrap_servers,
                  contact_received(reference, received_by="wsx-council", concerns=[{"organisation_id": "wsx-council"}]))
    # The same event twice, then the same decision re-sent under a new id.
    resent = decision.model_copy(update={"id": "another-id"})
    *_, last = await publish(broker.bootstrap_servers, decision, decision, resent)
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), last)
    agreed = await wait_for_record(broker.bootstrap_servers, "nwd.referrals", lambda r: r.key == reference.encode())
    assert dict(agreed.headers)["ce_type"] == b"nwd.ownership.agreed.v1"
    assert await driver.types(reference) == ["nwd.ownership.agreed.v1"]


async def test_duplicate_contact_is_stored_once_and_starts_nothing_twice(driver, broker):
    reference = new_reference()
    contact = contact_received(reference, received_by="wsx-council", concerns=[{"service_type": "health"}],
                               wants_advocacy=True)
    await publish(broker.bootstrap_servers,
                  triage_completed(reference, received_by="wsx-council", responsible=["uhsussex"]))
    *_, last = await publish(broker.bootstrap_servers, contact, contact, contact.model_copy(update={"id": "again"}))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), last)
    proposals = await driver.wait_for(reference, "nwd.referral.proposed.v1", count=2)
    assert sorted(p["purpose"] for p in proposals) == ["advocacy", "ownership"]
    assert await driver.types(reference) == ["nwd.referral.proposed.v1"] * 2


async def test_an_override_before_agreement_withdraws_the_proposal_and_asks_again(driver, broker, referral):
    reference = await driver.contact(received_by="wsx-council", concerns=[{"service_type": "health"}],
                                     responsible=["uhsussex"])
    first = await driver.pending(reference, "uhsussex")
    decision = triage_completed(reference, received_by="wsx-council", responsible=["sussex-icb"]).data
    override = ev.TriageOverridden(source="/nwd/triage", subject=reference, data=ev.TriageOverriddenData(
        **decision.model_dump(), previous_route="complaint", overridden_by="wsx-council", reason="commissioned care"))
    await publish(broker.bootstrap_servers, override, override)
    second = await driver.pending(reference, "sussex-icb")
    assert second["id"] != first["id"]
    assert (await driver.answer(first, "accept")).status_code == 409
    assert (await driver.answer(second, "accept")).status_code == 200
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "sussex-icb"


async def test_an_override_after_agreement_asks_the_new_body_while_the_owner_holds_it(driver, broker, referral):
    reference = await driver.contact(received_by="wsx-council", concerns=[{"organisation_id": "wsx-council"}],
                                     responsible=["wsx-council"])
    [first] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert first["owner"] == "wsx-council" and first["previous_owner"] is None
    decision = triage_completed(reference, received_by="wsx-council", responsible=["uhsussex"]).data
    override = ev.TriageOverridden(source="/nwd/triage", subject=reference, data=ev.TriageOverriddenData(
        **decision.model_dump(), previous_route="complaint", overridden_by="wsx-council",
        reason="the hospital's discharge team", previous_responsible_organisations=["wsx-council"]))
    # Re-sent under a new id: the trust is asked once.
    *_, last = await publish(broker.bootstrap_servers, override, override.model_copy(update={"id": "again"}))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), last)
    proposal = await driver.pending(reference, "uhsussex")
    assert (proposal["purpose"], proposal["role"], proposal["from_organisation"]) == ("ownership", "lead", "wsx-council")
    # Never without an owner: the council holds it, as interim owner, until the trust accepts.
    interim = (await referral.get(f"/v1/ownership/{reference}", headers=key_of("uhsussex"))).json()
    assert (interim["owner"], interim["interim"], interim["state"]) == ("wsx-council", True, "negotiating")

    accepted = await driver.answer(proposal, "accept")
    assert accepted.status_code == 200
    _, agreed = await driver.wait_for(reference, "nwd.ownership.agreed.v1", count=2)
    assert (agreed["owner"], agreed["previous_owner"], agreed["contributors"]) == ("uhsussex", "wsx-council", [])
    # The new owner took it on when it accepted; its clock runs from the day it was proposed to it.
    assert datetime.fromisoformat(agreed["owner_received_at"]) == datetime.fromisoformat(accepted.json()["answered_at"])
    assert agreed["received_by_owner_on"] == local_date(datetime.fromisoformat(proposal["created_at"])).isoformat()
    owned = (await referral.get(f"/v1/ownership/{reference}", headers=key_of("wsx-council"))).json()
    assert (owned["owner"], owned["interim"], owned["state"]) == ("uhsussex", False, "agreed")
    assert await driver.types(reference) == ["nwd.ownership.agreed.v1", "nwd.referral.proposed.v1",
                                             "nwd.referral.accepted.v1", "nwd.ownership.agreed.v1"]


async def test_answers_are_validated_as_problems(driver, referral):
    reference = await driver.contact(received_by="wsx-council", concerns=[{"service_type": "health"}],
                                     responsible=["uhsussex"])
    proposal = await driver.pending(reference, "uhsussex")
    invalid = await driver.answer(proposal, "decline", {"reason": ""})
    assert invalid.status_code == 422 and invalid.headers["content-type"] == "application/problem+json"
    unknown = await driver.answer(proposal, "decline", {"reason": "Not ours", "suggested_organisation_id": "nobody"})
    assert unknown.status_code == 422
    not_an_owner = await driver.answer(proposal, "decline", {"reason": "Not ours",
                                                             "suggested_organisation_id": "sussex-advocacy"})
    assert not_an_owner.status_code == 422
    assert (await referral.post("/v1/referrals/nope/accept", headers=key_of("uhsussex"))).status_code == 404
    assert (await referral.get("/v1/referrals", params={"status": "nonsense"},
                               headers=key_of("uhsussex"))).status_code == 422
    assert (await referral.get("/v1/referrals", headers={})).status_code == 401


async def test_a_retried_decline_answers_the_same_and_asks_nobody_twice(driver):
    reference = await driver.contact(received_by="wsx-council", concerns=[{"service_type": "health"}],
                                     responsible=["uhsussex"])
    proposal = await driver.pending(reference, "uhsussex")
    declined = await driver.answer(proposal, "decline", {"reason": "Not ours", "suggested_organisation_id": "sussex-icb"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    await driver.pending(reference, "sussex-icb")
    before = await driver.types(reference)
    again = await driver.answer(proposal, "decline", {"reason": "Not ours", "suggested_organisation_id": "sussex-icb"})
    assert again.status_code == 200 and again.json() == declined.json()
    assert await driver.types(reference) == before
    # A different answer to the same proposal is still refused.
    assert (await driver.answer(proposal, "accept")).status_code == 409
