"""The case file over HTTP: notes, documents, the correspondence log and linked cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from casework.casefile import filetypes, service
from casework.casefile.models import CaseCorrespondence, CaseDocument, CaseLink, CaseNote
from casework.casefile.scanning import scanner_of
from casework.casefile.schemas import (
    MAX_ID,
    Author,
    CorrespondenceIn,
    CorrespondenceList,
    CorrespondenceView,
    DocumentList,
    DocumentView,
    LinkIn,
    LinkList,
    LinkView,
    NoteIn,
    NoteList,
    NoteView,
)
from casework.casefile.storage import store_of
from casework.models import Case
from casework.models import audit as audit_table
from nwd_shared import audit
from nwd_shared.app import RuntimeDep, Work
from nwd_shared.auth import require_scope
from nwd_shared.context import ContextDep
from nwd_shared.errors import NotFound
from nwd_shared.http import problem_responses

router = APIRouter(prefix="/v1/cases", tags=["case file"])
WRITE = [require_scope("cases:write")]
# The path whose bodies may be larger than the app's 1 MiB limit (main.py gives it its own).
DOCUMENT_UPLOAD_PATH = r"^/v1/cases/[^/]+/documents$"
# Room for the multipart boundary, headers and the description around a document of the largest size.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# A note's or document's id in a path.
EntryId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _credential(request: Request) -> str:
    return request.state.caller.credential_id


async def _audit(work: Work, request: Request, case: Case, action: str, resource: str) -> None:
    """Every read and addition of the case file is personal data: audited, like the case itself."""
    await audit.record(work.session, audit_table, request, action=action, resource=resource,
                       reference=case.reference)


def _author(entry) -> Author:
    return Author(organisation_id=entry.organisation_id, person_id=entry.person_id, name=entry.person_name,
                  credential_id=entry.credential_id)


# --- notes ---

def _note_view(note: CaseNote, corrected_by: list[int]) -> NoteView:
    return NoteView(id=note.id, case_id=note.case_id, author=_author(note), written_at=note.written_at,
                    text=note.text, corrects=note.corrects, corrected_by=corrected_by)


def _note_views(notes: list[CaseNote]) -> list[NoteView]:
    corrections: dict[int, list[int]] = {}
    for note in notes:
        if note.corrects:
            corrections.setdefault(note.corrects, []).append(note.id)
    return [_note_view(note, corrections.get(note.id, [])) for note in notes]


@router.post("/{case_id}/notes", status_code=201, response_model=NoteView, dependencies=WRITE)
async def add_note(case_id: str, body: NoteIn, ctx: ContextDep, work: Work, request: Request) -> NoteView:
    """Add a note; notes never change: to correct one, add a note with `corrects` naming it."""
    case, note = await service.add_note(work.session, ctx, case_id=case_id, text=body.text,
                                        corrects=body.corrects, credential=_credential(request))
    await _audit(work, request, case, "create", "case.note")
    return _note_view(note, [])


@router.get("/{case_id}/notes", response_model=NoteList, dependencies=[require_scope("contacts:read")])
async def list_notes(case_id: str, ctx: ContextDep, work: Work, request: Request) -> NoteList:
    """The case's notes, oldest first; each names the later notes that correct it."""
    case, notes = await service.notes(work.session, ctx, case_id)
    await _audit(work, request, case, "read", "case.notes")
    return NoteList(items=_note_views(notes))


@router.get("/{case_id}/notes/{note_id}", response_model=NoteView, dependencies=[require_scope("contacts:read")])
async def get_note(case_id: str, note_id: EntryId, ctx: ContextDep, work: Work, request: Request) -> NoteView:
    """One note (PUT and DELETE answer 405: notes are append-only)."""
    case, notes = await service.notes(work.session, ctx, case_id)
    views = {view.id: view for view in _note_views(notes)}
    if note_id not in views:
        raise NotFound(f"no note {note_id} on this case")
    await _audit(work, request, case, "read", "case.note")
    return views[note_id]


# --- documents ---

def _document_view(document: CaseDocument) -> DocumentView:
    return DocumentView(id=document.id, case_id=document.case_id, filename=document.filename,
                        content_type=document.content_type, size=document.size, sha256=document.sha256,
                        description=document.description, scan=document.scan, uploaded_by=_author(document),
                        uploaded_at=document.uploaded_at)


@router.post("/{case_id}/documents", status_code=201, response_model=DocumentView, dependencies=WRITE,
             responses=problem_responses(413, 415))
async def upload_document(
    case_id: str, ctx: ContextDep, work: Work, request: Request, runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, GIF, TIFF, Word (.docx, .doc) or email "
                                                 "(.eml, .msg), up to 20 MiB; the type is read from the content")],
    description: Annotated[str | None, Form(max_length=1000)] = None,
) -> DocumentView:
    """Upload a document (multipart/form-data): over the size limit 413, not an accepted type 415."""
    settings = runtime.settings
    case, document = await service.add_document(
        work.session, ctx, case_id=case_id, file=file.file, filename=file.filename, description=description,
        store=store_of(settings, runtime.sessions), scanner=scanner_of(settings),
        max_bytes=settings.document_max_bytes, credential=_credential(request))
    await _audit(work, request, case, "create", "case.document")
    return _document_view(document)


