"""Casework queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from casework.domain import AWAITING_RESPONSE, ENDED, REOPENABLE, CaseStatus
from casework.models import (
    Case,
    CaseContribution,
    CaseDeadlineAlert,
    CaseExtension,
    ContactFact,
    OmbudsmanRemedy,
    OmbudsmanRequest,
    PersistentComplainant,
)

AlertKey = tuple[str, str, date, str]


async def get_case(session: AsyncSession, case_id: str, *, for_update: bool = False) -> Case | None:
    """A case; `for_update` locks its row so two concurrent actions cannot both apply (PostgreSQL)."""
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def case_for_reference(session: AsyncSession, reference: str, *, for_update: bool = False) -> Case | None:
    """A contact's current case: the live one, else the last closed; never one transferred away."""
    query = (select(Case).where(Case.reference == reference, Case.status != CaseStatus.TRANSFERRED)
             .order_by(Case.status.in_(REOPENABLE).asc(), Case.opened_at.desc(), Case.id.desc()).limit(1))
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalars().first()


async def extensions_of(session: AsyncSession, case_id: str) -> list[CaseExtension]:
    query = select(CaseExtension).where(CaseExtension.case_id == case_id).order_by(CaseExtension.id)
    return list((await session.execute(query)).scalars())


async def contributions_of(session: AsyncSession, case_id: str) -> list[CaseContribution]:
    query = (select(CaseContribution).where(CaseContribution.case_id == case_id)
             .order_by(CaseContribution.contributor))
    return list((await session.execute(query)).scalars())


async def contribution(session: AsyncSession, case_id: str, contributor: str) -> CaseContribution | None:
    query = select(CaseContribution).where(CaseContribution.case_id == case_id,
                                           CaseContribution.contributor == contributor)
    return (await session.execute(query)).scalar_one_or_none()


async def alerts_of(session: AsyncSession, case_ids: Sequence[str]) -> list[CaseDeadlineAlert]:
    if not case_ids:
        return []
    query = (select(CaseDeadlineAlert).where(CaseDeadlineAlert.case_id.in_(list(case_ids)))
             .order_by(CaseDeadlineAlert.id))
    return list((await session.execute(query)).scalars())


async def cases_due_by(session: AsyncSession, horizon: date) -> list[Case]:
    """Cases awaiting a response with a deadline on or before `horizon` still to be met."""
    query = select(Case).where(
        Case.status.in_(AWAITING_RESPONSE),
        or_(
            and_(Case.acknowledged_on.is_(None), Case.acknowledge_by <= horizon),
            and_(Case.action_plan_issued_on.is_(None), Case.action_plan_by <= horizon),
            Case.respond_by <= horizon,
            Case.six_months_by <= horizon,
        ),
    ).order_by(Case.id)
    return list((await session.execute(query)).scalars())


async def open_cases_of(session: AsyncSession, owner: str) -> list[Case]:
    query = select(Case).where(Case.owner == owner, Case.status.in_(AWAITING_RESPONSE))
    return list((await session.execute(query)).scalars())


async def alert_keys(session: AsyncSession, case_ids: Sequence[str]) -> set[AlertKey]:
    """Alerts already raised for these cases."""
    return {(a.case_id, a.deadline, a.due_on, a.kind) for a in await alerts_of(session, case_ids)}


async def raise_alert_once(session: AsyncSession, *, case_id: str, deadline: str, due_on: date, kind: str,
                           now: datetime) -> bool:
    """Insert an alert unless one exists; True only for the transaction whose row went in."""
    # On PostgreSQL a racing replica's insert waits for ours to commit, then does nothing.
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(CaseDeadlineAlert)
        .values(case_id=case_id, deadline=deadline, due_on=due_on, kind=kind, raised_at=now)
        .on_conflict_do_nothing(index_elements=["case_id", "deadline", "due_on", "kind"])
        .returning(CaseDeadlineAlert.id)
    )
    return (await session.execute(statement)).first() is not None


async def ended_cases_to_anonymise(session: AsyncSession, before: date, limit: int) -> list[Case]:
    """Cases not yet anonymised of contacts whose every case ended before `before`, locked, oldest first."""
    other = aliased(Case)
    # A transferred case waits for the contact's live case: its new owner may still be handling it.
    going_on = select(other.reference).where(or_(other.status.not_in(ENDED), other.closed_on >= before))
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    query = (select(Case).where(Case.status.in_(ENDED), Case.closed_on < before, Case.anonymised_at.is_(None),
                                Case.reference.not_in(going_on))
             .order_by(Case.closed_on).limit(limit).with_for_update(skip_locked=True))
    return list((await session.execute(query)).scalars())


