"""Joint complaints, declines and the next candidate, PALS, advocacy, ombudsman and referrals by hand."""

from __future__ import annotations

import uuid
from datetime import datetime

from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.testing import group_of, publish, wait_until_committed

from ..conftest import key_of


async def test_a_joint_complaint_agrees_a_lead_and_a_contributor(driver):
    # Received by a PALS; two concerns about council home care, one about the hospital (triage counts them).
    reference = await driver.contact(
        received_by="uhsussex-pals", responsible=["uhsussex", "wsx-council"],
        concerns=[{"organisation_id": "wsx-council"}, {"service_type": "social_care", "area": "west-sussex"},
                  {"organisation_id": "uhsussex"}], concern_count={"wsx-council": 2, "uhsussex": 1})
    lead = await driver.pending(reference, "wsx-council")
    contributor = await driver.pending(reference, "uhsussex")
    assert (lead["purpose"], lead["role"]) == ("joint", "lead")
    assert (contributor["purpose"], contributor["role"]) == ("joint", "contributor")

    await driver.answer(lead, "accept")
    assert "nwd.ownership.agreed.v1" not in await driver.types(reference)  # the contributor has not answered
    await driver.answer(contributor, "accept")
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "wsx-council" and agreed["contributors"] == ["uhsussex"]
    assert agreed["received_by"] == "uhsussex-pals"


async def test_the_receiving_body_leads_a_tie_and_a_contributor_that_declines_is_left_out(driver):
    # One concern each: the tie goes to the receiving body, which needs no proposal to itself.
    reference = await driver.contact(received_by="uhsussex", responsible=["wsx-council", "uhsussex"],
                                     concerns=[{"organisation_id": "wsx-council"}, {"organisation_id": "uhsussex"}])
    contributor = await driver.pending(reference, "wsx-council")
    assert contributor["role"] == "contributor"
    await driver.answer(contributor, "decline", {"reason": "Nothing of ours in this"})
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "uhsussex" and agreed["contributors"] == []


async def test_the_receiver_can_withdraw_a_contributor_that_never_answers(driver):
    reference = await driver.contact(received_by="uhsussex", responsible=["uhsussex", "wsx-council"],
                                     concerns=[{"organisation_id": "uhsussex"}, {"organisation_id": "wsx-council"}])
    contributor = await driver.pending(reference, "wsx-council")
    assert (await driver.answer(contributor, "withdraw", {"reason": "No answer"}, by="wsx-council")).status_code == 403
    assert (await driver.answer(contributor, "withdraw", {"reason": "No answer"}, by="bh-council")).status_code == 404
    withdrawn = await driver.answer(contributor, "withdraw", {"reason": "No answer after escalation"}, by="uhsussex")
    assert withdrawn.json()["status"] == "withdrawn"
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "uhsussex" and agreed["contributors"] == []
    assert (await driver.answer(contributor, "accept")).status_code == 409


