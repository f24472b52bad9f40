"""Casework HTTP models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class DeadlinesView(BaseModel):
    acknowledge_by: date
    action_plan_by: date | None
    respond_by: date | None
    six_months_by: date


class CaseView(BaseModel):
    id: str
    reference: str
    owner: str
    contributors: list[str]
    status: str
    suspended: bool
    received_on: date
    opened_at: datetime
    deadlines: DeadlinesView


class CaseList(BaseModel):
    items: list[CaseView]
