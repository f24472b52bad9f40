"""Triage's audit trail over HTTP: for the customer relations of the decision's organisations, read only."""

from __future__ import annotations

from nwd_shared.testing import bearer, contact_received, deliver, in_process
from triage.config import Settings
from triage.main import create_app

triage = in_process(create_app, Settings)

CARA = bearer("demo-wsx-cara-key")            # customer relations at the responsible council
ANA = bearer("demo-wsx-ana-key")              # a handler there
PALS = bearer("demo-uhsussex-pals-key")       # the receiver
STRANGER = bearer("demo-bh-council-key")


async def decided(triage) -> str:
    contact = contact_received(
        received_by="uhsussex-pals", concerns=[{"service_type": "social_care", "area": "west-sussex"}],
        description="The council's home care agency keeps changing Dad's visit times without telling us.")
    await deliver(triage, contact)
    return contact.subject


async def test_the_decisions_organisations_read_who_read_it_by_name(triage):
    reference = await decided(triage)
    assert (await triage.get(f"/v1/triage/{reference}", headers=ANA)).status_code == 200
    for reader in (CARA, PALS):
        answer = await triage.get(f"/v1/triage/{reference}/audit", headers=reader)
        assert answer.status_code == 200, answer.text
        assert [(e["action"], e["resource"], e["credential_id"], e["person"]) for e in answer.json()] == [
            ("read", "triage_decision", "ana-key", {"id": "ana.patel", "name": "Ana Patel"})]


async def test_others_and_staff_without_customer_relations_are_refused(triage):
    reference = await decided(triage)
    assert (await triage.get(f"/v1/triage/{reference}/audit", headers=STRANGER)).status_code == 404
    assert (await triage.get(f"/v1/triage/{reference}/audit", headers=ANA)).status_code == 403
    assert (await triage.get("/v1/triage/NWD-NOPE/audit", headers=CARA)).status_code == 404
    assert (await triage.delete(f"/v1/triage/{reference}/audit", headers=CARA)).status_code == 405
