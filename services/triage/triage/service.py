"""Triage use cases. Never commits: the consumer wrapper or the request does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.directory import Directory
from nwd_shared.errors import FieldError, Forbidden, Invalid, NotFound
from triage import domain, repository
from triage.models import TriageDecision, TriageDecisionOrganisation
from triage.responsibility import Responsibility, safeguarding_council
from triage.schemas import OverrideIn

if TYPE_CHECKING:
    from triage.semantic.model import Assessment


def _decision_data(row: TriageDecision) -> dict:
    """The decision as event data: no personal data (the evidence words stay here)."""
    return dict(
        reference=row.reference, received_by=row.received_by, received_at=row.received_at,
        kind=row.kind, route=row.route, safeguarding_categories=row.safeguarding_categories,
        responsible_organisations=row.responsible_organisations, reasons=row.reasons,
        out_of_time=row.out_of_time, needs_consent=row.needs_consent, needs_review=row.needs_review,
        wants_advocacy=row.wants_advocacy, consent_to_share=row.consent_to_share, areas=row.areas,
        concern_count=row.concern_count, safeguarding_referred_to=row.safeguarding_referred_to,
        summary=row.summary, possible_safeguarding=row.possible_safeguarding,
        safeguarding_probability=(row.safeguarding_model or {}).get("probability"),
        suspected_category=(row.safeguarding_model or {}).get("suspected_category"),
    )


def _referral(row: TriageDecision, ctx: Context, reasons: list[str]) -> ev.SafeguardingReferred:
    return ev.SafeguardingReferred(
        source=ctx.source, subject=row.reference, time=ctx.now,
        data=ev.SafeguardingReferredData(
            reference=row.reference, organisation_id=row.safeguarding_referred_to,
            categories=row.safeguarding_categories, reasons=reasons, received_by=row.received_by,
            route=row.route, areas=row.areas,
        ),
    )


def visible_to(row: TriageDecision) -> list[str]:
    """Who may see a decision: the receiver, the responsible organisations, the safeguarding council."""
    return list(dict.fromkeys(
        [row.received_by, *row.responsible_organisations,
         *([row.safeguarding_referred_to] if row.safeguarding_referred_to else [])]))


async def _share(session: AsyncSession, row: TriageDecision, *, new: bool) -> None:
    """Keep the visibility rows (the per-organisation queue) in step with the decision."""
    wanted = visible_to(row)
    existing = [] if new else await repository.organisations_of(session, row.reference)
    for link in existing:
        if link.organisation_id not in wanted:
            await session.delete(link)
    have = {link.organisation_id for link in existing}
    session.add_all(TriageDecisionOrganisation(reference=row.reference, organisation_id=o)
                    for o in wanted if o not in have)


async def triage_contact(session: AsyncSession, ctx: Context, event: ev.ContactReceived, *,
                         assessment: Assessment | None = None) -> list[ev.CloudEvent]:
    """Decide a received contact, with the model's assessment if any; safeguarding referral first."""
    if await repository.get_decision(session, event.subject) is not None:
        return []  # already decided, e.g. the same contact re-sent under a new event id
    decision = domain.triage(event.data, ctx.directory, assessment)
    row = TriageDecision(
        reference=event.subject, received_by=event.data.received_by, received_at=event.data.received_at,
        kind=event.data.kind, route=decision.route,
        safeguarding_categories=decision.safeguarding_categories,
        responsible_organisations=decision.responsible_organisations, reasons=decision.reasons,
        out_of_time=decision.out_of_time, needs_consent=decision.needs_consent,
        needs_review=decision.needs_review, decided_at=ctx.now, wants_advocacy=decision.wants_advocacy,
        consent_to_share=decision.consent_to_share, areas=decision.areas,
        concern_count=decision.concern_count, safeguarding_evidence=decision.evidence,
        safeguarding_referred_to=decision.safeguarding_council, summary=decision.summary,
        possible_safeguarding=decision.possible_safeguarding, safeguarding_model=decision.model,
    )
    session.add(row)
    await _share(session, row, new=True)
    caused: list[ev.CloudEvent] = []
    if row.safeguarding_referred_to:
        caused.append(_referral(row, ctx, reasons=[r for r in decision.reasons if "afeguarding" in r]))
    caused.append(ev.TriageCompleted(source=ctx.source, subject=row.reference, time=ctx.now,
                                     data=ev.TriageDecisionData(**_decision_data(row))))
    return caused


async def visible_decision(session: AsyncSession, ctx: Context, reference: str) -> TriageDecision:
    """A decision the caller may see; NotFound otherwise (contract.md)."""
    row = await repository.get_decision(session, reference)
    if row is None or ctx.caller not in visible_to(row):
        raise NotFound(f"no triage decision for {reference}")
    return row


async def audited_decision(session: AsyncSession, ctx: Context, reference: str) -> str:
    """The reference of a decision the caller may see, for its audit trail; 404 to anyone else."""
    return (await visible_decision(session, ctx, reference)).reference


