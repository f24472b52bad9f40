"""Letters as tagged PDF with fpdf2: embedded Unicode fonts, a structure tree, standard or large print.

Every script a name or an address may use prints as itself: Latin (Polish and Vietnamese included)
in Be Vietnam Pro, Arabic in IBM Plex Sans Arabic (shaped and set right to left by HarfBuzz), Chinese
in Noto Sans SC; fpdf2 falls back from one font to the next within a line. All three are under the
SIL Open Font Licence 1.1 and come from PyPI packages (services/casework/pyproject.toml).

The PDF is tagged: each paragraph, heading and list item is a marked-content sequence belonging to
a structure element (/P, /H1, /H2, /L and /LI under /Document), so a screen reader follows the
letter in order; the catalogue carries /Lang, the title is shown instead of the file name.
"""

from __future__ import annotations

import functools
import io
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

STANDARD_PT = 12
# RNIB's clear print guidance: large print is 16 to 18 point; we use the top of that range.
LARGE_PRINT_PT = 18
# A Han character (CJK ideographs, their extensions and compatibility forms, CJK punctuation).
_HAN_START = 0x2E80


@functools.cache
def _font_files() -> dict[str, Path]:
    """The fonts' files, inside the installed packages."""
    import fontpkg_be_vietnam_pro
    import fontpkg_ibm_plex_sans_arabic
    import justmytype_intl_cjk

    latin = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
    arabic = Path(fontpkg_ibm_plex_sans_arabic.ROOT) / "files"
    return {
        "latin": latin / "BeVietnamPro-Regular.ttf", "latin-bold": latin / "BeVietnamPro-Bold.ttf",
        "arabic": arabic / "IBMPlexSansArabic-Regular.ttf", "arabic-bold": arabic / "IBMPlexSansArabic-Bold.ttf",
        "han": Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf",
    }


