"""Learning queries: what the reports of some organisations are built from."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learning.models import (
    CaseRecord,
    ContactRecord,
    EventFact,
    ExperienceLink,
    LearningAction,
    SubjectCorrection,
)
from nwd_shared import events as ev
from nwd_shared.db import get_row, load_rows


@dataclass
class Records:
    """Everything the reports of some organisations are computed from, for all time."""

    organisations: frozenset[str]
    contacts: dict[str, ContactRecord] = field(default_factory=dict)  # by reference
    cases: list[CaseRecord] = field(default_factory=list)
    facts: list[EventFact] = field(default_factory=list)
    actions: list[LearningAction] = field(default_factory=list)
    links: list[ExperienceLink] = field(default_factory=list)
    corrections: dict[str, SubjectCorrection] = field(default_factory=dict)  # by reference


async def records_of(session: AsyncSession, organisations: Collection[str]) -> Records:
    """Contacts received by or owned by the organisations, their cases, facts, actions, links."""
    orgs = sorted(set(organisations))
    cases = list((await session.execute(
        select(CaseRecord).where(CaseRecord.owner.in_(orgs)).order_by(CaseRecord.reference, CaseRecord.case_id))).scalars())
    # A subquery, not a list of references: an organisation may have more cases than a
    # statement may carry parameters.
    references = select(CaseRecord.reference).where(CaseRecord.owner.in_(orgs))
    contacts = (await session.execute(select(ContactRecord).where(or_(
        ContactRecord.received_by.in_(orgs), ContactRecord.owner.in_(orgs),
        ContactRecord.reference.in_(references))))).scalars()
    facts = (await session.execute(select(EventFact).where(EventFact.organisation_id.in_(orgs)))).scalars()
    actions = (await session.execute(select(LearningAction).where(LearningAction.organisation.in_(orgs))
                                     .order_by(LearningAction.raised_on, LearningAction.id))).scalars()
    links = (await session.execute(select(ExperienceLink).where(ExperienceLink.organisation.in_(orgs)))).scalars()
    corrections = (await session.execute(select(SubjectCorrection).where(
        SubjectCorrection.reference.in_(references)))).scalars()
    return Records(
        organisations=frozenset(orgs), contacts={c.reference: c for c in contacts}, cases=cases,
        facts=list(facts), actions=list(actions), links=list(links),
        corrections={c.reference: c for c in corrections if c.organisation in orgs})


async def contact(session: AsyncSession, reference: str) -> ContactRecord | None:
    return await get_row(session, ContactRecord, reference)


async def case(session: AsyncSession, reference: str, case_id: str) -> CaseRecord | None:
    return await get_row(session, CaseRecord, (reference, case_id))


async def fact(session: AsyncSession, event_id: str, organisation: str, metric: str) -> EventFact | None:
    return await get_row(session, EventFact, (event_id, organisation, metric))


async def prefetch(session: AsyncSession, events: Sequence[ev.CloudEvent], *, counted: Collection[str]) -> list:
    """A batch's contacts, cases and facts (of the events in `counted`) in three queries, so the
    handlers' lookups need none."""
    contacts = await load_rows(session, ContactRecord.reference, (event.subject for event in events))
    cases = await load_rows(session, CaseRecord.reference,
                            (event.subject for event in events if event.topic == ev.CASES))
    facts = await load_rows(session, EventFact.event_id, (event.id for event in events if event.id in counted))
    return contacts + cases + facts


async def answered_links_closed_before(session: AsyncSession, day: date, limit: int) -> list[ExperienceLink]:
    """Answered links not yet anonymised whose case closed before `day`, locked for this transaction."""
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    return list((await session.execute(
        select(ExperienceLink)
        .join(CaseRecord, and_(CaseRecord.reference == ExperienceLink.reference,
                               CaseRecord.case_id == ExperienceLink.case_id))
        .where(CaseRecord.closed_on < day, ExperienceLink.responded_on.is_not(None),
               ExperienceLink.anonymised_at.is_(None))
        .order_by(ExperienceLink.token).limit(limit)
        .with_for_update(skip_locked=True, of=ExperienceLink)
    )).scalars().all())


async def cases_for_reference(session: AsyncSession, reference: str) -> list[CaseRecord]:
    rows = await session.execute(select(CaseRecord).where(CaseRecord.reference == reference))
    return list(rows.scalars())


async def correction(session: AsyncSession, reference: str) -> SubjectCorrection | None:
    return await session.get(SubjectCorrection, reference)


async def action_ids_of_case(session: AsyncSession, reference: str, case_id: str) -> set[str]:
    """The ids of the learning actions a case has raised."""
    rows = await session.execute(select(LearningAction.id).where(
        LearningAction.reference == reference, LearningAction.case_id == case_id))
    return set(rows.scalars())


async def actions_of(session: AsyncSession, organisation: str) -> list[LearningAction]:
    """An organisation's learning actions, the oldest due first."""
    rows = await session.execute(
        select(LearningAction).where(LearningAction.organisation == organisation)
        .order_by(LearningAction.due_on, LearningAction.raised_on, LearningAction.id))
    return list(rows.scalars())


async def action(session: AsyncSession, action_id: str) -> LearningAction | None:
    return await session.get(LearningAction, action_id)


async def link_of_case(session: AsyncSession, reference: str, case_id: str) -> ExperienceLink | None:
    """The feedback link issued for a case, if any."""
    return (await session.execute(select(ExperienceLink).where(
        ExperienceLink.reference == reference, ExperienceLink.case_id == case_id))).scalar_one_or_none()


async def links_for(session: AsyncSession, organisation: str, reference: str) -> list[ExperienceLink]:
    """The feedback links of an organisation's cases for a contact."""
    rows = await session.execute(select(ExperienceLink).where(
        ExperienceLink.organisation == organisation, ExperienceLink.reference == reference))
    return list(rows.scalars())


async def link_for_token(session: AsyncSession, token: str, *, for_update: bool = False) -> ExperienceLink | None:
    """The link of a token; locked when it is about to be answered, so it is answered once."""
    return await session.get(ExperienceLink, token, with_for_update=for_update)
