"""The ombudsman-derived corpus: complete, labelled by the guide, split by decision, frozen."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest
from triage_training.corpus import (
    SPLITS,
    by_split,
    decision_key,
    frozen_splits,
    held_out_keys,
    load_ombudsman,
)

from nwd_shared import events as ev
from triage.rules.safeguarding import CATEGORIES

ROUTES = {"complaint", "safeguarding", "split", "suspended", "day_to_day", "pals", "feedback"}
# The test split as frozen at 7a86e9b, before any rule or model was tuned on the corpus.
FROZEN_TEST_DECISIONS_SHA256 = "49ab3c06eef6921115e060206bcef4ff823f20be1d29759a0482c1cfea6c6bd7"


@pytest.fixture(scope="module")
def items():
    return load_ombudsman()


def test_at_least_400_contacts_from_published_decisions(items):
    assert len(items) >= 400
    assert all(i.source_url and i.source_url.startswith("http") for i in items)
    assert len({i.id for i in items}) == len(items)


def test_no_decision_kept_for_evaluation_outside_the_project_is_used(items):
    held_out = held_out_keys()
    assert held_out, "../shared/data/held-out-decisions.txt must be readable beside the repository"
    numbers = {m.group(0) for key in held_out if (m := re.search(r"\d\d-\d\d\d-\d\d\d", key))}
    for item in items:
        assert decision_key(item.source_url) not in held_out, item.id
        number = re.search(r"(\d\d)[ -](\d\d\d)[ -](\d\d\d)", item.decision)
        assert number is None or "-".join(number.groups()) not in numbers, item.id


def test_labels_follow_the_guide(items):
    for item in items:
        assert item.route in ROUTES, item.id
        assert set(item.categories) <= set(CATEGORIES), item.id
        assert bool(item.categories) == item.safeguarding, item.id
        if item.safeguarding:
            assert item.route in ev.SAFEGUARDING_ROUTES, item.id
        assert item.services in {"health", "social_care", "joint"}, item.id


def test_every_care_act_category_and_kind_of_case_is_covered(items):
    categories = Counter(c for i in items for c in i.categories)
    assert set(categories) == set(CATEGORIES)
    services = Counter(i.services for i in items)
    assert min(services.values()) >= 30
    topics = Counter(t for i in items for t in i.raw["expect"].get("topics", []))
    for topic in ("charging", "assessment", "direct_payments", "safeguarding_investigation", "former_provider"):
        assert topics[topic] >= 5, topic


def test_each_decision_is_in_exactly_one_split_and_every_split_has_every_category(items):
    frozen = frozen_splits()
    assert {i.decision for i in items} <= frozen.keys(), "a decision added after the freeze"
    splits = by_split(items)
    assert sum(len(s) for s in splits.values()) == len(items)
    seen: dict[str, set[str]] = {}
    for name, members in splits.items():
        for item in members:
            seen.setdefault(item.decision, set()).add(name)
    assert all(len(s) == 1 for s in seen.values())
    assert {c for i in splits["test"] for c in i.categories} == set(CATEGORIES)


def test_the_test_split_is_the_one_frozen_before_tuning():
    test = sorted(d for d, split in frozen_splits().items() if split == "test")
    digest = hashlib.sha256("\n".join(test).encode()).hexdigest()
    assert digest == FROZEN_TEST_DECISIONS_SHA256, f"the frozen test split changed ({SPLITS})"
