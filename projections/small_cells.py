"""Small-cell suppression of published counts: primary, then secondary, then a check by algebra.

A count between 1 and ``threshold - 1`` describes so few people that they could be told
apart, so it is never published (primary suppression). A published total would then give
it back by subtraction, so more cells are withheld until none can be worked out from the
others (secondary suppression). Zero is published: it describes no one.

The cells of a whole report go through one call, with every sum that holds between them
(``Sum(total, parts)``: a row, a column, or one figure repeated in several tables as the
same key), so that no combination of tables gives a withheld cell back. The rule "no sum
with exactly one withheld cell" is not enough on its own for some patterns of several sums,
so the result is checked by solving the sums for each withheld cell (exact arithmetic), and
more is withheld until no cell can be solved for.

Pure: no I/O, no clock, no framework.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Sum(Generic[K]):
    """``total`` is published as the sum of ``parts``: a row, a column, a table's grand total."""

    total: K
    parts: tuple[K, ...]


def is_small(count: int, threshold: int) -> bool:
    """A count of too few people to publish: 1 to ``threshold - 1`` (zero is published)."""
    return 0 < count < threshold


def suppress(values: Mapping[K, int], sums: Sequence[Sum[K]], threshold: int) -> frozenset[K]:
    """The cells to withhold so that none below ``threshold`` is published or can be worked out.

    ``values``: every published count, by key; ``sums``: the sums that hold between them.
    """
    withheld = {key for key, count in values.items() if is_small(count, threshold)}
    while True:
        _withhold_lone_cells(values, sums, withheld)
        solvable = recoverable(values, sums, withheld)
        if not solvable:
            return frozenset(withheld)
        # A pattern of several sums gives a cell back: withhold one more cell beside it.
        key = min(solvable, key=_order(values))
        beside = [s for s in sums if key in _cells(s)] + list(sums)
        open_sum = next((s for s in beside if any(k not in withheld for k in _cells(s))), None)
        if open_sum is None:  # every cell of every sum withheld already: nothing is left to give away
            return frozenset(withheld)
        withheld.add(_partner(values, open_sum, withheld))


def recoverable(values: Mapping[K, int], sums: Sequence[Sum[K]], withheld: Iterable[K]) -> set[K]:
    """The withheld cells that the published cells and the sums determine exactly.

    Each sum is an equation in the withheld cells (the published ones are known numbers);
    a cell is determined when its unit vector lies in the span of those equations.
    """
    unknowns = sorted(set(withheld), key=_order(values))
    if not unknowns:
        return set()
    column = {key: i for i, key in enumerate(unknowns)}
    equations = []
    for a_sum in sums:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in [(a_sum.total, 1), *((part, -1) for part in a_sum.parts)]:
            if key in column:
                row[column[key]] += sign
        if any(row):
            equations.append(row)
    basis = _echelon(equations)
    return {key for key in unknowns if _in_span(basis, column[key], len(unknowns))}


def _withhold_lone_cells(values: Mapping[K, int], sums: Sequence[Sum[K]], withheld: set[K]) -> None:
    """Until no sum has exactly one withheld cell (which subtraction would give back)."""
    changed = True
    while changed:
        changed = False
        for a_sum in sums:
            if sum(1 for key in _cells(a_sum) if key in withheld) == 1:
                withheld.add(_partner(values, a_sum, withheld))
                changed = True


def _partner(values: Mapping[K, int], a_sum: Sum[K], withheld: set[K]) -> K:
    """The cell to withhold beside another: the smallest non-zero part, else a zero part, else the total.

    The smallest, to lose as little as possible; non-zero first, because a withheld zero
    beside a small cell still lets a reader bound the small one.
    """
    parts = [key for key in a_sum.parts if key not in withheld]
    if parts:
        return min(parts, key=lambda key: (values[key] == 0, values[key], str(key)))
    return a_sum.total


def _cells(a_sum: Sum[K]) -> tuple[K, ...]:
    return (a_sum.total, *a_sum.parts)


def _order(values: Mapping[K, int]) -> Callable[[K], tuple[int, str]]:
    return lambda key: (values[key], str(key))


def _echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form: (pivot column, row) pairs."""
    basis: list[tuple[int, list[Fraction]]] = []
    for original in rows:
        row = list(original)
        for pivot, base in basis:
            if row[pivot]:
                factor = row[pivot]
                row = [a - factor * b for a, b in zip(row, base, strict=True)]
        lead = next((i for i, a in enumerate(row) if a), None)
        if lead is None:
            continue
        row = [a / row[lead] for a in row]
        reduced = []
        for pivot, base in basis:
            if base[lead]:
                factor = base[lead]
                base = [a - factor * b for a, b in zip(base, row, strict=True)]
            reduced.append((pivot, base))
        basis = [*reduced, (lead, row)]
    return basis


def _in_span(basis: list[tuple[int, list[Fraction]]], index: int, width: int) -> bool:
    vector = [Fraction(0)] * width
    vector[index] = Fraction(1)
    for pivot, row in basis:
        if vector[pivot]:
            factor = vector[pivot]
            vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
    return not any(vector)
