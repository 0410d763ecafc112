"""Horizontal bar charts as plain geometry for server-rendered SVG. Pure: no Flask.

Each row's label stands whole on a line (or two) of its own above its bars, so no name is ever cut;
the bars are drawn in percent of the width, so they fill the chart's column at any screen size, the
longest reaching BAR_SPACE %, with the number right after it. The template
(templates/insight/_charts.html) only draws what is computed here, and shows the same numbers as one
table behind "Vis som tabel". Colours come from classes in kerne.css (``bar-<series>``), never from
style attributes.
"""
from dataclasses import dataclass, field

BAR_SPACE = 86  # percent of the width the longest bar takes; its number stands in the rest
LINE = 16  # the height of a label's line, in px
LABEL_CHARS = 44  # a label longer than this wraps onto the next line, at a space
STACK_BAR = 16
GROUP_BAR = 10
GAP = 10  # between rows


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
    bars: list[tuple[float, float, float, float, str, str, str]] = field(default_factory=list)  # x% y w% h key href title
    values: list[tuple[float, float, int]] = field(default_factory=list)  # x% y number
    table: list[tuple[str, str | None, list[tuple[int, str | None]]]] = field(default_factory=list)


def lines(text: str, width: int = LABEL_CHARS) -> list[str]:
    """``text`` wrapped at spaces into lines of at most ``width`` characters (a longer word stands alone)."""
    found: list[str] = []
    for word in text.split():
        if found and len(found[-1]) + 1 + len(word) <= width:
            found[-1] += " " + word
        else:
            found.append(word)
    return found or [""]


def hbars(id: str, caption: str, rows: list[Row], series: list[tuple[str, str]], mode: str = "stack",
          unit_label: str = "") -> Chart:
    """Stacked (parts of a whole) or grouped (side by side) horizontal bars, one row per ``rows``;
    a series with nothing in any row is left out of the table."""
    shown = [(key, label) for key, label in series if any(row.values.get(key, (0, None))[0] for row in rows)]
    chart = Chart(id, caption, unit_label, shown or series[:1])
    if mode == "stack":
        top = max([sum(v for v, _h in row.values.values()) for row in rows] + [1])
    else:
        top = max([v for row in rows for v, _h in row.values.values()] + [1])
    y = 0.0
    for row in rows:
        for line in lines(row.label):
            y += LINE
            chart.labels.append((y - 4, line))
        y += 2
        x = 0.0
        for n, (key, label) in enumerate(series):
            value, href = row.values.get(key, (0, None))
            width = value / top * BAR_SPACE
            title = f"{row.label}: {label} {value}"
            if mode == "stack":
                if value:
                    chart.bars.append((round(x, 2), y, round(max(width, .5), 2), STACK_BAR, key, href, title))
                x += width
            else:
                bar_y = y + n * (GROUP_BAR + 2)
                if value:
                    chart.bars.append((0, bar_y, round(max(width, .5), 2), GROUP_BAR, key, href, title))
                chart.values.append((round(width + 1, 2), bar_y + GROUP_BAR - 1, value))
        if mode == "stack":
            chart.values.append((round(x + 1, 2), y + STACK_BAR - 3, sum(v for v, _h in row.values.values())))
            y += STACK_BAR
        else:
            y += len(series) * (GROUP_BAR + 2) - 2
        y += GAP
        chart.table.append((row.label, row.href, [row.values.get(key, (0, None)) for key, _label in chart.series]))
    chart.height = int(y)
    return chart
