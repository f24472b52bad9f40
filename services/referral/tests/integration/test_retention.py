"""Ten years after a contact's handling ended, referral's copy of its personal data is anonymised."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nwd_shared import events as ev
from nwd_shared.retention import ANONYMISED
from nwd_shared.runtime import run_job_once
from nwd_shared.testing import eventually, private_broker, publish
from referral import retention
from referral.models import Contact, Negotiation

PERSONAL = ("Ann Example", "ann@example.org", "01234 567890", "my mother", "as planned")
COUNCIL = [{"organisation_id": "wsx-council"}]


@pytest.fixture(scope="module")
async def broker(tmp_path_factory):
    """A broker of this module's own: with the session's, the clocked consumer would read every
    earlier test's contacts while its clock stood in 2015, and they would all be due."""
    async with private_broker(tmp_path_factory) as running:
        yield running


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def case_event(kind, reference: str, day: date) -> ev.CloudEvent:
    ids = dict(case_id="c-" + reference, reference=reference, owner="wsx-council")
    if kind is ev.CaseClosed:
        return ev.CaseClosed(source="/nwd/casework", subject=reference, time=at(day),
                             data=ev.CaseClosedData(**ids, closed_on=day, outcome="upheld"))
    return ev.CaseOpened(source="/nwd/casework", subject=reference, time=at(day), data=ev.CaseOpenedData(
        **ids, received_on=day, deadlines=ev.Deadlines(acknowledge_by=day, six_months_by=day)))


async def rows(driver, reference: str) -> tuple[Contact | None, Negotiation | None]:
    async with driver.runtime.sessions() as session:
        return await session.get(Contact, reference), await session.get(Negotiation, reference)


async def test_ended_contacts_are_anonymised_after_the_period_and_open_or_recent_ones_are_not(clocked_driver):
    driver = clocked_driver
    driver.client.clock.now = at(date(2015, 3, 2))
    closed_long_ago, feedback, still_open, closed_recently = [
        await driver.contact(received_by="wsx-council", concerns=COUNCIL, responsible=["wsx-council"],
                             route=route, received_at=at(date(2015, 3, 2)))
        for route in ("complaint", "feedback", "complaint", "complaint")]
    for reference in (closed_long_ago, still_open, closed_recently):
        await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    await publish(driver.broker.bootstrap_servers,
                  case_event(ev.CaseOpened, closed_long_ago, date(2015, 3, 5)),
                  case_event(ev.CaseClosed, closed_long_ago, date(2015, 9, 1)),
                  case_event(ev.CaseOpened, still_open, date(2015, 3, 5)),
                  case_event(ev.CaseOpened, closed_recently, date(2015, 3, 5)),
                  case_event(ev.CaseClosed, closed_recently, date(2016, 6, 1)))

    async def noted():
        closed = [(await rows(driver, r))[0].ended_at for r in (closed_long_ago, closed_recently)]
        negotiation = (await rows(driver, feedback))[1]
        return all(closed) and negotiation is not None and negotiation.state == "no_case"

    await eventually(noted)
    assert (await rows(driver, still_open))[0].ended_at is None
    kept = {r: (await rows(driver, r))[0].data for r in (still_open, closed_recently)}
    events_kept = {r: await driver.events(r) for r in (still_open, closed_recently)}

    driver.client.clock.now = at(date(2026, 3, 1))
    spec = retention.periodic(driver.runtime.settings)
    await run_job_once(spec, driver.runtime)

    for reference in (closed_long_ago, feedback):
        contact, negotiation = await rows(driver, reference)
        assert contact.anonymised_at == driver.client.clock.now
        assert [word for word in PERSONAL if word in str(contact.data)] == []
        assert contact.data["complainant"] == {"name": ANONYMISED, "email": ANONYMISED, "phone": ANONYMISED,
                                               "relationship": "self"}
        assert (contact.data["kind"], contact.data["received_by"]) == ("complaint", "wsx-council")
        assert await driver.events(reference) == []
    for reference, data in kept.items():
        contact, _ = await rows(driver, reference)
        assert contact.data == data and contact.anonymised_at is None
        assert await driver.events(reference) == events_kept[reference]
    # The ownership the statistics count is still there.
    assert (await rows(driver, closed_long_ago))[1].state == "agreed"

    once = [(await rows(driver, r))[0].anonymised_at for r in (closed_long_ago, feedback)]
    driver.client.clock.now = at(date(2026, 3, 2))
    await run_job_once(spec, driver.runtime)
    assert [(await rows(driver, r))[0].anonymised_at for r in (closed_long_ago, feedback)] == once

