"""An override after agreement: the case moves to the new owner, or closes when no case follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from nwd_shared import events as ev
from nwd_shared.calendar import ENGLAND
from nwd_shared.testing import group_of, publish, wait_until_committed

from ..conftest import key_of


def agreed(reference: str, *, owner: str, received_at: datetime, previous_owner: str) -> ev.OwnershipAgreed:
    return ev.OwnershipAgreed(
        source="/nwd/referral", subject=reference, time=datetime.now(UTC),
        data=ev.OwnershipAgreedData(reference=reference, owner=owner, received_by="wsx-council",
                                    owner_received_at=received_at, kind="complaint", route="complaint",
                                    previous_owner=previous_owner))


def overridden(reference: str, route: str) -> ev.TriageOverridden:
    return ev.TriageOverridden(
        source="/nwd/triage", subject=reference, time=datetime.now(UTC),
        data=ev.TriageOverriddenData(reference=reference, received_by="wsx-council",
                                     received_at=datetime.now(UTC), kind="complaint", route=route,
                                     responsible_organisations=["wsx-council"], reasons=["reviewed"],
                                     previous_route="complaint", overridden_by="wsx-council",
                                     reason="Sorted out on the phone the same day."))


async def cases(driver, reference: str, organisation: str) -> list[dict]:
    return (await driver.client.get("/v1/cases", params={"reference": reference},
                                    headers=key_of(organisation))).json()["items"]


async def test_ownership_agreed_anew_transfers_the_case_to_the_new_owner_once(driver, broker):
    driver.clock.on(date(2026, 7, 6))
    old = await driver.open(date(2026, 7, 6), owner="wsx-council")
    assert (await driver.act(old, "acknowledge")).status_code == 200
    reference = old["reference"]
    # The trust accepted the re-routed contact on Friday 10 July: its own clock starts then.
    accepted_at = datetime.combine(date(2026, 7, 10), time(16), tzinfo=ENGLAND).astimezone(UTC)
    moved = agreed(reference, owner="uhsussex", received_at=accepted_at, previous_owner="wsx-council")
    driver.clock.on(date(2026, 7, 10), hour=17)
    # The same agreement twice, then re-sent under a new id: one transfer.
    *_, last = await publish(broker.bootstrap_servers, moved, moved, moved.model_copy(update={"id": "again"}))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), last)

    [new] = await cases(driver, reference, "uhsussex")
    assert new["id"] != old["id"] and new["owner"] == "uhsussex" and new["status"] == "open"
    assert new["received_on"] == "2026-07-10" and new["deadlines"]["acknowledge_by"] == "2026-07-15"
    # The council's case is no longer its to act on, but stays on its record as transferred.
    assert await cases(driver, reference, "wsx-council") == []
    before = (await driver.get(old)).json()
    assert before["status"] == "transferred" and before["closed_on"] == "2026-07-10"
    assert (await driver.act(old, "close", {"reason": "done"})).status_code == 409

    events = await driver.events(reference)
    assert [kind for kind, _ in events] == ["nwd.case.opened.v1", "nwd.case.acknowledged.v1",
                                            "nwd.case.closed.v1", "nwd.case.opened.v1"]
    closed, opened = events[2][1], events[3][1]
    assert (closed["case_id"], closed["owner"], closed["transferred_to"]) == (old["id"], "wsx-council", "uhsussex")
    assert closed["reason"].startswith("transferred to uhsussex")
    assert (opened["case_id"], opened["owner"]) == (new["id"], "uhsussex")


async def test_an_override_out_of_the_procedure_closes_the_case_and_agreement_anew_opens_one(driver, broker):
    driver.clock.on(date(2026, 7, 6))
    case = await driver.open(date(2026, 7, 6), owner="wsx-council")
    reference = case["reference"]
    to_day_to_day = overridden(reference, "day_to_day")
    _, second = await publish(broker.bootstrap_servers, to_day_to_day, to_day_to_day.model_copy(update={"id": "2"}))
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), second)
    closed = (await driver.get(case)).json()
    assert closed["status"] == "closed" and closed["closed_on"] == "2026-07-06"
    events = await driver.events(reference)
    assert [kind for kind, _ in events] == ["nwd.case.opened.v1", "nwd.case.closed.v1"]
    assert "day_to_day" in events[1][1]["reason"] and events[1][1]["transferred_to"] is None

    # Put back into the complaints procedure, the same owner agrees again: a new case, not nothing.
    driver.clock.on(date(2026, 7, 7))
    back = agreed(reference, owner="wsx-council", previous_owner="wsx-council",
                  received_at=datetime.combine(date(2026, 7, 6), time(10), tzinfo=ENGLAND).astimezone(UTC))
    [meta] = await publish(broker.bootstrap_servers, back)
    await wait_until_committed(broker.bootstrap_servers, group_of(driver.client), meta)
    [again] = await cases(driver, reference, "wsx-council")
    assert again["id"] != case["id"] and again["status"] == "open"
    assert again["deadlines"]["acknowledge_by"] == "2026-07-09"