async def decisions_for(
    session: AsyncSession, ctx: Context, *, needs_review: bool | None, route: str | None,
    limit: int, after: str | None,
) -> tuple[list[TriageDecision], str | None]:
    """A page of the caller's decisions, oldest first, and the reference to continue after."""
    rows = await repository.decisions_for(session, ctx.caller, needs_review=needs_review, route=route,
                                          limit=limit + 1, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].reference if more and rows else None)


def _check_change(change: OverrideIn, directory: Directory) -> list[str] | None:
    """The new responsible organisations, if any: known responsible bodies only (Invalid otherwise)."""
    if change.responsible_organisations is None:
        return None
    organisations = list(dict.fromkeys(change.responsible_organisations))
    errors = []
    for position, organisation_id in enumerate(organisations):
        field = f"body.responsible_organisations.{position}"
        org = directory.get(organisation_id)
        if org is None:
            errors.append(FieldError(field, "unknown organisation", "unknown_organisation"))
        elif not org.is_responsible_body:
            errors.append(FieldError(field, f"a {org.kind} is never responsible for a complaint",
                                     "not_responsible_body"))
    if errors:
        raise Invalid(*errors, detail="responsible organisations must be responsible bodies in the directory")
    return organisations


async def override(
    session: AsyncSession, ctx: Context, *, reference: str, change: OverrideIn,
) -> tuple[TriageDecision, list[ev.CloudEvent]]:
    """A person sets the route (and the responsible organisations), with a reason; the reasons keep the history."""
    row = await visible_decision(session, ctx, reference)
    caller, directory = ctx.caller, ctx.directory
    if caller != row.received_by and caller not in row.responsible_organisations:
        raise Forbidden("only the receiving or a responsible organisation may change the triage decision")
    organisations = _check_change(change, directory) or row.responsible_organisations
    if change.route == "pals" and not any(directory.pals_of(o) for o in organisations):
        raise Invalid(FieldError("body.route", "no PALS serves the responsible organisations", "no_pals"),
                      detail="none of the responsible organisations has a PALS")
    previous_route, previous_organisations = row.route, list(row.responsible_organisations)
    row.route = change.route
    row.responsible_organisations = organisations
    if change.safeguarding_categories is not None:
        row.safeguarding_categories = list(dict.fromkeys(change.safeguarding_categories))
    row.reasons = [*row.reasons, f"overridden by {caller}: {change.reason}"]
    if row.possible_safeguarding:
        _settle_possible(row, caller, cleared_categories=change.safeguarding_categories is None)
    row.needs_review = False
    row.overridden_by = caller
    row.decided_at = ctx.now
    caused: list[ev.CloudEvent] = []
    if row.route in ev.SAFEGUARDING_ROUTES and row.safeguarding_referred_to is None:
        caused += _refer_on_override(row, ctx)
    row.summary = domain.summarise(row.route, row.safeguarding_categories, organisations=organisations,
                                   out_of_time=row.out_of_time, possible=row.possible_safeguarding)
    await _share(session, row, new=False)
    caused.append(ev.TriageOverridden(
        source=ctx.source, subject=reference, time=ctx.now,
        data=ev.TriageOverriddenData(**_decision_data(row), previous_route=previous_route,
                                     overridden_by=caller, reason=change.reason,
                                     previous_responsible_organisations=previous_organisations),
    ))
    return row, caused


def _settle_possible(row: TriageDecision, caller: str, *, cleared_categories: bool) -> None:
    """A person confirms possible safeguarding (a safeguarding route) or clears it (any other route)."""
    row.possible_safeguarding = False
    if row.route in ev.SAFEGUARDING_ROUTES:
        row.reasons = [*row.reasons, f"Possible safeguarding confirmed by {caller}: the procedures started "
                                     "provisionally continue"]
        return
    if cleared_categories:  # the suspected category was only the model's suspicion
        row.safeguarding_categories = []
    council = f" ({row.safeguarding_referred_to}, asked provisionally, can see this decision)" \
        if row.safeguarding_referred_to else ""
    row.reasons = [*row.reasons, f"Possible safeguarding cleared by {caller}: not a safeguarding concern{council}"]


def _refer_on_override(row: TriageDecision, ctx: Context) -> list[ev.CloudEvent]:
    """A person moved the contact into safeguarding: the council must be asked now (seed 003 §3.1)."""
    concerns = [ev.Concern(service_type="social_care", area=a) for a in row.areas]
    council, why, uncertain = safeguarding_council(
        concerns, Responsibility(organisations=list(row.responsible_organisations)),
        received_by=row.received_by, directory=ctx.directory)
    reason = f"Safeguarding referral: {why}"
    row.reasons = [*row.reasons, reason]
    row.needs_review = uncertain
    if council is None:
        return []
    row.safeguarding_referred_to = council.id
    return [_referral(row, ctx, reasons=["A person decided the contact needs safeguarding procedures", reason])]
