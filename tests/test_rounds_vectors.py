"""The handmade later rounds of tests/vectors/rounds.json (docs/spec.md section 11).

Each case is a draw followed by one or more rounds, small enough to work out
by hand. The tests check, for every case:

- that its seed is the SHA-256 of its label and gives the stated lottery
  order, so the rounds can be followed from that order alone;
- that :func:`alloc.rounds.next_round`, fed the responses and records as
  read from their canonical lines, writes exactly the expected standing
  lines and figures after every round;
- that the plain reference (``tests/reference_rounds.py``) gives the same,
  and that each alternative reading the case names gives something else.

These files are never regenerated to make a test pass: a changed vector is
a change of the specification (docs/spec.md section 13).
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import pytest
from conftest import load_vector
from reference_rounds import (
    ROUNDS_SPEC,
    RefRound,
    RoundReading,
    ref_first_round,
    ref_next_round,
    ref_standing_json,
)

from alloc.canonical import canonical_json
from alloc.draw import draw
from alloc.model import Applicant, DrawRules
from alloc.records import parse_record_lines, record_lines
from alloc.rounds import (
    Standings,
    first_standings,
    next_round,
    parse_response_lines,
    response_lines,
    standing_lines,
)
from alloc.tickets import group_ticket, kindergarten_ticket, ticket

DATA = load_vector("rounds.json")
CASES = {case["name"]: case for case in DATA["cases"]}


def records_of(objects: list[dict[str, Any]]) -> list[Applicant]:
    lines = [canonical_json(r) for r in objects]
    table = parse_record_lines(lines)
    assert record_lines(table) == lines  # canonical and in order
    return list(table)


def engine_rounds(case: dict[str, Any]) -> list[Standings]:
    """Every later round's standings, from the engine."""
    rules = DrawRules.from_json(case["rules"])
    people = records_of(case["records"])
    seed = bytes.fromhex(case["seed"])
    standings = first_standings(draw(rules, people, seed), people)
    out = []
    for entry in case["rounds"]:
        lines = [canonical_json(r) for r in entry["responses"]]
        responses = parse_response_lines(lines)
        assert response_lines(responses) == lines
        records = None if entry["records"] is None else records_of(entry["records"])
        round_seed = None if entry["seed"] is None else bytes.fromhex(entry["seed"])
        standings = next_round(standings, responses, records=records, seed=round_seed).standings
        out.append(standings)
    return out


def reference_rounds(case: dict[str, Any], reading: RoundReading = ROUNDS_SPEC) -> list[Any]:
    """Every later round's standing objects, from the reference read one way or another."""
    rules = DrawRules.from_json(case["rules"])
    people = records_of(case["records"])
    state: RefRound = ref_first_round(rules, people, bytes.fromhex(case["seed"]))
    out = []
    for entry in case["rounds"]:
        state = ref_next_round(
            state,
            [
                (r["registration_number"], r["answer"], r["kindergarten"])
                for r in entry["responses"]
            ],
            unanswered=case["rules"]["unanswered"],
            records=None if entry["records"] is None else records_of(entry["records"]),
            seed=None if entry["seed"] is None else bytes.fromhex(entry["seed"]),
            reading=reading,
        )
        out.append([ref_standing_json(state, reg) for reg in sorted(state.children)])
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_seed_and_lottery_order(name: str) -> None:
    case = CASES[name]
    assert hashlib.sha256(case["seed_label"].encode()).hexdigest() == case["seed"]
    rules = DrawRules.from_json(case["rules"])
    assert rules.to_json() == case["rules"]
    seed = bytes.fromhex(case["seed"])
    bundled = rules.multiples.value in ("bundle", "bundle-over-plan")
    groups = {r["group"] for r in case["records"] if r["group"] is not None and bundled}

    def number(unit: str) -> bytes:
        if unit in groups:
            return group_ticket(seed, rules.draw_id, unit)
        return ticket(seed, rules.draw_id, unit)

    order = case["lottery_order"]
    if isinstance(order, dict):  # tie_break = per-kindergarten: one order per kindergarten
        for kg, units in order.items():
            key = {u: kindergarten_ticket(seed, rules.draw_id, u, kg) for u in units}
            assert sorted(units, key=key.__getitem__) == units
    else:
        assert sorted(order, key=number) == order
    for entry in case["rounds"]:
        if entry["seed_label"] is not None:
            assert hashlib.sha256(entry["seed_label"].encode()).hexdigest() == entry["seed"]
            if case["rules"]["round_seed"] == "same":
                assert entry["seed"] == case["seed"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_writes_the_expected_standings_and_figures(name: str) -> None:
    case = CASES[name]
    for standings, entry in zip(engine_rounds(case), case["rounds"], strict=True):
        assert standing_lines(standings) == [canonical_json(s) for s in entry["standings"]]
        assert [s.to_json() for s in standings.summaries] == entry["kindergartens"]
        assert len(standings.unplaced) == entry["unplaced"]
        assert int(standings.declined.sum()) == entry["declined"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_reference_agrees(name: str) -> None:
    case = CASES[name]
    assert reference_rounds(case) == [entry["standings"] for entry in case["rounds"]]


ALTERNATIVES = [(name, alt) for name, case in CASES.items() for alt in case["alternatives"]]


@pytest.mark.parametrize(("name", "alternative"), sorted(ALTERNATIVES))
def test_the_case_rules_out_the_other_reading(name: str, alternative: str) -> None:
    case = CASES[name]
    other = reference_rounds(case, RoundReading(**{alternative: True}))
    assert other != [entry["standings"] for entry in case["rounds"]]


def test_every_alternative_reading_is_ruled_out_by_some_case() -> None:
    readings = {f.name for f in dataclasses.fields(RoundReading)}
    assert readings == {alt for _, alt in ALTERNATIVES}


def test_every_case_is_named_in_the_spec() -> None:
    """Section 11 names every case where it states the case's rule."""
    spec = (Path(__file__).parents[1] / "docs" / "spec.md").read_text(encoding="utf-8")
    for name in CASES:
        assert f"`{name}`" in spec, name
