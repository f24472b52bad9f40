"""The labelled corpus: precision and recall of the safeguarding rules and the routes, per category.

Measured on the WHOLE corpus (every subset together), with each subset also printed and held to
its own floor.

Bars on the whole corpus, and why:
- Safeguarding recall (a safeguarding, split or suspended route) at least 0.95: missing abuse or
  neglect is far worse than a needless referral (issue 3).
- Safeguarding or review recall at least 0.97: a contact the rules do not route to safeguarding
  should still be put in front of a person; "where in doubt, needs_review".
- Safeguarding precision at least 0.85: a wrong referral costs a council's safeguarding team a
  screening call and delays a complaint. Recall comes first, so some are tolerable, but more than
  about one in seven would swamp the teams and train staff to ignore the flag.
- Each category with 3 or more examples: recall at least 0.80 and precision at least 0.60.
  Categories overlap by nature (a racist insult is discriminatory and psychological), so a
  second category that the label did not name lowers precision without being a real error.
- Route accuracy at least 0.90.
- Entwined (labelled suspended): never a plain complaint; suspended, or at least put up for review.
- Appendix 2 as written (issue 16): divided by default. Labelled split (separable, or the same
  neglect with nothing indicating that investigating the complaint may compromise the enquiry):
  never suspended without a reason a person confirms (needs_review).

Issue 16 changed labels, not floors: the corpus was written under the old reading (any harm
involving a service in a complaint suspended). The 38 neglect and organisational contacts whose
complaint is the harm itself, with no individual's conduct and no sign of compromise, are now
labelled split with `also: [suspended]`, and one safeguarding-only contact filed as a complaint
(harm by someone outside any service) safeguarding with `also: [suspended]`. Every floor is as
before; the entwined check needs 30 suspended labels and 68 remain.

Subsets: development and holdout were written with the rules; blind1 and blind2 were written
after earlier versions and have since been tuned on. blind3 was scored blind (safeguarding recall
0.52), and then the rules were revised after looking at its misses: it is NO LONGER BLIND, and its
floor is what the revised, generalised rules reach. blind4 was written after that revision, labelled
from docs/domain.md alone, and scored before the rules saw it: safeguarding recall 0.38 (0.76 with
review), far below blind3's revised 1.00, which shows how little tuning on one set generalises. The
rules were then revised generally on its misses, so blind4 is NO LONGER BLIND either. The floors of
tuned subsets only stop them getting worse; none of these figures measures generalisation any more.
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
CORPUS, load, report, score, subset = _s.CORPUS, _s.load, _s.report, _s.score, _s.subset

# Per subset: (safeguarding recall, safeguarding-or-review recall, safeguarding precision) floors.
FLOORS: dict[str, tuple[float, float, float]] = {
    "development": (0.95, 1.0, 0.90),
    "holdout": (0.95, 1.0, 0.90),
    "blind1": (0.95, 1.0, 0.90),
    "blind2": (0.95, 1.0, 0.90),
    # Scored blind at 0.52 / 0.70 / 1.00; the rules were then revised on its misses: no longer blind.
    "blind3": (0.95, 1.0, 0.90),
    # Scored blind at 0.38 / 0.76 / 0.80, below the 0.80 recall it had to reach, so the rules were
    # revised again on its misses (generally, by category): no longer blind either. A fresh
    # held-out set, written by someone who has not read the rules, is needed to measure them again.
    "blind4": (0.95, 0.95, 0.90),
}


@pytest.fixture(scope="module")
def corpus():
    items = load()
    assert len(items) >= 80 and len({i["id"] for i in items}) == len(items), CORPUS
    assert {subset(i) for i in items} == FLOORS.keys(), "every subset has a floor"
    return items


@pytest.fixture(scope="module")
def scored(corpus):
    directory = load_directory(ServiceSettings().organisations_file)
    return score(corpus, directory)


def test_the_whole_corpus_meets_the_bars(corpus, scored, capsys):
    result, _ = scored
    with capsys.disabled():
        print("\n" + report(result, "Whole corpus (all subsets)"))
    assert result.safeguarding.recall >= 0.95
    assert result.flagged.recall >= 0.97
    assert result.safeguarding.precision >= 0.85
    for category, tally in result.categories.items():
        if tally.support >= 3:
            assert tally.recall >= 0.80, category
            assert tally.precision >= 0.60, category
    assert result.route_right / result.items >= 0.90


def test_an_entwined_contact_is_never_a_plain_complaint(corpus, scored):
    _, decisions = scored
    entwined = [i for i in corpus if i["expect"]["route"] == "suspended"]
    assert len(entwined) >= 30
    plain = [i["id"] for i in entwined
             if not (decisions[i["id"]].route == "suspended" or decisions[i["id"]].needs_review)]
    assert not plain, f"entwined contacts neither suspended nor put up for review: {plain}"
    assert not [i["id"] for i in entwined if decisions[i["id"]].route == "complaint"
                and not decisions[i["id"]].needs_review]


def test_a_separable_contact_is_never_suspended_without_a_person_confirming(corpus, scored):
    _, decisions = scored
    separable = [i for i in corpus if i["expect"]["route"] == "split"]
    assert len(separable) >= 30
    unconfirmed = [i["id"] for i in separable
                   if decisions[i["id"]].route == "suspended" and not decisions[i["id"]].needs_review]
    assert not unconfirmed, f"split contacts suspended with no one asked to confirm: {unconfirmed}"
    assert all(decisions[i["id"]].route in ("split", "suspended") for i in separable)


@pytest.mark.parametrize("name", FLOORS)
def test_each_subset_keeps_its_floor(corpus, scored, name, capsys):
    _, decisions = scored
    items = [i for i in corpus if subset(i) == name]
    result, _ = score(items, None, decisions)
    with capsys.disabled():
        print("\n" + _s.SUMMARY_HEADER + "\n" + _s.summary_line(name, result))
        if name.startswith("blind"):
            print(report(result, f"Subset {name}"))
    assert result.items >= 30
    recall, flagged, precision = FLOORS[name]
    assert result.safeguarding.recall >= recall
    assert result.flagged.recall >= flagged
    assert result.safeguarding.precision >= precision
