"""Safeguarding first: the Care Act categories a contact indicates, and the words that did. No I/O.

The indicators are data (safeguarding.yaml); this module applies them: negation, past and
resolved abuse, abuse named only as a topic, harm that turns poor care into neglect, and who
did it (a service, a partner or family member, someone else), which decides Appendix 2's
"entwined or separable".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

from triage.rules.text import compile_any, load_table, normalise, sentences

# The ten categories of the Care and Support Statutory Guidance (chapter 14), in its order.
CATEGORIES: tuple[str, ...] = (
    "physical", "domestic", "sexual", "psychological", "financial", "modern_slavery",
    "discriminatory", "organisational", "neglect", "self_neglect",
)
UNSPECIFIED = "unspecified"
# Abuse by a partner or family member of these kinds is domestic abuse too.
_DOMESTIC_KINDS = frozenset({"physical", "sexual", "psychological", UNSPECIFIED})
# Whoever else is involved, these are never a service's doing.
_PRIVATE_KINDS = frozenset({"self_neglect", "domestic"})
# "Still" is not ongoing abuse when it is the lasting effect: "still gets nervous around men".
_ONGOING = re.compile(r"\b(?:still(?! (?:gets|feels|is|has|suffers|struggles)(?: \w+)? (?:nervous|anxious|scared|frightened|afraid|nightmares|flashbacks|upset|wary|from|with))|again|continues|continuing|ongoing|recently|this week|yesterday|last week)\b")
_YEAR = re.compile(r"(?<!since )\b((?:19|20)\d\d)s?\b")  # "in 2019", "in the 1970s"

Actor = Literal["service", "private", "unknown"]


@dataclass(frozen=True)
class Rule:
    """One row of the table: a category, what it means, and the words that show it."""

    category: str
    means: str
    pattern: re.Pattern[str]
    possible: bool = False
    with_harm: bool = False
    care_context: bool = False
    outside_care: bool = False
    unless: frozenset[str] = frozenset()
    not_with_service: bool = False
    # A sentence matching `exception` does not count, unless it matches `exception_unless` too.
    exception: re.Pattern[str] | None = None
    exception_unless: re.Pattern[str] | None = None

    def excluded(self, sentence: str) -> bool:
        """Whether the sentence is one the row says not to count."""
        if self.exception is None or not self.exception.search(sentence):
            return False
        return not (self.exception_unless and self.exception_unless.search(sentence))


@dataclass(frozen=True)
class Sign:
    """Words in the contact that indicate (or may indicate) a category."""

    category: str
    means: str
    words: str
    sentence: int
    possible: bool = False


@dataclass
class Reading:
    """What the safeguarding rules read in a contact."""

    found: dict[str, list[Sign]] = field(default_factory=dict)
    possible: dict[str, list[Sign]] = field(default_factory=dict)
    past: list[Sign] = field(default_factory=list)
    denied: list[Sign] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    care_context: bool = False
    # Someone else may still be at risk where the harm happened.
    others_at_risk: bool = False
    # The person harmed has died and no one else is said to be at risk: every sign is history.
    died: bool = False

    @property
    def categories(self) -> list[str]:
        """The named categories found, in the statutory guidance's order."""
        return [c for c in CATEGORIES if c in self.found]

    def sign_sentences(self) -> set[int]:
        return {s.sentence for signs in self.found.values() for s in signs}

    def actor_of(self, sign: Sign) -> Actor:
        """Who is involved in a sign: a service, someone private, or not said."""
        if sign.category in _PRIVATE_KINDS:
            return "private"
        return self.actors[sign.sentence] if sign.sentence < len(self.actors) else "unknown"


@dataclass(frozen=True)
class Table:
    """The compiled safeguarding.yaml."""

    rules: tuple[Rule, ...]
    labels: dict[str, str]
    harm: re.Pattern[str]
    negation: re.Pattern[str]
    not_negation: re.Pattern[str]
    hedges: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    window: int
    past: re.Pattern[str]
    past_years: int
    former_provider: re.Pattern[str]
    others_at_risk: re.Pattern[str]
    died: re.Pattern[str]
    resolved: re.Pattern[str]
    topic: re.Pattern[str]
    service: re.Pattern[str]
    not_service: re.Pattern[str]
    family: re.Pattern[str]
    family_acts: re.Pattern[str]
    private: re.Pattern[str]


def _expand(pattern: str, vocabulary: dict[str, str]) -> str:
    """Put the shared word lists into a pattern: {person} becomes the person list."""
    for _ in range(3):  # word lists may use other word lists
        pattern = re.sub(r"\{(\w+)\}", lambda m: vocabulary.get(m.group(1), m.group(0)), pattern)
    return pattern


