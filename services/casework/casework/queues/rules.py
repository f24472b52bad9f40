"""Queue rules: stages, the week and the cursor. Pure: no I/O."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta

from casework.domain import AWAITING_RESPONSE, ENDED, CaseStatus
from nwd_shared.errors import Invalid

# Where a case is in the procedure, as a complaints team says it; each stage is a set of statuses
# (named as stored: the later stages' statuses came with the complaint's life, issue 15).
STAGES: dict[str, tuple[str, ...]] = {
    "day_to_day": ("day_to_day",),
    "acknowledgement": (CaseStatus.OPEN,),
    "plan": (CaseStatus.ACKNOWLEDGED,),
    "response": (CaseStatus.ACTION_PLAN_ISSUED,),
    "responded": (CaseStatus.RESPONDED,),
    "review": ("under_review", "final_response_sent"),
    "ombudsman": (CaseStatus.ESCALATED,),
    "closed": (CaseStatus.CLOSED, CaseStatus.TRANSFERRED, "withdrawn"),
}


def stage_of(status: str) -> str:
    """The stage of a status; a status not named above goes by whether it still awaits the response."""
    named = next((stage for stage, statuses in STAGES.items() if status in statuses), None)
    if named is not None:
        return named
    return "closed" if status in ENDED else "response" if status in AWAITING_RESPONSE else "responded"


def statuses_of(stages: Iterable[str]) -> list[str]:
    return [str(status) for stage in stages for status in STAGES[stage]]


def end_of_week(today: date) -> date:
    """The Sunday that ends today's week: "due this week" runs from today to it."""
    return today + timedelta(days=6 - today.weekday())


def query_key(params: Iterable[tuple[str, str]]) -> str:
    """A short digest of a query's filters and sort, so a cursor is refused on another query."""
    kept = sorted((k, v) for k, v in params if k not in {"cursor", "limit"})
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:12]


def encode_cursor(key: date, case_id: str, query: str) -> str:
    """The opaque position after a page's last case: its sort key and id, and the query it belongs to."""
    raw = json.dumps([key.isoformat(), case_id, query], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, query: str) -> tuple[date, str]:
    """The position a cursor names; 422 if it is not one of ours or belongs to another query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, case_id, made_for = json.loads(raw)
        position = date.fromisoformat(key), str(case_id)
    except (ValueError, TypeError) as exc:
        raise Invalid.field("query.cursor", "not a cursor this service gave") from exc
    if made_for != query:
        raise Invalid.field("query.cursor", "the cursor belongs to another query: start again without it")
    return position