async def test_a_decline_with_a_suggestion_is_proposed_to_the_suggested_body(driver):
    reference = await driver.contact(received_by="uhsussex", concerns=[{"organisation_id": "wsx-council"}],
                                     responsible=["wsx-council"])
    first = await driver.pending(reference, "wsx-council")
    declined = await driver.answer(first, "decline", {"reason": "The home is in Brighton",
                                                      "suggested_organisation_id": "bh-council"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    second = await driver.pending(reference, "bh-council")
    assert second["from_organisation"] == "uhsussex" and second["role"] == "lead"
    await driver.answer(second, "accept")
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "bh-council"
    assert await driver.types(reference) == [
        "nwd.referral.proposed.v1", "nwd.referral.declined.v1", "nwd.referral.proposed.v1",
        "nwd.referral.accepted.v1", "nwd.ownership.agreed.v1"]


async def test_without_a_suggestion_the_directory_next_match_is_asked_then_the_receiver_reviews(driver):
    reference = await driver.contact(received_by="uhsussex", concerns=[{"organisation_id": "wsx-council"}],
                                     responsible=["wsx-council"])
    council = await driver.pending(reference, "wsx-council")
    await driver.answer(council, "decline", {"reason": "Privately arranged care"})
    # The next body in the directory answering for social care in West Sussex.
    provider = await driver.pending(reference, "downs-care")
    await driver.answer(provider, "decline", {"reason": "Not one of our homes"})
    [escalated] = await driver.wait_for(reference, "nwd.referral.escalated.v1")
    assert escalated["from_organisation"] == "uhsussex" and "Not one of our homes" in escalated["reason"]
    owner = (await driver.client.get(f"/v1/ownership/{reference}", headers=key_of("uhsussex"))).json()
    assert owner["owner"] == "uhsussex" and owner["interim"] and owner["state"] == "escalated"

    # Customer relations decides: the receiving trust takes it on itself, by hand.
    taken = await driver.client.post("/v1/referrals", headers=key_of("uhsussex"), json={
        "reference": reference, "to_organisation_id": "uhsussex", "purpose": "ownership"})
    assert taken.status_code == 204
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "uhsussex"


async def test_pals_resolves_a_pals_referral_and_the_contact_closes(driver):
    reference = await driver.contact(received_by="wsx-council", route="pals", responsible=["uhsussex"],
                                     concerns=[{"organisation_id": "uhsussex"}])
    pals = await driver.pending(reference, "uhsussex-pals")
    assert pals["purpose"] == "pals"
    resolved = await driver.answer(pals, "resolve", {"summary": "Ward manager rearranged the visits"})
    assert resolved.json()["status"] == "resolved"
    [closed] = await driver.wait_for(reference, "nwd.referral.accepted.v1")
    assert closed["outcome"] == "resolved" and "Ward manager" not in str(closed)
    owner = (await driver.client.get(f"/v1/ownership/{reference}", headers=key_of("wsx-council"))).json()
    assert owner["state"] == "closed"


async def test_pals_that_cannot_resolve_returns_it_into_the_complaints_procedure(driver):
    reference = await driver.contact(received_by="uhsussex-pals", route="pals", responsible=["uhsussex"],
                                     concerns=[{"organisation_id": "uhsussex"}])
    # The PALS received it itself: it is already with it, no proposal needed.
    [accepted] = await driver.wait_for(reference, "nwd.referral.accepted.v1")
    assert accepted["from_organisation"] == accepted["to_organisation"] == "uhsussex-pals"
    returned = await driver.client.post(f"/v1/referrals/{accepted['referral_id']}/return",
                                        json={"reason": "Needs an investigation"}, headers=key_of("uhsussex-pals"))
    assert returned.json()["status"] == "returned"
    # The PALS is part of the trust: the trust owns it at once, and the complaint is received into the
    # procedure on the day PALS returned it, not the day PALS first had it.
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "uhsussex" and agreed["route"] == "complaint"
    assert agreed["received_by_owner_on"] == local_date(datetime.fromisoformat(returned.json()["answered_at"])).isoformat()
    [declined] = await driver.wait_for(reference, "nwd.referral.declined.v1")
    assert declined["outcome"] == "returned"


async def test_advocacy_is_a_supporting_party_never_the_owner(driver):
    reference = await driver.contact(received_by="wsx-council", responsible=["wsx-council"], wants_advocacy=True,
                                     concerns=[{"organisation_id": "wsx-council"}])
    advocacy = await driver.pending(reference, "sussex-advocacy")
    assert advocacy["purpose"] == "advocacy" and advocacy["from_organisation"] == "wsx-council"
    [agreed] = await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    assert agreed["owner"] == "wsx-council"
    await driver.answer(advocacy, "accept")
    await driver.wait_for(reference, "nwd.referral.accepted.v1")
    assert (await driver.types(reference)).count("nwd.ownership.agreed.v1") == 1


async def test_escalation_from_casework_goes_to_the_joint_working_team_when_both_are_involved(driver, broker):
    reference = await driver.contact(received_by="uhsussex", responsible=["uhsussex", "wsx-council"],
                                     concerns=[{"organisation_id": "uhsussex"}, {"organisation_id": "uhsussex"},
                                               {"organisation_id": "wsx-council"}],
                                     concern_count={"uhsussex": 2, "wsx-council": 1})
    await driver.answer(await driver.pending(reference, "wsx-council"), "accept")
    await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    case_id = str(uuid.uuid4())
    escalated = ev.CaseEscalated(source="/nwd/casework", subject=reference, data=ev.CaseEscalatedData(
        case_id=case_id, reference=reference, owner="uhsussex", reason="complainant remains dissatisfied"))
    *_, last = await publish(broker.bootstrap_servers, escalated, escalated,
                             escalated.model_copy(update={"id": "resent"}))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), last)
    proposals = [p for p in await driver.wait_for(reference, "nwd.referral.proposed.v1", count=3)
                 if p["purpose"] == "ombudsman"]
    assert sorted(p["to_organisation"] for p in proposals) == ["lgsco", "phso"]
    assert all(p["joint_working_team"] and p["from_organisation"] == "uhsussex" for p in proposals)
    assert all(p["answer_by"] is None for p in proposals)  # an ombudsman keeps its own pace


