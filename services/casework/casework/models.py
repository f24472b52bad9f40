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


# The cases the live-reference index covers: not handed on to another owner, not closed or withdrawn.
LIVE_CASE = "status NOT IN ('transferred', 'closed', 'withdrawn')"


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
    # --- added by casework_0008: the whole life of a complaint (issue 15) ---
    # From the contact: how it was made (an oral complaint is owed a written record, reg 13), whether
    # the complainant gave no name (no letters), and the person's key for the persistent flag.
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    person_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Day-to-day business: put right by the end of the next working day, or a complaint (reg 8).
    resolve_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    oral_record: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    time_limit: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # How the case ended (ClosedAs), and the status it ended from, which a reopening restores.
    closed_as: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_from: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reopenings: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # After the response: the complainant's reply, the senior review and its final response (§2.9).
    reply: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    final_response_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    review: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    final_response: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    final_responded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The ombudsman's enquiry and decision; requests and remedies are rows of their own.
    ombudsman_stage: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Optional equality and age data, given with consent (KO41a's age groups).
    equality: Mapped[dict | None] = mapped_column(JSON, nullable=True)


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



class ContactFact(Base):
    """What casework needs of a contact before or after its case opens: channel, anonymity, person."""

    __tablename__ = "case_contact_fact"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    resolved_at_first_contact: Mapped[bool] = mapped_column(Boolean)
    person_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the person needs to take part (intake's CommunicationNeeds): it drives a letter's format.
    communication_needs: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class OmbudsmanRequest(Base):
    """Information the ombudsman asked for, due by a date, and when it was sent."""

    __tablename__ = "case_ombudsman_request"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    requested_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class OmbudsmanRemedy(Base):
    """A remedy the ombudsman recommended, due by a date, with the evidence it was complied with."""

    __tablename__ = "case_ombudsman_remedy"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    complied_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)


class PersistentComplainant(Base):
    """The unreasonably-persistent flag on a person, one organisation's decision, with its review date."""

    __tablename__ = "persistent_complainant"
    __table_args__ = (UniqueConstraint("organisation", "person_key"),)

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    organisation: Mapped[str] = mapped_column(String(64))
    # A SHA-256 of the complainant's normalised email or phone: the person, without their details.
    person_key: Mapped[str] = mapped_column(String(64))
    flagged: Mapped[bool] = mapped_column(Boolean)
    restrictions: Mapped[list] = mapped_column(JSON)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # The case it was last set from: its reference keys the events and the monitor's alerts.
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"))
    history: Mapped[list] = mapped_column(JSON)


from casework.casefile import models as casefile_models  # noqa: E402, F401  (the case file's tables)
from casework.letters import models as letters_models  # noqa: E402, F401  (letter tasks)
from casework.queues import models as queues_models  # noqa: E402, F401  (queues, assignment, search)
