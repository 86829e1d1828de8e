"""Bar and line charts drawn in the server as SVG: readable without JavaScript, and by a screen reader.

Each chart is an image with a ``<title>`` and a ``<desc>`` that says every figure in
words, and its figures are written beside the bars and under the points, so that no
one needs to read a length. A withheld figure draws nothing (a bar's length or a
point's height would give it back): it says "masqué" where its bar or point would be.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_COLOURS = ("#1f5fa8", "#b34700", "#2e7d32", "#6a1b9a")  # dark enough for white text and 4.5:1 on white
_DASHES = ("", "6 3", "2 3", "8 3 2 3")  # the series differ by more than colour
_ids = itertools.count(1)
_LABEL = 'font-size="13" fill="#1a1a1a"'
_FIGURE = _LABEL + ' font-weight="600"'


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    """None: withheld, or nothing to show."""
    shown: str
    """The figure in words ("12", "masqué", "—")."""


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


def bars(title: str, points: Sequence[Point], said: Sequence[str], *, width: int = 620) -> Markup:
    """Horizontal bars, one per line: its label, its bar, its figure; ``said``: every figure in words."""
    label_width, row, top = 280, 28, 8
    room = width - label_width - 90
    top_value = max((p.value for p in points if p.value), default=0) or 1
    height = top + row * len(points) + 8
    chart_id = f"chart-{next(_ids)}"
    parts = [_open(chart_id, title, said, width, height)]
    for n, point in enumerate(points):
        y = top + n * row
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" {_LABEL}>')
        parts.append(f"{escape(point.label)}</text>")
        length = 0.0 if point.value is None else room * point.value / top_value
        if length:
            bar = f'x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}"'
            parts.append(f'<rect {bar} fill="{_COLOURS[0]}"/>')
        style = ' font-style="italic"' if point.value is None else ""
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" {_FIGURE}{style}>')
        parts.append(f"{escape(point.shown)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def lines(title: str, series: Sequence[Series], said: Sequence[str], *, width: int = 900, height: int = 340) -> Markup:
    """One line per series over the months; a withheld point breaks its line."""
    left, right, top, bottom = 48, 16, 16, 64 + 20 * len(series)
    months = [p.label for p in series[0].points] if series else []
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((p.value or 0 for s in series for p in s.points), default=0) or 1
    step = plot_w / max(len(months) - 1, 1)
    chart_id = f"chart-{next(_ids)}"
    parts = [_open(chart_id, title, said, width, height)]
    base = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>')
    parts.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" {_FIGURE}>0</text>')
    parts.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" {_FIGURE}>{_number(top_value)}</text>')
    for n, month in enumerate(months):
        x = left + n * step
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" {_LABEL}>')
        parts.append(f"{escape(month)}</text>")
    for index, one in enumerate(series):
        colour, dash = _COLOURS[index % len(_COLOURS)], _DASHES[index % len(_DASHES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        for n, point in enumerate([*one.points, None]):
            if point is None or point.value is None:
                if len(run) > 1:
                    drawn = f'fill="none" stroke="{colour}" stroke-width="2.5"{dashes}'
                    parts.append(f'<polyline points="{" ".join(run)}" {drawn}/>')
                run = []
                continue
            x, y = left + n * step, base - plot_h * point.value / top_value
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        legend_y = base + 36 + 20 * index
        parts.append(f'<line x1="{left}" y1="{legend_y - 4}" x2="{left + 28}" y2="{legend_y - 4}" stroke="{colour}"')
        parts.append(f' stroke-width="2.5"{dashes}/>')
        parts.append(f'<text x="{left + 36}" y="{legend_y}" {_LABEL}>{escape(one.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _open(chart_id: str, title: str, said: Sequence[str], width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" style="max-width: 100%; height: auto"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(" ; ".join(said))}</desc>'
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
