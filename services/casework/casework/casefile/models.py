"""Case file tables: notes, documents and their bytes, the correspondence log, linked cases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.models import Base
from nwd_shared.db import UtcDateTime
from nwd_shared.messaging.tables import OUTBOX_ID as ID


class _Recorded:
    """Who wrote an entry: the organisation, the person (None for a system key) and the credential."""

    organisation_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    person_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    credential_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


class CaseNote(_Recorded, Base):
    """A note on a case: never changed; a correction is a later note that names the one it corrects."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)
    corrects: Mapped[int | None] = mapped_column(ForeignKey("case_note.id"), nullable=True)


class CaseDocument(_Recorded, Base):
    """A document's description: its type as its bytes show, size, SHA-256, scan, and where it is stored."""

    __tablename__ = "case_document"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The name as uploaded (shown, never used as a path); downloads use a safe form of it.
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # clean | not_scanned (an infected document is refused, never stored)
    scan: Mapped[str] = mapped_column(String(16))
    scanner: Mapped[str] = mapped_column(String(32))
    store: Mapped[str] = mapped_column(String(16))
    # Where the store keeps the bytes: a random key, not the id, so it cannot be guessed from it.
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)


class CaseDocumentChunk(Base):
    """The bytes of a document in the database store, in chunks so none is read whole."""

    __tablename__ = "case_document_chunk"

    storage_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CaseCorrespondence(_Recorded, Base):
    """A letter, email, call or meeting, in or out, with its summary and perhaps its document."""

    __tablename__ = "case_correspondence"

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    occurred_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    correspondent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_document.id"), nullable=True)


class CaseLink(_Recorded, Base):
    """One direction of a link between two cases of the same owner; each link is stored both ways."""

    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("case_id", "linked_case_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    linked_case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # same_person | same_incident | other
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)
