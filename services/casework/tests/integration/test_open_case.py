"""Casework opens one case per agreed ownership, with the owner's receipt date as day zero."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nwd_shared import events as ev
from nwd_shared.testing import bearer, eventually, group_of, publish, wait_until_committed


def agreed(reference: str, received_at: datetime) -> ev.OwnershipAgreed:
    return ev.OwnershipAgreed(
        source="/nwd/referral", subject=reference, time=datetime.now(UTC),
        data=ev.OwnershipAgreedData(reference=reference, owner="uhsussex", contributors=["wsx-council"],
                                    received_by="wsx-council", owner_received_at=received_at,
                                    kind="complaint", route="complaint"),
    )


async def test_duplicate_ownership_agreed_opens_one_case(casework, broker):
    reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
    # 23:30 UTC on 1 July is 2 July in England: the clock starts on the English date.
    event = agreed(reference, datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    _, second = await publish(broker.bootstrap_servers, event, event)
    await wait_until_committed(broker.bootstrap_servers, group_of(casework), second)
    found = (await casework.get("/v1/cases", params={"reference": reference},
                                headers=bearer("demo-uhsussex-key"))).json()["items"]
    [case] = found
    assert case["received_on"] == "2026-07-02"
    assert case["deadlines"]["acknowledge_by"] == "2026-07-07"
    assert case["owner"] == "uhsussex" and case["contributors"] == ["wsx-council"]


async def test_case_is_visible_to_owner_and_contributors_only(casework, broker):
    reference = f"NWD-{uuid.uuid4().hex[:8].upper()}"
    await publish(broker.bootstrap_servers, agreed(reference, datetime.now(UTC)))

    async def case_id():
        items = (await casework.get("/v1/cases", params={"reference": reference},
                                    headers=bearer("demo-uhsussex-key"))).json()["items"]
        return items[0]["id"] if items else None

    found = await eventually(case_id)
    assert (await casework.get(f"/v1/cases/{found}", headers=bearer("demo-wsx-council-key"))).status_code == 200
    assert (await casework.get(f"/v1/cases/{found}", headers=bearer("demo-bh-council-key"))).status_code == 404
    hidden = await casework.get("/v1/cases", params={"reference": reference}, headers=bearer("demo-bh-council-key"))
    assert hidden.json()["items"] == []
