"""The library as a developer embedding it meets it: ``import alloc`` and its traps."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import typing

import numpy as np
import pytest

import alloc
from alloc import (
    Applicant,
    DrawRules,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    RulesError,
    RulesTypeError,
    SeatBlock,
    SourceKind,
    TieBreak,
    WrongTypeError,
    draw,
    parse_seed,
)
from alloc.model import MechanismName, MultiplesPolicyName, TieBreakName
from alloc.seed import SourceKindName

SEED = bytes(range(32))
RULES = DrawRules("2026-test", [Kindergarten("K1", "一幼", seats=2)])


# --- the top level -------------------------------------------------------------------


def test_every_name_in_all_is_exported_and_documented() -> None:
    assert len(set(alloc.__all__)) == len(alloc.__all__)
    for name in alloc.__all__:
        value = getattr(alloc, name)
        if callable(value):
            assert value.__doc__, f"alloc.{name} has no docstring"


def test_the_main_api_is_at_the_top_level() -> None:
    outcome = alloc.draw(
        alloc.DrawRules("2026-test", [alloc.Kindergarten("K1", "一幼", seats=1)]),
        [alloc.Applicant("A1", ["K1"]), alloc.Applicant("A2", ["K1"])],
        SEED,
    )
    assert sorted(r.registration_number for r in outcome) == ["A1", "A2"]
    assert len(outcome.unplaced) == 1


def _fresh_python(code: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return run.stdout.strip()


def test_import_alloc_does_not_load_pandas_or_openpyxl() -> None:
    loaded = _fresh_python(
        "import sys, alloc; print(sorted(m for m in ('pandas', 'openpyxl') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_alloc_draw_is_the_function_whatever_was_imported_first() -> None:
    # The module alloc.draw and the function share a name: the package binds
    # the function, and a submodule imported first must not undo that.
    printed = _fresh_python(
        "import alloc.audit, alloc.draw, alloc.cli\n"
        "from alloc import draw\n"
        "from alloc.draw import Outcome\n"
        "print(callable(draw), draw is alloc.draw, Outcome.__module__)"
    )
    assert printed == "True True alloc.draw"


def test_the_version_is_the_installed_distributions() -> None:
    assert alloc.DISTRIBUTION == "alloc-draw"
    assert importlib.metadata.version(alloc.DISTRIBUTION) == alloc.__version__
    # The import name stays alloc.
    assert "alloc-draw" in importlib.metadata.packages_distributions()["alloc"]


def test_the_literal_names_are_the_enum_values() -> None:
    for names, kind in (
        (MechanismName, Mechanism),
        (TieBreakName, TieBreak),
        (MultiplesPolicyName, MultiplesPolicy),
        (SourceKindName, SourceKind),
    ):
        assert typing.get_args(names) == tuple(m.value for m in kind)


# --- enums by their string values -------------------------------------------------------


def test_enums_are_accepted_as_their_string_values() -> None:
    kgs = [Kindergarten("K1", "一幼", seats=2)]
    by_text = DrawRules(
        "d", kgs, mechanism="independent", tie_break="per-kindergarten", multiples="bundle"
    )
    by_enum = DrawRules(
        "d",
        kgs,
        mechanism=Mechanism.INDEPENDENT,
        tie_break=TieBreak.PER_KINDERGARTEN,
        multiples=MultiplesPolicy.BUNDLE,
    )
    assert by_text == by_enum
    assert by_text.mechanism is Mechanism.INDEPENDENT


def test_an_unknown_enum_string_lists_the_values() -> None:
    with pytest.raises(RulesError) as info:
        DrawRules("d", RULES.kindergartens, mechanism="lottery")  # type: ignore[arg-type]
    message = str(info.value)
    assert "'lottery'" in message
    for mechanism in Mechanism:
        assert repr(mechanism.value) in message


def test_an_enum_member_name_is_refused_with_its_value() -> None:
    # One accepted text form: the value, as rules.json writes it.
    with pytest.raises(RulesError, match="write the value 'deferred-acceptance'"):
        DrawRules("d", RULES.kindergartens, mechanism="DEFERRED_ACCEPTANCE")  # type: ignore[arg-type]


def test_another_enum_is_a_type_error() -> None:
    with pytest.raises(RulesTypeError, match="got TieBreak"):
        DrawRules("d", RULES.kindergartens, mechanism=TieBreak.SINGLE)  # type: ignore[arg-type]


# --- sequences, mappings and numbers ------------------------------------------------------


def test_a_bare_string_of_choices_is_refused() -> None:
    with pytest.raises(WrongTypeError) as info:
        Applicant("A1", "K1")
    assert info.value.field == "applicant 'A1'.choices"
    assert "got a single string" in str(info.value)
    assert "('K01', 'K02')" in str(info.value)  # says what to write instead
    assert isinstance(info.value, TypeError)


def test_choices_in_a_set_are_refused_as_unordered() -> None:
    with pytest.raises(WrongTypeError, match="unordered set"):
        Applicant("A1", {"K1", "K2"})


def test_lists_tuples_and_generators_are_all_the_same_choices() -> None:
    forms = [["K1", "K2"], ("K1", "K2"), (k for k in ("K1", "K2")), np.array(["K1", "K2"])]
    assert {Applicant("A1", form).choices for form in forms} == {("K1", "K2")}
    assert all(type(c) is str for c in Applicant("A1", np.array(["K1"])).choices)


def test_a_dict_applicant_is_refused_without_echoing_it() -> None:
    row = {"registration_number": "A1", "choices": ["K1"], "name": "张三丰"}
    with pytest.raises(WrongTypeError) as info:
        draw(RULES, [Applicant("A0", ["K1"]), row], SEED)  # type: ignore[list-item]
    message = str(info.value)
    assert info.value.field == "applicants[1]"
    assert "expected an Applicant, got dict" in message
    assert "Applicant(registration_number, choices" in message
    assert "张三丰" not in message


def test_a_kindergarten_as_a_dict_is_refused() -> None:
    with pytest.raises(RulesTypeError, match=r"kindergartens\[0\].*expected a Kindergarten"):
        DrawRules("d", [{"id": "K1", "seats": 3}])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("seats", "said"),
    [
        ("60", "not the text '60'"),
        (60.0, "not 60.0"),
        (True, "got bool"),
        (None, "got NoneType"),
        (-3, "capacity must be a positive integer"),
    ],
)
def test_seats_must_be_a_positive_integer(seats: object, said: str) -> None:
    with pytest.raises(RulesError) as info:
        Kindergarten("K1", "一幼", seats=seats)  # type: ignore[arg-type]
    assert said in str(info.value)
    assert "K1" in str(info.value)


def test_numpy_integers_are_accepted_as_plain_ints() -> None:
    kg = Kindergarten("K1", "一幼", seats=np.int64(30), blocks=[SeatBlock("o", np.int32(3), "x")])
    assert type(kg.seats) is int
    assert type(kg.blocks[0].seats) is int
    rules = DrawRules("d", [kg], waitlist_length=np.int16(5))
    assert rules.to_json()["waitlist_length"] == 5
    assert type(rules.waitlist_length) is int


def test_merge_over_capacity_must_be_a_bool() -> None:
    # 1 would be written as 1 in rules.json, not true: another rules digest.
    with pytest.raises(RulesTypeError, match="True or False"):
        DrawRules("d", RULES.kindergartens, merge_over_capacity=1)  # type: ignore[arg-type]


def test_bytes_are_not_an_identifier() -> None:
    with pytest.raises(WrongTypeError, match=r"decode it first"):
        Applicant(b"A1", ["K1"])  # type: ignore[arg-type]


def test_phase_tiers_take_any_sequence_but_not_a_string() -> None:
    assert Phase("p", tiers=["local"]).tiers == ("local",)
    with pytest.raises(RulesTypeError, match="single string"):
        Phase("p", tiers="local")


# --- seeds -------------------------------------------------------------------------------


def test_a_seed_is_32_bytes_or_its_64_lower_case_hex_digits() -> None:
    assert parse_seed(SEED) == SEED
    assert parse_seed(bytearray(SEED)) == SEED
    assert parse_seed(SEED.hex()) == SEED


@pytest.mark.parametrize(
    ("seed", "said"),
    [
        (SEED.hex().upper(), "lower case"),
        ("0x" + SEED.hex()[2:], "hexadecimal digits"),
        (SEED.hex() + "\n", "65 characters"),
        (SEED.hex()[:-2], "62 characters"),
        (SEED[:16], "got 16"),
        (int.from_bytes(SEED, "big"), "got int"),
    ],
)
def test_a_seed_in_any_other_form_is_refused(seed: object, said: str) -> None:
    with pytest.raises(alloc.InputError) as info:
        parse_seed(seed)  # type: ignore[arg-type]
    assert said in str(info.value)
    assert info.value.field == "seed"


@pytest.mark.parametrize("secret", ["ab" * 16, b"short-secret", bytearray(32)])
def test_a_mistyped_secret_is_never_echoed(secret: object) -> None:
    # The commitment is made before the draw, perhaps on the livestream screen.
    with pytest.raises(alloc.InputError) as info:
        alloc.commitment("2026-test", "bureau", secret)  # type: ignore[arg-type]
    assert "ab" * 16 not in str(info.value)
    assert "short-secret" not in str(info.value)
    assert "secret" in str(info.value)
