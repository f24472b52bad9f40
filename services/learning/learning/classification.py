"""A complaint's subjects and service area as seen and corrected by its owner. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from learning import repository, subjects
from learning.models import SubjectCorrection
from learning.repository import Records
from learning.taxonomy import (
    SERVICE_AREAS_BY_CODE,
    SUBJECTS_BY_CODE,
    service_area_label,
    subject_label,
)
from nwd_shared.context import Context
from nwd_shared.errors import FieldError, Invalid, NotFound


async def visible_to(session: AsyncSession, ctx: Context, reference: str) -> Records:
    """The records behind a complaint's classification, if the caller owns it; NotFound otherwise."""
    organisation = ctx.caller
    cases = await repository.cases_for_reference(session, reference)
    contact = await repository.contact(session, reference)
    owners = {c.owner for c in cases} | ({contact.owner} if contact and contact.owner else set())
    if organisation not in owners:
        raise NotFound(f"no complaint {reference} of yours")
    correction = await repository.correction(session, reference)
    return Records(organisations=frozenset({organisation}),
                   contacts={reference: contact} if contact else {},
                   cases=[c for c in cases if c.owner == organisation],
                   corrections={reference: correction} if correction else {})


async def audited_complaint(session: AsyncSession, ctx: Context, reference: str) -> str:
    """The reference of a complaint whose learning audit trail the caller, its owner, may read."""
    await visible_to(session, ctx, reference)
    return reference


def describe(records: Records, reference: str) -> dict:
    """Every subject with where it came from and why: the rules, the case, a correction."""
    contact = records.contacts.get(reference)
    rules = []
    if contact is not None:
        rules = subjects.merge(
            [tuple(a) for a in contact.text_subjects or []],
            subjects.subjects_from_triage(service_types=contact.service_types or [],
                                          safeguarding_categories=contact.safeguarding_categories or [],
                                          route=contact.route))
    case_found = subjects.merge(*[[tuple(a) for a in c.case_subjects or []] for c in records.cases])
    correction = records.corrections.get(reference)
    chosen = subjects.effective(
        rules=[code for code, _ in rules], case=[code for code, _ in case_found],
        correction=correction.subjects if correction else None,
        rule_area=contact.service_area if contact else None,
        corrected_area=correction.service_area if correction else None)

    def listed(found):
        return [{"code": code, "label": subject_label(code), "reason": reason} for code, reason in found]

    return {
        "reference": reference,
        "subjects": [{"code": code, "label": subject_label(code)} for code in chosen.subjects],
        "source": chosen.source,
        "service_area": {"code": chosen.service_area, "label": service_area_label(chosen.service_area)}
        if chosen.service_area else None,
        "by_rules": listed(rules),
        "rules_service_area": {"code": contact.service_area, "reason": contact.service_area_reason}
        if contact and contact.service_area else None,
        "by_case": listed(case_found),
        "correction": {"subjects": correction.subjects, "service_area": correction.service_area,
                       "reason": correction.reason, "by": correction.organisation,
                       "at": correction.corrected_at.isoformat()} if correction else None,
    }


def check_correction(subject_codes: list[str] | None, service_area: str | None) -> None:
    """A correction gives subjects, a service area or both, each a code of the taxonomy."""
    if subject_codes is None and service_area is None:
        raise Invalid(FieldError("body.subjects", "subjects or service_area is required", "missing"),
                      detail="give subjects, a service area, or both")
    errors = [FieldError(f"body.subjects.{i}", f"unknown subject code {code!r}", "unknown_code")
              for i, code in enumerate(subject_codes or []) if code not in SUBJECTS_BY_CODE]
    if service_area is not None and service_area not in SERVICE_AREAS_BY_CODE:
        errors.append(FieldError("body.service_area", f"unknown service area {service_area!r}", "unknown_code"))
    if errors:
        raise Invalid(*errors, detail=f"{len(errors)} unknown code(s); GET /v1/subjects lists them")


async def classification_of(session: AsyncSession, ctx: Context, reference: str) -> dict:
    """A complaint's subjects and service area, and why, for the organisation that owns it."""
    return describe(await visible_to(session, ctx, reference), reference)


async def correct(session: AsyncSession, ctx: Context, reference: str, *, subject_codes: list[str] | None,
                  service_area: str | None, reason: str) -> dict:
    """Record the owner's correction and return the classification it gives; what it leaves out keeps
    its earlier correction, if any."""
    records = await visible_to(session, ctx, reference)
    check_correction(subject_codes, service_area)
    organisation, now = ctx.caller, ctx.now
    correction = records.corrections.get(reference) or await repository.correction(session, reference)
    if correction is None:
        correction = SubjectCorrection(reference=reference, organisation=organisation, subjects=None,
                                       service_area=None, reason=reason, corrected_at=now)
        session.add(correction)
    if subject_codes is not None:
        correction.subjects = list(dict.fromkeys(subject_codes))
    if service_area is not None:
        correction.service_area = service_area
    correction.organisation = organisation
    correction.reason = reason
    correction.corrected_at = now
    records.corrections[reference] = correction
    return describe(records, reference)
