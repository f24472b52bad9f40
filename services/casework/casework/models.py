"""Casework tables: the case at the owning organisation and its statutory dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared.db import UtcDateTime, new_metadata
from nwd_shared.messaging.tables import define_messaging_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


messaging = define_messaging_tables(Base.metadata)


class Case(Base):
    """A complaint being handled by its owner."""

    __tablename__ = "complaint_case"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    contributors: Mapped[list] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    suspended: Mapped[bool] = mapped_column(Boolean)
    received_on: Mapped[date] = mapped_column(Date)
    acknowledge_by: Mapped[date] = mapped_column(Date)
    action_plan_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    respond_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    six_months_by: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