def _near(spec: dict, vocabulary: dict[str, str]) -> str:
    """A pattern for a word of list a within `within` words of a word of list b, either order."""
    a, b = _expand(spec["a"], vocabulary), _expand(spec["b"], vocabulary)
    gap = rf"(?:\W+\w+){{0,{int(spec['within'])}}}?\W*"
    return f"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"


def _optional(row: dict, key: str, vocabulary: dict[str, str]) -> re.Pattern[str] | None:
    return compile_any(_expand(row[key], vocabulary)) if key in row else None


@cache
def table() -> Table:
    """The safeguarding table, compiled once."""
    raw = load_table("safeguarding.yaml")
    vocabulary = raw.get("vocabulary", {})
    rules: list[Rule] = []
    for category, spec in raw["categories"].items():
        for strength in ("indicators", "possible"):
            for row in spec.get(strength, []):
                patterns = [_expand(p, vocabulary) for p in row.get("patterns", [])]
                if "near" in row:
                    patterns.append(_near(row["near"], vocabulary))
                rules.append(Rule(
                    category=category, means=row["means"], pattern=compile_any(patterns),
                    possible=strength == "possible", with_harm=row.get("with_harm", False),
                    care_context=row.get("care_context", False), outside_care=row.get("outside_care", False),
                    unless=frozenset(row.get("unless", [])),
                    not_with_service=row.get("not_with_service", False),
                    exception=_optional(row, "except", vocabulary),
                    exception_unless=_optional(row, "except_unless", vocabulary),
                ))
    negation, actors = raw["negation"], raw["actors"]
    return Table(
        rules=tuple(rules), labels={c: s["label"] for c, s in raw["categories"].items()},
        harm=compile_any(raw["harm"]), negation=compile_any(negation["cues"]),
        not_negation=compile_any(negation["not_negations"]), hedges=compile_any(negation["hedges"]),
        clause_breaks=compile_any(negation["clause_breaks"]), window=negation["window"],
        past=compile_any(raw["past"]), past_years=raw["past_years"], resolved=compile_any(raw["resolved"]),
        former_provider=compile_any(raw["former_provider"]), others_at_risk=compile_any(raw["others_at_risk"]),
        died=compile_any(raw["died"]),
        topic=re.compile(raw["topic"]), service=compile_any(actors["service"]),
        not_service=compile_any(actors["not_service"]),
        family=compile_any([actors["family"], actors["family_subject"], actors["family_object"]]),
        family_acts=compile_any(actors["family"]),
        private=compile_any(actors["private"]),
    )


def label(category: str) -> str:
    """A category in words, as the statutory guidance names it."""
    return table().labels.get(category, category.replace("_", " "))


def read(text: str, *, received_on: date, cared_for: bool = False) -> Reading:
    """The safeguarding signs in a contact's text, sorted into found, possible, past and denied.

    `cared_for`: the contact is a complaint about someone's care, so harm such as weight loss
    or dehydration points at the care even where the text names no carer.
    """
    t = table()
    reading = Reading(sentences=sentences(normalise(text)))
    reading.actors = _actors(t, reading.sentences)
    reading.care_context = cared_for or any(a == "service" for a in reading.actors)
    current: list[Sign] = []
    # Others may still be at risk where it happened: harm there stays current (domain.md, Triage).
    reading.others_at_risk = any(t.others_at_risk.search(s) for s in reading.sentences)
    reading.died = not reading.others_at_risk and any(t.died.search(s) for s in reading.sentences)
    for index, sentence in enumerate(reading.sentences):
        history = reading.died or _is_history(t, sentence, received_on, reading.others_at_risk)
        for rule in t.rules:
            if rule.excluded(sentence) or (rule.not_with_service and reading.actors[index] == "service"):
                continue
            for match in rule.pattern.finditer(sentence):
                if t.topic.match(sentence, match.end()):
                    continue  # "financial abuse awareness session": a subject, not an event
                sign = Sign(rule.category, rule.means, match.group(0).strip(), index, rule.possible)
                if _denied(t, sentence, match.start()):
                    reading.denied.append(sign)
                elif history:
                    reading.past.append(sign)
                else:
                    current.append(sign)
    harmed = _harm_described(t, reading.sentences, received_on, reading.others_at_risk)
    rules = {(r.category, r.means): r for r in t.rules}
    for sign in _first_of_each(current):
        rule = rules[(sign.category, sign.means)]
        if (rule.care_context and not reading.care_context) or (rule.outside_care and reading.care_context):
            continue
        if sign.possible and rule.with_harm and harmed:
            sign = Sign(sign.category, f"{sign.means}, with harm described", sign.words, sign.sentence)
        bucket = reading.possible if sign.possible else reading.found
        bucket.setdefault(sign.category, []).append(sign)
    for category, signs in list(reading.possible.items()):
        if len(signs) >= 2 and category != UNSPECIFIED:  # two possible signs of one kind add up
            reading.found.setdefault(category, []).extend(
                Sign(s.category, s.means, s.words, s.sentence) for s in signs)
            del reading.possible[category]
    _apply_unless(reading, rules)
    _add_domestic(t, reading)
    if any(c in reading.found for c in CATEGORIES):
        reading.found.pop(UNSPECIFIED, None)
    for category in reading.found:
        reading.possible.pop(category, None)
    if reading.found or any(c in reading.possible for c in CATEGORIES):
        reading.possible.pop(UNSPECIFIED, None)  # the wide net only matters when nothing else is seen
    return reading


