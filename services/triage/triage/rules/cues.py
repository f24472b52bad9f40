"""What a contact says about itself besides safeguarding (contact.yaml): complaint, praise, and more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from triage.rules.text import compile_any, load_table, normalise


@dataclass(frozen=True)
class Cues:
    """The compiled contact.yaml."""

    complaint: re.Pattern[str]
    strong_complaint: re.Pattern[str]
    contrast: re.Pattern[str]
    compliment: re.Pattern[str]
    outcome: re.Pattern[str]
    noticed_later: re.Pattern[str]
    deceased: re.Pattern[str]


@cache
def cues() -> Cues:
    """The contact cues, compiled once."""
    raw = load_table("contact.yaml")
    return Cues(**{name: compile_any(raw[name]) for name in Cues.__dataclass_fields__})


def complaint_sentences(all_sentences: list[str]) -> set[int]:
    """The sentences that express dissatisfaction with a service."""
    return {i for i, s in enumerate(all_sentences) if cues().complaint.search(s)}


def says(pattern_name: str, text: str | None) -> bool:
    """Whether the text matches one of contact.yaml's cues."""
    return bool(text) and bool(getattr(cues(), pattern_name).search(normalise(text)))
