"""Experiment: what would a compiled deferred-acceptance kernel save?

Not part of alloc, and not run by the tests: it answers one question for the
benchmark README, whether compiling the allocation would bring a million-child
draw within 1.5x of the hashing floor. It needs numba, which alloc does not
depend on::

    .venv/bin/pip install numba
    .venv/bin/python benchmarks/compiled_da.py 1000000

On the benchmark's matching problem (one number per child, three tiers, no
seat blocks, bundles or phases, so a plain kernel states it fully) it runs
student-proposing deferred acceptance as one compiled loop over alloc's own
``(unit, choice)`` keys, with a max-heap of held keys per kindergarten,
checks that the matching equals ``alloc.draw.draw``'s, and prints both times.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numba  # type: ignore[import-not-found]
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import SEED, matching_problem

from alloc.draw import _prepare, _run, draw


@numba.njit(cache=True)
def _sift_up(keys: Any, units: Any, base: int, i: int, k: int) -> int:
    """Move parents with lower keys down from slot ``i``; the free slot for ``k``."""
    while i > 0:
        parent = (i - 1) >> 1
        if keys[base + parent] >= k:
            break
        keys[base + i], units[base + i] = keys[base + parent], units[base + parent]
        i = parent
    return i


@numba.njit(cache=True)
def _sift_down(keys: Any, units: Any, base: int, size: int, k: int) -> int:
    """Move children with higher keys up from the root; the free slot for ``k``."""
    i = 0
    while 2 * i + 1 < size:
        child = 2 * i + 1
        if child + 1 < size and keys[base + child + 1] > keys[base + child]:
            child += 1
        if keys[base + child] <= k:
            break
        keys[base + i], units[base + i] = keys[base + child], units[base + child]
        i = child
    return i


@numba.njit(cache=True)
def deferred_acceptance(choices: Any, key: Any, seats: Any) -> Any:
    """Kindergarten per unit (-1: unplaced); ``choices`` end in -1, lower keys win."""
    n, width = choices.shape
    start = np.zeros(seats.size + 1, np.int64)
    for s in range(seats.size):
        start[s + 1] = start[s] + seats[s]
    held_key = np.empty(start[-1], np.int64)  # a max-heap per kindergarten
    held_unit = np.empty(start[-1], np.int64)
    count = np.zeros(seats.size, np.int64)
    next_choice = np.zeros(n, np.int64)
    placed = np.full(n, -1, np.int64)
    for first in range(n):
        unit = first
        while unit >= 0:
            c = next_choice[unit]
            if c >= width or choices[unit, c] < 0:
                break
            next_choice[unit] = c + 1
            s = choices[unit, c]
            k = key[unit, c]
            base = start[s]
            size = count[s]
            if size < seats[s]:
                count[s] = size + 1
                at = _sift_up(held_key, held_unit, base, size, k)
                rejected = -1
            elif size > 0 and k < held_key[base]:
                rejected = held_unit[base]
                placed[rejected] = -1
                at = _sift_down(held_key, held_unit, base, size, k)
            else:
                continue  # refused: the unit proposes to its next choice
            held_key[base + at] = k
            held_unit[base + at] = unit
            placed[unit] = s
            unit = rejected
    return placed


def main(size: int) -> None:
    rules, table = matching_problem(size)
    start = time.perf_counter()
    outcome = draw(rules, table, SEED)
    whole = time.perf_counter() - start
    problem, order = _prepare(rules, table, SEED)
    rounds = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        _run(problem, rules, order)
        rounds = min(rounds, time.perf_counter() - start)

    seats = np.array([rules.kindergartens[i].seats for i in order], np.int64)
    choices = np.where(problem.valid, problem.choices, -1).astype(np.int64)
    key = problem.key.astype(np.int64)
    start = time.perf_counter()
    deferred_acceptance(choices[:2], key[:2], seats)
    compile_seconds = time.perf_counter() - start
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        placed = deferred_acceptance(choices, key, seats)
        best = min(best, time.perf_counter() - start)

    by_row = np.full(len(table), -1, np.int64)
    by_row[problem.unit_rows] = np.where(placed >= 0, np.asarray(order)[placed], -1)
    same = bool((by_row == np.asarray(outcome.placed)).all())
    print(f"{size:,} applicants, {len(seats):,} kindergartens")
    print(f"alloc.draw.draw, tickets included        {whole:8.3f} s")
    print(f"alloc's DA rounds (numpy), best of 3     {rounds:8.3f} s")
    print(f"compiled kernel, best of 3               {best:8.3f} s")
    print(f"compiled kernel, first call (compiling)  {compile_seconds:8.3f} s")
    print(f"same matching: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit("the compiled kernel's matching differs from alloc's")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
