"""Letter tasks: a communication need the system cannot meet itself, for a person to arrange."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.models import Base
from nwd_shared.db import UtcDateTime
from nwd_shared.messaging.tables import OUTBOX_ID as ID


class LetterTask(Base):
    """One need of one case (Braille, audio, a translation, easy read...): raised once, done by a person."""

    __tablename__ = "letter_task"
    __table_args__ = (UniqueConstraint("case_id", "need"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("complaint_case.id"), index=True)
    reference: Mapped[str] = mapped_column(String(32))
    # braille, audio, translation, easy_read or other
    need: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
    # The letter whose request raised it (acknowledgement...): the first the system could not meet.
    letter: Mapped[str] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    done_note: Mapped[str | None] = mapped_column(Text, nullable=True)
