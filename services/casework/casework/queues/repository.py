"""Queue queries: the caller's cases with their handler, the queue counts, assignments and words."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from casework.domain import AWAITING_RESPONSE, ENDED, CaseStatus
from casework.models import Case, CaseContribution
from casework.queues import search
from casework.queues.models import CaseAssignment, CaseAssignmentChange, CaseSearchText

# Statuses of a case still being worked, named (not "not ended") so the owner-and-status index serves.
LIVE = tuple(str(status) for status in CaseStatus if status not in ENDED)
# Sort keys never NULL, so a cursor can name a position: a case with nothing due sorts last.
LATEST, EARLIEST = date(9999, 12, 31), date(1, 1, 1)


def _least(a, b):
    """The earlier of two dates, in SQL any database runs."""
    return case((a <= b, a), else_=b)


def due_on():
    """The next statutory deadline still running, as domain.running_deadlines decides; else NULL."""
    six = Case.six_months_by
    running = Case.suspended == false()
    acknowledge = case((Case.acknowledged_on.is_(None), Case.acknowledge_by), else_=six)
    plan = case((and_(running, Case.acknowledged_on.is_not(None), Case.action_plan_issued_on.is_(None),
                      Case.action_plan_by.is_not(None)), Case.action_plan_by), else_=six)
    respond = case((and_(running, Case.respond_by.is_not(None)), Case.respond_by), else_=six)
    soonest = _least(_least(acknowledge, plan), _least(respond, six))
    return type_coerce(case((Case.status.in_(AWAITING_RESPONSE), soonest), else_=None), Date)


def updated_on(dialect: str):
    """The latest of the case's dated steps and its last assignment."""
    received = Case.received_on
    steps = [Case.acknowledged_on, Case.action_plan_issued_on, Case.suspended_on, Case.responded_on,
             Case.escalated_on, Case.closed_on, CaseAssignment.assigned_on]
    # PostgreSQL's greatest() and SQLite's many-argument max() differ only on NULLs, which go first.
    latest = func.greatest if dialect == "postgresql" else func.max
    return type_coerce(latest(received, *(func.coalesce(step, received) for step in steps)), Date)


def _contributes(dialect: str, organisation: str):
    """The cases an organisation contributes to: containment (GIN-indexed) on PostgreSQL, text on SQLite."""
    if dialect == "postgresql":
        return cast(Case.contributors, JSONB).op("@>")(cast(literal(json.dumps([organisation])), JSONB))
    # contributors is a JSON list of organisation ids ([a-z0-9-]+): its text names each one quoted.
    return cast(Case.contributors, String).like(f'%"{organisation}"%')


def _outstanding_part():
    return exists().where(CaseContribution.case_id == Case.id, CaseContribution.requested_on.is_not(None),
                          CaseContribution.submitted_on.is_(None))


@dataclass(frozen=True)
class CaseFilter:
    """What a queue asks for; every field is optional."""

    statuses: list[str] = field(default_factory=list)
    # The statuses of the stages asked for: a case must match both lists when both are given.
    stage_statuses: list[str] = field(default_factory=list)
    relation: str | None = None
    handler: str | None = None          # a person id of the owner
    unassigned: bool = False
    team: str | None = None
    suspended: bool | None = None
    overdue: bool | None = None
    due_before: date | None = None
    received_from: date | None = None
    received_to: date | None = None
    kind: str | None = None
    subject: str | None = None
    waiting: bool | None = None
    q: str | None = None


@dataclass(frozen=True)
class Listed:
    case: Case
    handler: str | None
    team: str | None
    due_on: date | None
    updated_on: date


