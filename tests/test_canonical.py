"""Canonical JSON and identifier rules (spec section 2)."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from alloc.canonical import canonical_json, check_identifier, joined_ascii_identifiers
from alloc.errors import InputError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_canonical_json_is_rfc8785_and_round_trips(value: object) -> None:
    encoded = canonical_json(value)
    assert encoded == rfc8785.dumps(value)
    assert canonical_json(json.loads(encoded)) == encoded


@pytest.mark.parametrize(
    "value",
    [1.5, {"a": float("nan")}, {"a": b"bytes"}, {1: "x"}, 2**60, {"a": {"b": [object()]}}],
)
def test_signed_documents_refuse_floats_and_foreign_types(value: object) -> None:
    with pytest.raises(InputError):
        canonical_json(value)


@pytest.mark.parametrize("good", ["HZ-000123", "报名-0042", "K03", "a b"])
def test_good_identifiers(good: str) -> None:
    assert check_identifier(good, "id") == good


def test_identifier_bytes_must_be_utf8() -> None:
    assert check_identifier("报名".encode(), "id") == "报名"
    with pytest.raises(InputError, match="UTF-8"):
        check_identifier("报名".encode("gbk"), "id")


def _identifier_by_the_rules(value: str) -> bool:
    """Spec 3.2 read literally, one character at a time."""
    import unicodedata  # noqa: PLC0415

    return (
        0 < len(value) <= 128
        and value == value.strip()
        and all(unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in value)
        and unicodedata.normalize("NFC", value) == value
    )


@given(
    st.one_of(
        st.text(st.characters(max_codepoint=127), max_size=140),
        st.text(st.characters(codec="utf-8"), max_size=12),
        st.text(st.sampled_from(" \t\u3000a-\u00e9e\u0301\u200b"), max_size=6),
    )
)
def test_check_identifier_accepts_exactly_what_the_rules_allow(value: str) -> None:
    try:
        assert check_identifier(value, "f") == value
    except InputError:
        assert not _identifier_by_the_rules(value)
    else:
        assert _identifier_by_the_rules(value)


@given(st.lists(st.text(st.sampled_from("ab \x01\x7f\t\u00e9"), max_size=4), max_size=5))
def test_the_column_shortcut_never_passes_what_check_identifier_refuses(values: list[str]) -> None:
    joined = joined_ascii_identifiers(values)
    if joined is not None:
        assert joined.split("\x01") == values
        assert all(check_identifier(v, "f") == v for v in values)
