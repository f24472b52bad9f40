"""Casework's audit trail over HTTP: for the case owner's customer relations, person by person, read only."""

from __future__ import annotations

from nwd_shared.testing import bearer, deliver, new_reference, ownership_agreed

CARA = bearer("demo-wsx-cara-key")         # customer relations at the owner
ANA = bearer("demo-wsx-ana-key")           # a handler at the owner
ROB = bearer("demo-wsx-rob-key")           # reports only
TRUST = bearer("demo-uhsussex-key")        # a contributor
STRANGER = bearer("demo-bh-council-key")   # neither owner nor contributor


async def open_case(casework) -> dict:
    reference = new_reference()
    await deliver(casework, ownership_agreed(reference, owner="wsx-council", contributors=("uhsussex",)))
    [case] = (await casework.get("/v1/cases", params={"reference": reference}, headers=CARA)).json()["items"]
    return case


async def test_the_owners_customer_relations_read_who_read_the_case_by_name(casework):
    case = await open_case(casework)
    assert (await casework.get(f"/v1/cases/{case['id']}", headers=ANA)).status_code == 200
    assert (await casework.get(f"/v1/cases/{case['id']}", headers=TRUST)).status_code == 200
    answer = await casework.get(f"/v1/cases/{case['id']}/audit", headers=CARA)
    assert answer.status_code == 200, answer.text
    trail = answer.json()
    assert {"at", "organisation_id", "credential_id", "person", "action", "resource", "reference",
            "client_address"} == set(trail[0])
    reads = [(e["organisation_id"], e["credential_id"], e["person"]) for e in trail
             if (e["action"], e["resource"]) == ("read", "case")]
    assert ("wsx-council", "ana-key", {"id": "ana.patel", "name": "Ana Patel"}) in reads
    assert ("uhsussex", "primary", None) in reads  # an organisation's own key names no person
    assert {e["reference"] for e in trail} == {case["reference"]}


async def test_no_one_but_the_owners_customer_relations_reads_the_trail(casework):
    case = await open_case(casework)
    path = f"/v1/cases/{case['id']}/audit"
    assert (await casework.get(path, headers=TRUST)).status_code == 404      # a contributor: not theirs
    assert (await casework.get(path, headers=STRANGER)).status_code == 404
    assert (await casework.get(path, headers=ANA)).status_code == 403        # not customer relations
    assert (await casework.get(path, headers=ROB)).status_code == 403
    assert (await casework.get("/v1/cases/no-such-case/audit", headers=CARA)).status_code == 404


async def test_the_trail_cannot_be_changed_over_http(casework):
    case = await open_case(casework)
    for method in ("PUT", "PATCH", "POST", "DELETE"):
        answer = await casework.request(method, f"/v1/cases/{case['id']}/audit", headers=CARA)
        assert answer.status_code == 405, method
