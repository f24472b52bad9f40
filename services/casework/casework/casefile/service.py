"""Case file use cases: notes, documents, the correspondence log and linked cases. Never commits.

Who may do what: the owner's staff read the whole file and add to it; a contributor's staff read
and add only their own organisation's entries (its part); anyone else learns nothing (404). Links
are the owner's alone. Staff with only the reports-only role read no case file (403).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from casework import service as cases
from casework.casefile import filetypes, repository
from casework.casefile.models import CaseCorrespondence, CaseDocument, CaseLink, CaseNote
from casework.casefile.scanning import Scanner
from casework.casefile.schemas import CorrespondenceIn, LinkIn
from casework.casefile.storage import CHUNK_BYTES, DocumentStore
from casework.models import Case
from nwd_shared.context import Context
from nwd_shared.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

# The roles that work cases; reports-only staff see figures, never a case file.
CASE_ROLES = frozenset({"handler", "customer_relations", "senior_manager"})


class DocumentTooLarge(DomainError):
    status = 413


class UnsupportedDocument(DomainError):
    status = 415


async def case_file(session: AsyncSession, ctx: Context, case_id: str, *, writing: bool = False) -> Case:
    """The case whose file the caller may use: 404 unless owner or contributor, 403 for reports only."""
    case = await cases.visible_case(session, case_id, ctx.caller)
    if ctx.actor is not None and not (ctx.actor.roles & CASE_ROLES):
        raise Forbidden("the case file is for staff who handle complaints, not reports-only staff")
    if writing and case.anonymised_at is not None:
        raise Conflict("the case's personal data was anonymised at the end of its retention period")
    return case


def scope_of(case: Case, ctx: Context) -> str | None:
    """Whose entries the caller sees: all for the owner (None), its own for a contributor."""
    return None if ctx.caller == case.owner else ctx.caller


def _recorded(ctx: Context, credential: str | None) -> dict:
    return {"organisation_id": ctx.caller, "person_id": ctx.by, "person_name": ctx.actor.name if ctx.actor else None,
            "credential_id": credential}


# --- notes ---

async def add_note(session: AsyncSession, ctx: Context, *, case_id: str, text: str, corrects: int | None,
                   credential: str | None) -> tuple[Case, CaseNote]:
    """A new note; a correction names an earlier note of the case, which stays as it was."""
    case = await case_file(session, ctx, case_id, writing=True)
    if corrects is not None:
        corrected = await repository.note(session, case.id, corrects)
        scope = scope_of(case, ctx)
        if corrected is None or (scope is not None and corrected.organisation_id != scope):
            raise Invalid.field("corrects", f"no note {corrects} on this case")
    note = CaseNote(case_id=case.id, written_at=ctx.now, text=text, corrects=corrects,
                    **_recorded(ctx, credential))
    session.add(note)
    await session.flush()  # its id
    return case, note


async def notes(session: AsyncSession, ctx: Context, case_id: str) -> tuple[Case, list[CaseNote]]:
    """The notes the caller may read, oldest first."""
    case = await case_file(session, ctx, case_id)
    return case, await repository.notes_of(session, case.id, scope_of(case, ctx))


# --- documents ---

async def _chunks(file: BinaryIO, seen: Callable[[bytes], None] | None = None) -> AsyncIterator[bytes]:
    await asyncio.to_thread(file.seek, 0)
    while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
        if seen is not None:
            seen(chunk)
        yield chunk


async def add_document(session: AsyncSession, ctx: Context, *, case_id: str, file: BinaryIO,
                       filename: str | None, description: str | None, store: DocumentStore, scanner: Scanner,
                       max_bytes: int, credential: str | None) -> tuple[Case, CaseDocument]:
    """Store an upload of an accepted type, within the size limit, that the scanner did not find infected."""
    case = await case_file(session, ctx, case_id, writing=True)
    size = await asyncio.to_thread(file.seek, 0, os.SEEK_END)
    if size > max_bytes:
        raise DocumentTooLarge(f"the document is {size} bytes; the most accepted is {max_bytes}")
    if size == 0:
        raise Invalid.field("file", "the document is empty")
    kind = await asyncio.to_thread(filetypes.detect, file)
    if kind is None:
        accepted = ", ".join(k.name for k in filetypes.ACCEPTED)
        raise UnsupportedDocument(f"the content is not a document of an accepted type ({accepted}); "
                                  "the type is read from the content, not the name")
    verdict = await scanner.scan(_chunks(file))
    if verdict.status == "infected":
        raise Invalid.field("file", f"the malware scanner found {verdict.signature}; the document was not "
                                    "stored", "malware")
    digest, key = hashlib.sha256(), str(uuid.uuid4())
    await store.put(session, key, _chunks(file, digest.update))
    document = CaseDocument(
        case_id=case.id, uploaded_at=ctx.now, filename=(filename or "document")[:255],
        content_type=kind.media_type, size=size, sha256=digest.hexdigest(), description=description,
        scan=verdict.status, scanner=scanner.name, store=store.name, storage_key=key,
        **_recorded(ctx, credential))
    session.add(document)
    await session.flush()
    return case, document


async def documents(session: AsyncSession, ctx: Context, case_id: str) -> tuple[Case, list[CaseDocument]]:
    """The documents the caller may read, oldest first."""
    case = await case_file(session, ctx, case_id)
    return case, await repository.documents_of(session, case.id, scope_of(case, ctx))


async def document(session: AsyncSession, ctx: Context, case_id: str, document_id: int) -> tuple[Case, CaseDocument]:
    """One document the caller may read."""
    case = await case_file(session, ctx, case_id)
    found = await repository.document(session, case.id, document_id)
    scope = scope_of(case, ctx)
    if found is None or (scope is not None and found.organisation_id != scope):
        raise NotFound(f"no document {document_id} on this case")
    if case.anonymised_at is not None:
        raise Conflict("the document was deleted when the case's retention period ended")
    return case, found


# --- correspondence ---

async def record_correspondence(session: AsyncSession, ctx: Context, *, case: Case, occurred_on: date,
                                channel: str, direction: str, summary: str, correspondent: str | None = None,
                                document_id: int | None = None, credential: str | None = None,
                                ) -> CaseCorrespondence:
    """Log a letter, email, call or meeting on a case the caller already may act on (letters use this)."""
    if document_id is not None:
        linked = await repository.document(session, case.id, document_id)
        scope = scope_of(case, ctx)
        if linked is None or (scope is not None and linked.organisation_id != scope):
            raise Invalid.field("document_id", f"no document {document_id} on this case")
    entry = CaseCorrespondence(
        case_id=case.id, recorded_at=ctx.now, occurred_on=occurred_on, channel=channel,
        direction=direction, correspondent=correspondent, summary=summary, document_id=document_id,
        **_recorded(ctx, credential))
    session.add(entry)
    await session.flush()
    return entry


async def add_correspondence(session: AsyncSession, ctx: Context, *, case_id: str, body: CorrespondenceIn,
                             credential: str | None) -> tuple[Case, CaseCorrespondence]:
    """Log correspondence recorded by a member of staff; it cannot be dated in the future."""
    case = await case_file(session, ctx, case_id, writing=True)
    if body.occurred_on > ctx.today:
        raise Invalid.field("occurred_on", "correspondence cannot be dated in the future")
    return case, await record_correspondence(session, ctx, case=case, credential=credential,
                                             **body.model_dump())


async def correspondence(session: AsyncSession, ctx: Context,
                         case_id: str) -> tuple[Case, list[CaseCorrespondence]]:
    """The log the caller may read, in the order things happened."""
    case = await case_file(session, ctx, case_id)
    return case, await repository.correspondence_of(session, case.id, scope_of(case, ctx))


# --- linked cases ---

async def _owners_file(session: AsyncSession, ctx: Context, case_id: str) -> Case:
    case = await case_file(session, ctx, case_id)
    if ctx.caller != case.owner:
        raise Forbidden(f"only the owner, {case.owner}, links its cases")
    return case


async def link_cases(session: AsyncSession, ctx: Context, *, case_id: str, body: LinkIn,
                     credential: str | None) -> tuple[Case, CaseLink, Case]:
    """Link two of the owner's cases, both ways."""
    case = await _owners_file(session, ctx, case_id)
    other = await repository.owned_case(session, ctx.caller, case_id=body.case_id, reference=body.reference)
    field = "case_id" if body.case_id is not None else "reference"
    if other is None:
        raise Invalid.field(field, f"{ctx.caller} owns no case {body.case_id or body.reference}")
    if other.id == case.id:
        raise Invalid.field(field, "a case cannot be linked to itself")
    if await repository.link(session, case.id, other.id) is not None:
        raise Conflict(f"case {case.id} is already linked to {other.id}")
    recorded = _recorded(ctx, credential)
    links = [CaseLink(case_id=a, linked_case_id=b, linked_at=ctx.now, reason=body.reason,
                      detail=body.detail, **recorded) for a, b in ((case.id, other.id), (other.id, case.id))]
    session.add_all(links)
    await session.flush()
    return case, links[0], other


async def links(session: AsyncSession, ctx: Context, case_id: str) -> tuple[Case, list[tuple[CaseLink, Case]]]:
    """The owner's links from this case, with the cases they lead to."""
    case = await _owners_file(session, ctx, case_id)
    return case, await repository.links_of(session, case.id)


async def unlink_cases(session: AsyncSession, ctx: Context, *, case_id: str, linked_case_id: str) -> Case:
    """Remove a link, both ways."""
    case = await _owners_file(session, ctx, case_id)
    if await repository.link(session, case.id, linked_case_id) is None:
        raise NotFound(f"case {case.id} is not linked to {linked_case_id}")
    await repository.unlink(session, case.id, linked_case_id)
    return case


async def forget(session: AsyncSession, case_ids: list[str], blank: str) -> None:
    """Retention: the files' words and documents' bytes go; dates, channels, types, sizes and hashes stay."""
    await repository.blank_case_files(session, list(case_ids), blank)
