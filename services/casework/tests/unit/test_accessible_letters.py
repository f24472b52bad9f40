"""Accessible letters (issue 19): every script prints as itself, the PDF is tagged, large print is large."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from casework.letters import Letters, context_for, to_pdf, to_text
from casework.letters.needs import large_print, unmet
from casework.letters.pdf import LARGE_PRINT_PT, blocks_of

from .test_letters import facts, handled_case

NAMES = {
    "Latin": "Zoë Brontë",
    "Polish": "Żaneta Łukasiewicz-Gęś",
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "Arabic": "محمد عبد الله",
    "Chinese": "王秀英",
}


def letter(kind: str = "action-plan", *, name: str, large: bool = False) -> bytes:
    case = handled_case()
    case.complainant = {"name": name, "address": ["1 High Street", "Chichester"]}
    context = context_for(kind, facts(case))
    return to_pdf(Letters().html(kind, case.owner, context, pdf=True), title=context["title"],
                  author="West Sussex County Council", large_print=large)


def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def font_sizes(document: bytes) -> set[float]:
    sizes: set[float] = set()
    for page in pypdf.PdfReader(io.BytesIO(document)).pages:
        sizes |= {float(s) for s in re.findall(rb"/F\d+ ([\d.]+) Tf", page.get_contents().get_data())}
    return sizes


def structure_types(element) -> list[str]:
    """The structure types below `element`, depth first."""
    found = []
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
            found.append(kid["/S"])
            found += structure_types(kid)
    return found


@pytest.mark.parametrize("script", NAMES)
def test_a_name_in_any_script_is_extracted_from_the_pdf_exactly(script):
    name = NAMES[script]
    assert name in text_of(letter(name=name)), script


def test_one_letter_carries_every_script_at_once_and_each_name_exactly():
    everyone = ", ".join(NAMES.values())
    text = text_of(letter("final-response", name=everyone))
    for script, name in NAMES.items():
        assert name in text, script


def test_the_pdf_is_tagged_with_a_structure_tree_a_language_and_a_title_shown_as_such():
    reader = pypdf.PdfReader(io.BytesIO(letter(name=NAMES["Arabic"])))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean object)
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title == "Our plan for looking into your complaint"
    root = catalog["/StructTreeRoot"].get_object()
    [document] = [k.get_object() for k in root["/K"]]
    assert document["/S"] == "/Document"
    types = structure_types(document)
    assert types.count("/H1") == 1 and "/H2" in types and "/P" in types
    assert "/L" in types and types.count("/LI") == 2  # the plan's two steps, as a list
    # Every page's marked content is opened and closed, and the parent tree knows each page.
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert content.count(b" BDC") == content.count(b"EMC") > 0
        assert "/StructParents" in page
    assert len(root["/ParentTree"]["/Nums"]) == 2 * len(reader.pages)


def test_a_paragraph_running_over_a_page_is_closed_on_one_page_and_reopened_on_the_next():
    body = "<h1>Long</h1><p>" + " ".join(["Words that go on and on."] * 900) + "</p>"
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(body, title="Long", author="Us")))
    assert len(reader.pages) > 1
    for page in reader.pages:
        content = page.get_contents().get_data()
        assert content.count(b" BDC") == content.count(b"EMC") > 0


def test_large_print_sets_every_line_at_16_point_or_more():
    name = NAMES["Vietnamese"]
    standard, large = letter(name=name), letter(name=name, large=True)
    assert min(font_sizes(standard)) == 12
    assert min(font_sizes(large)) >= 16 and LARGE_PRINT_PT >= 16
    assert name in text_of(large)


def test_the_large_print_html_page_is_large_too():
    case = handled_case()
    context = {**context_for("acknowledgement", facts(case)), "large_print": True}
    assert "font-size: 1.5rem" in Letters().html("acknowledgement", case.owner, context)
    assert "font-size: 1.5rem" not in Letters().html("acknowledgement", case.owner, context_for(
        "acknowledgement", facts(case)))


def test_the_plain_text_body_has_the_letter_without_markup():
    case = handled_case()
    case.complainant = {"name": NAMES["Arabic"], "address": ["1 High Street", "Chichester"]}
    body = Letters().html("action-plan", case.owner, context_for("action-plan", facts(case)), pdf=True)
    text = to_text(body)
    assert "<" not in text and "&" not in text
    assert f"Dear {NAMES['Arabic']}," in text and "NWD-7Q4K2M" in text
    assert "* Read the logs\n* Talk to the agency" in text
    assert "Our plan for looking into your complaint\n=======" in text


def test_a_body_is_read_as_blocks_in_order_stray_text_becoming_a_paragraph():
    blocks = blocks_of("Hello <b>you</b><h2>Next</h2><ul><li>one</li><li>t<b>w</b>o</li></ul><p>end</p>")
    assert [(tag, items) for tag, _, items in blocks] == [
        ("p", []), ("h2", []), ("ul", ["one", "t<b>w</b>o"]), ("p", [])]
    assert blocks[0][1] == "<p>Hello <b>you</b></p>"


def test_communication_needs_the_system_cannot_meet_are_named():
    assert unmet(None) == [] and unmet({"large_print": True, "language": "English"}) == []
    assert large_print({"large_print": True}) and not large_print(None)
    assert [n.need for n in unmet({"other": "Braille, grade 2"})] == ["braille"]
    assert [n.need for n in unmet({"other": "audio CD please"})] == ["audio"]
    assert [(n.need, n.detail) for n in unmet({"language": "Polish", "easy_read": True})] == [
        ("easy_read", "an easy read version of each letter"), ("translation", "each letter translated into Polish")]
