"""The handmade draws of tests/vectors/draw.json (docs/spec.md sections 7 and 9.3).

Each case pins one rule of the draw with a problem small enough to check by
hand. The tests check, for every case:

- that its seed is the SHA-256 of its label and gives the stated lottery order,
  so the expected results can be followed from that order alone;
- that :func:`alloc.draw.draw`, read from the public record lines, writes
  exactly the expected result lines, per-kindergarten figures and unplaced
  count;
- that the plain reference (``tests/reference.py``) gives the same, and that
  each alternative reading the case names (a :class:`reference.Reading`) does
  not: the case tells the spec's rule from that other reading.

These files are never regenerated to make a test pass: a changed vector is a
change of the specification (docs/spec.md section 13).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from conftest import load_vector
from reference import SPEC, Reading, RefResult, reference_draw, reference_summaries

from alloc.canonical import canonical_json
from alloc.draw import Outcome, draw
from alloc.errors import RulesError
from alloc.model import Applicant, DrawRules
from alloc.records import parse_record_lines, record_lines, result_lines
from alloc.tickets import group_ticket, ticket

DATA = load_vector("draw.json")
CASES = {case["name"]: case for case in DATA["cases"]}


def rules_of(case: dict[str, Any]) -> DrawRules:
    return DrawRules.from_json(case["rules"])


def applicants_of(case: dict[str, Any]) -> list[Applicant]:
    table = parse_record_lines([canonical_json(r) for r in case["records"]])
    return list(table)


def seed_of(case: dict[str, Any]) -> bytes:
    return bytes.fromhex(case["seed"])


def run(case: dict[str, Any]) -> Outcome:
    """The engine's draw on the case's public record lines."""
    lines = [canonical_json(record) for record in case["records"]]
    table = parse_record_lines(lines)
    assert record_lines(table) == lines  # the records are canonical and in order
    return draw(rules_of(case), table, seed_of(case))


def fields(result: dict[str, Any]) -> dict[str, Any]:
    """A result line's fields that the draw decides (no lottery numbers)."""
    return {
        "placed": result["placed"],
        "block": result["block"],
        "phase": result["phase"],
        "wins": [(w["kindergarten"], w["block"], w["phase"]) for w in result["wins"]],
        "waitlist": [(w["kindergarten"], w["position"]) for w in result["waitlist"]],
        "over_capacity": result["over_capacity"],
        "moved_from": result["moved_from"],
    }


def expected(case: dict[str, Any]) -> tuple[dict[str, Any], list[Any], int]:
    children = {r["registration_number"]: fields(r) for r in case["results"]}
    return children, case["kindergartens"], case["unplaced"]


def reference(
    case: dict[str, Any], reading: Reading = SPEC
) -> tuple[dict[str, Any], list[Any], int]:
    """The reference draw's result, read the spec's way or an alternative way."""
    rules, people = rules_of(case), applicants_of(case)
    result: RefResult = reference_draw(rules, people, seed_of(case), reading)
    children = {
        reg: {
            "placed": c.placed,
            "block": c.block,
            "phase": c.phase,
            "wins": list(c.wins),
            "waitlist": list(c.waitlist),
            "over_capacity": c.over_capacity,
            "moved_from": c.moved_from,
        }
        for reg, c in result.children.items()
    }
    return children, reference_summaries(rules, people, result, reading), len(result.unplaced)


@pytest.mark.parametrize("name", sorted(CASES))
def test_seed_and_lottery_order(name: str) -> None:
    case = CASES[name]
    assert hashlib.sha256(case["seed_label"].encode()).hexdigest() == case["seed"]
    rules, seed = rules_of(case), seed_of(case)
    assert rules.to_json() == case["rules"]
    bundled = rules.multiples.value in ("bundle", "bundle-over-plan")
    groups = {a.group for a in applicants_of(case) if a.group is not None and bundled}

    def number(unit: str) -> bytes:
        return (
            group_ticket(seed, rules.draw_id, unit)
            if unit in groups
            else ticket(seed, rules.draw_id, unit)
        )

    assert sorted(case["lottery_order"], key=number) == case["lottery_order"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_writes_the_expected_lines_and_figures(name: str) -> None:
    case = CASES[name]
    outcome = run(case)
    assert result_lines(outcome) == [canonical_json(r) for r in case["results"]]
    assert [s.to_json() for s in outcome.summaries] == case["kindergartens"]
    assert len(outcome.unplaced) == case["unplaced"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_reference_agrees(name: str) -> None:
    assert reference(CASES[name]) == expected(CASES[name])


ALTERNATIVES = [(name, alt) for name, case in CASES.items() for alt in case["alternatives"]]


@pytest.mark.parametrize(("name", "alternative"), sorted(ALTERNATIVES))
def test_the_case_rules_out_the_other_reading(name: str, alternative: str) -> None:
    """The alternative reading gives a different result on this case."""
    case = CASES[name]
    other = reference(case, Reading(**{alternative: True}))
    assert other != expected(case)


def test_every_alternative_reading_is_ruled_out_by_some_case() -> None:
    readings = {f.name for f in dataclasses.fields(Reading)}
    assert readings == {alt for _, alt in ALTERNATIVES}


def test_a_draw_with_phases_is_not_strategy_proof() -> None:
    """Spec 7.4: an owner placed in the owners' phase can do better by listing less."""
    for case in DATA["cases"]:
        if "truthful" not in case:
            continue
        truthful = CASES[case["truthful"]]
        child = case["child"]
        true_choices = next(
            r["choices"] for r in truthful["records"] if r["registration_number"] == child
        )
        honest = run(truthful).applicant(child).placed
        gamed = run(case).applicant(child).placed
        assert honest is not None
        assert gamed is not None
        # Listing less got the child a kindergarten it truly prefers.
        assert true_choices.index(gamed) < true_choices.index(honest)
        break
    else:
        pytest.fail("no strategy case in draw.json")


@pytest.mark.parametrize("case", DATA["errors"], ids=lambda c: c["name"])
def test_invalid_rules_are_refused(case: dict[str, Any]) -> None:
    assert case["error"]["type"] == "RulesError"
    with pytest.raises(RulesError) as exc:
        DrawRules.from_json(case["rules"])
    assert (exc.value.field, exc.value.value) == (case["error"]["field"], case["error"]["value"])
