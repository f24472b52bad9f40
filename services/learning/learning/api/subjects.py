"""Subjects: the taxonomy, and each complaint's subjects with their reasons, correctable."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from learning import classification
from learning.models import audit as audit_table
from learning.schemas import SubjectCorrectionIn
from learning.taxonomy import SERVICE_AREAS, SUBJECTS
from nwd_shared import audit
from nwd_shared.app import RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context

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


@router.get("/{reference}", dependencies=[require_scope("contacts:read")])
async def subjects_of(caller: CurrentOrganisation, work: Work, runtime: RuntimeDep, request: Request,
                      reference: str = Reference) -> dict:
    """A complaint's subjects and service area, and why: for the organisation that owns it (audited)."""
    found = await classification.classification_of(work.session, Context.of(runtime, caller.id), reference)
    await audit.record(work.session, audit_table, request, action="read", resource="complaint.subjects",
                       reference=reference)
    return found


@router.put("/{reference}", dependencies=[require_scope("cases:write")])
async def correct_subjects(body: SubjectCorrectionIn, caller: CurrentOrganisation, work: Work,
                           runtime: RuntimeDep, request: Request, reference: str = Reference) -> dict:
    """Correct a complaint's subjects (replacing the rules') or its service area, with a reason."""
    corrected = await classification.correct(work.session, Context.of(runtime, caller.id), reference,
                                             subject_codes=body.subjects, service_area=body.service_area,
                                             reason=body.reason)
    await audit.record(work.session, audit_table, request, action="update", resource="complaint.subjects",
                       reference=reference)
    return corrected
