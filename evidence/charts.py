"""Small server-side SVG bar charts for the federation's pages: no script, no CDN. Each
chart sits beside a table holding the same figures; a suppressed cell draws no bar and
shows "—", as in the table. Figures are written as the tables write them (`rendering.numbers`)."""

from collections.abc import Callable
from html import escape

from django.utils.safestring import mark_safe

from rendering import numbers

FONT = "DejaVu Sans, Verdana, sans-serif"
TRANSFERRED, OTHER = "#b5442c", "#8a9bb0"


def bars(
    items: list[tuple[str, float | None, float | None]],
    *,
    title: str,
    number: Callable[[float], str] = numbers.hours,
) -> str:
    """One horizontal bar per (label, total, transferred part); None means suppressed. The
    total is written by `number`: hours and minutes from minutes, by default."""
    bar_height, gap, label_width, bar_width, right = 16, 6, 220, 300, 70
    height = max(1, len(items)) * (bar_height + gap) + gap
    width = label_width + bar_width + right
    largest = max((total or 0 for _label, total, _part in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, total, part) in enumerate(items):
        y = gap + index * (bar_height + gap)
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 12}" text-anchor="end">{escape(short)}</text>'
        )
        if total is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 12}" fill="#555">{numbers.MISSING}</text>'
            )
            continue
        length = round(bar_width * total / largest, 1)
        inner = round(bar_width * (part or 0) / largest, 1)
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{OTHER}"/>'
            f'<rect x="{label_width}" y="{y}" width="{inner}" height="{bar_height}" '
            f'fill="{TRANSFERRED}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 12}">{escape(number(total))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
