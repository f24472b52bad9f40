"""Overriding a triage decision, in process: the use cases on a real database, no broker and no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.context import Context
from nwd_shared.directory import load_directory
from nwd_shared.errors import Invalid, NotFound
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import migrated_sessions
from triage import service
from triage.main import MIGRATIONS
from triage.schemas import OverrideIn

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DIRECTORY = load_directory(DEMO_ORGANISATIONS_FILE)


def context(caller: str | None = None) -> Context:
    return Context(source="/nwd/triage", now=NOW, calendar=WorkingCalendar(), directory=DIRECTORY, caller=caller)


def received(reference: str) -> ev.ContactReceived:
    return ev.ContactReceived(source="/nwd/intake", subject=reference, time=NOW, data=ev.ContactReceivedData(
        reference=reference, received_by="wsx-council", received_at=NOW, kind="complaint", channel="email",
        complainant={"name": "A"}, concerns=[{"organisation_id": "wsx-council"}], description="Missed visits"))


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def test_a_decision_is_made_once_and_announced_with_its_concern_count_and_areas(sessions):
    async with sessions() as session, session.begin():
        [completed] = await service.triage_contact(session, context(), received("NWD-O-1"))
        assert await service.triage_contact(session, context(), received("NWD-O-1")) == []
    assert completed.type == "nwd.triage.completed.v1" and completed.data.route == "complaint"
    assert completed.data.concern_count == {"wsx-council": 1}


async def test_only_those_involved_may_override_and_only_to_responsible_bodies(sessions):
    async with sessions() as session, session.begin():
        await service.triage_contact(session, context(), received("NWD-O-2"))
        with pytest.raises(NotFound):  # the trust is not involved: it may not know the decision exists
            await service.override(session, context("uhsussex"), reference="NWD-O-2",
                                   change=OverrideIn(route="feedback", reason="not ours"))
        with pytest.raises(Invalid) as refused:
            await service.override(session, context("wsx-council"), reference="NWD-O-2", change=OverrideIn(
                route="complaint", reason="typo", responsible_organisations=["nobody", "uhsussex-pals"]))
        with pytest.raises(Invalid) as no_pals:
            await service.override(session, context("wsx-council"), reference="NWD-O-2",
                                   change=OverrideIn(route="pals", reason="quick fix"))
        _, [overridden] = await service.override(
            session, context("wsx-council"), reference="NWD-O-2",
            change=OverrideIn(route="complaint", reason="the trust's ward", responsible_organisations=["uhsussex"]))
        # The trust is now involved, and may override in turn.
        again, _ = await service.override(session, context("uhsussex"), reference="NWD-O-2",
                                          change=OverrideIn(route="complaint", reason="ours, agreed"))
    assert [(e.field, e.type) for e in refused.value.errors] == [
        ("body.responsible_organisations.0", "unknown_organisation"),
        ("body.responsible_organisations.1", "not_responsible_body")]
    assert [e.field for e in no_pals.value.errors] == ["body.route"]
    assert overridden.data.previous_responsible_organisations == ["wsx-council"]
    assert again.overridden_by == "uhsussex" and again.responsible_organisations == ["uhsussex"]
