"""Letters: HTML, PDF (standard or large print) or plain text; tasks for needs a person meets; previews.

GET  /v1/cases/{id}/letters/{kind}                the letter, as `format` or the Accept header asks
GET  /v1/cases/{id}/letter-tasks                  needs the system cannot meet (Braille, audio, a translation...)
POST /v1/cases/{id}/letter-tasks/{task_id}/done   a person met the need
GET  /v1/letter-templates/{kind}/preview          the caller's own template with sample data
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from jinja2 import TemplateError
from pydantic import BaseModel, Field

from casework import repository, service
from casework.casefile.api import EntryId
from casework.casefile.service import CASE_ROLES
from casework.letters import needs as letter_needs
from casework.letters import repository as letters_repository
from casework.letters.context import (
    ANONYMOUS,
    KINDS,
    TITLES,
    LetterFacts,
    context_for,
    sample_facts,
    unavailable,
)
from casework.letters.models import LetterTask
from casework.letters.pdf import to_pdf, to_text
from casework.models import audit as audit_table
from casework.runtime import CaseworkRuntime, CaseworkRuntimeDep
from nwd_shared import audit
from nwd_shared.app import Work
from nwd_shared.auth import CurrentOrganisation, caller_of, require_scope
from nwd_shared.calendar import local_date
from nwd_shared.http import Problem

router = APIRouter(tags=["letters"])

Format = Literal["html", "pdf", "large_print", "text"]
MEDIA = {"html": "text/html", "pdf": "application/pdf", "text": "text/plain"}


def _q_of(media: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the most specific matching media range gives `media` (RFC 9110 §12.5.1)."""
    kind = media.split("/")[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        for name, q in ranges:
            if name == candidate:
                return q
    return 0.0


def _ranges(accept: str) -> list[tuple[str, float]]:
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
    return ranges


def negotiate(accept: str | None) -> str | None:
    """html, pdf or text as the Accept header prefers (HTML on a tie), None when it takes none of them."""
    if not accept or not accept.strip():
        return "html"
    ranges = _ranges(accept)
    # Listed in the order a tie goes: HTML first, then PDF, then plain text.
    scored = [(q, -order, name) for order, name in enumerate(("html", "pdf", "text"))
              if (q := _q_of(MEDIA[name], ranges)) > 0]
    return max(scored)[2] if scored else None


def wants_pdf(accept: str | None) -> bool | None:
    """True for PDF, False for HTML (also on a tie), None when the client takes neither."""
    if not accept or not accept.strip():
        return False
    ranges = _ranges(accept)
    html_q, pdf_q = _q_of("text/html", ranges), _q_of("application/pdf", ranges)
    if max(html_q, pdf_q) <= 0:
        return None
    return pdf_q > html_q


async def _render(runtime: CaseworkRuntime, kind: str, organisation_id: str, facts: LetterFacts, *,
                  form: str, large_print: bool, filename: str, headers: dict[str, str]) -> Response:
    """One letter in one form: an organisation's broken template is named, not a bare 500."""
    context = {**context_for(kind, facts), "large_print": large_print}
    try:
        markup = runtime.letters.html(kind, organisation_id, context, pdf=form != "html")
    except TemplateError as exc:
        raise Problem(500, f"the {kind} letter template of {organisation_id} cannot be used: {exc}") from exc
    if form == "html":
        return HTMLResponse(markup, headers=headers)
    if form == "text":
        return PlainTextResponse(to_text(markup), headers=headers)
    document = await asyncio.to_thread(to_pdf, markup, title=f"{TITLES[kind]}: {facts.case.reference}",
                                       author=facts.organisation_name, large_print=large_print)
    suffix = "-large-print" if large_print else ""
    headers["Content-Disposition"] = f'inline; filename="{filename}{suffix}.pdf"'
    return Response(document, media_type="application/pdf", headers=headers)


def _facts(runtime: CaseworkRuntime, case, today, extensions) -> LetterFacts:
    directory = runtime.directory
    owner = directory.get(case.owner)
    return LetterFacts(
        case=case, organisation_name=owner.name if owner else case.owner, today=today,
        usual_working_days=directory.policy_of(case.owner).response_working_days,
        extensions=extensions, ombudsman=next(iter(directory.ombudsmen_for([case.owner])), None),
        contributor_names=[(directory.get(c).name if directory.get(c) else c) for c in case.contributors],
    )


def _check_letter_reader(request: Request, case, caller_id: str) -> None:
    if case.owner != caller_id:
        raise Problem(403, "letters are the owner's to send")
    person = caller_of(request).actor
    if person is not None and not person.roles & CASE_ROLES:
        raise Problem(403, "letters name the complainant: not for reports-only staff")


@router.get("/v1/cases/{case_id}/letters/{kind}", dependencies=[require_scope("contacts:read")],
            responses={200: {"content": {"text/html": {}, "application/pdf": {}, "text/plain": {}}}})
async def get_letter(case_id: str, kind: str, request: Request, caller: CurrentOrganisation,
                     work: Work, runtime: CaseworkRuntimeDep,
                     format: Format | None = Query(default=None),  # noqa: A002 (the query parameter's name)
                     accept: str | None = Header(default=None)) -> Response:
    """A letter to the complainant, in the person's format: large print when they asked for it.

    `format` (html, pdf, large_print, text) wins over Accept (text/html, application/pdf, text/plain).
    A need the system cannot meet (Braille, audio, a translation, easy read) raises a task for a
    person, once per case and need; the letter still comes, saying so in `NWD-Letter-Tasks`.
    """
    session = work.session
    case = await service.visible_case(session, case_id, caller.id)
    if kind not in KINDS:
        raise Problem(404, f"no letter {kind!r}; letters are {', '.join(KINDS)}")
    _check_letter_reader(request, case, caller.id)
    if case.anonymous:
        raise Problem(409, ANONYMOUS)
    form = "pdf" if format == "large_print" else format or negotiate(accept)
    if form is None:
        raise Problem(406, "letters are available as text/html, application/pdf or text/plain")
    today = local_date(runtime.clock())
    extensions = await repository.extensions_of(session, case.id)
    why_not = unavailable(kind, case, extensions, today)
    if why_not:
        raise Problem(409, f"no {kind} letter yet: {why_not}")
    await audit.record(session, audit_table, request, action="read", resource=f"case.letter.{kind}",
                       reference=case.reference)
    fact = await repository.contact_fact(session, case.reference)
    needs = fact.communication_needs if fact is not None else None
    large_print = format == "large_print" or (format is None and letter_needs.large_print(needs))
    tasks = await _raise_tasks(session, case, kind, letter_needs.unmet(needs), runtime.clock())
    headers = {"Vary": "Accept"}
    if tasks:
        headers["NWD-Letter-Tasks"] = ", ".join(f"{t.id}={t.need}" for t in tasks)
        headers["Link"] = f'</v1/cases/{case.id}/letter-tasks>; rel="nwd-letter-tasks"'
    return await _render(runtime, kind, case.owner, _facts(runtime, case, today, extensions), form=form,
                         large_print=large_print, filename=f"{case.reference}-{kind}", headers=headers)


async def _raise_tasks(session, case, kind: str, unmet: list[letter_needs.Need], now: datetime) -> list[LetterTask]:
    """The case's open tasks for these needs, raised now where there was none."""
    if not unmet:
        return []
    existing = {t.need: t for t in await letters_repository.tasks_of(session, case.id)}
    for need in unmet:
        if need.need not in existing:
            existing[need.need] = LetterTask(case_id=case.id, reference=case.reference, need=need.need,
                                             detail=need.detail, letter=kind, raised_at=now)
            session.add(existing[need.need])
    await session.flush()
    return [existing[n.need] for n in unmet if existing[n.need].done_at is None]


class LetterTaskView(BaseModel):
    id: int
    need: str = Field(description="braille, audio, translation, easy_read or other")
    detail: str
    letter: str = Field(description="the letter whose request raised it")
    raised_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    done_note: str | None = None


class TaskDone(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="what was done, e.g. sent in Braille")


def _view(task: LetterTask) -> LetterTaskView:
    return LetterTaskView(id=task.id, need=task.need, detail=task.detail, letter=task.letter,
                          raised_at=task.raised_at, done_at=task.done_at, done_by=task.done_by,
                          done_note=task.done_note)


@router.get("/v1/cases/{case_id}/letter-tasks", dependencies=[require_scope("contacts:read")])
async def letter_tasks(case_id: str, request: Request, caller: CurrentOrganisation, work: Work) -> list[LetterTaskView]:
    """The communication needs a person must meet for this case's letters, open and done."""
    case = await service.visible_case(work.session, case_id, caller.id)
    _check_letter_reader(request, case, caller.id)
    return [_view(t) for t in await letters_repository.tasks_of(work.session, case.id)]


@router.post("/v1/cases/{case_id}/letter-tasks/{task_id}/done", dependencies=[require_scope("cases:write")])
async def letter_task_done(case_id: str, task_id: EntryId, body: TaskDone, request: Request,
                           caller: CurrentOrganisation, work: Work, runtime: CaseworkRuntimeDep) -> LetterTaskView:
    """A person met the need (the Braille copy was sent...): the task is done, once."""
    case = await service.visible_case(work.session, case_id, caller.id, for_update=True)
    _check_letter_reader(request, case, caller.id)
    task = await letters_repository.task(work.session, case.id, task_id)
    if task is None:
        raise Problem(404, f"no letter task {task_id} on this case")
    if task.done_at is None:
        task.done_at = runtime.clock()
        task.done_by = caller_of(request).who
        task.done_note = body.note
    return _view(task)


@router.get("/v1/letter-templates/{kind}/preview",
            responses={200: {"content": {"text/html": {}, "application/pdf": {}, "text/plain": {}}}})
async def preview_letter(kind: str, caller: CurrentOrganisation, runtime: CaseworkRuntimeDep,
                         format: Format | None = Query(default=None),  # noqa: A002
                         accept: str | None = Header(default=None)) -> Response:
    """The caller's own template for `kind` (or the built-in one) filled with sample data: no one's details."""
    if kind not in KINDS:
        raise Problem(404, f"no letter {kind!r}; letters are {', '.join(KINDS)}")
    form = "pdf" if format == "large_print" else format or negotiate(accept)
    if form is None:
        raise Problem(406, "letters are available as text/html, application/pdf or text/plain")
    directory = runtime.directory
    facts = sample_facts(caller.id, caller.name, local_date(runtime.clock()),
                         directory.policy_of(caller.id).response_working_days,
                         next(iter(directory.ombudsmen_for([caller.id])), None))
    return await _render(runtime, kind, caller.id, facts, form=form, large_print=format == "large_print",
                         filename=f"preview-{kind}", headers={"Vary": "Accept"})
