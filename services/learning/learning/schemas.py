"""Learning HTTP models."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Summary(BaseModel):
    """Counts of what happened at an organisation between two dates, inclusive."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    organisation: str
    from_: date = Field(alias="from")
    to: date
    counts: dict[str, int]