def _conditions(dialect: str, caller: str, want: CaseFilter, today: date) -> list:
    owned = Case.owner == caller
    due = due_on()
    # The handler and team are the owner's: a contributor's staff are never matched against them.
    owner_only = want.relation == "owner" or want.handler is not None or want.unassigned or want.team is not None
    if owner_only:
        conditions = [owned]
    elif want.relation == "contributor":
        conditions = [Case.owner != caller, _contributes(dialect, caller)]
    else:
        conditions = [or_(owned, _contributes(dialect, caller))]
    if want.statuses:
        conditions.append(Case.status.in_(want.statuses))
    if want.stage_statuses:
        conditions.append(Case.status.in_(want.stage_statuses))
    if want.handler is not None:
        conditions.append(CaseAssignment.handler == want.handler)
    if want.unassigned:
        conditions.append(~exists().where(CaseAssignment.case_id == Case.id))
    if want.team is not None:
        conditions.append(CaseAssignment.team == want.team)
    if want.suspended is not None:
        conditions.append(Case.suspended == (true() if want.suspended else false()))
    if want.overdue or want.due_before is not None:
        # Said again in plain terms (only a case awaiting its response has anything due), for the index.
        conditions.append(Case.status.in_(AWAITING_RESPONSE))
    if want.overdue is not None:
        conditions.append(due < today if want.overdue else or_(due.is_(None), due >= today))
    if want.due_before is not None:
        conditions.append(due < want.due_before)
    if want.received_from is not None:
        conditions.append(Case.received_on >= want.received_from)
    if want.received_to is not None:
        conditions.append(Case.received_on <= want.received_to)
    if want.kind is not None:
        conditions.append(Case.kind == want.kind)
    if want.subject is not None:
        conditions.append(func.lower(Case.subject) == want.subject.lower())
    if want.waiting is not None:
        conditions.append(_outstanding_part() if want.waiting else ~_outstanding_part())
    return conditions


# A search matching at most this many contacts is looked up by their references; one matching more
# walks the caller's cases in the order asked, a growing chunk at a time, keeping those whose words match.
FEW_MATCHES = 1000
FIRST_CHUNK = 500


def sort_key(dialect: str, sort: str, descending: bool):
    if sort == "received":
        return Case.received_on
    if sort == "updated":
        return updated_on(dialect)
    return type_coerce(func.coalesce(due_on(), literal(EARLIEST if descending else LATEST, Date)), Date)


def key_of(listed: Listed, sort: str, descending: bool) -> date:
    """A listed case's value of the sort key, as `sort_key` computes it in SQL."""
    if sort == "received":
        return listed.case.received_on
    if sort == "updated":
        return listed.updated_on
    return listed.due_on or (EARLIEST if descending else LATEST)


async def list_cases(session: AsyncSession, caller: str, want: CaseFilter, *, today: date, sort: str,
                     descending: bool, after: tuple[date, str] | None, limit: int) -> list[Listed]:
    """A page of the caller's cases in the order asked, after the cursor's position."""
    dialect = session.bind.dialect.name
    page = partial(_page, session, dialect, caller, want, today=today, sort=sort, descending=descending)
    if want.q is None:
        return await page(after=after, limit=limit)
    # The reference itself for anyone who sees the case; the names and description for the owner only.
    reference = want.q.strip().upper()
    words = search.matching_references(dialect, want.q)
    if words is None:
        return await page(after=after, limit=limit, also=Case.reference == reference)
    matched = list((await session.execute(words.limit(FEW_MATCHES + 1))).scalars())
    if len(matched) <= FEW_MATCHES:
        return await page(after=after, limit=limit, also=or_(
            Case.reference == reference, and_(Case.owner == caller, Case.reference.in_(matched))))
    found: list[str] = []
    chunk = FIRST_CHUNK
    while len(found) < limit:
        walked = await page(after=after, limit=chunk, narrow=True)
        owned = [row.reference for row in walked if row.owner == caller]
        hits = set((await session.execute(search.among(dialect, want.q, owned))).scalars()) if owned else set()
        found += [row.id for row in walked if row.reference == reference or row.reference in hits]
        if len(walked) < chunk:
            break
        after, chunk = (walked[-1].key, walked[-1].id), chunk * 2
    found = found[:limit]
    return await page(after=None, limit=limit, also=Case.id.in_(found)) if found else []


async def _page(session: AsyncSession, dialect: str, caller: str, want: CaseFilter, *, today: date, sort: str,
                descending: bool, after: tuple[date, str] | None, limit: int, also=None,
                narrow: bool = False) -> list:
    """The cases in order after `after`: whole, with handler and dates, or `narrow` (id, reference, owner, key)."""
    key = sort_key(dialect, sort, descending)
    conditions = _conditions(dialect, caller, want, today)
    if also is not None:
        conditions.append(also)
    if after is not None:
        position, case_id = literal(after[0], Date), after[1]
        beyond = (or_(key < position, and_(key == position, Case.id < case_id)) if descending
                  else or_(key > position, and_(key == position, Case.id > case_id)))
        conditions.append(beyond)
    order = [key.desc(), Case.id.desc()] if descending else [key.asc(), Case.id.asc()]
    # First the page's ids, narrow rows through the sort; then the page's cases, handlers and dates.
    page = select(Case.id.label("id"), key.label("key")).where(*conditions).order_by(*order).limit(limit)
    if narrow:
        page = page.add_columns(Case.reference, Case.owner)
    if _asks_assignment(want, sort):
        page = page.outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
    if narrow:
        return list(await session.execute(page))
    page = page.subquery()
    query = (select(Case, CaseAssignment.handler, CaseAssignment.team, due_on(), updated_on(dialect))
             .join(page, page.c.id == Case.id)
             .outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
             .order_by(*([page.c.key.desc(), page.c.id.desc()] if descending else [page.c.key, page.c.id])))
    rows = await session.execute(query)
    return [Listed(case, handler, team, due, updated) for case, handler, team, due, updated in rows]


