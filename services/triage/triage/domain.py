"""Triage rules. The skeleton: every contact is a complaint for the body that received it."""

from __future__ import annotations

from dataclasses import dataclass, field

from nwd_shared import events as ev


@dataclass(frozen=True)
class Decision:
    """A triage decision with the reasons a person can read and override."""

    route: ev.Route
    responsible_organisations: list[str]
    reasons: list[str]
    safeguarding_categories: list[str] = field(default_factory=list)
    out_of_time: bool = False
    needs_consent: bool = False
    needs_review: bool = False


def triage(contact: ev.ContactReceivedData) -> Decision:
    """Decide the route and the responsible organisations of a contact."""
    return Decision(
        route="complaint",
        responsible_organisations=[contact.received_by],
        reasons=["walking skeleton: every contact is a complaint for the receiving organisation"],
    )
