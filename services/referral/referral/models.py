"""Referral tables: contacts as received, the ownership negotiation, proposals, webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.audit import define_audit_table
from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import OUTBOX_ID, define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)
audit = define_audit_table(Base.metadata)


class Referral(Base):
    """A proposal that another organisation takes a contact on, and its answer."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status_due_at", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)
    from_organisation: Mapped[str] = mapped_column(String(64))
    to_organisation: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    # pending | accepted | declined | resolved | returned | withdrawn
    status: Mapped[str] = mapped_column(String(16))
    # The answer's reason: why it was declined or returned, or how PALS resolved it.
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    suggested_organisation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Carried from triage so ownership can be announced without asking another service.
    kind: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    contributors: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # lead | contributor for ownership and joint proposals; None for the other purposes.
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Why the referral was made (back, ombudsman, by hand).
    request_reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    joint_working_team: Mapped[bool] = mapped_column(Boolean, default=False)
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Ownership(Base):
    """Who owns a contact, once agreed; until then the receiving organisation is interim owner."""

    __tablename__ = "ownership"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    contributors: Mapped[list] = mapped_column(JSON)
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Contact(Base):
    """A contact as intake announced it: what referral needs for consent, advocacy and areas."""

    __tablename__ = "contact"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64))
    consent_to_share: Mapped[bool] = mapped_column(Boolean)
    wants_advocacy: Mapped[bool] = mapped_column(Boolean)
    # The whole ContactReceivedData: personal data, given out only as consent and access allow.
    data: Mapped[dict] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When its case closed (from nwd.case.closed.v1); retention runs from it.
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Negotiation(Base):
    """Where agreeing ownership of one contact has got to."""

    __tablename__ = "negotiation"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64))
    # The latest triage decision, as announced.
    decision: Mapped[dict] = mapped_column(JSON)
    route: Mapped[str] = mapped_column(String(16))
    # awaiting_contact | negotiating | agreed | escalated | pals | closed | no_case
    state: Mapped[str] = mapped_column(String(24), index=True)
    lead: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lead_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # When the complaint reached the lead: its statutory clock's start (the proposal, not the acceptance).
    lead_received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Organisations asked to lead or own that declined: never asked again for this contact.
    tried: Mapped[list] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DetailAccess(Base):
    """Each time an organisation was given a contact's personal details over HTTP."""

    __tablename__ = "detail_access"

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(String(36), index=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)
    organisation_id: Mapped[str] = mapped_column(String(64))
    accessed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookSubscription(Base):
    """An endpoint an organisation registered for referral events that name it."""

    __tablename__ = "webhook_subscription"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list] = mapped_column(JSON)
    # whsec_<base64>: the Standard Webhooks signing secret, shown once at registration.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """One event to one subscription: an outbox row for HTTP, retried until delivered or given up."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_subscription_event"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(128))
    reference: Mapped[str] = mapped_column(String(32))
    # The exact body sent on every attempt, so each signature covers the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    # pending | delivered | failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery and what the endpoint answered."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(OUTBOX_ID, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(36), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
