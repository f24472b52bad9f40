"""Casework's statutory clock in-process: agreed ownership handed to its consumer, no broker."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from casework.config import Settings
from casework.main import create_app
from nwd_shared.calendar import ENGLAND
from nwd_shared.testing import (
    DATABASES,
    NO_BROKER,
    FakeClock,
    bearer,
    deliver,
    new_reference,
    ownership_agreed,
    service_client,
    staged,
)

COUNCIL = bearer("demo-wsx-council-key")


@pytest.fixture(scope="module", params=DATABASES)
async def casework(request, tmp_path_factory):
    async with service_client(create_app, Settings, request.param, NO_BROKER,
                              tmp_path_factory.mktemp("casework-in-process"),
                              clock=FakeClock(datetime(2026, 7, 2, 11, tzinfo=UTC)),
                              deadline_monitor_interval_seconds=86400) as client:
        yield client


async def test_a_case_is_opened_once_and_acknowledged_within_three_working_days(casework):
    reference = new_reference()
    thursday = datetime.combine(date(2026, 7, 2), time(10), tzinfo=ENGLAND)
    agreed = ownership_agreed(reference, received_at=thursday)
    await deliver(casework, agreed, agreed)
    [case] = (await casework.get("/v1/cases", params={"reference": reference}, headers=COUNCIL)).json()["items"]
    # Reg 13(3): three working days after receipt, a weekend in between.
    assert case["deadlines"]["acknowledge_by"] == "2026-07-07"
    assert [kind for kind, _ in await staged(casework, reference)] == ["nwd.case.opened.v1"]
