"""The line-per-child files at any size: column-wise writers and readers against RFC 8785.

``record_lines`` and ``result_lines`` build a million lines column by column,
with shortcuts for lines that share a layout; ``parse_record_lines`` reads
large files column-wise. Every shortcut is checked here against the plain
definition: each line is ``canonical_json`` of its record or result, and the
column-wise reader gives the same table, or the same error, as reading line
by line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import problems

from alloc import records
from alloc.canonical import canonical_json, tagged_message
from alloc.draw import draw
from alloc.errors import InputError
from alloc.merkle import MerkleTree, merkle_root
from alloc.model import (
    Applicant,
    ApplicantTable,
    DrawRules,
    Fact,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    SeatBlock,
    TieBreak,
)
from alloc.synthetic import synthetic_district

SEED = hashlib.sha256(b"test_records").digest()


def record_json(person: Applicant) -> dict[str, Any]:
    """Spec section 8.1, written out plainly."""
    return {
        "choices": list(person.choices),
        "facts": [
            {"fact": f.name, "kindergarten": f.kindergarten}
            for f in sorted(person.facts, key=lambda f: (f.name, f.kindergarten))
        ],
        "group": person.group,
        "identity": None if person.identity is None else person.identity.hex(),
        "registration_number": person.registration_number,
        "tier": person.tier,
    }


def expected_record_lines(table: ApplicantTable) -> list[bytes]:
    people = sorted(table, key=lambda a: a.registration_number)
    return [canonical_json(record_json(a)) for a in people]


def answer(read: Any, lines: list[bytes]) -> Any:
    """What ``read(lines)`` gives, as a comparable value: the table's columns or the error."""
    try:
        table = read(lines)
    except InputError as exc:
        return ("error", str(exc))
    return (
        "table",
        table.registration_numbers,
        table.kindergarten_ids,
        table.choices.tolist(),
        table.tier_names,
        table.tiers.tolist() if table.tiers is not None else None,
        table.group_ids,
        table.groups.tolist() if table.groups is not None else None,
        table.fact_names,
        table.fact_rows.tolist(),
        table.fact_codes.tolist(),
        table.fact_kindergartens.tolist(),
        None if table.identities is None else table.identities.tobytes(),
    )


