"""The labelled corpus: precision and recall of the safeguarding rules and the routes, per category.

Bars, and why:
- Safeguarding recall (a safeguarding, split or suspended route) at least 0.95 on the corpus the
  rules were built on: missing abuse or neglect is far worse than a needless referral (issue 3).
  Every safeguarding contact there must at least be put up for review: recall 1.0 with review.
- Safeguarding precision at least 0.80: a wrong referral costs a council's safeguarding team a
  screening call and delays a complaint; tolerable, but not as the norm.
- Each category with 3 or more examples: recall at least 0.80 and precision at least 0.60.
  Categories overlap by nature (a racist insult is discriminatory and psychological), so a
  second category that the label did not name lowers precision without being a real error.
- Route accuracy at least 0.90.
- The blind set (written after the rules were frozen, never tuned on) measures how the rules
  generalise to wording they have not seen. Its floors only stop it getting worse: keyword rules
  do not generalise to 0.95, which is why every decision with a possible sign goes to review
  and why staff judgement (`safeguarding_concern`) always starts safeguarding on its own.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from nwd_shared.directory import load_directory
from nwd_shared.settings import ServiceSettings


def _scoring():
    # Tests run in importlib mode (no test folders on sys.path), so load the helper by its path.
    path = Path(__file__).parents[1] / "corpus" / "scoring.py"
    spec = importlib.util.spec_from_file_location("triage_corpus_scoring", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_s = _scoring()
CORPUS, load, report, score = _s.CORPUS, _s.load, _s.report, _s.score

BLIND = "blind3"


@pytest.fixture(scope="module")
def directory():
    return load_directory(ServiceSettings().organisations_file)


@pytest.fixture(scope="module")
def corpus():
    items = load()
    assert len(items) >= 80 and len({i["id"] for i in items}) == len(items), CORPUS
    return items


def test_the_rules_meet_their_bars_on_the_corpus_they_were_built_on(corpus, directory, capsys):
    result, _ = score([i for i in corpus if i.get("set") != BLIND], directory)
    with capsys.disabled():
        print("\n" + report(result, "Corpus the rules were built on (development, holdout, blind1, blind2)"))
    assert result.safeguarding.recall >= 0.95
    assert result.flagged.recall == 1.0, "every safeguarding contact is at least put up for review"
    assert result.safeguarding.precision >= 0.80
    for category, tally in result.categories.items():
        if tally.support >= 3:
            assert tally.recall >= 0.80, category
            assert tally.precision >= 0.60, category
    assert result.route_right / result.items >= 0.90


def test_the_blind_set_measures_generalisation_and_does_not_get_worse(corpus, directory, capsys):
    result, _ = score([i for i in corpus if i.get("set") == BLIND], directory)
    with capsys.disabled():
        print("\n" + report(result, f"Blind set ({BLIND}: never tuned on)"))
    assert result.items >= 30
    assert result.safeguarding.recall >= 0.50
    assert result.flagged.recall >= 0.65
    assert result.safeguarding.precision >= 0.90
