"""Queue tables: who handles a case, the history of that, and the contact's words to search.

They sit beside `complaint_case`, keyed by case id or reference, so the case itself stays the life's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column

from casework.models import Base
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

    # An integer key: SQLite's FTS5 index (case_search_fts) refers to rows by it.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    complainant_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    person_affected_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


def _words(*columns) -> object:
    """The columns as one text, each missing one empty."""
    # Literals, not bound parameters: PostgreSQL matches a query to the index by its expression.
    empty, space = literal_column("''"), literal_column("' '")
    text = func.coalesce(columns[0], empty)
    for column in columns[1:]:
        text = text.op("||")(space).op("||")(func.coalesce(column, empty))
    return text


# The one document PostgreSQL searches; queries use this very expression, so the GIN index serves them.
SEARCH_DOCUMENT = func.to_tsvector(
    literal_column("'english'"),
    _words(CaseSearchText.reference, CaseSearchText.complainant_name, CaseSearchText.person_affected_name,
           CaseSearchText.description))

# PostgreSQL only: SQLite searches its FTS5 table (case_search_fts) instead, kept in step by triggers.
# `_table`: an index on an expression names no column for SQLAlchemy to find its table by.
SEARCH_INDEX = Index("ix_case_search_text_document", SEARCH_DOCUMENT, postgresql_using="gin",
                     _table=CaseSearchText.__table__).ddl_if(dialect="postgresql")
