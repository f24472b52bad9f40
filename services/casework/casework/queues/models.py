"""Queue tables: who handles a case, the history of that, and the contact's words to search.

They sit beside `complaint_case`, keyed by case id or reference, so the case itself stays the life's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, cast
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from casework.models import Base, Case
from nwd_shared.db import UtcDateTime
from nwd_shared.messaging.tables import OUTBOX_ID


class CaseAssignment(Base):
    """The handler and team a case is with now (one row per assigned case)."""

    __tablename__ = "case_assignment"

    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), primary_key=True)
    handler: Mapped[str] = mapped_column(String(64), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The London date of the assignment: the "updated" sort compares it with the case's dates.
    assigned_on: Mapped[date] = mapped_column(Date)
    assigned_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CaseAssignmentChange(Base):
    """One assignment or reassignment, kept for the case's history; never changed afterwards."""

    __tablename__ = "case_assignment_change"

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    handler: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_handler: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_team: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CaseSearchText(Base):
    """A contact's names and description, as intake received them, for the owner's full-text search."""

    __tablename__ = "case_search_text"
    __table_args__ = (Index("ix_case_search_text_document", "document", postgresql_using="gin"),)

    # An integer key: SQLite's FTS5 index (case_search_fts) refers to rows by it.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    complainant_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    person_affected_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # PostgreSQL: the reference, names and description as a tsvector (GIN-indexed), stored so a phrase's
    # recheck reads it instead of parsing the text again. SQLite leaves it empty: FTS5 indexes the columns.
    document: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


# Indexes on complaint_case for the queues' own questions (the case's own indexes are the case's).
# Newest first, a page at a time: the default list walks this backwards and stops at the page's end.
RECEIVED_INDEX = Index("ix_complaint_case_received_on_id", Case.received_on, Case.id)
# An owner's cases at a stage (its live queues): a few thousand of a big owner's tens of thousands.
OWNER_STATUS_INDEX = Index("ix_complaint_case_owner_status", Case.owner, Case.status)
# PostgreSQL: "the cases it contributes to" by containment in the JSON list, not by reading every row.
CONTRIBUTORS_INDEX = Index("ix_complaint_case_contributors", cast(Case.contributors, JSONB), postgresql_using="gin",
                           _table=Case.__table__).ddl_if(dialect="postgresql")
