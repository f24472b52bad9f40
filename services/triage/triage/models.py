"""Triage tables: one decision per contact, with its reasons, and who may see it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.audit import define_audit_table
from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)
audit = define_audit_table(Base.metadata)


class TriageDecision(Base):
    """The route of a contact and why; overriding it keeps the reasons."""

    __tablename__ = "triage_decision"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    safeguarding_categories: Mapped[list] = mapped_column(JSON)
    responsible_organisations: Mapped[list] = mapped_column(JSON)
    reasons: Mapped[list] = mapped_column(JSON)
    out_of_time: Mapped[bool] = mapped_column(Boolean)
    needs_consent: Mapped[bool] = mapped_column(Boolean)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    overridden_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    wants_advocacy: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)
    areas: Mapped[list] = mapped_column(JSON, default=list)
    concern_count: Mapped[dict] = mapped_column(JSON, default=dict)
    # The words that triggered each safeguarding sign: personal, so only here and over HTTP.
    safeguarding_evidence: Mapped[list] = mapped_column(JSON, default=list)
    safeguarding_referred_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    # No rule fired but the model's probability is between its thresholds: held for a person.
    possible_safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)
    # The model's probability, level, suspected category and nearest labelled examples (no personal data).
    safeguarding_model: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class TriageDecisionOrganisation(Base):
    """An organisation that may see a decision: the receiver, the responsible, the safeguarding council."""

    __tablename__ = "triage_decision_organisation"

    reference: Mapped[str] = mapped_column(
        String(32), ForeignKey("triage_decision.reference", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class SafeguardingConcern(Base):
    """A concern handed to the council's safeguarding team: acknowledged, chased, escalated, its outcome."""

    __tablename__ = "safeguarding_concern"
    # The chasing job's question: referred concerns whose acknowledgement is due.
    __table_args__ = (Index("ix_safeguarding_concern_state_acknowledge_by", "state", "acknowledge_by"),)

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64), index=True)
    received_by: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list] = mapped_column(JSON)
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    referred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledge_by: Mapped[datetime] = mapped_column(UtcDateTime)
    escalate_by: Mapped[datetime] = mapped_column(UtcDateTime)
    # referred | acknowledged | enquiry_opened | concluded | not_opened (triage.handoff)
    state: Mapped[str] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    chased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    enquiry: Mapped[str | None] = mapped_column(String(16), nullable=True)
    concluded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
