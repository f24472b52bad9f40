"""GET /v1/cases/{id}/letters/{kind}: HTML or PDF, as the Accept header asks."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import TemplateError

from casework import repository, service
from casework.casefile.service import CASE_ROLES
from casework.letters.context import ANONYMOUS, KINDS, TITLES, LetterFacts, context_for, unavailable
from casework.letters.pdf import to_pdf
from casework.models import audit as audit_table
from casework.runtime import CaseworkRuntimeDep
from nwd_shared import audit
from nwd_shared.app import Work
from nwd_shared.auth import CurrentOrganisation, caller_of, require_scope
from nwd_shared.calendar import local_date
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/cases", tags=["letters"])


def _q_of(media: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the most specific matching media range gives `media` (RFC 9110 §12.5.1)."""
    kind = media.split("/")[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        for name, q in ranges:
            if name == candidate:
                return q
    return 0.0


def wants_pdf(accept: str | None) -> bool | None:
    """True for PDF, False for HTML (also on a tie), None when the client takes neither."""
    if not accept or not accept.strip():
        return False
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        name, *params = [piece.strip() for piece in part.split(";")]
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((name.lower(), q))
    html_q, pdf_q = _q_of("text/html", ranges), _q_of("application/pdf", ranges)
    if max(html_q, pdf_q) <= 0:
        return None
    return pdf_q > html_q


@router.get("/{case_id}/letters/{kind}", dependencies=[require_scope("contacts:read")], responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
async def get_letter(case_id: str, kind: str, request: Request, caller: CurrentOrganisation,
                     work: Work, runtime: CaseworkRuntimeDep,
                     accept: str | None = Header(default=None)) -> Response:
    """A letter to the complainant: acknowledgement, action-plan, extension, six-months, final-response."""
    session = work.session
    case = await service.visible_case(session, case_id, caller.id)
    if kind not in KINDS:
        raise Problem(404, f"no letter {kind!r}; letters are {', '.join(KINDS)}")
    if case.owner != caller.id:
        raise Problem(403, "letters are the owner's to send")
    person = caller_of(request).actor
    if person is not None and not person.roles & CASE_ROLES:
        raise Problem(403, "letters name the complainant: not for reports-only staff")
    if case.anonymous:
        raise Problem(409, ANONYMOUS)
    pdf = wants_pdf(accept)
    if pdf is None:
        raise Problem(406, "letters are available as text/html or application/pdf")
    today = local_date(runtime.clock())
    extensions = await repository.extensions_of(session, case.id)
    why_not = unavailable(kind, case, extensions, today)
    if why_not:
        raise Problem(409, f"no {kind} letter yet: {why_not}")
    await audit.record(session, audit_table, request, action="read", resource=f"case.letter.{kind}",
                       reference=case.reference)
    directory = runtime.directory
    owner = directory.get(case.owner)
    facts = LetterFacts(
        case=case, organisation_name=owner.name if owner else case.owner, today=today,
        usual_working_days=directory.policy_of(case.owner).response_working_days,
        extensions=extensions, ombudsman=next(iter(directory.ombudsmen_for([case.owner])), None),
        contributor_names=[(directory.get(c).name if directory.get(c) else c) for c in case.contributors],
    )
    try:
        markup = runtime.letters.html(kind, case.owner, context_for(kind, facts), pdf=bool(pdf))
    except TemplateError as exc:
        # An organisation's own template is broken: say which, not a bare 500.
        raise Problem(500, f"the {kind} letter template of {case.owner} cannot be used: {exc}") from exc
    headers = {"Vary": "Accept"}
    if not pdf:
        return HTMLResponse(markup, headers=headers)
    document = await asyncio.to_thread(to_pdf, markup, title=f"{TITLES[kind]}: {case.reference}",
                                       author=facts.organisation_name)
    headers["Content-Disposition"] = f'inline; filename="{case.reference}-{kind}.pdf"'
    return Response(document, media_type="application/pdf", headers=headers)
