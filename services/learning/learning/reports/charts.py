"""Charts as inline SVG, drawn on the server: no script, no download, readable without colour
(every bar carries its number and a title)."""

from __future__ import annotations

from html import escape

BAR = "#005eb8"  # NHS blue
BAR_PREVIOUS = "#768692"
TEXT = "#212b32"


def _svg(width: int, height: int, title: str, body: list[str], chart_id: str) -> str:
    label = escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
            f'aria-label="{label}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{label}</title>" + "".join(body) + "</svg>")


def horizontal_bars(items: list[tuple[str, int]], *, title: str, chart_id: str, width: int = 640) -> str:
    """One bar per item, longest first as given; the label on the left, the number at the end."""
    label_width, row, pad = 300, 26, 8
    plot = width - label_width - 50
    top = max((n for _, n in items), default=0) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = pad + i * row
        length = round(plot * n / top, 1)
        body.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
                    f'fill="{TEXT}">{escape(label[:48])}</text>')
        body.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{length}" height="{row - 8}" '
                    f'fill="{BAR}"><title>{escape(label)}: {n}</title></rect>')
        body.append(f'<text x="{label_width + length + 6}" y="{y + 16}" font-size="12" fill="{TEXT}">{n}</text>')
    return _svg(width, pad * 2 + row * len(items), title, body, chart_id)


def columns(items: list[tuple[str, int]], *, title: str, chart_id: str,
            previous: list[int] | None = None, height: int = 220) -> str:
    """One column per item (e.g. quarters), with an optional paler column for the year before."""
    group, bar, base, top_pad = 110, 36, height - 30, 20
    width = 40 + group * len(items)
    top = max([n for _, n in items] + (previous or []), default=0) or 1
    plot = base - top_pad
    body = [f'<line x1="30" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{TEXT}" stroke-width="1"/>']
    for i, (label, n) in enumerate(items):
        x = 40 + i * group
        bars = [(n, BAR, "")] if previous is None else [(previous[i], BAR_PREVIOUS, " (year before)"), (n, BAR, "")]
        for j, (value, colour, note) in enumerate(bars):
            h = round(plot * value / top, 1)
            bx = x + j * (bar + 4)
            body.append(f'<rect class="bar" x="{bx}" y="{base - h}" width="{bar}" height="{h}" fill="{colour}">'
                        f"<title>{escape(label)}{note}: {value}</title></rect>")
            body.append(f'<text x="{bx + bar / 2}" y="{base - h - 4}" text-anchor="middle" font-size="12" '
                        f'fill="{TEXT}">{value}</text>')
        body.append(f'<text x="{x + (bar * len(bars)) / 2}" y="{base + 18}" text-anchor="middle" '
                    f'font-size="12" fill="{TEXT}">{escape(label)}</text>')
    return _svg(width, height, title, body, chart_id)