async def blank_history_of(session: AsyncSession, case_ids: Sequence[str], blank: str) -> None:
    """Replace the free text of these cases' extensions, contributions and remedies with `blank`."""
    if not case_ids:
        return
    await session.execute(update(CaseExtension).where(CaseExtension.case_id.in_(list(case_ids)))
                          .values(reason=blank))
    for column in ("request", "part", "submitted_by"):
        await session.execute(update(CaseContribution).where(
            CaseContribution.case_id.in_(list(case_ids)), getattr(CaseContribution, column).is_not(None))
            .values({column: blank}))
    await session.execute(update(OmbudsmanRemedy).where(OmbudsmanRemedy.case_id.in_(list(case_ids)))
                          .values(description=blank))
    await session.execute(update(OmbudsmanRemedy).where(OmbudsmanRemedy.case_id.in_(list(case_ids)),
                                                        OmbudsmanRemedy.evidence.is_not(None))
                          .values(evidence=blank))


# --- the whole life of a complaint (issue 15) ----------------------------------------------

async def live_case_for_reference(session: AsyncSession, reference: str) -> Case | None:
    """The contact's live case, if it has one (a reopening must not make a second)."""
    query = select(Case).where(Case.reference == reference, Case.status.not_in(ENDED))
    return (await session.execute(query)).scalars().first()


async def contact_fact(session: AsyncSession, reference: str) -> ContactFact | None:
    return await session.get(ContactFact, reference)


async def cases_of_reference(session: AsyncSession, reference: str) -> list[Case]:
    """Every case of a contact, locked: facts learned late reach them all."""
    query = select(Case).where(Case.reference == reference).order_by(Case.id).with_for_update()
    return list((await session.execute(query)).scalars())


async def information_requests_of(session: AsyncSession, case_id: str) -> list[OmbudsmanRequest]:
    query = select(OmbudsmanRequest).where(OmbudsmanRequest.case_id == case_id).order_by(OmbudsmanRequest.number)
    return list((await session.execute(query)).scalars())


async def remedies_of(session: AsyncSession, case_id: str) -> list[OmbudsmanRemedy]:
    query = select(OmbudsmanRemedy).where(OmbudsmanRemedy.case_id == case_id).order_by(OmbudsmanRemedy.number)
    return list((await session.execute(query)).scalars())


async def person_flag(session: AsyncSession, organisation: str, person_key: str, *,
                      for_update: bool = False) -> PersistentComplainant | None:
    query = select(PersistentComplainant).where(PersistentComplainant.organisation == organisation,
                                                PersistentComplainant.person_key == person_key)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def lapsed_day_to_day(session: AsyncSession, today: date) -> list[Case]:
    """Day-to-day business not put right by the end of the next working day, locked."""
    query = (select(Case).where(Case.status == CaseStatus.DAY_TO_DAY, Case.resolve_by < today)
             .order_by(Case.id).with_for_update(skip_locked=True))
    return list((await session.execute(query)).scalars())


async def reviews_due_by(session: AsyncSession, horizon: date) -> list[Case]:
    """Cases under senior review whose final response is due on or before `horizon`."""
    query = select(Case).where(Case.status == CaseStatus.UNDER_REVIEW, Case.final_response_by <= horizon)
    return list((await session.execute(query.order_by(Case.id))).scalars())


async def information_due_by(session: AsyncSession, horizon: date) -> list[tuple[Case, OmbudsmanRequest]]:
    """Information the ombudsman asked for, not yet sent, due on or before `horizon`."""
    query = (select(Case, OmbudsmanRequest).join(OmbudsmanRequest, OmbudsmanRequest.case_id == Case.id)
             .where(OmbudsmanRequest.sent_on.is_(None), OmbudsmanRequest.due_on <= horizon)
             .order_by(Case.id, OmbudsmanRequest.number))
    return [tuple(row) for row in await session.execute(query)]


async def remedies_due_by(session: AsyncSession, horizon: date) -> list[tuple[Case, OmbudsmanRemedy]]:
    """Remedies the ombudsman recommended, not yet complied with, due on or before `horizon`."""
    query = (select(Case, OmbudsmanRemedy).join(OmbudsmanRemedy, OmbudsmanRemedy.case_id == Case.id)
             .where(OmbudsmanRemedy.complied_on.is_(None), OmbudsmanRemedy.due_on <= horizon)
             .order_by(Case.id, OmbudsmanRemedy.number))
    return [tuple(row) for row in await session.execute(query)]


async def flag_reviews_due_by(session: AsyncSession, horizon: date) -> list[tuple[Case, PersistentComplainant]]:
    """Persistent-complainant flags whose review date is on or before `horizon`, with the case they came from."""
    query = (select(Case, PersistentComplainant).join(PersistentComplainant, PersistentComplainant.case_id == Case.id)
             .where(PersistentComplainant.flagged.is_(True), PersistentComplainant.review_on <= horizon)
             .order_by(PersistentComplainant.id))
    return [tuple(row) for row in await session.execute(query)]
