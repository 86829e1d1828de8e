"""Medians, paired ratios and markdown tables."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|", *(line(row) for row in rows)]
    )


def rate(value: float) -> str:
    return f"{value:,.0f}"


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of ratios of windows run back to back: robust to a machine that drifts."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True) if d)


def spread(samples: Sequence[float]) -> float:
    """(max - min) / median: how much the repetitions of one cell disagree."""
    middle = statistics.median(samples)
    return (max(samples) - min(samples)) / middle if middle else 0.0


def verdict(value: float, target: float) -> str:
    if value >= target:
        return "met"
    return f"MISSED by {(target - value) / target:.0%}"
