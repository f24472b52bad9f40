"""Report pieces: suppression, CSV cells, periods, charts and renderings of an empty year."""

import io
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from learning.domain import SUPPRESSED, suppress
from learning.reports import charts, figures, render
from learning.reports.annual import annual
from learning.reports.ko41a import neutralise
from learning.repository import Records


@given(st.integers(min_value=0, max_value=10**6))
def test_suppression_never_shows_a_count_from_1_to_4(count):
    shown = suppress(count)
    assert shown == SUPPRESSED if 1 <= count <= 4 else shown == count


@given(st.text(max_size=30))
def test_no_csv_cell_starts_like_a_formula(text):
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_cells_that_look_like_formulas_get_a_quote_and_others_are_left_alone():
    assert [neutralise(v) for v in ("=SUM(A1)", "+1", "-1", "@x", "plain", 5, None)] == [
        "'=SUM(A1)", "'+1", "'-1", "'@x", "plain", "5", ""]


def test_the_financial_year_runs_from_april_to_march():
    year = figures.financial_year(2025)
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert [(q.start, q.end) for q in figures.quarters(2025)][3] == (date(2026, 1, 1), date(2026, 3, 31))


def test_bars_are_as_long_as_their_share_of_the_largest():
    svg = charts.horizontal_bars([("A", 4), ("B", 2), ("C", 0)], title="t", chart_id="c")
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1] > 0 and widths[2] == 0


def test_labels_in_charts_are_escaped():
    assert "<b>" not in charts.horizontal_bars([("<b>x</b>", 1)], title="<t>", chart_id="c")


def test_a_year_without_complaints_still_renders_as_html_and_pdf():
    report = annual(Records(organisations=frozenset({"x"})), "x", "Trust \u2013 \u00e9", 2025, today=date(2026, 6, 1))
    assert report["received"] == 0 and report["subjects"] == []
    assert "No complaints were received in the year." in render.annual_html(report)
    pdf = render.annual_pdf(report)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Complaints received: 0" in text