async def test_escalation_about_health_alone_goes_to_the_phso(driver, broker):
    reference = await driver.contact(received_by="uhsussex", responsible=["uhsussex"],
                                     concerns=[{"organisation_id": "uhsussex"}])
    await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    await publish(broker.bootstrap_servers, ev.CaseEscalated(
        source="/nwd/casework", subject=reference, data=ev.CaseEscalatedData(
            case_id=str(uuid.uuid4()), reference=reference, owner="uhsussex", reason="dissatisfied")))
    proposals = await driver.wait_for(reference, "nwd.referral.proposed.v1")
    assert [(p["to_organisation"], p["joint_working_team"]) for p in proposals] == [("phso", False)]


async def test_referral_back_needs_a_reason_and_an_earlier_organisation(driver):
    reference = await driver.contact(received_by="uhsussex", responsible=["wsx-council"],
                                     concerns=[{"organisation_id": "wsx-council"}])
    await driver.answer(await driver.pending(reference, "wsx-council"), "accept")
    await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    post = driver.client.post
    no_reason = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "uhsussex", "purpose": "back"})
    assert no_reason.status_code == 422
    not_earlier = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "sussex-icb", "purpose": "back", "reason": "Commissioning"})
    assert not_earlier.status_code == 422
    stranger = await post("/v1/referrals", headers=key_of("bh-council"), json={
        "reference": reference, "to_organisation_id": "uhsussex", "purpose": "back", "reason": "Not ours"})
    assert stranger.status_code == 404
    back = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "uhsussex", "purpose": "back",
        "reason": "The hospital discharge plan needs the ward's input"})
    assert back.status_code == 201 and back.json()["request_reason"].startswith("The hospital")
    proposals = await driver.wait_for(reference, "nwd.referral.proposed.v1", count=2)
    assert proposals[-1]["purpose"] == "back" and proposals[-1]["reason"].startswith("The hospital")
    by_hand = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "sussex-advocacy", "purpose": "pals"})
    assert by_hand.status_code == 422  # a PALS referral goes to a PALS
    advocacy = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "sussex-advocacy", "purpose": "advocacy"})
    assert advocacy.status_code == 201
    again = await post("/v1/referrals", headers=key_of("wsx-council"), json={
        "reference": reference, "to_organisation_id": "sussex-advocacy", "purpose": "advocacy"})
    assert again.status_code == 409


async def test_details_go_only_to_the_addressed_organisation_and_each_access_is_recorded(driver):
    reference = await driver.contact(received_by="wsx-council", responsible=["uhsussex"],
                                     concerns=[{"service_type": "health"}], name="Bea Private")
    proposal = await driver.pending(reference, "uhsussex")
    path = f"/v1/referrals/{proposal['id']}"
    for _ in range(2):
        seen = (await driver.client.get(path, headers=key_of("uhsussex"))).json()
        assert seen["details"]["complainant"]["name"] == "Bea Private"
    sender = (await driver.client.get(path, headers=key_of("wsx-council"))).json()
    assert sender["details"] is None
    assert (await driver.client.get(path, headers=key_of("bh-council"))).status_code == 404
    accesses = (await driver.client.get(f"{path}/accesses", headers=key_of("wsx-council"))).json()["items"]
    assert [a["organisation_id"] for a in accesses] == ["uhsussex", "uhsussex"]
