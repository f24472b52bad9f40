"""The day a complaint reached its owner (the clock's start): the proposal, the receipt, PALS's return.

Use cases on a real database, no broker: each step runs on a day of its own.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime

import pytest

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.directory import load_directory
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import contact_received, migrated_sessions, new_reference, triage_completed
from referral import partners, repository, service
from referral.context import Context
from referral.main import MIGRATIONS
from referral.schemas import ReferralIn

DIRECTORY = load_directory(DEMO_ORGANISATIONS_FILE)
CTX = Context(source="/nwd/referral", now=datetime(2026, 6, 1, 9, tzinfo=UTC), calendar=WorkingCalendar(),
              directory=DIRECTORY)
# Monday 15 June 2026, 23:30 UTC: already Tuesday 16 June in London (BST).
LATE_MONDAY_UTC = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)


def at(moment: datetime) -> Context:
    return dataclasses.replace(CTX, now=moment)


def org(organisation_id: str):
    return DIRECTORY.get(organisation_id)


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def decided(sessions, moment: datetime, *, received_by: str, responsible: list[str], **decision) -> tuple:
    """A contact received and triaged at `moment`; (reference, events caused)."""
    reference = new_reference()
    async with sessions() as session, session.begin():
        caused = await service.on_contact(session, contact_received(
            reference, received_by=received_by, received_at=moment,
            concerns=[{"organisation_id": responsible[0]}]), at(moment))
        caused += await service.on_triage(session, triage_completed(
            reference, received_by=received_by, responsible=responsible, received_at=moment, **decision), at(moment))
    return reference, caused


async def pending_to(sessions, reference: str, organisation_id: str):
    async with sessions() as session:
        rows = await repository.referrals_of(session, reference, statuses=("pending",))
    [row] = [r for r in rows if r.to_organisation == organisation_id]
    return row


async def accept(sessions, reference: str, organisation_id: str, moment: datetime) -> list[ev.CloudEvent]:
    row = await pending_to(sessions, reference, organisation_id)
    async with sessions() as session, session.begin():
        _, caused = await service.accept(session, at(moment), referral_id=row.id, caller=org(organisation_id))
    return caused


def agreement(caused: list[ev.CloudEvent]) -> ev.OwnershipAgreedData:
    [agreed] = [e for e in caused if isinstance(e, ev.OwnershipAgreed)]
    return agreed.data


async def test_a_referred_complaint_reached_its_owner_on_the_london_day_it_was_proposed(sessions):
    reference, _ = await decided(sessions, LATE_MONDAY_UTC, received_by="wsx-council", responsible=["uhsussex"])
    accepted_at = datetime(2026, 6, 18, 14, tzinfo=UTC)  # Thursday: acceptance does not restart the clock
    agreed = agreement(await accept(sessions, reference, "uhsussex", accepted_at))
    assert agreed.owner == "uhsussex"
    assert agreed.received_by_owner_on == date(2026, 6, 16)
    # owner_received_at keeps its meaning: when the owner took the contact on.
    assert agreed.owner_received_at == accepted_at


async def test_the_receiving_body_received_it_on_the_london_day_of_receipt(sessions):
    _, caused = await decided(sessions, LATE_MONDAY_UTC, received_by="wsx-council", responsible=["wsx-council"])
    assert agreement(caused).received_by_owner_on == date(2026, 6, 16)


async def test_a_complaint_pals_returns_is_received_by_the_trust_on_the_day_it_returns(sessions):
    reference, caused = await decided(sessions, datetime(2026, 6, 1, 9, tzinfo=UTC), received_by="uhsussex-pals",
                                      responsible=["uhsussex"], route="pals")
    [pals] = caused
    returned_at = datetime(2026, 6, 10, 15, tzinfo=UTC)
    async with sessions() as session, session.begin():
        _, caused = await service.return_to_complaints(session, at(returned_at), referral_id=pals.data.referral_id,
                                                       caller=org("uhsussex-pals"), reason="Needs an investigation")
    agreed = agreement(caused)
    assert (agreed.owner, agreed.route) == ("uhsussex", "complaint")
    assert agreed.received_by_owner_on == date(2026, 6, 10)


async def test_a_complaint_pals_returns_reaches_a_trust_it_is_referred_to_on_the_day_of_the_return(sessions):
    reference, caused = await decided(sessions, datetime(2026, 6, 1, 9, tzinfo=UTC), received_by="wsx-council",
                                      responsible=["uhsussex"], route="pals")
    [pals] = caused
    async with sessions() as session, session.begin():
        await service.return_to_complaints(session, at(datetime(2026, 6, 10, 15, tzinfo=UTC)),
                                           referral_id=pals.data.referral_id, caller=org("uhsussex-pals"),
                                           reason="Needs an investigation")
    agreed = agreement(await accept(sessions, reference, "uhsussex", datetime(2026, 6, 12, 9, tzinfo=UTC)))
    assert agreed.received_by_owner_on == date(2026, 6, 10)


async def test_the_receiver_taking_it_from_pals_by_hand_receives_it_that_day(sessions):
    reference, _ = await decided(sessions, datetime(2026, 6, 1, 9, tzinfo=UTC), received_by="uhsussex",
                                 responsible=["uhsussex"], route="pals")
    async with sessions() as session, session.begin():
        _, caused = await partners.refer_by_hand(
            session, at(datetime(2026, 6, 4, 11, tzinfo=UTC)), caller=org("uhsussex"),
            body=ReferralIn(reference=reference, to_organisation_id="uhsussex", purpose="ownership"))
    assert agreement(caused).received_by_owner_on == date(2026, 6, 4)


async def test_an_override_adding_a_contributor_keeps_the_owners_day(sessions):
    reference, _ = await decided(sessions, datetime(2026, 6, 1, 9, tzinfo=UTC), received_by="wsx-council",
                                 responsible=["uhsussex"])
    await accept(sessions, reference, "uhsussex", datetime(2026, 6, 3, 9, tzinfo=UTC))
    override = ev.TriageOverridden(source="/nwd/triage", subject=reference, data=ev.TriageOverriddenData(
        reference=reference, received_by="wsx-council", received_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        kind="complaint", route="complaint", responsible_organisations=["uhsussex", "wsx-council"],
        reasons=["a person"], concern_count={"uhsussex": 2, "wsx-council": 1}, previous_route="complaint",
        overridden_by="cara.jones", reason="the council's home care is complained about too"))
    async with sessions() as session, session.begin():
        caused = await service.on_triage(session, override, at(datetime(2026, 6, 8, 9, tzinfo=UTC)))
    # The trust holds it already and is not asked again; only the new contributor is.
    assert [(e.data.to_organisation, e.data.role) for e in caused] == [("wsx-council", "contributor")]
    agreed = agreement(await accept(sessions, reference, "wsx-council", datetime(2026, 6, 9, 9, tzinfo=UTC)))
    assert (agreed.owner, agreed.contributors) == ("uhsussex", ["wsx-council"])
    assert agreed.received_by_owner_on == date(2026, 6, 1)


async def test_escalation_to_an_ombudsman_is_never_barred_by_a_six_month_rule(sessions):
    received = datetime(2026, 6, 1, 9, tzinfo=UTC)
    reference, _ = await decided(sessions, received, received_by="uhsussex", responsible=["uhsussex"])
    # The day after the response, long before six months: the ombudsman is asked all the same.
    escalated = ev.CaseEscalated(source="/nwd/casework", subject=reference, data=ev.CaseEscalatedData(
        case_id=str(uuid.uuid4()), reference=reference, owner="uhsussex", reason="dissatisfied",
        ombudsman_id="phso"))
    async with sessions() as session, session.begin():
        caused = await partners.on_case_escalated(session, escalated, at(datetime(2026, 6, 20, 9, tzinfo=UTC)))
    assert [(e.data.to_organisation, e.data.purpose) for e in caused] == [("phso", "ombudsman")]
    # By hand, on the day of receipt itself, too.
    reference, _ = await decided(sessions, received, received_by="wsx-council", responsible=["wsx-council"])
    async with sessions() as session, session.begin():
        row, caused = await partners.refer_by_hand(session, at(received), caller=org("wsx-council"), body=ReferralIn(
            reference=reference, to_organisation_id="lgsco", purpose="ombudsman", reason="asked for it"))
    assert (row.to_organisation, row.status, row.due_at) == ("lgsco", "pending", None)
