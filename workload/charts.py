"""Small server-side SVG bar charts: no JavaScript, no CDN, and the same markup works in a
page and in a WeasyPrint PDF. Every chart is drawn next to a table holding the same figures,
so the SVG is decoration for sighted readers; it still carries a title for screen readers."""

from collections.abc import Callable
from html import escape

from django.utils.safestring import mark_safe

from rendering import numbers

FONT = "DejaVu Sans, Verdana, sans-serif"
COLOURS = ("#b5442c", "#8a9bb0")  # transferred (warm), other work (neutral)


def horizontal_bars(
    items: list[tuple[str, float]],
    *,
    title: str,
    number: Callable[[float], str] = numbers.integer,
) -> str:
    """One bar per (label, value), largest first as given; labels are escaped here. Each
    value is written by `number` (a count by default; `numbers.hours` for minutes), in the
    style of the tables beside the chart."""
    bar_height, gap, label_width, bar_width, right = 18, 6, 230, 300, 70
    height = max(1, len(items)) * (bar_height + gap) + gap
    width = label_width + bar_width + right
    largest = max((value for _label, value in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = round(bar_width * value / largest, 1)
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 13}">'
            f"{escape(number(value))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def stacked_months(
    months: list[str],
    series: list[tuple[str, list[float]]],
    *,
    title: str,
    number: Callable[[float], str] = numbers.integer,
) -> str:
    """One stacked column per month; `series` is [(name, values per month)], bottom first.
    The scale's top is written by `number`, as in `horizontal_bars`."""
    # Room on the left for the scale written as hours ("12 345:00").
    left, bottom, top, plot_height = 60, 34, 24, 180
    column, gap = 28, 10
    width = left + max(1, len(months)) * (column + gap) + gap
    height = top + plot_height + bottom
    totals = [sum(values[i] for _name, values in series) for i in range(len(months))]
    largest = max(totals, default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="10">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" '
        f'stroke="#555"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{escape(number(largest))}</text>',
        f'<text x="{left - 4}" y="{top + plot_height}" text-anchor="end">'
        f"{escape(number(0))}</text>",
    ]
    for index, month in enumerate(months):
        x = left + gap + index * (column + gap)
        y = top + plot_height
        for colour_index, (_name, values) in enumerate(series):
            length = round(plot_height * values[index] / largest, 1)
            y -= length
            parts.append(
                f'<rect x="{x}" y="{round(y, 1)}" width="{column}" height="{length}" '
                f'fill="{COLOURS[colour_index % len(COLOURS)]}"/>'
            )
        parts.append(
            f'<text x="{x + column / 2}" y="{top + plot_height + 14}" '
            f'text-anchor="middle">{escape(month[5:])}</text>'
        )
        if month.endswith("-01") or index == 0:
            parts.append(
                f'<text x="{x + column / 2}" y="{top + plot_height + 26}" '
                f'text-anchor="middle">{escape(month[:4])}</text>'
            )
    legend_x = left
    for colour_index, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="4" width="10" height="10" '
            f'fill="{COLOURS[colour_index % len(COLOURS)]}"/>'
            f'<text x="{legend_x + 14}" y="13">{escape(name)}</text>'
        )
        legend_x += 14 + 7 * len(name) + 16
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