def _asks_assignment(want: CaseFilter, sort: str) -> bool:
    return want.handler is not None or want.team is not None or sort == "updated"


async def queue_counts(session: AsyncSession, owner: str, person: str | None, *, today: date,
                       week_ends: date) -> dict[str, int | None]:
    """The owner's live cases in each queue, in one pass over them."""
    due = due_on()
    counted = {
        "mine": CaseAssignment.handler == person if person else None,
        "unassigned": CaseAssignment.handler.is_(None),
        "due_this_week": and_(due >= today, due <= week_ends),
        "overdue": due < today,
        "suspended": Case.suspended == true(),
        "waiting_for_another_organisation": _outstanding_part(),
    }
    columns = [func.count().filter(condition).label(name) for name, condition in counted.items()
               if condition is not None]
    query = (select(*columns).select_from(Case).outerjoin(CaseAssignment, CaseAssignment.case_id == Case.id)
             .where(Case.owner == owner, Case.status.in_(LIVE)))
    row = (await session.execute(query)).one()._mapping
    return {name: row.get(name) for name in counted}


# --- assignment ---------------------------------------------------------------------------

async def case_to_assign(session: AsyncSession, case_id: str) -> Case | None:
    """The case, locked so two people assigning it at once take turns (PostgreSQL)."""
    return (await session.execute(select(Case).where(Case.id == case_id).with_for_update())).scalar_one_or_none()


async def case_of(session: AsyncSession, case_id: str) -> Case | None:
    return await session.get(Case, case_id)


async def assignment_of(session: AsyncSession, case_id: str) -> CaseAssignment | None:
    return await session.get(CaseAssignment, case_id)


async def assignment_history(session: AsyncSession, case_id: str) -> list[CaseAssignmentChange]:
    query = (select(CaseAssignmentChange).where(CaseAssignmentChange.case_id == case_id)
             .order_by(CaseAssignmentChange.id))
    return list((await session.execute(query)).scalars())


# --- the contact's words --------------------------------------------------------------------

async def words_of(session: AsyncSession, reference: str) -> CaseSearchText | None:
    query = select(CaseSearchText).where(CaseSearchText.reference == reference)
    return (await session.execute(query)).scalar_one_or_none()


async def blank_words(session: AsyncSession, references: Collection[str], blank: str, now: datetime) -> None:
    """Replace these contacts' names and description with `blank` (the search index follows)."""
    if not references:
        return
    await session.execute(update(CaseSearchText).where(CaseSearchText.reference.in_(list(references)),
                                                       CaseSearchText.anonymised_at.is_(None))
                          .values(complainant_name=blank, person_affected_name=blank, description=blank,
                                  document=search.reference_only(session.bind.dialect.name), anonymised_at=now))


async def words_without_case_before(session: AsyncSession, before: datetime, limit: int) -> list[str]:
    """References of contacts received before `before` that never became a case here, words not yet blank."""
    query = (select(CaseSearchText.reference)
             .where(CaseSearchText.received_at < before, CaseSearchText.anonymised_at.is_(None),
                    ~exists().where(Case.reference == CaseSearchText.reference))
             .order_by(CaseSearchText.received_at).limit(limit))
    return list((await session.execute(query)).scalars())


async def blank_assignment_reasons(session: AsyncSession, case_ids: Collection[str], blank: str) -> None:
    if not case_ids:
        return
    await session.execute(update(CaseAssignmentChange).where(CaseAssignmentChange.case_id.in_(list(case_ids)),
                                                             CaseAssignmentChange.reason.is_not(None))
                          .values(reason=blank))
