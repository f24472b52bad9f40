"""Queue, search and assignment HTTP models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from casework.schemas import DeadlinesView

Stage = Literal["day_to_day", "acknowledgement", "plan", "response", "responded", "review", "ombudsman", "closed"]
Relation = Literal["owner", "contributor"]
Sort = Literal["received", "due", "updated"]
Order = Literal["asc", "desc"]
PersonId = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9._-]+$")]
TeamId = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9-]+$")]


class AssignmentIn(BaseModel):
    """Customer relations hands a case to a handler of the owner, in a team (the handler's own by default)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    handler: PersonId
    team: TeamId | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class AssignmentView(BaseModel):
    case_id: str
    reference: str
    handler: str
    handler_name: str | None
    team: str | None
    assigned_at: datetime
    assigned_by: str | None


class AssignmentChangeView(BaseModel):
    handler: str
    team: str | None
    previous_handler: str | None
    previous_team: str | None
    reason: str | None
    assigned_at: datetime
    assigned_by: str | None


class AssignmentHistory(BaseModel):
    items: list[AssignmentChangeView]


class CaseSummary(BaseModel):
    """A case as a queue lists it: no names, no free text."""

    id: str
    reference: str
    owner: str
    contributors: list[str]
    # The caller's part: the owner handles the case, a contributor gives its part of a joint one.
    relation: Relation
    status: str
    stage: Stage
    suspended: bool
    kind: str
    subject: str | None
    received_on: date
    opened_at: datetime
    deadlines: DeadlinesView
    # The next statutory deadline still running (None once the case no longer awaits its response).
    due_on: date | None
    overdue: bool
    # The latest of the case's dated steps and its last assignment.
    updated_on: date
    # The owner's handler and team: shown to the owner only.
    handler: str | None = None
    team: str | None = None


class CasePage(BaseModel):
    items: list[CaseSummary]
    # The next page's URL (the same query with an opaque cursor); None on the last page.
    next: str | None = None


class QueueCounts(BaseModel):
    """How many of the owner's live cases are in each queue today."""

    # None for an organisation's own key: it is no one, so nothing is its own.
    mine: int | None
    unassigned: int
    due_this_week: int
    overdue: int
    suspended: int
    waiting_for_another_organisation: int
