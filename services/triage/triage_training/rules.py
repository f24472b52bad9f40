"""What the readable rules alone make of corpus contacts, for training and the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from nwd_shared import events as ev
from nwd_shared.directory import Directory, load_directory
from nwd_shared.settings import ServiceSettings
from triage.domain import Decision, triage
from triage_training.corpus import Item

RECEIVED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class RulesOutcome:
    flag: bool
    possible: bool
    decision: Decision


def directory() -> Directory:
    return load_directory(ServiceSettings().organisations_file)


def contact_of(item: Item) -> ev.ContactReceivedData:
    """A received contact built from a corpus item, with the defaults the corpus states."""
    raw = item.raw
    relationship = raw.get("complainant", "self")
    return ev.ContactReceivedData(
        reference=f"NWD-{item.id}", received_by=raw.get("received_by", "wsx-council"),
        received_at=RECEIVED_AT, kind=raw.get("kind", "complaint"), channel=raw.get("channel", "email"),
        complainant={"name": "A Person", "relationship": relationship},
        person_affected=None if relationship == "self" else {"name": "B Person"},
        concerns=raw.get("concerns", [{"organisation_id": "wsx-council"}]),
        description=item.text, desired_outcome=raw.get("outcome"), **raw.get("flags", {}),
    )


def rules_outcomes(items: list[Item], organisations: Directory | None = None) -> list[RulesOutcome]:
    """Each item's rules-only decision: flagged (a safeguarding route) or possible (asked about)."""
    organisations = organisations or directory()
    out = []
    for item in items:
        decision = triage(contact_of(item), organisations)
        flag = decision.route in ev.SAFEGUARDING_ROUTES
        possible = decision.needs_review and any(e["status"] == "possible" for e in decision.evidence)
        out.append(RulesOutcome(flag, possible and not flag, decision))
    return out


def combined_outcomes(items: list[Item], organisations: Directory | None = None) -> list[RulesOutcome]:
    """Each item as triage decides it: the rules with the model's assessment, one batch."""
    from triage.semantic.model import SafeguardingModel

    organisations = organisations or directory()
    assessments = SafeguardingModel().assess([i.text for i in items])
    out = []
    for item, assessment in zip(items, assessments, strict=True):
        decision = triage(contact_of(item), organisations, assessment)
        flag = decision.route in ev.SAFEGUARDING_ROUTES and not decision.possible_safeguarding
        out.append(RulesOutcome(flag, decision.possible_safeguarding, decision))
    return out
