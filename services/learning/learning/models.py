"""Learning tables.

Projections (rebuilt from the topics): learning_contact, learning_case, learning_event_fact. Records the learning service owns (kept by a rebuild, since no topic holds
them all): learning_action, learning_subject_correction, learning_experience_link.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.audit import define_audit_table
from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)
# Who read or corrected a complaint's records here; append-only, and never touched by a rebuild.
audit = define_audit_table(Base.metadata)


# --- projections ------------------------------------------------------------------------

class ContactRecord(Base):
    """A contact as learning needs it: categories only, never names, contact details or text."""

    __tablename__ = "learning_contact"
    __table_args__ = (Index("ix_learning_contact_received_by_on", "received_by", "received_on"),)

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    relationship: Mapped[str | None] = mapped_column(String(16))
    service_types: Mapped[list] = mapped_column(JSON, default=list)
    route: Mapped[str | None] = mapped_column(String(16))
    safeguarding_categories: Mapped[list] = mapped_column(JSON, default=list)
    out_of_time: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(64))
    ownership_agreed_on: Mapped[date | None] = mapped_column(Date)
    # Working days from receipt to agreed ownership; set once both are known.
    ownership_working_days: Mapped[int | None] = mapped_column(Integer)
    # What the subject rules found in the person's words: [[code, reason], ...]; the words
    # themselves are never stored.
    text_subjects: Mapped[list] = mapped_column(JSON, default=list)
    # The service area chosen by the rules, with its reason.
    service_area: Mapped[str | None] = mapped_column(String(40))
    service_area_reason: Mapped[str | None] = mapped_column(String(200))
    # The KO41a staff groups the words name: [[code, reason], ...]; None before they were kept.
    professions: Mapped[list | None] = mapped_column(JSON, default=list)
    # The kinds of the organisations the concerns name (a GP practice's complaints go to the KO41b).
    concern_kinds: Mapped[list | None] = mapped_column(JSON, default=list)


class CaseRecord(Base):
    """A case at its owner: its dates, timeliness and outcome."""

    __tablename__ = "learning_case"
    __table_args__ = (Index("ix_learning_case_owner", "owner"),)

    # Keyed by the contact too: a case id is only trusted to be unique within its contact.
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    received_on: Mapped[date | None] = mapped_column(Date)
    acknowledge_by: Mapped[date | None] = mapped_column(Date)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    action_plan_by: Mapped[date | None] = mapped_column(Date)
    action_plan_on: Mapped[date | None] = mapped_column(Date)
    respond_by: Mapped[date | None] = mapped_column(Date)
    six_months_by: Mapped[date | None] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(SmallInteger, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    responded_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    desired_outcome_met: Mapped[bool | None] = mapped_column(Boolean)
    responded_on_time: Mapped[bool | None] = mapped_column(Boolean)
    closed_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    ombudsman_id: Mapped[str | None] = mapped_column(String(64))
    six_months_breached_on: Mapped[date | None] = mapped_column(Date)
    # The case's own subject, as its responded and closed events give it: [[code, reason], ...].
    case_subjects: Mapped[list] = mapped_column(JSON, default=list)
    # How it ended when it ended unresolved (transferred, withdrawn, out_of_time...); None: resolved or open.
    ended_as: Mapped[str | None] = mapped_column(String(16))
    # The KO41a age group of the person it is about, from casework's equality data given with consent.
    age_group: Mapped[str | None] = mapped_column(String(12))


class EventFact(Base):
    """One countable event at an organisation on a day; the event id keeps it counted once."""

    __tablename__ = "learning_event_fact"
    __table_args__ = (Index("ix_learning_event_fact_organisation_on", "organisation_id", "occurred_on"),)

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[date] = mapped_column(Date)


PROJECTIONS = (ContactRecord, CaseRecord, EventFact)


# --- records the learning service owns ----------------------------------------------------

class LearningAction(Base):
    """An action to learn from an upheld or partly upheld complaint, tracked to completion."""

    __tablename__ = "learning_action"
    __table_args__ = (Index("ix_learning_action_organisation", "organisation"),
                      Index("ix_learning_action_case", "reference", "case_id"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    raised_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by: Mapped[str | None] = mapped_column(String(64))


class SubjectCorrection(Base):
    """A person's correction of a complaint's subjects or service area; it wins over the rules."""

    __tablename__ = "learning_subject_correction"

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64))
    subjects: Mapped[list | None] = mapped_column(JSON)
    service_area: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExperienceLink(Base):
    """A single-use link asking the person how their concern was handled, and their answer."""

    __tablename__ = "learning_experience_link"
    __table_args__ = (Index("ix_learning_experience_link_organisation", "organisation"),
                      UniqueConstraint("reference", "case_id"))

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    responded_on: Mapped[date | None] = mapped_column(Date)
    # Set when retention replaced the person's comment, ten years after the case closed.
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
