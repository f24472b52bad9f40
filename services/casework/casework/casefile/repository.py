"""Case file queries."""

from __future__ import annotations

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from casework.casefile.models import (
    CaseCorrespondence,
    CaseDocument,
    CaseDocumentChunk,
    CaseLink,
    CaseNote,
)
from casework.models import Case


def _of(entity, case_id: str, organisation_id: str | None):
    """A case's entries; with an organisation, only those it recorded."""
    query = select(entity).where(entity.case_id == case_id)
    return query if organisation_id is None else query.where(entity.organisation_id == organisation_id)


async def notes_of(session: AsyncSession, case_id: str, organisation_id: str | None) -> list[CaseNote]:
    """Oldest first."""
    query = _of(CaseNote, case_id, organisation_id).order_by(CaseNote.written_at, CaseNote.id)
    return list((await session.scalars(query)).all())


async def note(session: AsyncSession, case_id: str, note_id: int) -> CaseNote | None:
    return await session.scalar(select(CaseNote).where(CaseNote.case_id == case_id, CaseNote.id == note_id))


async def documents_of(session: AsyncSession, case_id: str, organisation_id: str | None) -> list[CaseDocument]:
    """Oldest first."""
    query = _of(CaseDocument, case_id, organisation_id).order_by(CaseDocument.uploaded_at, CaseDocument.id)
    return list((await session.scalars(query)).all())


async def document(session: AsyncSession, case_id: str, document_id: int) -> CaseDocument | None:
    return await session.scalar(select(CaseDocument).where(CaseDocument.case_id == case_id,
                                                           CaseDocument.id == document_id))


async def add_chunk(session: AsyncSession, key: str, seq: int, data: bytes) -> None:
    session.add(CaseDocumentChunk(storage_key=key, seq=seq, data=data))
    await session.flush()  # one chunk in memory at a time


async def chunk(session: AsyncSession, key: str, seq: int) -> bytes | None:
    return await session.scalar(select(CaseDocumentChunk.data).where(CaseDocumentChunk.storage_key == key,
                                                                     CaseDocumentChunk.seq == seq))


async def correspondence_of(session: AsyncSession, case_id: str,
                            organisation_id: str | None) -> list[CaseCorrespondence]:
    """In the order it happened, then as recorded."""
    query = _of(CaseCorrespondence, case_id, organisation_id).order_by(
        CaseCorrespondence.occurred_on, CaseCorrespondence.recorded_at, CaseCorrespondence.id)
    return list((await session.scalars(query)).all())


async def links_of(session: AsyncSession, case_id: str) -> list[tuple[CaseLink, Case]]:
    """A case's links with the cases they lead to, oldest first."""
    rows = await session.execute(select(CaseLink, Case).join(Case, Case.id == CaseLink.linked_case_id)
                                 .where(CaseLink.case_id == case_id).order_by(CaseLink.linked_at, CaseLink.id))
    return [(link, case) for link, case in rows]


async def link(session: AsyncSession, case_id: str, linked_case_id: str) -> CaseLink | None:
    return await session.scalar(select(CaseLink).where(CaseLink.case_id == case_id,
                                                       CaseLink.linked_case_id == linked_case_id))


async def unlink(session: AsyncSession, case_id: str, linked_case_id: str) -> None:
    """Both directions go."""
    await session.execute(delete(CaseLink).where(or_(
        (CaseLink.case_id == case_id) & (CaseLink.linked_case_id == linked_case_id),
        (CaseLink.case_id == linked_case_id) & (CaseLink.linked_case_id == case_id))))


async def owned_case(session: AsyncSession, organisation_id: str, *, case_id: str | None = None,
                     reference: str | None = None) -> Case | None:
    """A case of this owner by id, or the live one for a reference (else its latest)."""
    query = select(Case).where(Case.owner == organisation_id)
    if case_id is not None:
        return await session.scalar(query.where(Case.id == case_id))
    # The live case first: a reference's transferred and closed cases come after it, newest first.
    return await session.scalar(query.where(Case.reference == reference)
                                .order_by(case((Case.status.in_(("transferred", "closed")), 1), else_=0),
                                          Case.opened_at.desc()).limit(1))


async def blank_case_files(session: AsyncSession, case_ids: list[str], blank: str) -> None:
    """Retention: replace the words of these cases' files with `blank` and delete their documents' bytes."""
    if not case_ids:
        return
    await session.execute(update(CaseNote).where(CaseNote.case_id.in_(case_ids)).values(text=blank))
    await session.execute(update(CaseCorrespondence).where(CaseCorrespondence.case_id.in_(case_ids))
                          .values(summary=blank))
    for entity, column in ((CaseCorrespondence, "correspondent"), (CaseDocument, "description"),
                           (CaseLink, "detail")):
        await session.execute(update(entity).where(entity.case_id.in_(case_ids), getattr(entity, column).is_not(None))
                              .values({column: blank}))
    await session.execute(delete(CaseDocumentChunk).where(CaseDocumentChunk.storage_key.in_(
        select(CaseDocument.storage_key).where(CaseDocument.case_id.in_(case_ids)))))
    await session.execute(update(CaseDocument).where(CaseDocument.case_id.in_(case_ids)).values(filename=blank))
