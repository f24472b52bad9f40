"""Text helpers for the rules: normalising, sentences, and compiling the data tables."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).parent

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                         "\u2014": "-"})
# Sentences end at . ! ? ; or a line break; "Mr." and "Mrs." are not ends.
_SENTENCE_END = re.compile(r"(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bdr)[.!?;]+\s+|\n+")


def normalise(text: str) -> str:
    """Lower case, no apostrophes or double quotes, single spaces: what the patterns match."""
    text = text.translate(_QUOTES).lower()
    text = text.replace("'", "").replace('"', "")
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """The sentences of normalised text, each without its closing punctuation."""
    return [s.strip(" .!?;") for s in _SENTENCE_END.split(text) if s.strip(" .!?;")]


@cache
def load_table(name: str) -> dict:
    """A YAML rules table shipped beside this module (read once)."""
    return yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))


def compile_any(patterns: str | list[str]) -> re.Pattern[str]:
    """One pattern matching any of the given ones."""
    if isinstance(patterns, str):
        patterns = [patterns]
    return re.compile("|".join(f"(?:{p})" for p in patterns))
