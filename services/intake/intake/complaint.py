"""The complaint for those who handle it: read the whole contact, record consent, correct contact details.

Use cases; never commit: the edge does.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from intake import domain, repository
from intake.models import Contact
from intake.schemas import ConsentIn, DetailsCorrectionIn
from nwd_shared import events as ev
from nwd_shared.context import Context
from nwd_shared.directory import Organisation
from nwd_shared.errors import Conflict, FieldError, Forbidden, Invalid, NotFound

# Roles that work complaints: reports-only staff never see the person's words or details.
READ_ROLES = frozenset({"handler", "customer_relations", "senior_manager"})
CHANGE_ROLES = frozenset({"handler", "customer_relations"})


def may_read(contact: Contact, organisation: Organisation) -> bool:
    """The receiver, the owner, each contributor, and an ombudsman once the complaint was escalated to it."""
    if organisation.id in {contact.received_by, contact.owner, *contact.contributors}:
        return True
    # An ombudsman is named on the contact only by escalation (its referral, or the case's escalation).
    return organisation.kind == "ombudsman" and organisation.id in contact.visible_to


def _needs_role(ctx: Context, roles: frozenset[str], doing: str) -> None:
    # An organisation's own key (no person) acts with every role.
    if ctx.actor is not None and not ctx.actor.roles & roles:
        raise Forbidden(f"{doing} needs one of the roles {', '.join(sorted(roles))}")


async def _handled(session: AsyncSession, ctx: Context, reference: str) -> Contact:
    contact = await repository.get_contact(session, reference)
    caller = ctx.directory.get(ctx.caller)
    if contact is None or caller is None or not may_read(contact, caller):
        raise NotFound(f"no contact {reference} for {ctx.caller}")
    return contact


async def readable_complaint(session: AsyncSession, ctx: Context, reference: str) -> Contact:
    """The contact, for one who handles it; 404 to anyone else, 403 to reports-only staff."""
    _needs_role(ctx, READ_ROLES, "reading a complaint")
    return await _handled(session, ctx, reference)


async def _changeable(session: AsyncSession, ctx: Context, reference: str) -> Contact:
    """A contact the caller may change: the receiver's or the owner's (a contributor or ombudsman: 403)."""
    _needs_role(ctx, CHANGE_ROLES, "changing a contact")
    contact = await _handled(session, ctx, reference)
    if ctx.caller not in {contact.received_by, contact.owner}:
        raise Forbidden("only the receiving or owning organisation changes a contact's consent or details")
    if contact.anonymised_at is not None:
        raise Conflict("this contact's personal data was anonymised at the end of its retention period")
    return contact


def _representative_consent(ctx: Context, contact: Contact, given) -> dict:
    """The representative's consent as stored, checked against the complaint and the directory."""
    field = "body.representative_consent"
    if (contact.submission.get("complainant") or {}).get("relationship", "self") == "self":
        raise Invalid.field(field, "the complainant is the person affected: no representative's consent is needed",
                            "not_a_representative")
    errors = []
    if given.confirmed_on > ctx.today:
        errors.append(FieldError(f"{field}.confirmed_on", "must not be in the future", "future_date"))
    confirmed_by = given.confirmed_by or ctx.by
    organisation = ctx.directory.get(ctx.caller)
    if confirmed_by is None:
        errors.append(FieldError(f"{field}.confirmed_by", "name the member of staff who checked with the "
                                 "person affected", "missing"))
    elif organisation is None or organisation.person(confirmed_by) is None:
        errors.append(FieldError(f"{field}.confirmed_by", f"no member of staff {confirmed_by!r}", "unknown_person"))
    if errors:
        raise Invalid(*errors)
    return {"confirmed": given.confirmed, "confirmed_on": given.confirmed_on.isoformat(),
            "confirmed_by": confirmed_by, "method": given.method,
            "recorded_at": ctx.now.isoformat(), "recorded_by": ctx.by}


async def change_consent(session: AsyncSession, ctx: Context, reference: str,
                         change: ConsentIn) -> tuple[Contact, list[ev.CloudEvent]]:
    """Record consent to share and a representative's consent; `contact.consent_changed` if anything changed."""
    contact = await _changeable(session, ctx, reference)
    submission, changed = dict(contact.submission), []
    if change.consent_to_share is not None and change.consent_to_share != submission.get("consent_to_share"):
        submission["consent_to_share"] = change.consent_to_share
        changed.append("consent_to_share")
    if change.representative_consent is not None:
        recorded = _representative_consent(ctx, contact, change.representative_consent)
        previous = submission.get("representative_consent") or {}
        if {k: previous.get(k) for k in ("confirmed", "confirmed_on", "confirmed_by", "method")} != {
                k: recorded[k] for k in ("confirmed", "confirmed_on", "confirmed_by", "method")}:
            submission["representative_consent"] = recorded
            changed.append("representative_consent")
    if not changed:
        return contact, []
    # A new dict, so the JSON column is written.
    contact.submission = submission
    current = submission.get("representative_consent")
    return contact, [ev.ConsentChanged(
        source=ctx.source, subject=reference, time=ctx.now,
        data=ev.ConsentChangedData(
            reference=reference, organisation=ctx.caller, changed_by=ctx.by, changed_at=ctx.now,
            consent_to_share=bool(submission.get("consent_to_share")),
            representative_consent=ev.RepresentativeConsent(**current) if current else None, changed=changed),
    )]


def _changes(correction: DetailsCorrectionIn) -> dict[str, dict | None]:
    """The parts a merge patch gives, each with only the fields it names."""
    given = correction.model_fields_set
    for part in ("complainant", "person_affected"):
        if part in given and getattr(correction, part) is None:
            raise Invalid.field(f"body.{part}", f"{part} cannot be removed; give the fields to correct", "required")
    changes: dict[str, dict | None] = {}
    if correction.complainant is not None:
        changes["complainant"] = correction.complainant.model_dump(
            mode="json", include=correction.complainant.model_fields_set)
    if correction.person_affected is not None:
        changes["person_affected"] = correction.person_affected.model_dump(mode="json")
    if "communication_needs" in given:
        needs = correction.communication_needs
        changes["communication_needs"] = needs.model_dump(mode="json") if needs else None
    return changes


async def correct_details(session: AsyncSession, ctx: Context, reference: str,
                          correction: DetailsCorrectionIn) -> tuple[Contact, list[str], list[ev.CloudEvent]]:
    """Correct names, contact details or communication needs; `contact.details_corrected` names the fields."""
    contact = await _changeable(session, ctx, reference)
    submission, fields = domain.corrected(contact.submission, _changes(correction))
    if not fields:
        return contact, [], []
    contact.submission = submission
    return contact, fields, [ev.DetailsCorrected(
        source=ctx.source, subject=reference, time=ctx.now,
        data=ev.DetailsCorrectedData(reference=reference, organisation=ctx.caller, corrected_by=ctx.by,
                                     corrected_at=ctx.now, fields=fields,
                                     anonymous=domain.is_anonymous(submission)),
    )]
