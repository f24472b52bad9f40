"""What a person's communication needs ask of a letter: a format the system makes, or a task for a person."""

from __future__ import annotations

from dataclasses import dataclass

# Languages the letters are written in; any other asks for a translation a person arranges.
WRITTEN_IN = {"en", "en-gb", "english", "british english"}


@dataclass(frozen=True)
class Need:
    """A need the system cannot meet itself: braille, audio, translation, easy_read or other."""

    need: str
    detail: str


def large_print(needs: dict | None) -> bool:
    """Whether the person asked for letters in large print."""
    return bool((needs or {}).get("large_print"))


def unmet(needs: dict | None) -> list[Need]:
    """The needs a person must arrange, because the system would otherwise send a letter that does not meet them."""
    needs = needs or {}
    found: list[Need] = []
    if needs.get("easy_read"):
        found.append(Need("easy_read", "an easy read version of each letter"))
    language = (needs.get("language") or "").strip()
    if language and language.lower() not in WRITTEN_IN:
        found.append(Need("translation", f"each letter translated into {language}"))
    other = (needs.get("other") or "").strip()
    if other:
        lowered = other.lower()
        if "braille" in lowered:
            found.append(Need("braille", f"each letter in Braille (the person said: {other})"))
        elif "audio" in lowered:
            found.append(Need("audio", f"each letter as audio (the person said: {other})"))
        else:
            found.append(Need("other", f"the person said: {other}"))
    return found