@router.get("/{case_id}/documents", response_model=DocumentList, dependencies=[require_scope("contacts:read")])
async def list_documents(case_id: str, ctx: ContextDep, work: Work, request: Request) -> DocumentList:
    """The case's documents (descriptions only), oldest first."""
    case, documents = await service.documents(work.session, ctx, case_id)
    await _audit(work, request, case, "read", "case.documents")
    return DocumentList(items=[_document_view(d) for d in documents])


@router.get("/{case_id}/documents/{document_id}", dependencies=[require_scope("contacts:read")], response_class=StreamingResponse,
            responses={200: {"description": "The document's bytes, as an attachment, in its detected type",
                             "content": {t.media_type: {} for t in filetypes.ACCEPTED}}})
async def download_document(case_id: str, document_id: EntryId, ctx: ContextDep, work: Work, request: Request,
                            runtime: RuntimeDep) -> StreamingResponse:
    """The document, never shown inline: an attachment of its detected type that browsers must not sniff."""
    case, document = await service.document(work.session, ctx, case_id, document_id)
    await _audit(work, request, case, "read", "case.document")
    kind = next(t for t in filetypes.ACCEPTED if t.media_type == document.content_type)
    headers = {
        "Content-Disposition": f'attachment; filename="{filetypes.safe_filename(document.filename, kind)}"',
        "Content-Length": str(document.size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        # Opened by mistake in a browser tab, it still runs nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    store = store_of(runtime.settings, runtime.sessions)
    return StreamingResponse(store.read(document.storage_key), media_type=document.content_type,
                             headers=headers)


# --- correspondence ---

def _correspondence_view(entry: CaseCorrespondence) -> CorrespondenceView:
    return CorrespondenceView(id=entry.id, case_id=entry.case_id, occurred_on=entry.occurred_on,
                              channel=entry.channel, direction=entry.direction, correspondent=entry.correspondent,
                              summary=entry.summary, document_id=entry.document_id, recorded_by=_author(entry),
                              recorded_at=entry.recorded_at)


@router.post("/{case_id}/correspondence", status_code=201, response_model=CorrespondenceView,
             dependencies=WRITE)
async def add_correspondence(case_id: str, body: CorrespondenceIn, ctx: ContextDep, work: Work,
                             request: Request) -> CorrespondenceView:
    """Log a letter, email, call or meeting, in or out; `document_id` links a document of this case."""
    case, entry = await service.add_correspondence(work.session, ctx, case_id=case_id, body=body,
                                                   credential=_credential(request))
    await _audit(work, request, case, "create", "case.correspondence")
    return _correspondence_view(entry)


@router.get("/{case_id}/correspondence", response_model=CorrespondenceList, dependencies=[require_scope("contacts:read")])
async def list_correspondence(case_id: str, ctx: ContextDep, work: Work, request: Request) -> CorrespondenceList:
    """The correspondence log, in the order things happened."""
    case, entries = await service.correspondence(work.session, ctx, case_id)
    await _audit(work, request, case, "read", "case.correspondence")
    return CorrespondenceList(items=[_correspondence_view(e) for e in entries])


# --- linked cases ---

def _link_view(link: CaseLink, other: Case) -> LinkView:
    return LinkView(case_id=other.id, reference=other.reference, status=other.status, reason=link.reason,
                    detail=link.detail, linked_by=_author(link), linked_at=link.linked_at)


@router.post("/{case_id}/links", status_code=201, response_model=LinkView, dependencies=WRITE)
async def link_case(case_id: str, body: LinkIn, ctx: ContextDep, work: Work, request: Request) -> LinkView:
    """Link another of the owner's cases (by id or reference), both ways."""
    case, link, other = await service.link_cases(work.session, ctx, case_id=case_id, body=body,
                                                 credential=_credential(request))
    await _audit(work, request, case, "update", "case.links")
    return _link_view(link, other)


@router.get("/{case_id}/links", response_model=LinkList, dependencies=[require_scope("contacts:read")])
async def list_links(case_id: str, ctx: ContextDep, work: Work, request: Request) -> LinkList:
    """The cases linked to this one."""
    case, links = await service.links(work.session, ctx, case_id)
    await _audit(work, request, case, "read", "case.links")
    return LinkList(items=[_link_view(link, other) for link, other in links])


@router.delete("/{case_id}/links/{linked_case_id}", status_code=204, dependencies=WRITE)
async def unlink_case(case_id: str, linked_case_id: str, ctx: ContextDep, work: Work,
                      request: Request) -> Response:
    """Remove a link, both ways."""
    case = await service.unlink_cases(work.session, ctx, case_id=case_id, linked_case_id=linked_case_id)
    await _audit(work, request, case, "update", "case.links")
    return Response(status_code=204)
