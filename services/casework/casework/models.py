"""Casework tables: the case at the owning organisation, its statutory dates and its history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.audit import define_audit_table
from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import OUTBOX_ID, define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)
audit = define_audit_table(Base.metadata)


# The cases the live-reference index covers: not handed on to another owner, not closed.
LIVE_CASE = "status NOT IN ('transferred', 'closed')"


class Case(Base):
    """A complaint being handled by its owner."""

    __tablename__ = "complaint_case"
    __table_args__ = (
        # One live case per contact; an override that moves ownership leaves transferred and closed ones.
        Index("uq_complaint_case_live_reference", "reference", unique=True,
              sqlite_where=text(LIVE_CASE), postgresql_where=text(LIVE_CASE)),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    contributors: Mapped[list] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    suspended: Mapped[bool] = mapped_column(Boolean)
    received_on: Mapped[date] = mapped_column(Date)
    acknowledge_by: Mapped[date] = mapped_column(Date)
    action_plan_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    respond_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    six_months_by: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # --- added by casework_0002 ---
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Name and postal address for letters: given by the owner, never published in events.
    complainant: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    acknowledged_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    discussion_accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    likely_response_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the acknowledgement said, so its letter reads the same whenever it is printed.
    acknowledgement: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The response date first notified (acknowledgement, then the plan), before any extension.
    notified_respond_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    action_plan: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    action_plan_issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    suspended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    suspension_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    responded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    record_summary: Mapped[str | None] = mapped_column(String(500), nullable=True)
    escalated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    escalation: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    unreasonably_persistent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every set and clear of the flag, with its reason: customer relations must account for it.
    persistent_history: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # --- added by casework_0005 ---
    # Set when retention replaced the personal data and free text of this closed case.
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CaseExtension(Base):
    """A new response date with its reason; each one produces a letter."""

    __tablename__ = "case_extension"

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    extended_on: Mapped[date] = mapped_column(Date)
    previous_respond_by: Mapped[date] = mapped_column(Date)
    new_respond_by: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(2000))


class CaseContribution(Base):
    """A contributor's part of a joint complaint, requested by the lead (reg 9)."""

    __tablename__ = "case_contribution"
    __table_args__ = (UniqueConstraint("case_id", "contributor"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    contributor: Mapped[str] = mapped_column(String(64))
    requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    request: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    part: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CaseDeadlineAlert(Base):
    """A warning or breach already raised: the unique key makes it once only, on any replica."""

    __tablename__ = "case_deadline_alert"
    __table_args__ = (
        UniqueConstraint("case_id", "deadline", "due_on", "kind", name="uq_case_deadline_alert_once"),
    )

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    deadline: Mapped[str] = mapped_column(String(24))
    due_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)


from casework.queues import models as queues_models  # noqa: E402, F401  (queues, assignment, search)


from casework.casefile import models as casefile_models  # noqa: E402, F401  (the case file's tables)
