"""The triage report on the frozen test split: `make triage-report`.

Safeguarding recall and specificity with Wilson 95% intervals, for the rules alone, the model alone
and both together (as triage decides); recall per Care Act category; whether split and suspended
agree with the labels; and joint routing. Prints; chooses nothing.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from nwd_shared import events as ev
from triage.rules.safeguarding import CATEGORIES
from triage_training.corpus import Item, by_split, load_ombudsman
from triage_training.rules import RulesOutcome, directory, rules_outcomes

TARGET_RECALL, TARGET_SPECIFICITY = 0.95, 0.85


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float, float]:
    """A proportion and its Wilson score interval (sound at 0 and 1, unlike the normal one)."""
    if total == 0:
        return float("nan"), float("nan"), float("nan")
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def ratio(successes: int, total: int) -> str:
    p, low, high = wilson(successes, total)
    return f"{p:.3f} [{low:.3f}, {high:.3f}] ({successes}/{total})"


@dataclass(frozen=True)
class Detection:
    """Whether a contact was flagged outright, or held as possible safeguarding for a person."""

    flag: bool
    possible: bool

    @property
    def detected(self) -> bool:
        return self.flag or self.possible


def recall_specificity(items: list[Item], found: list[Detection], *, with_possible: bool) -> list[str]:
    hit = [f.detected if with_possible else f.flag for f in found]
    positives = [h for i, h in zip(items, hit, strict=True) if i.safeguarding]
    negatives = [h for i, h in zip(items, hit, strict=True) if not i.safeguarding]
    return [ratio(sum(positives), len(positives)), ratio(len(negatives) - sum(negatives), len(negatives))]


def model_detections(items: list[Item]) -> list[Detection] | None:
    from triage.semantic.model import MODEL, SafeguardingModel

    if not MODEL.exists():
        return None
    return [Detection(a.level == "flag", a.level == "possible")
            for a in SafeguardingModel().assess([i.text for i in items])]


def combined_detections(items: list[Item]) -> list[Detection] | None:
    """Triage's own decision with the model, where triage takes an assessment (issue 16)."""
    try:
        from triage_training.rules import combined_outcomes
    except ImportError:
        return None
    return [Detection(o.flag, o.possible) for o in combined_outcomes(items)]


def print_report(split: str) -> None:
    items = by_split(load_ombudsman())[split]
    organisations = directory()
    rules = rules_outcomes(items, organisations)
    rows: dict[str, tuple[list[Detection], list[RulesOutcome] | None]] = {
        "rules alone": ([Detection(o.flag, o.possible) for o in rules], rules)}
    model = model_detections(items)
    if model is not None:
        rows["model alone"] = (model, None)
    both = combined_detections(items)
    if both is not None:
        rows["rules and model (triage)"] = (both, None)
    positives = sum(i.safeguarding for i in items)
    print(f"Triage report: the frozen {split} split, {len(items)} contacts from "
          f"{len({i.decision for i in items})} decisions, {positives} safeguarding. "
          f"Targets: recall >= {TARGET_RECALL} at specificity >= {TARGET_SPECIFICITY}.")
    print("Figures are proportion [Wilson 95% interval] (count).\n")
    print(f"{'':<26}{'recall':<34}{'specificity':<34}")
    for name, (found, _) in rows.items():
        recall, specificity = recall_specificity(items, found, with_possible=True)
        print(f"{name:<26}{recall:<34}{specificity:<34}  flagged or possible")
        recall, specificity = recall_specificity(items, found, with_possible=False)
        print(f"{'':<26}{recall:<34}{specificity:<34}  flagged outright")
    print("\nRecall per Care Act category (flagged or possible):")
    print(f"{'category':<16}" + "".join(f"{name:<30}" for name in rows))
    for category in CATEGORIES:
        having = [n for n, i in enumerate(items) if category in i.categories]
        cells = [ratio(sum(found[n].detected for n in having), len(having)) for found, _ in rows.values()]
        print(f"{category:<16}" + "".join(f"{c:<30}" for c in cells))
    final = rows.get("rules and model (triage)", rows["rules alone"])
    routes = final[1] if final[1] is not None else _decisions_of(items, rules)
    _print_routes(items, routes)


def _decisions_of(items: list[Item], rules: list[RulesOutcome]) -> list[RulesOutcome]:
    try:
        from triage_training.rules import combined_outcomes
    except ImportError:
        return rules
    return combined_outcomes(items)


def _print_routes(items: list[Item], outcomes: list) -> None:
    both = [(i, o) for i, o in zip(items, outcomes, strict=True) if i.route in ("split", "suspended")]
    agree = sum(o.decision.route == i.route for i, o in both)
    print(f"\nSplit or suspended as labelled (of {len(both)} labelled split or suspended): {ratio(agree, len(both))}")
    for route in ("split", "suspended"):
        labelled = [(i, o) for i, o in both if i.route == route]
        got = ", ".join(f"{r} {sum(o.decision.route == r for _, o in labelled)}"
                        for r in ("split", "suspended", "safeguarding", "complaint"))
        print(f"  labelled {route:<10} {len(labelled):>3}: triage said {got}")
    joint = [(i, o) for i, o in zip(items, outcomes, strict=True) if i.services == "joint"
             and i.route in ev.CASE_ROUTES | {"pals"}]
    routed = sum(len(o.decision.responsible_organisations) >= 2 for _, o in joint)
    print(f"Joint routing (joint complaints whose decision names both bodies): {ratio(routed, len(joint))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    print_report(parser.parse_args().split)


if __name__ == "__main__":
    main()
