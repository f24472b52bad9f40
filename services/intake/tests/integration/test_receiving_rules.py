"""Receiving a contact, in process: the use case on a real database, no broker and no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from intake import service
from intake.main import MIGRATIONS
from intake.schemas import ContactIn
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.context import Context
from nwd_shared.directory import load_directory
from nwd_shared.errors import Conflict, Invalid
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import contact_payload, migrated_sessions

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CTX = Context(source="/nwd/intake", now=NOW, calendar=WorkingCalendar(),
              directory=load_directory(DEMO_ORGANISATIONS_FILE), caller="wsx-council")


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def test_every_field_the_directory_or_the_clock_refuses_is_named_in_one_error(sessions):
    contact = ContactIn.model_validate(contact_payload(
        concerns=[{"organisation_id": "wsx-council"}, {"organisation_id": "nobody"}],
        received_at="2026-11-21T10:00:00Z", event_date="2026-12-01"))
    async with sessions() as session:
        with pytest.raises(Invalid) as refused:
            await service.receive_contact(session, CTX, contact=contact, idempotency_key=None,
                                          clock_skew_seconds=120)
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "body.concerns.1.organisation_id", "message": "unknown organisation 'nobody'",
         "type": "unknown_organisation"},
        {"field": "body.received_at", "message": "must not be in the future", "type": "future_date"},
        {"field": "body.event_date", "message": "must not be in the future", "type": "future_date"},
    ]


async def test_a_repeated_idempotency_key_returns_the_first_contact_and_no_second_event(sessions):
    contact = ContactIn.model_validate(contact_payload(event_date=date(2026, 11, 1).isoformat()))
    async with sessions() as session, session.begin():
        first, caused = await service.receive_contact(session, CTX, contact=contact, idempotency_key="k-1",
                                                      clock_skew_seconds=120)
    assert [e.type for e in caused] == ["nwd.contact.received.v1"] and caused[0].subject == first.reference
    assert caused[0].data.received_by == "wsx-council" and first.owner == "wsx-council"
    async with sessions() as session, session.begin():
        again, repeated = await service.receive_contact(session, CTX, contact=contact, idempotency_key="k-1",
                                                        clock_skew_seconds=120)
        assert (again.reference, repeated) == (first.reference, [])
        other = ContactIn.model_validate(contact_payload(description="Something else entirely."))
        with pytest.raises(Conflict):
            await service.receive_contact(session, CTX, contact=other, idempotency_key="k-1",
                                          clock_skew_seconds=120)
