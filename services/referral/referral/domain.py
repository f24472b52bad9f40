"""Referral rules: who should own a contact after triage. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from nwd_shared import events as ev

# Routes that lead to a complaint case at a responsible body.
CASE_ROUTES: frozenset[str] = frozenset({"complaint", "split", "suspended"})


@dataclass(frozen=True)
class Agree:
    """Ownership can be agreed now: the receiver is responsible."""

    owner: str
    contributors: list[str]


@dataclass(frozen=True)
class Propose:
    """Another body is responsible: propose that it takes ownership."""

    to_organisation: str
    contributors: list[str]


def next_step(decision: ev.TriageDecisionData) -> Agree | Propose | None:
    """What ownership needs after a triage decision; None when no case follows the route."""
    if decision.route not in CASE_ROUTES or not decision.responsible_organisations:
        return None
    responsible = decision.responsible_organisations
    if decision.received_by in responsible:
        return Agree(owner=decision.received_by,
                     contributors=[o for o in responsible if o != decision.received_by])
    return Propose(to_organisation=responsible[0], contributors=responsible[1:])
