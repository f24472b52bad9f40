"""Letters to the complainant, from templates an organisation can override, as HTML and PDF."""

from casework.letters.context import KINDS, TITLES, LetterFacts, context_for, unavailable
from casework.letters.pdf import to_pdf, to_text
from casework.letters.render import Letters, in_words

__all__ = ["KINDS", "TITLES", "LetterFacts", "Letters", "context_for", "in_words", "to_pdf", "to_text", "unavailable"]
