"""Learning HTTP models."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Summary(BaseModel):
    """The projections of an organisation between two dates, inclusive."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    organisation: str
    from_: date = Field(alias="from")
    to: date
    counts: dict[str, int]
    timeliness: dict[str, float | int | None]
    ownership: dict[str, float | int | None]
    ageing: dict[str, int]
    experience: dict


class LearningActionOut(BaseModel):
    id: str
    reference: str
    case_id: str
    organisation: str
    description: str
    owner: str
    raised_on: date
    due_on: date
    completed_on: date | None
    status: str  # open | overdue | completed


class LearningActions(BaseModel):
    actions: list[LearningActionOut]


class ActionUpdateIn(_Strict):
    owner: Text | None = None
    due_on: date | None = None


class CompleteIn(_Strict):
    completed_on: date | None = None


class SubjectCorrectionIn(_Strict):
    """A person's correction; subjects replace the rules' (at least one, codes of the taxonomy)."""

    subjects: list[Code] | None = Field(default=None, min_length=1, max_length=10)
    service_area: Code | None = None
    reason: Text


class ExperienceIn(_Strict):
    rating: int = Field(ge=1, le=5, description="1 (very poor) to 5 (very good)")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None
