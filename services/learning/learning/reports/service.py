"""Report use cases: who may have which report, for which period, from which records. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from learning import repository
from learning.reports import figures
from learning.reports.annual import annual as annual_report
from learning.reports.digest import digest as digest_report
from learning.reports.ko41a import ko41a as ko41a_report
from nwd_shared.context import Context
from nwd_shared.directory import Organisation
from nwd_shared.errors import FieldError, Invalid, NotFound

# KO41a is the NHS hospital and community health return: NHS trusts and ICBs make it; GP practices
# return the KO41b instead.
KO41A_KINDS = frozenset({"nhs_trust", "icb"})


def _own(ctx: Context, organisation: str) -> Organisation:
    """The caller, if the report is of its own organisation: nobody sees another's (NotFound)."""
    caller = ctx.directory.get(ctx.caller)
    if caller is None or organisation != caller.id:
        raise NotFound(f"no reports for {organisation}")
    return caller


def period(start: date, end: date) -> figures.Period:
    """A period from `start` to `end`, which must not come before it."""
    if end < start:
        raise Invalid(FieldError("query.to", "must not be before from", "date_order"), detail="`to` is before `from`")
    return figures.Period(start, end)


async def summary(session: AsyncSession, ctx: Context, organisation: str, start: date, end: date) -> dict:
    """The figures of the caller's organisation for a period."""
    _own(ctx, organisation)
    within = period(start, end)
    records = await repository.records_of(session, [organisation])
    return figures.summary(records, organisation, within, today=ctx.today, calendar=ctx.calendar)


async def annual(session: AsyncSession, ctx: Context, organisation: str, year: int) -> dict:
    """The reg 18 annual report of the caller's organisation for a financial year."""
    caller = _own(ctx, organisation)
    records = await repository.records_of(session, [organisation])
    return annual_report(records, organisation, caller.name, year, today=ctx.today)


async def ko41a(session: AsyncSession, ctx: Context, organisation: str, year: int) -> dict:
    """The KO41a return of the caller's organisation, if it is an NHS body."""
    caller = _own(ctx, organisation)
    if caller.kind == "gp_practice":
        raise NotFound(f"{organisation} is a GP practice: GP practices return the KO41b, not the KO41a")
    if caller.kind not in KO41A_KINDS:
        raise NotFound(f"KO41a is the NHS return; {organisation} is a {caller.kind.replace('_', ' ')}")
    records = await repository.records_of(session, [organisation])
    return ko41a_report(records, organisation, caller.name, year)


async def digest(session: AsyncSession, ctx: Context, area: str, start: date, end: date) -> dict:
    """The partner learning digest of an area the caller covers: every responsible body there, anonymised."""
    caller = ctx.directory.get(ctx.caller)
    if caller is None or area not in caller.areas:
        raise NotFound(f"no digest for {area}")
    within = period(start, end)
    partners = [(o.id, o.name) for o in ctx.directory.organisations if o.is_responsible_body and area in o.areas]
    records = await repository.records_of(session, [org for org, _ in partners])
    return digest_report(records, area, partners, within)
