"""Small-cell suppression: no count below the threshold, and none that sums give back."""

from __future__ import annotations

import itertools
import random

from projections.small_cells import Sum, is_small, recoverable, suppress


def table(grid: list[list[int]]) -> tuple[dict[str, int], list[Sum[str]]]:
    """A grid with a total per row, per column, and the grand total."""
    values: dict[str, int] = {}
    sums: list[Sum[str]] = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            values[f"{r},{c}"] = value
        values[f"{r},T"] = sum(row)
        sums.append(Sum(f"{r},T", tuple(f"{r},{c}" for c in range(len(row)))))
    for c in [*range(len(grid[0])), "T"]:
        values[f"T,{c}"] = sum(values[f"{r},{c}"] for r in range(len(grid)))
        sums.append(Sum(f"T,{c}", tuple(f"{r},{c}" for r in range(len(grid)))))
    sums.append(Sum("T,T", tuple(f"T,{c}" for c in range(len(grid[0])))))
    return values, sums


def test_a_count_below_the_threshold_is_withheld_and_zero_and_large_ones_are_not() -> None:
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 120}
    assert suppress(values, [], 5) == {"b", "c"}
    assert [is_small(n, 5) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert suppress(values, [], 2) == {"b"}


def test_one_small_cell_in_a_row_with_its_total_takes_the_next_smallest_with_it() -> None:
    values = {"lawyer": 1, "cpas": 9, "forem": 6, "total": 16}
    withheld = suppress(values, [Sum("total", ("lawyer", "cpas", "forem"))], 5)
    assert withheld == {"lawyer", "forem"}  # forem: the smallest that hides the lawyer's one
    assert recoverable(values, [Sum("total", ("lawyer", "cpas", "forem"))], withheld) == set()


def test_a_small_total_is_withheld_with_its_parts() -> None:
    values = {"a": 3, "b": 0, "total": 3}
    assert suppress(values, [Sum("total", ("a", "b"))], 5) == {"a", "total"}


def test_the_same_figure_in_two_tables_is_one_cell() -> None:
    """New people: the total of the nationalities and of the months, withheld in both or neither."""
    values = {"TR": 7, "others": 3, "sep": 6, "oct": 4, "new": 10}
    sums = [Sum("new", ("TR", "others")), Sum("new", ("sep", "oct"))]
    withheld = suppress(values, sums, 5)
    assert {"others", "TR", "oct", "sep"} <= withheld and "new" not in withheld
    assert recoverable(values, sums, withheld) == set()


def test_recoverable_finds_a_cell_that_several_sums_give_back_together() -> None:
    values, sums = table([[2, 8], [7, 9]])
    assert recoverable(values, sums, {"0,0"}) == {"0,0"}
    assert recoverable(values, sums, {"0,0", "0,1", "1,0", "1,1"}) == set()  # a rectangle holds
    assert recoverable(values, sums, {"0,0", "0,1"}) == {"0,0", "0,1"}  # the columns give both back


def test_random_tables_publish_no_small_count_and_nothing_that_can_be_worked_out() -> None:
    rng = random.Random(14)
    for rows, columns in itertools.product(range(1, 5), range(1, 5)):
        for _ in range(25):
            grid = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(columns)] for _ in range(rows)]
            values, sums = table(grid)
            withheld = suppress(values, sums, 5)
            published = {k: v for k, v in values.items() if k not in withheld}
            assert not [v for v in published.values() if is_small(v, 5)], grid
            assert recoverable(values, sums, withheld) == set(), (grid, sorted(withheld))
