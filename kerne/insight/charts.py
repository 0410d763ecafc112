"""Horizontal bar charts as plain geometry for server-rendered SVG. Pure: no Flask.

The template (templates/insight/_charts.html) only draws what is computed here: bars
with their class, link and tooltip, labels and values; and the table that is the
chart's legend, its numbers for screen readers and its keyboard links. Colours come
from classes in kerne.css (``bar-<series>``), never from style attributes.
"""
from dataclasses import dataclass, field

WIDTH = 320
LABEL_WIDTH = 112
BAR_SPACE = 170
LABEL_CHARS = 16


@dataclass(frozen=True)
class Row:
    label: str
    href: str | None
    values: dict  # series key → (number, href of the list behind it)


@dataclass
class Chart:
    id: str
    caption: str
    unit_label: str
    series: list[tuple[str, str]]
    height: int = 0
    labels: list[tuple[float, str]] = field(default_factory=list)
    bars: list[tuple[float, float, float, float, str, str, str]] = field(default_factory=list)  # x y w h key href title
    values: list[tuple[float, float, int]] = field(default_factory=list)
    table: list[tuple[str, str | None, list[tuple[int, str | None]]]] = field(default_factory=list)


def short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def hbars(id: str, caption: str, rows: list[Row], series: list[tuple[str, str]], mode: str = "stack",
          unit_label: str = "") -> Chart:
    """Stacked (parts of a whole) or grouped (side by side) horizontal bars, one row per ``rows``;
    a series with nothing in any row is left out of the table."""
    shown = [(key, label) for key, label in series if any(row.values.get(key, (0, None))[0] for row in rows)]
    chart = Chart(id, caption, unit_label, shown or series[:1])
    if mode == "stack":
        top = max([sum(v for v, _h in row.values.values()) for row in rows] + [1])
        band = 24
    else:
        top = max([v for row in rows for v, _h in row.values.values()] + [1])
        band = 10 * len(series) + 8
    chart.height = band * len(rows) + 4
    for index, row in enumerate(rows):
        y = index * band + 2
        chart.labels.append((y + band / 2 + 3, short(row.label)))
        x = LABEL_WIDTH
        for n, (key, label) in enumerate(series):
            value, href = row.values.get(key, (0, None))
            width = value / top * BAR_SPACE
            title = f"{row.label}: {label} {value}"
            if mode == "stack":
                if value:
                    chart.bars.append((round(x, 1), y + 3, round(max(width, 1), 1), band - 6, key, href, title))
                x += width
            else:
                bar_y = y + 3 + n * 10
                if value:
                    chart.bars.append((LABEL_WIDTH, bar_y, round(max(width, 1), 1), 8, key, href, title))
                chart.values.append((round(LABEL_WIDTH + 3 + width, 1), bar_y + 8, value))
        if mode == "stack":
            chart.values.append((round(x + 3, 1), y + band / 2 + 3, sum(v for v, _h in row.values.values())))
        chart.table.append((row.label, row.href, [row.values.get(key, (0, None)) for key, _label in chart.series]))
    return chart