def _first_of_each(signs: list[Sign]) -> list[Sign]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for sign in signs:
        if (sign.category, sign.means) not in seen:
            seen.add((sign.category, sign.means))
            unique.append(sign)
    return unique


def _denied(t: Table, sentence: str, start: int) -> bool:
    """Whether a negation shortly before a sign, in its clause, says it did not happen."""
    before = sentence[max(0, start - 200):start]  # the window is a few words: never rescan a long sentence
    clause_start = max((m.end() for m in t.clause_breaks.finditer(before)), default=0)
    clause = t.not_negation.sub(" ", before[clause_start:])
    if t.hedges.search(clause):
        return False
    return bool(t.negation.search(" ".join(clause.split()[-t.window:])))


def _is_history(t: Table, sentence: str, received_on: date, others_at_risk: bool = False) -> bool:
    """Abuse long ago or already escaped from, and not said to be going on now."""
    if t.resolved.search(sentence):
        return True
    if _ONGOING.search(sentence):
        return False
    if t.past.search(sentence) or (t.former_provider.search(sentence) and not others_at_risk):
        return True
    return any(int(y) <= received_on.year - t.past_years for y in _YEAR.findall(sentence))


def _harm_described(t: Table, all_sentences: list[str], received_on: date, others_at_risk: bool) -> bool:
    for sentence in all_sentences:
        if _is_history(t, sentence, received_on, others_at_risk):
            continue
        if any(not _denied(t, sentence, m.start()) for m in t.harm.finditer(sentence)):
            return True
    return False


def _apply_unless(reading: Reading, rules: dict[tuple[str, str], Rule]) -> None:
    for category, signs in list(reading.found.items()):
        kept = [s for s in signs
                if not (rules.get((s.category, s.means)) and rules[(s.category, s.means)].unless
                        & reading.found.keys())]
        if kept:
            reading.found[category] = kept
        else:
            del reading.found[category]


def _add_domestic(t: Table, reading: Reading) -> None:
    """Physical, sexual or psychological abuse by a partner or family member is domestic too."""
    for category in _DOMESTIC_KINDS & reading.found.keys():
        for sign in reading.found[category]:
            own = reading.sentences[sign.sentence]
            if reading.actors[sign.sentence] == "service":
                # "Her husband won't let her see the GP": a family member does it, though a service is named.
                acts, at = t.family_acts.search(own), own.find(sign.words)
                if acts is None or not acts.start() <= at < acts.end() or len(own[acts.start():at].split()) > 2:
                    continue
            near = [own]
            if sign.sentence > 0 and reading.actors[sign.sentence - 1] != "service":
                near.append(reading.sentences[sign.sentence - 1])
            family = next((m for s in near if (m := t.family.search(s))), None)
            if family is not None:
                reading.found.setdefault("domestic", []).append(
                    Sign("domestic", f"{label(category)} by a partner or family member",
                         family.group(0).strip(), sign.sentence))
                break


def _actors(t: Table, all_sentences: list[str]) -> list[Actor]:
    """Per sentence: does it name a service, someone private, or nobody in particular."""
    actors: list[Actor] = []
    for sentence in all_sentences:
        if t.service.search(t.not_service.sub(" ", sentence)):
            actors.append("service")
        elif t.family.search(sentence) or t.private.search(sentence):
            actors.append("private")
        elif actors and actors[-1] == "private":
            actors.append("private")  # "He pushed her" after "She is scared of her husband."
        else:
            actors.append("unknown")
    return actors
