"""Casework's use cases, in process: on a real database, with no broker and no HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from casework import repository, service
from casework.domain import PartsOutstanding
from casework.joint import request_part
from casework.main import MIGRATIONS
from casework.schemas import AcknowledgeIn, ContributionRequestIn, EscalateIn, ResponseIn
from nwd_shared import db, migrations
from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.context import Context
from nwd_shared.directory import load_directory
from nwd_shared.errors import Conflict, Forbidden, Invalid, NotFound
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE

OPENED = datetime(2026, 7, 1, 9, tzinfo=UTC)
# A consumer's context: no caller, casework acts on the event.
CTX = Context(source="/nwd/casework", now=OPENED, calendar=WorkingCalendar(),
              directory=load_directory(DEMO_ORGANISATIONS_FILE))
RESPONSE = {
    "outcome": "not_upheld", "desired_outcome_met": True, "went_wrong": False,
    "issues": "Missed home care visits.", "investigation": "Visit logs and the agency's rota.",
    "evidence": "Logs for June.", "findings": "Visits were made as planned.", "signed_by": "Pat Chief",
}


def acting(caller: str, now: datetime = OPENED) -> Context:
    return dataclasses.replace(CTX, caller=caller, now=now)


def agreed(owner: str = "wsx-council", *, contributors: tuple = (), route: str = "complaint",
           reference: str | None = None) -> ev.OwnershipAgreed:
    reference = reference or f"NWD-{uuid.uuid4().hex[:8].upper()}"
    return ev.OwnershipAgreed(source="/nwd/referral", subject=reference, data=ev.OwnershipAgreedData(
        reference=reference, owner=owner, contributors=list(contributors), received_by=owner,
        owner_received_at=OPENED, kind="complaint", route=route))


@pytest.fixture
async def sessions(database_url):
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, database_url)
    engine = db.create_engine(database_url)
    yield db.session_factory(engine)
    await engine.dispose()


async def open_case(sessions, event: ev.OwnershipAgreed) -> str:
    async with sessions() as session, session.begin():
        await service.open_case(session, event, CTX)
    async with sessions() as session:
        return (await repository.case_for_reference(session, event.data.reference)).id


async def test_an_agreement_on_the_suspended_route_opens_one_paused_case_however_often_it_comes(sessions):
    event = agreed(route="suspended")
    async with sessions() as session, session.begin():
        caused = await service.open_case(session, event, CTX)
        again = await service.open_case(session, event, CTX)
    assert [type(e) for e in caused] == [ev.CaseOpened, ev.CaseSuspended] and again == []
    assert caused[0].data.suspended is True


async def test_a_contributor_is_refused_and_a_stranger_is_told_there_is_no_case(sessions):
    case_id = await open_case(sessions, agreed(contributors=("uhsussex",)))
    async with sessions() as session:
        with pytest.raises(Forbidden, match="only the owner, wsx-council"):
            await service.acknowledge(session, acting("uhsussex"), case_id=case_id, body=AcknowledgeIn())
        with pytest.raises(NotFound):
            await service.acknowledge(session, acting("bh-council"), case_id=case_id, body=AcknowledgeIn())


async def test_an_incomplete_final_response_names_each_missing_field_in_one_error(sessions):
    case_id = await open_case(sessions, agreed())
    owner = acting("wsx-council")
    async with sessions() as session, session.begin():
        await service.acknowledge(session, owner, case_id=case_id, body=AcknowledgeIn())
        with pytest.raises(Invalid) as refused:
            await service.respond(session, owner, case_id=case_id, body=ResponseIn(
                outcome="upheld", desired_outcome_met=True))
    fields = {e.field for e in refused.value.errors}
    assert {"body.issues", "body.signed_by", "body.went_wrong", "body.apology", "body.actions"} <= fields
    assert {e.type for e in refused.value.errors} == {"value_error"}


async def test_a_joint_response_waits_for_the_requested_part_unless_the_owner_says_why(sessions):
    case_id = await open_case(sessions, agreed(contributors=("uhsussex",)))
    owner = acting("wsx-council")
    async with sessions() as session, session.begin():
        await service.acknowledge(session, owner, case_id=case_id, body=AcknowledgeIn())
        await request_part(session, owner, case_id=case_id, body=ContributionRequestIn(
            contributor="uhsussex", due_on="2026-07-10", request="Your part about the discharge, please."))
        with pytest.raises(PartsOutstanding) as refused:
            await service.respond(session, owner, case_id=case_id, body=ResponseIn(**RESPONSE))
        assert refused.value.outstanding == ["uhsussex"]
        case, caused = await service.respond(session, owner, case_id=case_id, body=ResponseIn(
            **RESPONSE, without_contributions_reason="the trust has not replied in eight weeks"))
    assert case.status == "responded" and case.response["contributions_outstanding"] == ["uhsussex"]
    assert [type(e) for e in caused] == [ev.CaseResponded]


async def test_escalation_waits_for_a_response_or_six_months_and_names_the_owners_ombudsman(sessions):
    case_id = await open_case(sessions, agreed("wsx-council"))
    owner = acting("wsx-council")
    async with sessions() as session, session.begin():
        with pytest.raises(Conflict, match="six months"):
            await service.escalate(session, owner, case_id=case_id, body=EscalateIn(reason="no answer"))
        await service.acknowledge(session, owner, case_id=case_id, body=AcknowledgeIn())
        await service.respond(session, owner, case_id=case_id, body=ResponseIn(**RESPONSE))
        case, [escalated] = await service.escalate(session, owner, case_id=case_id,
                                                   body=EscalateIn(reason="still unhappy"))
    # Social care only: the Local Government and Social Care Ombudsman, named by casework in the event.
    assert case.status == "escalated" and escalated.data.ombudsman_id == "lgsco"
