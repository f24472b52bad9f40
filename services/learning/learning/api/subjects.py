"""Subjects: the taxonomy, and each complaint's subjects with their reasons, correctable."""

from __future__ import annotations

from fastapi import APIRouter, Path

from learning import classification
from learning.schemas import SubjectCorrectionIn
from learning.taxonomy import SERVICE_AREAS, SUBJECTS
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])
Reference = Path(max_length=64)


@router.get("")
async def taxonomy(_: CurrentOrganisation) -> dict:
    """The subject areas (KO41a and their social care equivalents) and the service areas."""
    return {
        "subjects": [{"code": s.code, "label": s.label, "applies_to": sorted(s.applies_to),
                      "ko41a": s.in_ko41a, "keywords": list(s.keywords)} for s in SUBJECTS],
        "service_areas": [{"code": a.code, "label": a.label, "service_type": a.service_type,
                           "keywords": list(a.keywords)} for a in SERVICE_AREAS],
    }


@router.get("/{reference}")
async def subjects_of(caller: CurrentOrganisation, session: ReadSession, reference: str = Reference) -> dict:
    """A complaint's subjects and service area, and why: for the organisation that owns it."""
    records = await classification.visible_to(session, reference, caller.id)
    if records is None:
        raise Problem(404, f"no complaint {reference} of yours")
    return classification.describe(records, reference)


@router.put("/{reference}", dependencies=[require_scope("cases:write")])
async def correct_subjects(body: SubjectCorrectionIn, caller: CurrentOrganisation, work: Work,
                           runtime: RuntimeDep, reference: str = Reference) -> dict:
    """Correct a complaint's subjects (replacing the rules') or its service area, with a reason."""
    records = await classification.visible_to(work.session, reference, caller.id)
    if records is None:
        raise Problem(404, f"no complaint {reference} of yours")
    if body.subjects is None and body.service_area is None:
        raise Problem(422, "give subjects, a service area, or both", errors=[
            {"field": "body.subjects", "message": "subjects or service_area is required", "type": "missing"}])
    errors = classification.unknown_codes(body.subjects, body.service_area)
    if errors:
        raise Problem(422, f"{len(errors)} unknown code(s); GET /v1/subjects lists them", errors=errors)
    await classification.correct(work.session, records, reference=reference, organisation=caller.id,
                                 subject_codes=body.subjects, service_area=body.service_area,
                                 reason=body.reason, now=runtime.clock())
    return classification.describe(records, reference)
