"""Referral tables: proposals between organisations, and the agreed ownership of each contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)


class Referral(Base):
    """A proposal that another organisation takes a contact on, and its answer."""

    __tablename__ = "referral"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), index=True)
    from_organisation: Mapped[str] = mapped_column(String(64))
    to_organisation: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    suggested_organisation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Carried from triage so ownership can be announced without asking another service.
    kind: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    contributors: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Ownership(Base):
    """Who owns a contact, once agreed; until then the receiving organisation is interim owner."""

    __tablename__ = "ownership"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_by: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    contributors: Mapped[list] = mapped_column(JSON)
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime)
