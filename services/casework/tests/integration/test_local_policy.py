"""An organisation's local policy sets its action-plan and response periods; the law's 3 days stay."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from casework.config import Settings
from casework.main import create_app
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import FakeClock, service_client

from ..conftest import CaseDriver
from .test_case_lifecycle import PLAN, dates

LOCAL = {"action_plan_working_days": 10, "response_working_days": 30}


@pytest.fixture(scope="module")
async def local_driver(broker, tmp_path_factory):
    """Casework over a directory in which wsx-council has its own periods."""
    folder = tmp_path_factory.mktemp("casework-policy")
    directory = yaml.safe_load(DEMO_ORGANISATIONS_FILE.read_text())
    for organisation in directory["organisations"]:
        if organisation["id"] == "wsx-council":
            organisation["policy"] = LOCAL
    (folder / "organisations.yaml").write_text(yaml.safe_dump(directory))
    async with service_client(create_app, Settings, "sqlite", broker.bootstrap_servers, folder,
                              clock=FakeClock(datetime(2026, 7, 1, 9, tzinfo=UTC)),
                              organisations_file=folder / "organisations.yaml",
                              deadline_monitor_interval_seconds=86400) as client:
        yield CaseDriver(client, broker)


async def test_an_organisations_own_periods_set_its_plan_and_response_dates(local_driver):
    driver = local_driver
    driver.clock.on(date(2026, 7, 2))
    council = await driver.open(date(2026, 7, 2))  # a Thursday; the owner is wsx-council
    default = await driver.open(date(2026, 7, 2), owner="bh-council")
    # Three working days to acknowledge is the law (reg 13(3)): no policy changes it.
    assert dates(council)["acknowledge_by"] == dates(default)["acknowledge_by"] == "2026-07-07"

    driver.clock.on(date(2026, 7, 6))
    for case in (council, default):
        acknowledged = await driver.act(case, "acknowledge", {"discussion_accepted": False})
        assert acknowledged.status_code == 200, acknowledged.text
        case.update(acknowledged.json())
    assert dates(council)["action_plan_by"] == "2026-07-20"  # 10 working days after 6 July
    assert dates(default)["action_plan_by"] == "2026-07-13"  # the default 5

    driver.clock.on(date(2026, 7, 10))
    planned = {c["owner"]: (await driver.act(c, "action-plan", PLAN)).json() for c in (council, default)}
    # Counted from receipt (2 July), as the response target is (seed 003 §3.2).
    assert planned["wsx-council"]["deadlines"]["respond_by"] == "2026-08-13"  # 30 working days
    assert planned["bh-council"]["deadlines"]["respond_by"] == "2026-07-30"  # the default 20
