"""Runs the labelled corpus through the triage rules and scores it per category."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from nwd_shared import events as ev
from nwd_shared.directory import Directory
from nwd_shared.events import SAFEGUARDING_ROUTES
from triage.domain import Decision, triage
from triage.rules.safeguarding import CATEGORIES

CORPUS = Path(__file__).parent / "contacts.yaml"
RECEIVED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ROUTES = ("complaint", "safeguarding", "split", "suspended", "day_to_day", "pals", "feedback")


def load() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def contact_of(item: dict) -> ev.ContactReceivedData:
    """A received contact built from a corpus item and the defaults the corpus states."""
    relationship = item.get("complainant", "self")
    return ev.ContactReceivedData(
        reference=f"NWD-{item['id']}", received_by=item.get("received_by", "wsx-council"),
        received_at=RECEIVED_AT, kind=item.get("kind", "complaint"), channel=item.get("channel", "email"),
        complainant={"name": "A Person", "relationship": relationship},
        person_affected=None if relationship == "self" else {"name": "B Person"},
        concerns=item.get("concerns", [{"organisation_id": "wsx-council"}]),
        description=item["text"], desired_outcome=item.get("outcome"), **item.get("flags", {}),
    )


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, expected: bool, got: bool, item_id: str) -> None:
        if expected and got:
            self.tp += 1
        elif got:
            self.fp += 1
            self.false_alarms.append(item_id)
        elif expected:
            self.fn += 1
            self.misses.append(item_id)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Score:
    items: int = 0
    safeguarding: Tally = field(default_factory=Tally)
    # A safeguarding route, or put up for review because of a possible safeguarding sign.
    flagged: Tally = field(default_factory=Tally)
    categories: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    routes: dict[str, Tally] = field(default_factory=lambda: {r: Tally() for r in ROUTES})
    route_right: int = 0
    review_checked: int = 0
    review_right: int = 0
    wrong_routes: list[str] = field(default_factory=list)
    wrong_reviews: list[str] = field(default_factory=list)


def subset(item: dict) -> str:
    """The subset an item belongs to: development unless the item says otherwise."""
    return item.get("set", "development")


def score(items: list[dict], directory: Directory,
          decided: dict[str, Decision] | None = None) -> tuple[Score, dict[str, Decision]]:
    """Score decisions against the labels (`decided`: decisions already made, to reuse)."""
    result, decisions = Score(), {}
    for item in items:
        decision = decided[item["id"]] if decided else triage(contact_of(item), directory)
        decisions[item["id"]] = decision
        expect = item["expect"]
        result.items += 1
        expected_sg = expect["route"] in SAFEGUARDING_ROUTES
        got_sg = decision.route in SAFEGUARDING_ROUTES
        result.safeguarding.add(expected_sg, got_sg, item["id"])
        possible = any(e["status"] == "possible" for e in decision.evidence)
        result.flagged.add(expected_sg, got_sg or (decision.needs_review and possible), item["id"])
        for category, tally in result.categories.items():
            tally.add(category in expect["categories"], category in decision.safeguarding_categories, item["id"])
        acceptable = {expect["route"], *expect.get("also", [])}
        got_route = expect["route"] if decision.route in acceptable else decision.route
        for route, tally in result.routes.items():
            tally.add(route == expect["route"], route == got_route, item["id"])
        if decision.route in acceptable:
            result.route_right += 1
        else:
            result.wrong_routes.append(f"{item['id']}: expected {expect['route']}, got {decision.route}")
        if "review" in expect:
            result.review_checked += 1
            if expect["review"] == decision.needs_review:
                result.review_right += 1
            else:
                result.wrong_reviews.append(f"{item['id']}: expected review {expect['review']}")
    return result, decisions


def summary_line(name: str, result: Score) -> str:
    """One line per subset: safeguarding precision and recall, with review, and route accuracy."""
    sg, flagged = result.safeguarding, result.flagged
    return (f"{name:<12}{result.items:>5}{sg.support:>6}{sg.precision:>8.2f}{sg.recall:>8.2f}"
            f"{flagged.precision:>8.2f}{flagged.recall:>8.2f}{result.route_right / result.items:>8.2f}")


SUMMARY_HEADER = (f"{'subset':<12}{'items':>5}{'sg':>6}{'sg P':>8}{'sg R':>8}{'+rev P':>8}{'+rev R':>8}"
                  f"{'route':>8}")


def report(result: Score, title: str) -> str:
    """The figures as a table a person can read in the test output."""
    lines = [f"{title}: {result.items} contacts",
             f"{'category':<16}{'support':>8}{'precision':>11}{'recall':>8}  misses / false alarms"]

    def row(name: str, tally: Tally) -> str:
        return (f"{name:<16}{tally.support:>8}{tally.precision:>11.2f}{tally.recall:>8.2f}  "
                f"{' '.join(tally.misses) or '-'} / {' '.join(tally.false_alarms) or '-'}")

    lines.append(row("SAFEGUARDING", result.safeguarding))
    lines.append(row("  or review", result.flagged))  # false alarms here are review load, not referrals
    lines += [row(c, t) for c, t in result.categories.items()]
    lines.append(f"{'route':<16}")
    lines += [row(r, t) for r, t in result.routes.items()]
    lines.append(f"route accuracy {result.route_right}/{result.items} = {result.route_right / result.items:.2f}; "
                 f"review agreement {result.review_right}/{result.review_checked}")
    lines += [f"  wrong route {w}" for w in result.wrong_routes]
    lines += [f"  wrong review {w}" for w in result.wrong_reviews]
    return "\n".join(lines)
