"""Bad rules and bad applicant data raise precise errors.

Every error is an :class:`alloc.errors.AllocError` (an ``InputError``, a
``DuplicateError`` or a ``RulesError``) whose message names where the problem
is (the applicant, the source row when there is one, the field) and the value
at fault, so an operator on stage can act on the message alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from alloc.draw import draw
from alloc.errors import AllocError, DuplicateError, InputError, RulesError
from alloc.model import (
    Applicant,
    ApplicantTable,
    DrawRules,
    Fact,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    SeatBlock,
)

SEED = bytes(range(32))
K1 = Kindergarten(id="K1", name="Sunshine", seats=2)
K2 = Kindergarten(id="K2", name="Moon", seats=1)
RULES = DrawRules(draw_id="D-2025", kindergartens=(K1, K2))
TIERED = DrawRules(draw_id="D-2025", kindergartens=(K1, K2), tiers=("care", "other"))


def message_names(error: BaseException, *parts: str) -> None:
    assert isinstance(error, AllocError)
    text = str(error)
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"


def table(
    regs: tuple[str, ...],
    kg_ids: tuple[str, ...],
    choices: list[list[int]],
    **columns: object,
) -> ApplicantTable:
    """An applicant table as a spreadsheet reader builds it: file rows from 2."""
    return ApplicantTable(
        registration_numbers=regs,
        kindergarten_ids=kg_ids,
        choices=np.array(choices, np.int32),
        source_rows=np.arange(2, 2 + len(regs)),
        **columns,  # type: ignore[arg-type]
    )


# --- applicant data -----------------------------------------------------------------


def test_unknown_kindergarten_in_a_choice_list() -> None:
    people = [Applicant("R1", ("K1",)), Applicant("R2", ("K1", "K9"))]
    with pytest.raises(InputError) as exc:
        draw(RULES, people, SEED)
    assert (exc.value.field, exc.value.value) == ("choice 2", "K9")
    message_names(exc.value, "'R2'", "choice 2", "'K9'", "unknown kindergarten")


def test_unknown_kindergarten_names_the_source_row() -> None:
    rows = table(("R1", "R2", "R3"), ("K1", "K9"), [[0, -1], [0, 1], [0, -1]])
    with pytest.raises(InputError) as exc:
        draw(RULES, rows, SEED)
    assert (exc.value.row, exc.value.field, exc.value.value) == (3, "choice 2", "K9")
    message_names(exc.value, "row 3", "'R2'", "'K9'")


def test_a_kindergarten_listed_twice_by_one_child() -> None:
    with pytest.raises(DuplicateError) as exc:
        Applicant("R1", ("K1", "K2", "K1"))
    assert exc.value.value == "K1"
    message_names(exc.value, "'R1'", "choices", "'K1'", "twice")


def test_a_kindergarten_listed_twice_in_a_table_row() -> None:
    rows = table(("R1", "R2"), ("K1", "K2"), [[0, 1], [1, 1]])
    with pytest.raises(InputError) as exc:
        draw(RULES, rows, SEED)
    assert (exc.value.row, exc.value.value) == (3, "K2")
    message_names(exc.value, "row 3", "'R2'", "'K2'", "twice")


def test_an_empty_choice_list() -> None:
    with pytest.raises(InputError) as exc:
        draw(RULES, [Applicant("R1", ("K1",)), Applicant("R2", ())], SEED)
    message_names(exc.value, "'R2'", "choices", "no kindergarten")


def test_a_gap_in_a_table_choice_list() -> None:
    rows = table(("R1",), ("K1", "K2"), [[0, -1, 1]])
    with pytest.raises(InputError) as exc:
        draw(RULES, rows, SEED)
    assert exc.value.row == 2
    message_names(exc.value, "row 2", "'R1'", "gap")


def test_duplicate_registration_numbers() -> None:
    people = [Applicant("R1", ("K1",)), Applicant("R2", ("K1",)), Applicant("R1", ("K2",))]
    with pytest.raises(DuplicateError) as exc:
        draw(RULES, people, SEED)
    assert (exc.value.field, exc.value.value) == ("registration_number", "R1")
    message_names(exc.value, "registration_number", "'R1'", "twice")


def test_duplicate_registration_numbers_name_both_rows() -> None:
    rows = table(("R1", "R2", "R1"), ("K1",), [[0], [0], [0]])
    with pytest.raises(DuplicateError) as exc:
        draw(RULES, rows, SEED)
    assert (exc.value.row, exc.value.value) == (4, "R1")
    message_names(exc.value, "row 4", "row 2", "'R1'")


def test_multiples_with_different_choice_lists() -> None:
    people = [
        Applicant("R1", ("K1", "K2"), group="twins"),
        Applicant("R2", ("K2", "K1"), group="twins"),
    ]
    for policy in MultiplesPolicy:
        rules = DrawRules(draw_id="D-2025", kindergartens=(K1, K2), multiples=policy)
        with pytest.raises(InputError) as exc:
            draw(rules, people, SEED)
        assert (exc.value.field, exc.value.value) == ("group", "twins")
        message_names(exc.value, "'R2'", "'R1'", "'twins'", "different choices")


def test_an_empty_group_id() -> None:
    with pytest.raises(InputError) as exc:
        Applicant("R1", ("K1",), group="")
    assert exc.value.value == ""
    message_names(exc.value, "'R1'", "group", "empty")


def test_a_single_member_group() -> None:
    people = [Applicant("R1", ("K1",), group="twins"), Applicant("R2", ("K1",))]
    with pytest.raises(InputError) as exc:
        draw(RULES, people, SEED)
    assert (exc.value.field, exc.value.value) == ("group", "twins")
    message_names(exc.value, "'R1'", "'twins'", "only member")


def test_a_single_member_group_in_a_table_names_the_row() -> None:
    rows = table(("R1", "R2"), ("K1",), [[0], [0]], group_ids=("G",), groups=np.array([-1, 0]))
    with pytest.raises(InputError) as exc:
        draw(RULES, rows, SEED)
    assert (exc.value.row, exc.value.value) == (3, "G")
    message_names(exc.value, "row 3", "'R2'", "'G'")


def test_a_tier_not_declared_in_the_rules() -> None:
    people = [Applicant("R1", ("K1",), tier="care"), Applicant("R2", ("K1",), tier="vip")]
    with pytest.raises(InputError) as exc:
        draw(TIERED, people, SEED)
    assert (exc.value.field, exc.value.value) == ("tier", "vip")
    message_names(exc.value, "'R2'", "tier", "'vip'", "'care'", "'other'")


def test_a_tier_when_the_rules_declare_none() -> None:
    with pytest.raises(InputError) as exc:
        draw(RULES, [Applicant("R1", ("K1",), tier="care")], SEED)
    assert (exc.value.field, exc.value.value) == ("tier", "care")
    message_names(exc.value, "'R1'", "tier", "'care'")


def test_a_missing_tier_when_the_rules_declare_tiers() -> None:
    people = [Applicant("R1", ("K1",), tier="care"), Applicant("R2", ("K1",))]
    with pytest.raises(InputError) as exc:
        draw(TIERED, people, SEED)
    assert exc.value.field == "tier"
    message_names(exc.value, "'R2'", "tier", "'care'")


def test_a_fact_at_an_unknown_kindergarten() -> None:
    person = Applicant("R1", ("K1",), facts=frozenset({Fact("owner", "K7")}))
    with pytest.raises(InputError) as exc:
        draw(RULES, [person], SEED)
    assert (exc.value.field, exc.value.value) == ("facts", "K7")
    message_names(exc.value, "'R1'", "facts", "'K7'")


@pytest.mark.parametrize(
    ("seed", "said"),
    [
        (bytes(31), "32 bytes, got 31"),
        (bytes(33), "32 bytes, got 33"),
        (b"", "32 bytes, got 0"),
        (bytes(32).hex()[:-1], "64 hex digits, got 63 characters"),
        ("AB" * 32, "lower case"),
        ("0x" + "ab" * 31, "must be hexadecimal"),
        (" " + "ab" * 31 + " ", "must be hexadecimal"),
        (12345, "got int"),
    ],
)
def test_a_seed_that_is_neither_32_bytes_nor_64_hex_digits(seed: object, said: str) -> None:
    with pytest.raises(InputError) as exc:
        draw(RULES, [Applicant("R1", ("K1",))], seed)  # type: ignore[arg-type]
    assert exc.value.field == "seed"
    message_names(exc.value, "seed", said)


def test_a_seed_as_its_hex_digits_draws_as_its_bytes() -> None:
    seed = bytes(range(32))
    applicants = [Applicant("R1", ("K1",)), Applicant("R2", ("K1",))]
    assert list(draw(RULES, applicants, seed.hex())) == list(draw(RULES, applicants, seed))


# --- rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("seats", [0, -1, True, 1.5])
def test_zero_or_negative_capacity(seats: object) -> None:
    with pytest.raises(RulesError) as exc:
        Kindergarten(id="K1", name="Sunshine", seats=seats)  # type: ignore[arg-type]
    assert (exc.value.field, exc.value.value) == ("kindergarten 'K1'.seats", seats)
    message_names(exc.value, "'K1'", "seats", "positive integer", repr(seats))


def test_seat_blocks_adding_up_to_more_than_capacity() -> None:
    blocks = (SeatBlock("owners", 2, "owner"), SeatBlock("staff", 1, "staff"))
    with pytest.raises(RulesError) as exc:
        Kindergarten(id="K1", name="Sunshine", seats=2, blocks=blocks)
    assert exc.value.field == "kindergarten 'K1'.blocks"
    message_names(exc.value, "'K1'", "blocks", "add up to 3", "capacity 2", "'owners'", "'staff'")


def test_negative_block_seats_and_a_block_named_open() -> None:
    with pytest.raises(RulesError) as exc:
        SeatBlock("owners", -1, "owner")
    message_names(exc.value, "'owners'", "seats", "-1")
    with pytest.raises(RulesError) as exc:
        SeatBlock("open", 1, "owner")
    message_names(exc.value, "block.name", "'open'")


def test_blocks_leaving_less_than_the_minimum_lottery_share() -> None:
    kg = Kindergarten(id="K1", name="Sunshine", seats=10, blocks=(SeatBlock("owners", 4, "owner"),))
    DrawRules(draw_id="D", kindergartens=(kg,), min_lottery_percent=60)  # 4 <= 40% of 10
    with pytest.raises(RulesError) as exc:
        DrawRules(draw_id="D", kindergartens=(kg,), min_lottery_percent=61)
    assert (exc.value.field, exc.value.value) == ("kindergarten 'K1'.blocks", 4)
    message_names(exc.value, "'K1'", "61%", "4 of 10")


def test_duplicate_kindergarten_ids() -> None:
    with pytest.raises(DuplicateError) as exc:
        DrawRules(draw_id="D", kindergartens=(K1, Kindergarten(id="K1", name="again", seats=1)))
    assert exc.value.value == "K1"
    message_names(exc.value, "kindergartens.id", "'K1'")


def test_a_phase_naming_an_undeclared_tier_or_an_unknown_block() -> None:
    with pytest.raises(RulesError) as exc:
        DrawRules(
            draw_id="D", kindergartens=(K1,), tiers=("care",), phases=(Phase("p1", tiers=("vip",)),)
        )
    assert (exc.value.field, exc.value.value) == ("phase 'p1'.tiers", "vip")
    message_names(exc.value, "'p1'", "'vip'", "'care'")
    with pytest.raises(RulesError) as exc:
        DrawRules(draw_id="D", kindergartens=(K1,), phases=(Phase("p1", blocks=("owners",)),))
    assert (exc.value.field, exc.value.value) == ("phase 'p1'.blocks", "owners")
    message_names(exc.value, "'p1'", "'owners'")


def test_merge_after_with_the_independent_lottery() -> None:
    with pytest.raises(RulesError) as exc:
        DrawRules(
            draw_id="D",
            kindergartens=(K1,),
            mechanism=Mechanism.INDEPENDENT,
            multiples=MultiplesPolicy.MERGE_AFTER,
        )
    assert (exc.value.field, exc.value.value) == ("multiples", "merge-after")
    message_names(exc.value, "multiples", "'merge-after'")


def test_rules_from_json_name_the_bad_field() -> None:
    data = RULES.to_json()
    with pytest.raises(RulesError) as exc:
        DrawRules.from_json({**data, "mechanism": "lottery"})
    message_names(exc.value, "mechanism", "'lottery'", "'deferred-acceptance'")
    bad = {**data, "kindergartens": [{**data["kindergartens"][0], "seats": 0}]}
    with pytest.raises(RulesError) as exc:
        DrawRules.from_json(bad)
    message_names(exc.value, "'K1'", "seats", "0")


def test_errors_are_raised_before_anything_is_drawn() -> None:
    """A bad row anywhere stops the draw: there is no partial outcome."""
    people = [Applicant(f"R{i}", ("K1",)) for i in range(50)]
    people.append(Applicant("R50", ("K1", "K3")))
    with pytest.raises(AllocError):
        draw(RULES, people, SEED)
