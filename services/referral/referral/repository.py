"""Referral queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.db import get_row
from nwd_shared.messaging.outbox import REFERENCE_LOCK_SPACE, lock_references, reference_lock_id
from referral.domain import NegotiationState
from referral.models import Contact, DetailAccess, Negotiation, Ownership, Referral

OPEN = ("pending", "accepted")


async def lock_reference(session: AsyncSession, *references: str) -> None:
    """Hold the contacts' locks until the transaction ends: one writer of a negotiation at a time.

    Every request, handler and job that changes a contact's referrals or negotiation takes it first,
    so each reads what the last one committed. It is the outbox's per-reference lock (taken again,
    at no cost, when the events are staged), in the same sorted order, so two writers never deadlock.
    SQLite has a single writer already: nothing to do there.
    """
    await lock_references(session, references)


async def try_lock_reference(session: AsyncSession, reference: str) -> bool:
    """Take a contact's lock if nobody holds it: a job skips a busy contact and comes back next run."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = await session.scalar(select(func.pg_try_advisory_xact_lock(REFERENCE_LOCK_SPACE,
                                                                       reference_lock_id(reference))))
    return bool(taken)


async def reference_of(session: AsyncSession, referral_id: str) -> str | None:
    return await session.scalar(select(Referral.reference).where(Referral.id == referral_id))


async def get_referral(session: AsyncSession, referral_id: str, *, fresh: bool = False) -> Referral | None:
    """A referral; `fresh` reads it again from the database even if the session has it."""
    return await session.get(Referral, referral_id, populate_existing=fresh)


async def get_ownership(session: AsyncSession, reference: str) -> Ownership | None:
    return await get_row(session, Ownership, reference)


async def get_contact(session: AsyncSession, reference: str) -> Contact | None:
    return await get_row(session, Contact, reference)


async def get_negotiation(session: AsyncSession, reference: str) -> Negotiation | None:
    return await get_row(session, Negotiation, reference)


async def referrals_of(session: AsyncSession, reference: str, *, purposes: tuple[str, ...] = (),
                       statuses: tuple[str, ...] = ()) -> list[Referral]:
    """A contact's referrals, oldest first, optionally of some purposes and statuses."""
    query = select(Referral).where(Referral.reference == reference)
    if purposes:
        query = query.where(Referral.purpose.in_(purposes))
    if statuses:
        query = query.where(Referral.status.in_(statuses))
    return list((await session.execute(query.order_by(Referral.created_at, Referral.id))).scalars())


async def referrals_for(
    session: AsyncSession, organisation_id: str, *, reference: str | None, status: str | None
) -> list[Referral]:
    """Referrals the organisation sent or received, filtered by contact and status."""
    query = select(Referral).where(
        or_(Referral.from_organisation == organisation_id, Referral.to_organisation == organisation_id)
    )
    if reference is not None:
        query = query.where(Referral.reference == reference)
    if status is not None:
        query = query.where(Referral.status == status, Referral.to_organisation == organisation_id)
    return list((await session.execute(query.order_by(Referral.created_at, Referral.id))).scalars())


# The periodic jobs claim what is due with SKIP LOCKED: a second replica running the same job at the
# same moment takes other rows (or none) instead of the same ones, and the claim lasts until the
# job's transaction, which also marks them done, commits.


async def due_reminders(session: AsyncSession, now: datetime, *, limit: int) -> list[Referral]:
    """Pending referrals whose reminder is due; claimed."""
    query = select(Referral).where(Referral.status == "pending", Referral.reminded_at.is_(None),
                                   Referral.escalated_at.is_(None), Referral.remind_at <= now)
    query = query.order_by(Referral.remind_at, Referral.id).limit(limit).with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def due_escalations(session: AsyncSession, now: datetime, *, limit: int) -> list[Referral]:
    """Pending referrals past their time-out and not yet escalated; claimed."""
    query = select(Referral).where(Referral.status == "pending", Referral.escalated_at.is_(None),
                                   Referral.due_at <= now)
    query = query.order_by(Referral.due_at, Referral.id).limit(limit).with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def waiting_for_contact(session: AsyncSession, decided_before: datetime, *, limit: int) -> list[Negotiation]:
    """Decisions whose contact has not come in the wait; claimed."""
    query = select(Negotiation).where(Negotiation.state == NegotiationState.AWAITING_CONTACT.value,
                                      Negotiation.decided_at <= decided_before)
    query = query.order_by(Negotiation.reference).limit(limit).with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def answered_but_not_agreed(session: AsyncSession, *, limit: int) -> list[Negotiation]:
    """Negotiations whose lead accepted and whose contributors have all answered, yet not agreed; claimed."""
    waiting = exists().where(Referral.reference == Negotiation.reference, Referral.purpose == "joint",
                             Referral.role == "contributor", Referral.status == "pending")
    query = select(Negotiation).where(Negotiation.state == NegotiationState.NEGOTIATING.value,
                                      Negotiation.lead_accepted_at.is_not(None), ~waiting)
    query = query.order_by(Negotiation.reference).limit(limit).with_for_update(skip_locked=True, of=Negotiation)
    return list((await session.execute(query)).scalars())


async def accesses_of(session: AsyncSession, referral_id: str) -> list[DetailAccess]:
    query = select(DetailAccess).where(DetailAccess.referral_id == referral_id).order_by(DetailAccess.id)
    return list((await session.execute(query)).scalars())


async def contacts_ended_before(session: AsyncSession, cutoff: datetime, *, limit: int) -> list[Contact]:
    """Contacts not yet anonymised whose case closed, or whose negotiation ended, before `cutoff`; locked."""
    # Handling that ends here: resolved by PALS, or a route on which no case follows.
    ended_here = select(Negotiation.reference).where(
        or_(Negotiation.state == NegotiationState.CLOSED.value,
            and_(Negotiation.state == NegotiationState.NO_CASE.value, Negotiation.route.in_(ev.NO_CASE_ROUTES))),
        Negotiation.updated_at < cutoff)
    # SKIP LOCKED: a second replica takes the next batch instead of waiting for this one.
    query = (select(Contact).where(or_(Contact.ended_at < cutoff, Contact.reference.in_(ended_here)),
                                   Contact.anonymised_at.is_(None))
             .order_by(Contact.reference).limit(limit).with_for_update(skip_locked=True, of=Contact))
    return list((await session.execute(query)).scalars())


async def replace_reasons(session: AsyncSession, references: Sequence[str], value: str) -> None:
    """Replace the reasons given on the contacts' referrals, where there are any."""
    for column in ("reason", "request_reason"):
        await session.execute(update(Referral).where(
            Referral.reference.in_(references), getattr(Referral, column).is_not(None)).values({column: value}))
