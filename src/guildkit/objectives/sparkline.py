"""A trend as a sparkline: a small inline SVG line, no axes, with the target as a dashed line.

It draws like :mod:`guildkit.web.charts` (the same colours and dashes, a ``<title>`` and a
``<desc>`` saying in words what it shows), small enough for a list of objectives. Days are placed
by date, so the last reading (today's, a few days after the one before) sits where it belongs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from guildkit.web.charts import SERIES_STYLES


def sparkline(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[tuple[date, float | None]],
    target: float,
    *,
    width: int = 240,
    height: int = 48,
) -> Markup:
    """``points`` (day, value; ``None`` leaves a gap) from left to right, ``target`` dashed across."""
    pad = 4
    values = [v for _day, v in points if v is not None] + [target]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    first = points[0][0] if points else date.min
    span = max(1, (points[-1][0] - first).days) if points else 1

    def x(day: date) -> float:
        return pad + (width - 2 * pad) * (day - first).days / span

    def y(value: float) -> float:
        return height - pad - (height - 2 * pad) * (value - low) / (high - low)

    line, dash = SERIES_STYLES[0][0], SERIES_STYLES[1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gk-chart gk-sparkline" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="{dash[0]}" '
        f'stroke-width="1.5" stroke-dasharray="{dash[1]}"/>',
    ]
    runs: list[list[str]] = [[]]
    for day, value in points:
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(day):.1f},{y(value):.1f}")
    for run in runs:
        if len(run) > 1:
            out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{line}" stroke-width="2"/>')
    measured = [(day, value) for day, value in points if value is not None]
    if measured:
        day, value = measured[-1]
        out.append(f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="3" fill="{line}"/>')
    out.append("</svg>")
    return Markup("".join(out))
