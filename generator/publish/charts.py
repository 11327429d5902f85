"""Charts as inline SVG, drawn at build time from the report's figures.

One kind: horizontal bars, each labelled with its name and its value in text,
so the chart reads without colour (and the page puts the same figures in a
table beside it). The output depends only on the figures: same figures, same
bytes. Every text passes through escape.html_text.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.content.schema import Markdown
from generator.publish.escape import html_text

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 90
ROW = 26
BAR = 16
TOP = 8
# Bars and text in the theme's dark blue grey: 10:1 against white, so they read in print too.
INK = "#263238"
BAR_FILL = "#455a64"
TRACK = "#eceff1"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str          # the value as shown, e.g. "40" or "75%"


def bar_chart(chart_id: str, title: str, bars: list[Bar], scale: float | None = None) -> Markdown:
    """An SVG figure: one labelled bar per row; `scale` is the value of a full bar (the largest by default)."""
    full = scale if scale is not None else max((b.value for b in bars), default=0)
    height = TOP * 2 + ROW * len(bars)
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = ['<figure class="cmr-chart">',
             f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px" '
             f'font-family="sans-serif" font-size="13">',
             f'<title id="{chart_id}-title">{html_text(title)}</title>']
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        length = round(area * bar.value / full, 1) if full else 0
        middle = y + ROW / 2 + 4.5
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" fill="{INK}">'
                     f'{html_text(bar.label)}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + (ROW - BAR) / 2}" width="{area}" height="{BAR}" '
                     f'fill="{TRACK}"/>')
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + (ROW - BAR) / 2}" width="{length}" height="{BAR}" '
                         f'fill="{BAR_FILL}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + area + 8}" y="{middle}" fill="{INK}">{html_text(bar.text)}</text>')
    parts += ["</svg>", "</figure>"]
    return Markdown("\n".join(parts))


def status_chart(model) -> Markdown:
    """Facilities by metal and status: the smelters page's summary table, drawn."""
    labels = model.labels
    bars = [Bar(f"{g.metal}: {labels[s]}", g.status_counts[s], str(g.status_counts[s]))
            for g in model.groups for s in model.shown_statuses]
    return bar_chart(f"status-{model.year}", f"Smelters and refiners by metal and {model.status_heading.lower()}",
                     bars)


def funnel_chart(model) -> Markdown:
    steps = model.funnel
    return bar_chart(f"funnel-{model.year}", "From smelter rows reported to facilities published",
                     [Bar(label, n, str(n)) for label, n in steps], scale=steps[0][1] if steps else None)


def covered_chart(model) -> Markdown:
    bars = [Bar(f"{metal}: {answer}", n, str(n)) for metal, counts in model.covered_answers.items()
            for answer, n in counts.items()]
    return bar_chart(f"covered-{model.year}", "Suppliers' answers: does the metal come from the Covered Countries?",
                     bars)


def response_chart(model) -> Markdown:
    survey = model.consolidation.survey
    bars = [Bar("Suppliers surveyed", survey.surveyed, str(survey.surveyed)),
            Bar("Suppliers that answered", survey.responded,
                f"{survey.responded} ({survey.response_rate_percent}%)")]
    return bar_chart(f"response-{model.year}", "Response rate of the suppliers surveyed", bars)


def response_series_chart(series: list[tuple[int, int, str]]) -> Markdown:
    """(year, percent, as stated) per year, oldest first."""
    return bar_chart("response-by-year", "Response rate year by year",
                     [Bar(str(year), value, text) for year, value, text in series], scale=100)


def status_series_chart(models: list) -> Markdown:
    bars = [Bar(f"{m.year}: {m.labels[s]}", m.status_counts[s], str(m.status_counts[s]))
            for m in models for s in m.shown_statuses]
    return bar_chart("status-by-year", "Smelters and refiners by status, year by year", bars)
