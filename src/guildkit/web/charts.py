"""Charts as inline SVG, drawn on the server: no JavaScript, no external files, readable in any
browser and by screen readers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (what it shows, in
words), labelled axes and gridlines. Series are told apart by colour *and* dash pattern and
named in a legend; the colours have at least 4.5:1 contrast on white. The pages always put the
same numbers beside the chart in a ``<table>`` and a CSV link: the chart is for the eye, the
table for exact values.

* :func:`line_chart` — values over periods (growth, activity);
* :func:`bar_chart` — one value per category, horizontal bars (distributions, rarity);
* :func:`heat_map` — a grid of shares from 0 to 1 (cohort retention);
* :func:`calendar` — a member's year, a square a day (the profile's contribution calendar).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from babel import dates
from markupsafe import Markup, escape

from guildkit import i18n
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext

#: (colour, dash pattern): dark enough for text-level contrast on white, and distinct without colour.
SERIES_STYLES = (
    ("#1f4e79", ""),
    ("#b03a2e", "6 3"),
    ("#1e6b3a", "2 3"),
    ("#6c3483", "8 3 2 3"),
    ("#7d5a00", "1 2"),
)
TEXT = "#222222"
GRID = "#d0d0d0"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _number(value: float) -> str:
    """A value as the reader's locale writes it, to two decimals at most."""
    return i18n.format_number(int(value) if value == int(value) else round(value, 2))


