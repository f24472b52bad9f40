"""Casework's use cases in process: called directly on the app's database, no broker and no HTTP."""

from __future__ import annotations

import pytest

from casework import repository, service
from casework.domain import PartsOutstanding
from casework.joint import request_part
from casework.schemas import AcknowledgeIn, ContributionRequestIn, EscalateIn, ResponseIn
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.errors import Forbidden, Invalid, NotFound
from nwd_shared.testing import deliver, new_reference, ownership_agreed

RESPONSE = {
    "outcome": "not_upheld", "desired_outcome_met": True, "went_wrong": False,
    "issues": "Missed home care visits.", "investigation": "Visit logs and the agency's rota.",
    "evidence": "Logs for June.", "findings": "Visits were made as planned.", "signed_by": "Pat Chief",
}


async def opened(casework, owner: str = "wsx-council", contributors: tuple = ()) -> str:
    """The id of a case opened by agreed ownership, delivered to casework's consumer."""
    reference = new_reference()
    await deliver(casework, ownership_agreed(reference, owner=owner, contributors=contributors))
    async with casework.runtime.sessions() as session:
        return (await repository.case_for_reference(session, reference)).id


async def test_the_same_agreement_again_changes_nothing_and_a_suspended_route_opens_a_paused_case(casework):
    agreed = ownership_agreed(new_reference(), route="suspended")
    ctx = Context.of(casework.runtime)
    async with casework.runtime.sessions() as session, session.begin():
        caused = await service.open_case(session, agreed, ctx)
        again = await service.open_case(session, agreed, ctx)
    assert [type(e) for e in caused] == [ev.CaseOpened, ev.CaseSuspended] and again == []
    assert caused[0].data.suspended is True


async def test_a_contributor_is_refused_and_a_stranger_is_told_there_is_no_case(casework):
    case_id = await opened(casework, contributors=("uhsussex",))
    async with casework.runtime.sessions() as session:
        with pytest.raises(Forbidden, match="only the owner, wsx-council"):
            await service.acknowledge(session, Context.of(casework.runtime, "uhsussex"), case_id=case_id,
                                      body=AcknowledgeIn())
        with pytest.raises(NotFound):
            await service.acknowledge(session, Context.of(casework.runtime, "bh-council"), case_id=case_id,
                                      body=AcknowledgeIn())


async def test_an_incomplete_final_response_names_each_missing_field_in_one_error(casework):
    case_id = await opened(casework)
    owner = Context.of(casework.runtime, "wsx-council")
    async with casework.runtime.sessions() as session, session.begin():
        await service.acknowledge(session, owner, case_id=case_id, body=AcknowledgeIn())
        with pytest.raises(Invalid) as refused:
            await service.respond(session, owner, case_id=case_id,
                                  body=ResponseIn(outcome="upheld", desired_outcome_met=True))
    fields = {e.field for e in refused.value.errors}
    assert {"body.issues", "body.signed_by", "body.went_wrong", "body.apology", "body.actions"} <= fields
    assert {e.type for e in refused.value.errors} == {"value_error"}


async def test_a_joint_response_waits_for_the_requested_part_unless_the_owner_says_why(casework):
    case_id = await opened(casework, contributors=("uhsussex",))
    owner = Context.of(casework.runtime, "wsx-council")
    async with casework.runtime.sessions() as session, session.begin():
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


async def test_escalation_is_never_barred_by_six_months_and_names_the_owners_ombudsman(casework):
    early_id, case_id = await opened(casework, "wsx-council"), await opened(casework, "wsx-council")
    owner = Context.of(casework.runtime, "wsx-council")
    async with casework.runtime.sessions() as session, session.begin():
        # Days after receipt, no response yet: the ombudsman decides whether it is premature.
        early, _ = await service.escalate(session, owner, case_id=early_id, body=EscalateIn(reason="no answer"))
        assert (early.status, early.escalated_on) == ("open", owner.today)
        await service.acknowledge(session, owner, case_id=case_id, body=AcknowledgeIn())
        await service.respond(session, owner, case_id=case_id, body=ResponseIn(**RESPONSE))
        case, [escalated] = await service.escalate(session, owner, case_id=case_id,
                                                   body=EscalateIn(reason="still unhappy"))
    # Social care only: the Local Government and Social Care Ombudsman, named by casework in the event.
    assert case.status == "escalated" and escalated.data.ombudsman_id == "lgsco"