@functools.lru_cache(maxsize=64)
def _han_font(characters: str, weight: int) -> bytes:
    """Noto Sans SC cut down to the characters a letter uses, at one weight (a static TrueType font).

    The package ships a 17 MB variable font whose default weight is Thin; instancing the whole font
    takes half a minute, instancing a subset of a few characters well under a second.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(_font_files()["han"])
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    static = instancer.instantiateVariableFont(font, {"wght": weight})
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


# --- the letter body as blocks ------------------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr"}


class _Blocks(HTMLParser):
    """Splits a letter body into its top-level blocks: (tag, the block's own markup, its list items)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[str, str, list[str]]] = []
        self._tag: str | None = None
        self._depth = 0
        self._markup: list[str] = []
        self._items: list[list[str]] = []
        self._stray: list[str] = []

    def _flush_stray(self) -> None:
        text = "".join(self._stray)
        if text.strip():
            self.blocks.append(("p", f"<p>{text.strip()}</p>", []))
        self._stray = []

    def _emit(self, raw: str) -> None:
        if self._tag is None:
            self._stray.append(raw)
            return
        self._markup.append(raw)
        if self._tag in ("ul", "ol") and self._items and self._depth >= 2:
            self._items[-1].append(raw)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if self._tag is None and tag in _BLOCKS:
            self._flush_stray()
            self._tag, self._depth, self._markup, self._items = tag, 1, [raw], []
            return
        if self._tag in ("ul", "ol") and tag == "li" and self._depth == 1:
            self._items.append([])
            self._markup.append(raw)
            self._depth += 1
            return
        self._emit(raw)
        if self._tag is not None and tag not in _VOID and tag == self._tag:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._emit(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        raw = f"</{tag}>"
        if self._tag is None:
            self._stray.append(raw)
            return
        if self._tag in ("ul", "ol") and tag == "li" and self._depth == 2:
            self._markup.append(raw)
            self._depth -= 1
            return
        if tag == self._tag:
            self._depth -= 1
            if self._depth == 0:
                self._markup.append(raw)
                self.blocks.append((self._tag, "".join(self._markup), ["".join(i) for i in self._items]))
                self._tag = None
                return
        self._emit(raw)

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        self._emit(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._emit(f"&#{name};")

    def close(self) -> None:
        super().close()
        if self._tag is not None:  # an unclosed block: keep what it had
            self.blocks.append((self._tag, "".join(self._markup) + f"</{self._tag}>",
                                ["".join(i) for i in self._items]))
            self._tag = None
        self._flush_stray()


def blocks_of(body_html: str) -> list[tuple[str, str, list[str]]]:
    """The letter's top-level blocks in reading order; text outside any block becomes a paragraph."""
    parser = _Blocks()
    parser.feed(body_html)
    parser.close()
    return parser.blocks


def _inner(markup: str) -> str:
    """The content of a block element's markup (between its first start tag and its last end tag)."""
    start, end = markup.find(">") + 1, markup.rfind("</")
    return markup[start:end] if end >= start else markup[start:]


# --- the tagged document ------------------------------------------------------------------------

def _letter_pdf_class() -> type:
    """An FPDF that tags what it draws (built on first use: importing fpdf2 is slow)."""
    from fpdf import FPDF
    from fpdf.structure_tree import StructElem, StructureTreeBuilder

    class Structure(StructureTreeBuilder):
        """fpdf2's structure tree, with nested elements (/L holding /LI) serialised too."""

        def __iter__(self) -> Iterator:
            yield self.struct_tree_root
            yield self.doc_struct_elem
            yield self.struct_tree_root.parent_tree

            def walk(element: StructElem) -> Iterator:
                for kid in element.k:
                    if isinstance(kid, StructElem):
                        yield kid
                        yield from walk(kid)

            yield from walk(self.doc_struct_elem)

    class LetterPDF(FPDF):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.struct_builder = Structure()
            self._group: tuple[str, StructElem] | None = None  # an open /L
            self._leaf: str | None = None  # the structure type of the open marked-content sequence
            self._mcids: dict[int, int] = {}

        def _element(self, kind: str, parent: StructElem, mcid: int | None = None) -> StructElem:
            element = StructElem(struct_type=kind, parent=parent, kids=[] if mcid is None else [mcid],
                                 page_number=self.page)
            element.pg = self.pages[self.page]
            parent.k.append(element)
            return element

        def _open_leaf(self, kind: str) -> None:
            builder = self.struct_builder
            if self._group is not None and self._group[1].page_number() != self.page:
                # A list carried over to a new page: a new /L there, so each element's page is its own.
                self._group = (self._group[0], self._element(self._group[0], builder.doc_struct_elem))
            parent = self._group[1] if self._group else builder.doc_struct_elem
            mcid = self._mcids.get(self.page, 0)
            self._mcids[self.page] = mcid + 1
            element = self._element(kind, parent, mcid)
            spid = builder.spid_per_page_number.setdefault(self.page, len(builder.spid_per_page_number))
            builder.struct_tree_root.parent_tree.nums[spid].append(element)  # in MCID order
            self.pages[self.page].struct_parents = spid
            self._set_min_pdf_version("1.4")
            self._out(f"{kind} <</MCID {mcid}>> BDC")
            self._leaf = kind

        def add_page(self, *args, **kwargs) -> None:
            # A paragraph that runs over the page: close its sequence here, go on in a new one there.
            leaf = self._leaf
            if leaf is not None:
                self._out("EMC")
                self._leaf = None
            super().add_page(*args, **kwargs)
            if leaf is not None:
                self._open_leaf(leaf)

        @contextmanager
        def tagged(self, kind: str) -> Iterator[None]:
            """Everything drawn inside belongs to one structure element of `kind` (/P, /H1, /LI...)."""
            self._open_leaf(kind)
            try:
                yield
            finally:
                self._out("EMC")
                self._leaf = None

        @contextmanager
        def grouped(self, kind: str) -> Iterator[None]:
            """A structure element holding the elements tagged inside (an /L holding its /LI)."""
            self._group = (kind, self._element(kind, self.struct_builder.doc_struct_elem))
            try:
                yield
            finally:
                self._group = None

    return LetterPDF


_LetterPDF = functools.cache(_letter_pdf_class)


def _styles(size: float) -> dict:
    from fpdf import TextStyle

    black = "#0b0c0c"
    return {
        "p": TextStyle(font_size_pt=size, color=black, t_margin=size * 0.25, b_margin=size * 0.25),
        "h1": TextStyle(font_size_pt=round(size * 1.5), font_style="B", color=black, t_margin=size * 0.6,
                        b_margin=size * 0.2),
        "h2": TextStyle(font_size_pt=round(size * 1.25), font_style="B", color=black, t_margin=size * 0.5,
                        b_margin=size * 0.15),
        "ul": TextStyle(t_margin=0), "ol": TextStyle(t_margin=0),
        "li": TextStyle(l_margin=size * 0.5, t_margin=size * 0.15),
    }


def to_pdf(body_html: str, *, title: str, author: str, large_print: bool = False, lang: str = "en-GB") -> bytes:
    """An A4 tagged PDF of a letter body: 12 point, or 18 point in large print; titled, in `lang`."""
    from fpdf import FontFace
    from fpdf.prefs import ViewerPreferences

    body_html = unicodedata.normalize("NFC", body_html)
    size = LARGE_PRINT_PT if large_print else STANDARD_PT
    styles = _styles(size)
    files = _font_files()
    pdf = _LetterPDF()(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("No Wrong Door")
    pdf.set_lang(lang)
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_text_shaping(True)
    pdf.add_font("latin", "", files["latin"])
    pdf.add_font("latin", "B", files["latin-bold"])
    pdf.add_font("arabic", "", files["arabic"])
    pdf.add_font("arabic", "B", files["arabic-bold"])
    fallbacks = ["arabic"]
    han = "".join(sorted({c for c in body_html + title + author if ord(c) >= _HAN_START}))
    with tempfile.TemporaryDirectory(prefix="nwd-letter-fonts-") as folder:
        if han:
            for style, weight in (("", 400), ("B", 700)):
                path = Path(folder) / f"han-{weight}.ttf"
                path.write_bytes(_han_font(han, weight))
                pdf.add_font("han", style, path)
            fallbacks.append("han")
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
        pdf.add_page()
        pdf.set_font("latin", size=size)
        options = {"tag_styles": {**styles, "b": FontFace(emphasis="BOLD"), "strong": FontFace(emphasis="BOLD")},
                   "font_family": "latin", "warn_on_tags_not_matching": False, "li_prefix_color": "#0b0c0c"}
        for tag, markup, items in blocks_of(body_html):
            if tag in ("ul", "ol"):
                with pdf.grouped("/L"):
                    for item in items:
                        with pdf.tagged("/LI"):
                            pdf.write_html(f"<{tag}><li>{item}</li></{tag}>", **options)
                continue
            if tag.startswith("h"):
                kind = "/H1" if tag == "h1" else "/H2"
                with pdf.tagged(kind):
                    heading = {**options, "tag_styles": {**options["tag_styles"], "p": styles["h1" if tag == "h1" else "h2"]}}
                    pdf.write_html(f"<p>{_inner(markup)}</p>", **heading)
                continue
            with pdf.tagged("/P"):
                pdf.write_html(markup, **options)
        return bytes(pdf.output())


def to_text(body_html: str) -> str:
    """The letter as plain text, for an email body: paragraphs apart, list items marked, no markup."""
    import html as html_module
    import re

    def plain(markup: str) -> str:
        # Line breaks only where the letter has <br>: the template's own line ends are spaces.
        lines = re.split(r"<br\s*/?>", markup, flags=re.IGNORECASE)
        return "\n".join(" ".join(html_module.unescape(re.sub(r"<[^>]+>", "", line)).split())
                         for line in lines).strip()

    parts: list[str] = []
    for tag, markup, items in blocks_of(unicodedata.normalize("NFC", body_html)):
        if tag in ("ul", "ol"):
            parts.append("\n".join(f"{'*' if tag == 'ul' else f'{n}.'} {plain(item)}"
                                   for n, item in enumerate(items, 1)))
        elif tag.startswith("h"):
            heading = plain(markup)
            parts.append(f"{heading}\n{('=' if tag == 'h1' else '-') * len(heading)}")
        else:
            parts.append(plain(markup))
    return "\n\n".join(p for p in parts if p) + "\n"
