"""Referral's use cases, in process: on a real database, with no broker and no HTTP."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar
from nwd_shared.directory import load_directory
from nwd_shared.errors import Forbidden, Invalid, NotFound
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE
from nwd_shared.testing import contact_received, migrated_sessions, new_reference, triage_completed
from referral import partners, repository, service
from referral.context import Context
from referral.domain import IllegalTransition
from referral.main import MIGRATIONS
from referral.models import WebhookDelivery, WebhookSubscription, messaging
from referral.schemas import DeclineIn, ReferralIn
from referral.staging import stage

NOW = datetime(2026, 12, 14, 10, tzinfo=UTC)
DIRECTORY = load_directory(DEMO_ORGANISATIONS_FILE)
# A consumer's context: no caller, referral acts on the event.
CTX = Context(source="/nwd/referral", now=NOW, calendar=WorkingCalendar(), directory=DIRECTORY)


def org(organisation_id: str):
    return DIRECTORY.get(organisation_id)


@pytest.fixture
async def sessions(database_url):
    async with migrated_sessions(MIGRATIONS, database_url) as factory:
        yield factory


async def decided(sessions, *, received_by: str, responsible: list[str], concerns=None, **published) -> tuple:
    """A contact and its triage decision, handled as the consumer would; (reference, events caused)."""
    reference = new_reference()
    caused: list[ev.CloudEvent] = []
    async with sessions() as session, session.begin():
        caused += await service.on_contact(session, contact_received(
            reference, received_by=received_by, concerns=concerns or [{"organisation_id": responsible[0]}]), CTX)
        caused += await service.on_triage(session, triage_completed(
            reference, received_by=received_by, responsible=responsible, **published), CTX)
    return reference, caused


async def pending_to(sessions, reference: str, organisation_id: str):
    async with sessions() as session:
        rows = await repository.referrals_of(session, reference, statuses=("pending",))
    [row] = [r for r in rows if r.to_organisation == organisation_id]
    return row


async def test_a_responsible_receiver_owns_it_at_once_and_the_negotiation_is_agreed(sessions):
    reference, caused = await decided(sessions, received_by="wsx-council", responsible=["wsx-council"])
    assert [type(e) for e in caused] == [ev.OwnershipAgreed]
    async with sessions() as session:
        assert (await repository.get_negotiation(session, reference)).state == "agreed"


async def test_a_decision_before_its_contact_waits_for_it(sessions):
    reference = new_reference()
    async with sessions() as session, session.begin():
        caused = await service.on_triage(session, triage_completed(
            reference, received_by="wsx-council", responsible=["uhsussex"]), CTX)
        assert caused == [] and (await repository.get_negotiation(session, reference)).state == "awaiting_contact"
        caused = await service.on_contact(session, contact_received(reference, received_by="wsx-council"), CTX)
    assert [(type(e), e.data.to_organisation) for e in caused] == [(ev.ReferralProposed, "uhsussex")]


async def test_triage_counts_choose_the_lead_and_agreement_waits_for_every_contributor(sessions):
    reference, caused = await decided(sessions, received_by="healthwatch-wsx", responsible=["uhsussex", "wsx-council"],
                                      concern_count={"wsx-council": 2, "uhsussex": 1})
    assert [(e.data.to_organisation, e.data.role) for e in caused] == [("wsx-council", "lead"),
                                                                       ("uhsussex", "contributor")]
    lead = await pending_to(sessions, reference, "wsx-council")
    contributor = await pending_to(sessions, reference, "uhsussex")
    async with sessions() as session, session.begin():
        _, caused = await service.accept(session, CTX, referral_id=lead.id, caller=org("wsx-council"))
        assert [type(e) for e in caused] == [ev.ReferralAccepted]  # the contributor has not answered
        _, caused = await service.accept(session, CTX, referral_id=contributor.id, caller=org("uhsussex"))
    agreed = caused[-1]
    assert (agreed.data.owner, agreed.data.contributors) == ("wsx-council", ["uhsussex"])


async def test_once_agreed_an_owner_is_not_proposed_by_hand(sessions):
    reference, _ = await decided(sessions, received_by="wsx-council", responsible=["wsx-council"])
    async with sessions() as session, session.begin():
        with pytest.raises(IllegalTransition) as refused:
            await partners.refer_by_hand(session, CTX, caller=org("wsx-council"), body=ReferralIn(
                reference=reference, to_organisation_id="uhsussex", purpose="ownership"))
    assert refused.value.status == 409


async def test_answers_are_refused_with_domain_errors(sessions):
    reference, _ = await decided(sessions, received_by="wsx-council", responsible=["uhsussex"])
    proposal = await pending_to(sessions, reference, "uhsussex")
    async with sessions() as session, session.begin():
        with pytest.raises(NotFound):
            await service.accept(session, CTX, referral_id=proposal.id, caller=org("bh-council"))
        with pytest.raises(Forbidden):
            await service.withdraw_by_sender(session, CTX, referral_id=proposal.id, caller=org("uhsussex"),
                                             reason="not mine to withdraw")
        with pytest.raises(Invalid) as invalid:
            await service.decline(session, CTX, referral_id=proposal.id, caller=org("uhsussex"),
                                  answer=DeclineIn(reason="Not ours", suggested_organisation_id="nobody"))
    assert invalid.value.extensions() == {"errors": [{"field": "body.suggested_organisation_id",
                                                      "message": "unknown organisation",
                                                      "type": "unknown_organisation"}]}


async def test_withdrawing_the_lead_proposal_escalates_to_the_receiver(sessions):
    reference, _ = await decided(sessions, received_by="wsx-council", responsible=["uhsussex"])
    proposal = await pending_to(sessions, reference, "uhsussex")
    async with sessions() as session, session.begin():
        await service.withdraw_by_sender(session, CTX, referral_id=proposal.id, caller=org("wsx-council"),
                                         reason="wrong trust")
    async with sessions() as session:
        negotiation = await repository.get_negotiation(session, reference)
    assert (negotiation.state, negotiation.lead) == ("escalated", None)


async def test_a_pals_that_resolves_it_closes_the_negotiation(sessions):
    reference, caused = await decided(sessions, received_by="wsx-council", responsible=["uhsussex"], route="pals")
    [proposed] = caused
    async with sessions() as session, session.begin():
        await service.resolve(session, CTX, referral_id=proposed.data.referral_id, caller=org("uhsussex-pals"),
                              summary="sorted out")
    async with sessions() as session:
        assert (await repository.get_negotiation(session, reference)).state == "closed"


def escalated(reference: str, ombudsman_id: str | None = None) -> ev.CaseEscalated:
    return ev.CaseEscalated(source="/nwd/casework", subject=reference, data=ev.CaseEscalatedData(
        case_id=str(uuid.uuid4()), reference=reference, owner="uhsussex", reason="dissatisfied",
        ombudsman_id=ombudsman_id))


async def test_the_ombudsman_casework_names_is_asked_and_older_events_get_both_for_a_joint_complaint(sessions):
    reference, _ = await decided(sessions, received_by="uhsussex", responsible=["uhsussex", "wsx-council"],
                                 concern_count={"uhsussex": 2, "wsx-council": 1})
    contributor = await pending_to(sessions, reference, "wsx-council")
    async with sessions() as session, session.begin():
        await service.accept(session, CTX, referral_id=contributor.id, caller=org("wsx-council"))
        named = await partners.on_case_escalated(session, escalated(reference, "phso"), CTX)
        older = await partners.on_case_escalated(session, escalated(reference), CTX)
    assert [(e.data.to_organisation, e.data.joint_working_team) for e in named] == [("phso", False)]
    assert [(e.data.to_organisation, e.data.joint_working_team) for e in older] == [("phso", True),
                                                                                    ("lgsco", True)]


async def test_stage_writes_the_outbox_and_a_delivery_for_each_subscription_the_event_concerns(sessions):
    reference, caused = await decided(sessions, received_by="wsx-council", responsible=["uhsussex"])
    async with sessions() as session, session.begin():
        for organisation_id in ("uhsussex", "bh-council"):
            session.add(WebhookSubscription(id=str(uuid.uuid4()), organisation_id=organisation_id,
                                            url="https://example.org/hook", event_types=[caused[0].type],
                                            secret="whsec_c2VjcmV0", active=True, created_at=NOW))
    async with sessions() as session, session.begin():
        await stage(session, dataclasses.replace(CTX, caller="wsx-council"), caused)
    async with sessions() as session:
        outbox = (await session.execute(select(messaging.outbox.c.event_type, messaging.outbox.c.payload)
                                        .where(messaging.outbox.c.key == reference))).all()
        deliveries = list((await session.execute(select(WebhookDelivery)
                                                 .where(WebhookDelivery.reference == reference))).scalars())
    assert [(kind, json.loads(payload)["to_organisation"]) for kind, payload in outbox] == [
        ("nwd.referral.proposed.v1", "uhsussex")]
    # Only the organisation the event names hears of it.
    assert [d.event_id for d in deliveries] == [caused[0].id]
