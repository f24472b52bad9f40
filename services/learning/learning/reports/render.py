"""The annual report as an HTML page with inline SVG charts, and as a PDF drawn with fpdf2."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

from learning.reports import charts

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html", "j2"]))
OUTCOME_LABELS = {"upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld"}
QUARTERS = ("Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar")


def annual_charts(report: dict) -> dict[str, str]:
    """The report's charts as SVG."""
    themes = report["matters_of_general_importance"]
    return {
        "quarters": charts.columns(list(zip(QUARTERS, report["received_by_quarter"], strict=True)),
                                   title="Complaints received each quarter", chart_id="chart-quarters"),
        "outcomes": charts.horizontal_bars([(OUTCOME_LABELS[o], n) for o, n in report["outcomes"].items()],
                                           title="Outcomes", chart_id="chart-outcomes"),
        "subjects": charts.horizontal_bars([(s["label"], s["count"]) for s in report["subjects"]],
                                           title="Subjects of complaints", chart_id="chart-subjects"),
        "themes": charts.columns([(t["label"][:14], t["count"]) for t in themes],
                                 previous=[t["previous_year"] for t in themes],
                                 title="Most frequent subjects: this year and the year before",
                                 chart_id="chart-themes"),
    }


def annual_html(report: dict) -> str:
    return _templates.get_template("annual.html.j2").render(r=report, charts=annual_charts(report))


def _latin1(text: object) -> str:
    # The PDF's core fonts are Latin-1: anything else is replaced rather than failing the report.
    cleaned = str(text).replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return cleaned.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 8, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def line_of(self, text: str) -> None:
        self.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def bars(self, items: list[tuple[str, int]]) -> None:
        """A horizontal bar chart: label, bar, number."""
        top = max((n for _, n in items), default=0) or 1
        label_w, plot_w = 75, 90
        for label, n in items:
            y = self.get_y()
            self.set_xy(self.l_margin, y)
            self.cell(label_w, 6, _latin1(label[:45]))
            width = plot_w * n / top
            if width > 0:
                self.set_fill_color(0, 94, 184)
                self.rect(self.l_margin + label_w, y + 1, width, 4, style="F")
            self.set_xy(self.l_margin + label_w + width + 2, y)
            self.cell(15, 6, str(n), new_x="LMARGIN", new_y="NEXT")


def annual_pdf(report: dict) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.set_title(_latin1(f"Complaints annual report {report['year']}: {report['name']}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(f"Complaints annual report {report['year']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.line_of(f"{report['name']}: {report['from']} to {report['to']} (regulation 18).")
    pdf.heading("The year in numbers")
    pdf.line_of(f"Complaints received: {report['received']} (the year before: {report['received_previous_year']})")
    pdf.line_of(f"Well-founded (upheld or partly upheld): {report['well_founded']} of {report['decided']} decided")
    pdf.line_of(f"Referred to an ombudsman: {report['referred_to_ombudsman']}")
    pdf.heading("Complaints received each quarter")
    pdf.bars(list(zip(QUARTERS, report["received_by_quarter"], strict=True)))
    pdf.heading("Outcomes")
    pdf.bars([(OUTCOME_LABELS[o], n) for o, n in report["outcomes"].items()])
    pdf.heading("What complaints were about")
    pdf.bars([(s["label"], s["count"]) for s in report["subjects"]])
    if report["without_subject"]:
        pdf.line_of(f"Without a subject yet: {report['without_subject']}")
    pdf.heading("Matters of general importance")
    for t in report["matters_of_general_importance"]:
        pdf.line_of(f"{t['label']}: {t['count']} (the year before {t['previous_year']}; {t['trend']}); "
                    f"by quarter {', '.join(str(q) for q in t['by_quarter'])}")
    pdf.heading("Actions taken to improve services")
    actions = report["actions"]
    pdf.line_of(f"Agreed: {actions['raised']}; completed: {actions['completed']}; overdue: {actions['overdue']}")
    for a in actions["items"]:
        pdf.line_of(f"- {a['description']} ({a['owner']}; due {a['due_on']}; {a['status']})")
    pdf.heading("Feedback on how complaints were handled")
    experience = report["experience"]
    pdf.line_of(f"Responses: {experience['responses']}; average rating: {experience['average_rating'] or '-'}")
    return bytes(pdf.output())
