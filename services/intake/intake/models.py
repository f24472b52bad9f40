"""Intake tables: the contact as received, idempotency keys, and each contact's journey."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.audit import define_audit_table
from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)
audit = define_audit_table(Base.metadata)


class Contact(Base):
    """A contact as received, and where it is now (projected from every topic)."""

    __tablename__ = "contact"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    # The request as accepted (personal data), with later corrections and consent: kept here, never logged.
    submission: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(64))
    contributors: Mapped[list] = mapped_column(JSON, default=list)
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Organisations that may read this contact besides the receiver, owner and contributors.
    visible_to: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When handling ended (case closed, resolved, or a route with no case): retention runs from it.
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class IdempotencyRecord(Base):
    """An Idempotency-Key a partner sent, the request it came with, and the reference given."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(ForeignKey("contact.reference"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JourneyEntry(Base):
    """One step of a contact's journey, from any service's event."""

    __tablename__ = "journey_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    organisation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    summary: Mapped[str] = mapped_column(String(500))