def _text(x: float, y: float, content: object, *, anchor: str = "start", fill: str = TEXT, extra: str = "") -> str:
    """An SVG ``<text>``; ``content`` is escaped."""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{escape(content)}</text>'


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gk-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _skip(count: int, room: int) -> int:
    """Label every n-th tick so labels do not overlap."""
    return max(1, math.ceil(count / max(1, room)))


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_label: str,
    x_label: str | None = None,
    width: int = 720,
    height: int = 300,
) -> Markup:
    """Lines over ``labels``; ``None`` values leave a gap (``x_label``: "Period" unless given)."""
    left, right, top, bottom = 64, 16, 16 + 18 * ((len(series) + 2) // 3), 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    y_max = _nice_max(max(values, default=0))
    n = max(1, len(labels))

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = _open(chart_id, title, desc, width, height)
    for k in range(5):
        value = y_max * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{GRID}"/>')
        out.append(_text(left - 6, y(value) + 4, _number(value), anchor="end"))
    step = _skip(len(labels), plot_w // 70)
    for i, label in enumerate(labels):
        if i % step == 0:
            out.append(_text(x(i), top + plot_h + 16, label, anchor="middle"))
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{TEXT}"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{TEXT}"/>')
    out.append(_text(left + plot_w / 2, height - 8, _("Period") if x_label is None else x_label, anchor="middle"))
    out.append(
        _text(0, 0, y_label, anchor="middle", extra=f' transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)"')
    )
    for s, (name, vs) in enumerate(series):
        colour, dash = SERIES_STYLES[s % len(SERIES_STYLES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        runs: list[list[str]] = [[]]
        for i, v in enumerate(vs):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for run in runs:
            if len(run) > 1:
                out.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
                )
            if len(run) == 1 or n <= 40:
                out += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{colour}"/>' for p in run]
        lx, ly = left + (s % 3) * 200, 14 + 18 * (s // 3)
        out.append(
            f'<line x1="{lx}" x2="{lx + 28}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        out.append(_text(lx + 34, ly, name))
    out.append("</svg>")
    return Markup("\n".join(out))


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_label: str,
    width: int = 720,
    percent: bool = False,
) -> Markup:
    """One horizontal bar per label, its value written at its end (``percent``: values are 0-1)."""
    bar, gap, left, right, top = 20, 8, 200, 72, 8
    height = top + len(labels) * (bar + gap) + 40
    plot_w = width - left - right
    v_max = 1.0 if percent else _nice_max(max(values, default=0))
    out = _open(chart_id, title, desc, width, height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar + gap)
        length = plot_w * (value / v_max) if v_max else 0
        shown = i18n.format_percent(value, "#,##0.0%") if percent else _number(value)
        name = label if len(label) <= 28 else label[:27] + "…"
        out.append(_text(left - 8, y + 15, name, anchor="end"))
        out.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{SERIES_STYLES[0][0]}"/>')
        out.append(_text(left + length + 6, y + 15, shown))
    axis_y = top + len(labels) * (bar + gap)
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" stroke="{TEXT}"/>')
    out.append(_text(left + plot_w / 2, axis_y + 28, value_label, anchor="middle"))
    out.append("</svg>")
    return Markup("\n".join(out))


def _cell_colour(share: float) -> tuple[str, str]:
    """Fill from near-white to dark blue, and a text colour that stays readable on it."""
    low, high = (0xF2, 0xF7, 0xFC), (0x0B, 0x3C, 0x7A)
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    fill = _luminance(rgb)
    # Whichever of white and black text has the higher WCAG contrast on this fill: with pure
    # white and black, the worse of the two is still at least 4.58:1 on any fill.
    on_white = 1.05 / (fill + 0.05)
    on_black = (fill + 0.05) / 0.05
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if on_white > on_black else "#000000")


def _luminance(rgb: Sequence[int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def heat_map(
    chart_id: str,
    title: str,
    desc: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    shares: Sequence[Sequence[float | None]],
    *,
    x_label: str,
    y_label: str,
    width: int = 720,
) -> Markup:
    """A grid of shares (0-1) written as percentages in their cells; ``None`` cells stay blank."""
    left, top, cell_h = 112, 40, 26
    columns = max(1, len(column_labels))
    cell_w = max(28.0, (width - left - 8) / columns)
    width = int(left + cell_w * columns + 8)
    height = top + cell_h * len(row_labels) + 12
    out = _open(chart_id, title, desc, width, height)
    out.append(_text(left + cell_w * columns / 2, 14, x_label, anchor="middle"))
    out.append(_text(4, 14, y_label))  # on the title line: the row labels' column is too narrow for it
    for j, label in enumerate(column_labels):
        out.append(_text(left + cell_w * (j + 0.5), top - 6, label, anchor="middle"))
    for i, label in enumerate(row_labels):
        y = top + i * cell_h
        out.append(_text(4, y + 17, label))
        for j, share in enumerate(shares[i]):
            if share is None:
                continue
            fill, ink = _cell_colour(share)
            x = left + j * cell_w
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{fill}"/>')
            out.append(
                _text(
                    x + cell_w / 2 - 1,
                    y + 17,
                    i18n.format_percent(share),
                    anchor="middle",
                    fill=ink,
                    extra=' font-size="11"',
                )
            )
    out.append("</svg>")
    return Markup("\n".join(out))


def calendar(chart_id: str, counts: Mapping[date, int], last_day: date) -> Markup:
    """The 53 weeks up to ``last_day``, a square a day (Monday on top), darker with more activities;
    the months labelled above. The ``<desc>`` says the total, the days and the busiest day in words."""
    first = last_day - timedelta(days=364)
    first -= timedelta(days=first.weekday())  # the columns are weeks, from Monday
    cell, left, top = 13, 30, 18
    weeks = (last_day - first).days // 7 + 1
    width, height = left + weeks * cell + 4, top + 7 * cell + 22
    shown = {day: n for day, n in counts.items() if first <= day <= last_day and n > 0}
    total, most = sum(shown.values()), max(shown.values(), default=0)
    busiest = max(shown, key=lambda d: (shown[d], d)) if shown else None
    locale = i18n.current_locale()
    desc = " ".join([
        ngettext("%(count)s activity in the last 12 months.", "%(count)s activities in the last 12 months.",
                 total, count=i18n.format_number(total)),
        ngettext("Active on %(count)s day.", "Active on %(count)s days.", len(shown),
                 count=i18n.format_number(len(shown))),
        *([_("The busiest day was %(day)s, with %(count)s.", day=i18n.format_date(busiest, "long"),
             count=i18n.format_number(most))] if busiest else []),
    ])  # fmt: skip
    out = _open(chart_id, _("Activities in the last 12 months"), desc, width, height)
    weekdays = dates.get_day_names("abbreviated", locale=locale)  # 0 is Monday
    for row in (0, 2, 4):
        out.append(_text(0, top + row * cell + 10, weekdays[row], extra=' font-size="10"'))
    # Four steps of darkness by the share of the busiest day; an empty day stays pale grey.
    steps = ["#eceff3", *(_cell_colour(0.2 + 0.8 * step / 4)[0] for step in range(1, 5))]
    day, month = first, None
    while day <= last_day:
        column, row = (day - first).days // 7, day.weekday()
        x, y = left + column * cell, top + row * cell
        if day.month != month and row == 0 and column < weeks - 1:
            out.append(_text(x, 11, i18n.format_date(day.replace(day=1), "LLL"), extra=' font-size="10"'))
            month = day.month
        n = shown.get(day, 0)
        fill = steps[math.ceil(4 * n / most)] if n else steps[0]
        out.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="2" fill="{fill}"/>')
        day += timedelta(days=1)
    legend_y = top + 7 * cell + 6
    out.append(_text(width - 4 - 5 * cell - 36, legend_y + 10, _("Less"), anchor="end", extra=' font-size="10"'))
    for step, fill in enumerate(steps):
        x = width - 4 - (5 - step) * cell - 32
        out.append(f'<rect x="{x}" y="{legend_y}" width="{cell - 2}" height="{cell - 2}" rx="2" fill="{fill}"/>')
    out.append(_text(width - 4, legend_y + 10, _("More"), anchor="end", extra=' font-size="10"'))
    out.append("</svg>")
    return Markup("\n".join(out))
