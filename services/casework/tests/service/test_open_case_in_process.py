"""Casework's statutory clock in-process: agreed ownership handed to its consumer, no broker."""

from __future__ import annotations

from datetime import date, datetime, time

from nwd_shared.calendar import ENGLAND
from nwd_shared.testing import (
    bearer,
    deliver,
    new_reference,
    ownership_agreed,
    staged,
)

COUNCIL = bearer("demo-wsx-council-key")


async def test_a_case_is_opened_once_and_acknowledged_within_three_working_days(casework):
    reference = new_reference()
    thursday = datetime.combine(date(2026, 7, 2), time(10), tzinfo=ENGLAND)
    agreed = ownership_agreed(reference, received_at=thursday)
    await deliver(casework, agreed, agreed)
    [case] = (await casework.get("/v1/cases", params={"reference": reference}, headers=COUNCIL)).json()["items"]
    # Reg 13(3): three working days after receipt, a weekend in between.
    assert case["deadlines"]["acknowledge_by"] == "2026-07-07"
    assert [kind for kind, _ in await staged(casework, reference)] == ["nwd.case.opened.v1"]
