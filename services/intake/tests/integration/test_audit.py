"""Every read and creation of a contact is recorded; the owner's customer relations can read it."""

from __future__ import annotations

from pathlib import Path

from nwd_shared.testing import bearer, contact_payload

COUNCIL = bearer("demo-wsx-council-key")


async def test_reading_a_contact_writes_an_audit_record_the_owner_can_read(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)
    trail = (await intake.get(f"/v1/contacts/{reference}/audit", headers=COUNCIL)).json()
    assert [(e["action"], e["resource"], e["organisation_id"], e["credential_id"]) for e in trail] == [
        ("create", "contact", "wsx-council", "primary"), ("read", "contact", "wsx-council", "primary")]


async def test_a_refused_read_is_not_recorded_and_others_cannot_read_the_trail(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    stranger = bearer("demo-bh-council-key")
    assert (await intake.get(f"/v1/contacts/{reference}", headers=stranger)).status_code == 404
    assert (await intake.get(f"/v1/contacts/{reference}/audit", headers=stranger)).status_code == 404
    trail = (await intake.get(f"/v1/contacts/{reference}/audit", headers=COUNCIL)).json()
    assert [e["action"] for e in trail] == ["create"]


def test_no_code_path_updates_or_deletes_an_audit_record():
    root = Path(__file__).resolve().parents[4]
    offenders = []
    packages = [root / "shared" / "nwd_shared", *(d / d.name for d in (root / "services").iterdir())]
    for path in (p for package in packages for p in package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        if "audit" in text and any(word in text for word in ("update(audit", "delete(audit",
                                                             "update(audit_table", "delete(audit_table")):
            offenders.append(str(path))
    assert offenders == []
