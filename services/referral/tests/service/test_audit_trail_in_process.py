"""Referral's audit trail over HTTP: for the customer relations of the negotiation's parties, read only."""

from __future__ import annotations

from nwd_shared.testing import bearer, contact_received, deliver, in_process, triage_completed
from referral.config import Settings
from referral.main import create_app

referral = in_process(create_app, Settings, timeout_check_seconds=86400, webhook_poll_seconds=86400)

CARA = bearer("demo-wsx-cara-key")         # customer relations at the receiver, who refers it on
ANA = bearer("demo-wsx-ana-key")           # a handler there
TRUST = bearer("demo-uhsussex-key")        # the body it is referred to
STRANGER = bearer("demo-bh-council-key")


async def referred(referral) -> str:
    contact = contact_received(received_by="wsx-council", concerns=[{"service_type": "health"}])
    await deliver(referral, contact,
                  triage_completed(contact.subject, received_by="wsx-council", responsible=["uhsussex"]))
    return contact.subject


async def test_the_parties_read_who_read_the_referral(referral):
    reference = await referred(referral)
    [item] = (await referral.get("/v1/referrals", params={"reference": reference}, headers=TRUST)).json()["items"]
    assert (await referral.get(f"/v1/referrals/{item['id']}", headers=TRUST)).status_code == 200
    for party in (CARA, TRUST):
        answer = await referral.get(f"/v1/ownership/{reference}/audit", headers=party)
        assert answer.status_code == 200, answer.text
        reads = [(e["organisation_id"], e["action"], e["resource"]) for e in answer.json()]
        assert ("uhsussex", "read", "referral.details") in reads


async def test_others_and_staff_without_customer_relations_are_refused(referral):
    reference = await referred(referral)
    assert (await referral.get(f"/v1/ownership/{reference}/audit", headers=STRANGER)).status_code == 404
    assert (await referral.get(f"/v1/ownership/{reference}/audit", headers=ANA)).status_code == 403
    assert (await referral.delete(f"/v1/ownership/{reference}/audit", headers=CARA)).status_code == 405
