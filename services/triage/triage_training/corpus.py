"""The ombudsman-derived corpus: contacts, their labels, and the frozen train / dev / test split."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from nwd_shared import events as ev

CORPUS_DIR = Path(__file__).parents[1] / "tests" / "corpus"
OMBUDSMAN_DIR = CORPUS_DIR / "ombudsman"
SPLITS = OMBUDSMAN_DIR / "splits.yaml"
# The project's first, hand-written corpus: used to tune the rules, so only ever training data.
HANDWRITTEN = CORPUS_DIR / "contacts.yaml"
HELD_OUT = Path(__file__).parents[4] / "shared" / "data" / "held-out-decisions.txt"
SPLIT_NAMES = ("train", "dev", "test")
# Shares of decisions, not of contacts: every contact of one decision falls in one split.
_TEST_SHARE, _DEV_SHARE = 0.25, 0.20


@dataclass(frozen=True)
class Item:
    """One labelled contact."""

    id: str
    decision: str
    source_url: str | None
    text: str
    safeguarding: bool
    categories: tuple[str, ...]
    route: str
    services: str | None
    raw: dict

    @property
    def split(self) -> str:
        return split_of(self.decision)


def decision_key(url_or_id: str) -> str:
    """A decision's identity, whatever the URL's scheme, host prefix, query or trailing letter."""
    text = re.sub(r"^https?://(www\.)?", "", url_or_id.strip().lower())
    path, _, query = text.partition("?")
    # A query names the decision only where it is its id (decisions.ombudsman.org.uk/report/?id=…).
    ids = [p for p in query.split("&") if p.startswith("id=")]
    # LGSCO suffixes a joint decision's number with a letter per body: 24-009-211a is 24-009-211.
    path = re.sub(r"(\d)[a-z]$", r"\1", path.rstrip("/"))
    return path + (f"?{ids[0]}" if ids else "")


def held_out_keys(path: Path = HELD_OUT) -> set[str]:
    """The decisions kept for evaluation outside the project: never in the corpus."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {decision_key(line) for line in lines if line.strip() and not line.startswith("#")}


def _hash_share(decision: str) -> float:
    digest = hashlib.sha256(decision.encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


def assign(decision: str) -> str:
    """The split a decision is assigned to, by a hash of its reference (used once, to freeze)."""
    share = _hash_share(decision)
    return "test" if share < _TEST_SHARE else "dev" if share < _TEST_SHARE + _DEV_SHARE else "train"


def frozen_splits() -> dict[str, str]:
    """Decision -> split, as frozen in splits.yaml."""
    if not SPLITS.exists():
        return {}
    return yaml.safe_load(SPLITS.read_text(encoding="utf-8"))["decisions"]


_FROZEN: dict[str, str] | None = None


def split_of(decision: str) -> str:
    """A decision's split: the frozen one; a decision added after the freeze is training data only."""
    global _FROZEN
    if _FROZEN is None:
        _FROZEN = frozen_splits()
    if decision.startswith("handwritten:"):
        return "train"
    return _FROZEN.get(decision, "train")


def load_ombudsman() -> list[Item]:
    """Every contact of every part file, in file order."""
    items: list[Item] = []
    for path in sorted(OMBUDSMAN_DIR.glob("part*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            expect = raw["expect"]
            items.append(Item(
                id=raw["id"], decision=raw["decision"], source_url=raw.get("source_url"),
                text=raw["text"], safeguarding=bool(expect["safeguarding"]),
                categories=tuple(expect.get("categories") or ()), route=expect["route"],
                services=expect.get("services"), raw=raw,
            ))
    return items


def load_handwritten() -> list[Item]:
    """The first corpus, as training items (its labels name routes, so safeguarding follows them)."""
    items = []
    for raw in yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8")):
        expect = raw["expect"]
        items.append(Item(
            id=raw["id"], decision=f"handwritten:{raw['id']}", source_url=None, text=raw["text"],
            safeguarding=expect["route"] in ev.SAFEGUARDING_ROUTES,
            categories=tuple(expect.get("categories") or ()), route=expect["route"], services=None,
            raw=raw,
        ))
    return items


def load_all() -> list[Item]:
    return load_ombudsman() + load_handwritten()


def by_split(items: list[Item]) -> dict[str, list[Item]]:
    return {name: [i for i in items if i.split == name] for name in SPLIT_NAMES}
