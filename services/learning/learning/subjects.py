"""Subject rules: transparent, ordered rules from the words and data of a contact and its case
to subject codes and a service area, each with the reason it was given. Pure: no I/O.

The person's words are read once, when the event arrives, and never stored: only the codes and
the rule that fired (e.g. `the description mentions "discharg"`) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from learning.taxonomy import (
    HEALTH,
    PROFESSIONS,
    SERVICE_AREAS,
    SOCIAL_CARE,
    SUBJECTS,
    SUBJECTS_BY_CODE,
)
from nwd_shared import events as ev

Assignment = tuple[str, str]  # code, reason

# Safeguarding categories (Care Act statutory guidance) that also describe poor care itself.
CARE_CATEGORIES = frozenset({"neglect_and_acts_of_omission", "neglect", "organisational"})


@lru_cache(maxsize=512)
def _pattern(keyword: str) -> re.Pattern[str]:
    # A keyword matches at the start of a word, so "discharg" finds "discharged" but
    # "fee" does not find "coffee".
    return re.compile(r"(?<![a-z0-9])" + re.escape(keyword.lower()))


def _first_keyword(text: str, keywords: Iterable[str]) -> str | None:
    return next((k for k in keywords if _pattern(k).search(text)), None)


def subjects_from_text(text: str, where: str) -> list[Assignment]:
    """The subjects whose keywords appear in a text, each with the keyword that matched."""
    lowered = text.lower()
    found = []
    for subject in SUBJECTS:
        keyword = _first_keyword(lowered, subject.keywords)
        if keyword is not None:
            found.append((subject.code, f'{where} mentions "{keyword}"'))
    return found


def subjects_from_triage(*, service_types: Iterable[str], safeguarding_categories: Iterable[str],
                         route: str | None) -> list[Assignment]:
    """Subjects the triage data alone implies."""
    found = []
    types = set(service_types)
    categories = set(safeguarding_categories)
    if {HEALTH, SOCIAL_CARE} <= types:
        found.append(("integrated_care", "the concerns are about both health and social care"))
    if categories or route in ev.SAFEGUARDING_ROUTES:
        found.append(("safeguarding", "triage found safeguarding issues"))
    if categories & CARE_CATEGORIES:
        found.append(("patient_care", "triage found neglect or organisational abuse"))
    return found


def subject_from_case_label(label: str | None) -> list[Assignment]:
    """The case's own subject: a code or label of the taxonomy as such, else its keywords."""
    if not label or not label.strip():
        return []
    wanted = label.strip().lower()
    for subject in SUBJECTS:
        if wanted in {subject.code, subject.label.lower()}:
            return [(subject.code, "the case's own subject")]
    return subjects_from_text(label, "the case's subject")


def service_area_from_text(text: str, service_types: Iterable[str]) -> tuple[str, str]:
    """The first service area whose keywords appear, among those of the concerns' service types."""
    types = set(service_types) or {HEALTH, SOCIAL_CARE}
    lowered = text.lower()
    for area in SERVICE_AREAS:
        if area.service_type not in types:
            continue
        keyword = _first_keyword(lowered, area.keywords)
        if keyword is not None:
            return area.code, f'the description mentions "{keyword}"'
    if types == {SOCIAL_CARE}:
        return "other_social_care", "no service area keyword; the concerns are about social care"
    return "other_health", "no service area keyword"


def professions_from_text(text: str, service_area: str | None) -> list[Assignment]:
    """The staff groups a complaint's words name, each with its keyword; ambulance staff for an
    ambulance service area that names none."""
    lowered = text.lower()
    found = []
    for profession in PROFESSIONS:
        keyword = _first_keyword(lowered, profession.keywords)
        if keyword is not None:
            found.append((profession.code, f'the description mentions "{keyword}"'))
    if not found and service_area == "ambulance":
        found.append(("ambulance", "the service area is ambulance"))
    return found


def merge(*groups: Iterable[Assignment]) -> list[Assignment]:
    """Assignments in taxonomy order, one per code, keeping the first reason given."""
    reasons: dict[str, str] = {}
    for group in groups:
        for code, reason in group:
            reasons.setdefault(code, reason)
    order = {s.code: i for i, s in enumerate(SUBJECTS)}
    return sorted(reasons.items(), key=lambda item: order.get(item[0], len(order)))


@dataclass(frozen=True)
class Effective:
    """The subjects and service area a complaint is counted under, and where they came from."""

    subjects: tuple[str, ...]
    service_area: str | None
    source: str  # correction | case | rules | none


def effective(*, rules: Iterable[str], case: Iterable[str], correction: Iterable[str] | None,
              rule_area: str | None, corrected_area: str | None) -> Effective:
    """A person's correction wins over the case's own subject, which wins over the rules; the service
    area is the person's or the rules' (no case event carries one)."""
    case_codes = tuple(c for c in case if c in SUBJECTS_BY_CODE)
    if correction is not None:
        subjects, source = tuple(correction), "correction"
    elif case_codes:
        subjects, source = case_codes, "case"
    else:
        subjects = tuple(rules)
        source = "rules" if subjects else "none"
    return Effective(subjects, corrected_area or rule_area, source)