def parse_both(lines: list[bytes], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The column-wise reader's answer and the line-by-line reader's, as comparable values."""
    with monkeypatch.context() as patch:
        patch.setattr(records, "_FAST_PARSE_MIN", 1)
        fast = answer(records.parse_record_lines, lines)
    slow = answer(records._parse_records_slowly, lines)
    return fast, slow


def parse_in_chunks(lines: list[bytes], size: int, *, fast: bool) -> Any:
    """The answer of reading ``lines`` ``size`` at a time, column-wise or line by line."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "CHUNK_LINES", size)
        patch.setattr(records, "_FAST_PARSE_MIN", 1 if fast else len(lines) + 1)
        return answer(records.parse_record_lines, lines)


# Identifiers that need JSON escapes, are not ASCII, or are not the width of the others.
AWKWARD = ('R"1', "R\\2", "东山-1", "a b", "Z", "𝔘nicode", "K,1", 'q"],"facts":[')


@settings(max_examples=150)
@given(
    st.lists(
        st.sampled_from([*AWKWARD, *(f"R{i:03d}" for i in range(40))]),
        min_size=1,
        max_size=25,
        unique=True,
    ),
    st.data(),
    st.booleans(),
)
def test_record_lines_are_the_canonical_json_of_each_record(
    regs: list[str], data: st.DataObject, with_identity: bool
) -> None:
    ids = data.draw(
        st.sampled_from(
            [("KA1", "KB2", "KC3", "KD4"), ("K1", 'K"2', "东3", "K\\4"), ("KA1", "KB2", "东3")]
        )
    )
    people = []
    for number, reg in enumerate(regs):
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        facts = data.draw(
            st.sets(
                st.builds(Fact, st.sampled_from(["owner", 'st"aff', "ä"]), st.sampled_from(chosen)),
                max_size=3,
            )
        )
        people.append(
            Applicant(
                reg,
                tuple(chosen),
                tier=data.draw(st.sampled_from([None, "local", 'T"2', "policy-care"])),
                facts=frozenset(facts),
                group=data.draw(st.sampled_from([None, None, "G1", 'G"2'])),
                identity=(number * 7919).to_bytes(32, "big") if with_identity else None,
            )
        )
    table = ApplicantTable.from_applicants(people)
    assert records.record_lines(table) == expected_record_lines(table)


def _valid_problems() -> st.SearchStrategy[Any]:
    return problems(max_applicants=30)


@settings(max_examples=150)
@given(_valid_problems())
def test_result_lines_are_the_canonical_json_of_each_result(problem: Any) -> None:
    outcome = draw(problem.rules, problem.applicants, problem.seed)
    lines = records.result_lines(outcome)
    assert lines == [canonical_json(result.to_json()) for result in outcome]


@settings(max_examples=100)
@given(_valid_problems(), st.data())
def test_result_lines_in_any_chunks_are_the_lines_written_at_once(
    problem: Any, data: st.DataObject
) -> None:
    outcome = draw(problem.rules, problem.applicants, problem.seed)
    lines = records.result_lines(outcome)
    size = data.draw(st.integers(1, len(lines) + 1))
    chunks = list(records.result_line_chunks(outcome, size))
    assert [line for chunk in chunks for line in chunk] == lines
    assert all(len(chunk) == size for chunk in chunks[:-1])


@pytest.mark.parametrize("mechanism", list(Mechanism))
@pytest.mark.parametrize("tie_break", list(TieBreak))
def test_a_synthetic_district_writes_canonical_lines(
    mechanism: Mechanism, tie_break: TieBreak
) -> None:
    multiples = (
        MultiplesPolicy.BUNDLE
        if mechanism is Mechanism.INDEPENDENT
        else MultiplesPolicy.MERGE_AFTER
    )
    district = synthetic_district(
        applicants=1500,
        kindergartens=9,
        min_choices=1,
        choices=4,
        twins=30,
        triplets=3,
        mechanism=mechanism,
        multiples=multiples,
        seats=1000,
    )
    rules = replace(district.rules, tie_break=tie_break)
    table = replace(
        district.applicants,
        identities=np.frombuffer(hashlib.shake_256(b"ids").digest(1500 * 32), np.uint8).reshape(
            1500, 32
        ),
    )
    assert records.record_lines(table) == expected_record_lines(table)
    outcome = draw(rules, table, SEED)
    lines = records.result_lines(outcome)
    assert lines == [canonical_json(r.to_json()) for r in outcome]
    for size in (7, 256, 1500):
        chunks = records.result_line_chunks(outcome, size)
        assert [line for chunk in chunks for line in chunk] == lines


@settings(max_examples=100)
@given(_valid_problems(), st.booleans())
def test_the_column_wise_reader_reads_what_was_written(problem: Any, identities: bool) -> None:
    people = problem.applicants
    if identities:
        people = tuple(
            replace(a, identity=hashlib.sha256(a.registration_number.encode()).digest())
            for a in people
        )
    lines = records.record_lines(ApplicantTable.from_applicants(people))
    with pytest.MonkeyPatch.context() as patch:
        fast, slow = parse_both(lines, patch)
    assert fast == slow
    assert fast[0] == "table"


MUTATIONS = b'"\\:,{}[]0123456789abcdefKGnul \n\x00\x7f\xff'


@settings(max_examples=300)
@given(st.data())
def test_the_column_wise_reader_agrees_with_the_line_reader_on_damaged_files(
    data: st.DataObject,
) -> None:
    district = synthetic_district(applicants=60, kindergartens=5, twins=4, triplets=1, seats=40)
    table = district.applicants
    if data.draw(st.booleans()):
        table = replace(
            table,
            identities=np.frombuffer(bytes(range(256)) * 8, np.uint8)[: 60 * 32].reshape(60, 32),
        )
    lines = records.record_lines(table)
    at = data.draw(st.integers(0, len(lines) - 1))
    line = bytearray(lines[at])
    kind = data.draw(st.sampled_from(["replace", "delete", "insert", "swap", "upper"]))
    where = data.draw(st.integers(0, len(line) - 1))
    if kind == "replace":
        line[where] = data.draw(st.sampled_from(MUTATIONS))
    elif kind == "delete":
        del line[where]
    elif kind == "insert":
        line.insert(where, data.draw(st.sampled_from(MUTATIONS)))
    elif kind == "upper":
        line = bytearray(bytes(line).upper())
    damaged = list(lines)
    if kind == "swap":
        other = data.draw(st.integers(0, len(lines) - 1))
        damaged[at], damaged[other] = damaged[other], damaged[at]
    else:
        damaged[at] = bytes(line)
    with pytest.MonkeyPatch.context() as patch:
        fast, slow = parse_both(damaged, patch)
    assert fast == slow


@settings(max_examples=100)
@given(_valid_problems(), st.booleans(), st.data())
def test_a_file_read_in_chunks_gives_the_table_read_whole(
    problem: Any, identities: bool, data: st.DataObject
) -> None:
    people = problem.applicants
    if identities:
        people = tuple(
            replace(a, identity=hashlib.sha256(a.registration_number.encode()).digest())
            for a in people
        )
    lines = records.record_lines(ApplicantTable.from_applicants(people))
    size = data.draw(st.integers(1, len(lines) + 1))
    whole = answer(records._parse_records_slowly, lines)
    assert whole[0] == "table"
    assert parse_in_chunks(lines, size, fast=data.draw(st.booleans())) == whole


@settings(max_examples=300)
@given(st.data())
def test_a_damaged_line_in_any_chunk_is_named_as_when_read_whole(data: st.DataObject) -> None:
    district = synthetic_district(applicants=60, kindergartens=5, twins=4, triplets=1, seats=40)
    table = district.applicants
    if data.draw(st.booleans()):
        table = replace(table, identities=np.arange(60 * 32, dtype=np.uint8).reshape(60, 32))
    lines = records.record_lines(table)
    damaged = list(lines)
    kind = data.draw(st.sampled_from(["byte", "swap", "identity", "drop"]))
    at = data.draw(st.integers(0, len(lines) - 1))
    if kind == "byte":
        line = bytearray(lines[at])
        line[data.draw(st.integers(0, len(line) - 1))] = data.draw(st.sampled_from(MUTATIONS))
        damaged[at] = bytes(line)
    elif kind == "swap":
        # Two neighbours out of order: at a chunk boundary only the chunks' ends show it.
        at = min(at, len(lines) - 2)
        damaged[at], damaged[at + 1] = damaged[at + 1], damaged[at]
    elif kind == "identity":
        at = max(at, 1)
        other = replace(
            table,
            identities=None if table.identities is not None else np.zeros((60, 32), np.uint8),
        )
        damaged[at:] = records.record_lines(other)[at:]
    else:
        del damaged[at]
    size = data.draw(st.integers(1, 70))
    whole = answer(records._parse_records_slowly, damaged)
    assert parse_in_chunks(damaged, size, fast=data.draw(st.booleans())) == whole
    assert kind in ("byte", "drop") or whole[0] == "error"


@pytest.mark.parametrize("size", [1, 19, 20, 21, 40])
def test_a_file_mixing_records_with_and_without_identity_is_refused_in_any_chunks(
    size: int,
) -> None:
    district = synthetic_district(applicants=40, kindergartens=4, twins=2, triplets=0)
    plain = records.record_lines(district.applicants)
    with_ids = records.record_lines(
        replace(district.applicants, identities=np.zeros((40, 32), np.uint8))
    )
    for lines in ([*with_ids[:20], *plain[20:]], [*plain[:20], *with_ids[20:]]):
        expected = (
            "error",
            str(
                InputError(
                    "some records carry an identity commitment and some do not",
                    field="identity",
                    row=21,
                    source="records",
                )
            ),
        )
        for fast in (False, True):
            assert parse_in_chunks(lines, size, fast=fast) == expected


def test_the_reader_takes_any_iterable_of_lines() -> None:
    district = synthetic_district(applicants=30, kindergartens=4)
    lines = records.record_lines(district.applicants)
    expected = answer(records.parse_record_lines, lines)
    assert answer(records.parse_record_lines, iter(lines)) == expected
    assert answer(records.parse_record_lines, tuple(lines)) == expected
    assert answer(records.parse_record_lines, []) == answer(records._parse_records_slowly, [])


def test_a_file_mixing_records_with_and_without_identity_is_refused_either_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    district = synthetic_district(applicants=40, kindergartens=4, twins=2, triplets=0)
    plain = records.record_lines(district.applicants)
    with_ids = records.record_lines(
        replace(district.applicants, identities=np.zeros((40, 32), np.uint8))
    )
    fast, slow = parse_both([*with_ids[:20], *plain[20:]], monkeypatch)
    assert fast == slow
    assert fast[0] == "error"


@given(st.lists(st.binary(max_size=40), max_size=40), st.binary(max_size=70))
def test_a_prefixed_merkle_root_is_the_root_of_the_concatenations(
    leaves: list[bytes], prefix: bytes
) -> None:
    joined = [prefix + leaf for leaf in leaves]
    assert merkle_root(leaves, prefix=prefix) == merkle_root(joined)
    tree = MerkleTree(leaves, prefix=prefix)
    assert tree.root == MerkleTree(joined).root
    if leaves:
        assert tree.inclusion_proof(len(leaves) - 1) == MerkleTree(joined).inclusion_proof(
            len(leaves) - 1
        )


def test_record_and_result_roots_use_the_tagged_leaves() -> None:
    district = synthetic_district(applicants=300, kindergartens=6)
    lines = records.record_lines(district.applicants)
    draw_id = district.rules.draw_id
    leaves = [tagged_message("alloc/v1/record", draw_id, line) for line in lines]
    assert records.records_root(draw_id, lines) == merkle_root(leaves)
    results = records.result_lines(draw(district.rules, district.applicants, SEED))
    leaves = [tagged_message("alloc/v1/result", draw_id, line) for line in results]
    assert records.results_root(draw_id, results) == merkle_root(leaves)


def test_every_line_parses_as_json_with_the_documented_keys() -> None:
    district = synthetic_district(applicants=200, kindergartens=5)
    for line in records.record_lines(district.applicants):
        assert list(json.loads(line)) == [
            "choices",
            "facts",
            "group",
            "identity",
            "registration_number",
            "tier",
        ]


def test_rules_with_seat_blocks_and_tiers_write_canonical_result_lines() -> None:
    rules = DrawRules(
        draw_id="d-1",
        kindergartens=tuple(
            Kindergarten(k, k, seats=3, blocks=(SeatBlock('b"x', 1, "owner"),))
            for k in ("K1", 'K"2', "东3")
        ),
        tiers=("t1", 'T"2'),
        waitlist_length=3,
    )
    people = [
        Applicant(f"R{i}", ("K1", 'K"2', "东3")[i % 3 :], tier=("t1", 'T"2')[i % 2])
        for i in range(12)
    ]
    outcome = draw(rules, people, SEED)
    assert records.result_lines(outcome) == [canonical_json(r.to_json()) for r in outcome]


def test_a_short_string_on_the_last_line_beside_a_long_one_reads_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The column-wise reader reads strings in 8-byte words: a 4-character tier
    # at the very end of the file, with a 12-character tier elsewhere, once
    # read a window past the end of the buffer.
    people = [
        Applicant(f"A{i:03d}", ("K1",), tier="policy-care" if i % 2 else "own") for i in range(9)
    ]
    table = ApplicantTable.from_applicants(people)
    lines = records.record_lines(table)
    assert lines[-1].endswith(b'"tier":"own"}')
    fast, slow = parse_both(lines, monkeypatch)
    assert fast == slow
    assert fast[0] == "table"
