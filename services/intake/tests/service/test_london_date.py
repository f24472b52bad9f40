"""Intake's date checks use the London date, not UTC's: at 23:30 UTC on a summer evening it is tomorrow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.config import Settings
from intake.main import create_app
from nwd_shared.testing import FakeClock, bearer, contact_payload, in_process

COUNCIL = bearer("demo-wsx-council-key")
CLOCK = FakeClock(datetime(2026, 7, 14, 23, 30, tzinfo=UTC))

intake = in_process(create_app, Settings, clock=CLOCK)


async def post_with_event_on(intake, day: str):
    return await intake.post("/v1/contacts", json=contact_payload(event_date=day), headers=COUNCIL)


@pytest.mark.parametrize(("now", "accepted", "refused"), [
    # BST: 23:30 UTC on 14 July is 00:30 on 15 July in London; the 15th is today, not the future.
    (datetime(2026, 7, 14, 23, 30, tzinfo=UTC), "2026-07-15", "2026-07-16"),
    # GMT: 23:30 UTC on 14 December is 23:30 in London too; the 15th is still tomorrow.
    (datetime(2026, 12, 14, 23, 30, tzinfo=UTC), "2026-12-14", "2026-12-15"),
    # The night the clocks go back (25 October 2026): 23:30 UTC on the 24th is 00:30 BST on the 25th.
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "2026-10-25", "2026-10-26"),
])
async def test_an_event_date_is_in_the_future_only_after_todays_london_date(intake, now, accepted, refused):
    CLOCK.now = now
    assert (await post_with_event_on(intake, accepted)).status_code == 202
    response = await post_with_event_on(intake, refused)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.event_date", "message": "must not be in the future", "type": "future_date"}]
