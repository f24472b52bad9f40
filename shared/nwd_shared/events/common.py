"""What every producer's events share: the topics, the contract's vocabularies and route groups."""

from __future__ import annotations

from typing import Literal

CONTACTS = "nwd.contacts"
TRIAGE = "nwd.triage"
REFERRALS = "nwd.referrals"
CASES = "nwd.cases"
LEARNING = "nwd.learning"
TOPICS = (CONTACTS, TRIAGE, REFERRALS, CASES, LEARNING)


def dead_letter_topic(topic: str) -> str:
    """Where messages of `topic` go when they cannot be handled."""
    return f"{topic}.dlt"


ContactKind = Literal["complaint", "concern", "comment", "compliment"]
Channel = Literal["phone", "email", "letter", "web", "in_person", "other"]
Relationship = Literal["self", "representative", "advocate"]
ServiceType = Literal["health", "social_care"]
Route = Literal["complaint", "safeguarding", "split", "suspended", "day_to_day", "pals", "feedback"]
Purpose = Literal["ownership", "joint", "pals", "advocacy", "ombudsman", "back"]
Outcome = Literal["upheld", "partly_upheld", "not_upheld"]

# Route groups (seed 003 Appendix 2), the one home of each: a complaint case opens for these routes,
CASE_ROUTES: frozenset[str] = frozenset({"complaint", "split", "suspended"})
# a contact on these is handled at once and never becomes a case,
NO_CASE_ROUTES: frozenset[str] = frozenset({"feedback", "day_to_day"})
# and these start the local safeguarding procedures before anything else (§3.1).
SAFEGUARDING_ROUTES: frozenset[str] = frozenset({"safeguarding", "split", "suspended"})
# Outcomes that count as well-founded (reg 18(2)(b)).
UPHELD: frozenset[str] = frozenset({"upheld", "partly_upheld"})

__all__ = [
    "CONTACTS",
    "TRIAGE",
    "REFERRALS",
    "CASES",
    "LEARNING",
    "TOPICS",
    "dead_letter_topic",
    "ContactKind",
    "Channel",
    "Relationship",
    "ServiceType",
    "Route",
    "Purpose",
    "Outcome",
    "CASE_ROUTES",
    "NO_CASE_ROUTES",
    "SAFEGUARDING_ROUTES",
    "UPHELD",
]
