"""Lottery numbers (spec section 5): definitions, order, column path, bad input."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloc.errors import DuplicateError, InputError
from alloc.tickets import (
    kindergarten_ticket,
    kindergarten_tickets,
    ticket,
    ticket_order,
    ticket_ranks,
    tickets,
)

SEED = hashlib.sha256(b"test seed").digest()
DRAW = "2026-tianhe-kg"

registration = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "Pd", "Zs"]),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
    .map(lambda s: __import__("unicodedata").normalize("NFC", s))
)


def test_three_line_recomputation() -> None:
    """The parent's three lines in the spec give the library's number."""
    message = b"alloc/v1/ticket\0" + DRAW.encode() + b"\0" + b"HZ-000123"
    expected = hmac.new(SEED, message, hashlib.sha256).digest()
    assert ticket(SEED, DRAW, "HZ-000123") == expected


@given(st.lists(registration, min_size=1, max_size=40, unique=True), st.randoms())
def test_shuffling_never_changes_tickets_or_ranking(regs: list[str], rnd: object) -> None:
    column = tickets(SEED, DRAW, regs)
    ranking = [regs[i] for i in ticket_order(column)]
    shuffled = list(regs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = tickets(SEED, DRAW, shuffled)
    assert [regs[i] for i in ticket_order(column)] == ranking
    assert [shuffled[i] for i in ticket_order(again)] == ranking
    for reg, row in zip(shuffled, again, strict=True):
        assert bytes(row) == ticket(SEED, DRAW, reg)


@given(st.lists(registration, min_size=1, max_size=40, unique=True))
def test_order_compares_all_256_bits_lowest_first(regs: list[str]) -> None:
    column = tickets(SEED, DRAW, regs)
    as_ints = [int.from_bytes(bytes(row), "big") for row in column]
    assert list(ticket_order(column)) == sorted(range(len(regs)), key=as_ints.__getitem__)
    ranks = ticket_ranks(column)
    assert sorted(ranks.tolist()) == list(range(len(regs)))


def test_ties_in_the_top_64_bits_are_ordered_by_the_rest() -> None:
    keys = np.zeros((4, 32), np.uint8)
    keys[:, 31] = [5, 1, 9, 3]
    keys[2, 0] = 0  # all share a zero top word
    assert list(ticket_order(keys)) == [1, 3, 0, 2]
    keys[3] = keys[0]
    with pytest.raises(DuplicateError, match="identical"):
        ticket_order(keys)


def test_duplicate_registration_numbers_are_caught_by_their_tickets() -> None:
    with pytest.raises(DuplicateError):
        ticket_order(tickets(SEED, DRAW, ["A-1", "B-2", "A-1"]))


def test_per_kindergarten_variant() -> None:
    column = kindergarten_tickets(SEED, DRAW, ["A-1", "A-1"], ["K01", "K02"])
    assert bytes(column[0]) == kindergarten_ticket(SEED, DRAW, "A-1", "K01")
    assert bytes(column[1]) == kindergarten_ticket(SEED, DRAW, "A-1", "K02")
    assert bytes(column[0]) != bytes(column[1])
    assert bytes(column[0]) != ticket(SEED, DRAW, "A-1")


def test_domain_separation_between_draws() -> None:
    assert ticket(SEED, DRAW, "A-1") != ticket(SEED, DRAW + "-2", "A-1")


@pytest.mark.parametrize(
    ("regs", "match"),
    [
        ([""], "empty"),
        (["ok", " padded"], "whitespace"),
        (["a\x00b"], "U\\+0000"),
        ([b"\xff\xfe"], "UTF-8"),
        (["e\u0301"], "NFC"),
        (["x" * 129], "longer than 128"),
    ],
)
def test_bad_registration_numbers_name_the_value(regs: list[object], match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        tickets(SEED, DRAW, regs)  # type: ignore[arg-type]
    assert info.value.row == len(regs)
    with pytest.raises(InputError, match=match):
        ticket(SEED, DRAW, regs[-1])  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), "00" * 31, "00" * 33, "AA" * 32])
def test_seed_of_wrong_length_or_form(seed: object) -> None:
    with pytest.raises(InputError, match="seed must be"):
        ticket(seed, DRAW, "A-1")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="seed"):
        tickets(seed, DRAW, ["A-1"])  # type: ignore[arg-type]


def test_a_seed_in_hex_is_the_same_seed() -> None:
    assert ticket(SEED.hex(), DRAW, "A-1") == ticket(SEED, DRAW, "A-1")
    assert tickets(SEED.hex(), DRAW, ["A-1"]).tobytes() == tickets(SEED, DRAW, ["A-1"]).tobytes()


def test_identical_inputs_give_identical_bytes() -> None:
    regs = [f"HZ-{i:06d}" for i in range(500)]
    assert tickets(SEED, DRAW, regs).tobytes() == tickets(SEED, DRAW, regs).tobytes()
