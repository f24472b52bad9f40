"""Letters as PDF with fpdf2 (pure Python: no system libraries on a fresh machine)."""

from __future__ import annotations

import html
import re
import unicodedata

# The built-in PDF fonts cover Latin-1 only; typographic punctuation gets its plain equivalent.
_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2011": "-", "\u2010": "-", "\u2022": "*",
    "\u2026": "...", "\u20ac": "EUR", "\u2122": "TM", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    # Letters that have no decomposition into a base letter and an accent.
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0126": "H", "\u0127": "h",
    "\u0152": "OE", "\u0153": "oe", "\u0131": "i", "\u1e9e": "SS",
})
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def latin1(text: str) -> str:
    """Text the built-in fonts can draw: punctuation made plain, accents kept where Latin-1 has them."""
    out = []
    for char in text.translate(_PLAIN):
        if ord(char) < 256:
            out.append(char)
            continue
        stripped = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256
                           and not unicodedata.combining(c))
        out.append(stripped or "?")
    return "".join(out)


def _plain_entities(markup: str) -> str:
    """Entities that decode outside Latin-1 (such as &rsquo;) become their plain character."""
    def replace(match: re.Match) -> str:
        decoded = html.unescape(match.group(0))
        return match.group(0) if decoded == match.group(0) or ord(decoded[0]) < 256 else latin1(decoded)
    return _ENTITY.sub(replace, markup)


def to_pdf(body_html: str, *, title: str, author: str) -> bytes:
    """An A4 PDF of a letter body, in 12 point sans serif, titled and marked as British English."""
    # Imported on first use: fpdf2 and its font tables add seconds to every service start.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(author))
    pdf.set_creator("No Wrong Door")
    pdf.set_lang("en-GB")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.write_html(latin1(_plain_entities(body_html)))
    return bytes(pdf.output())
