"""The one strict JSON reader: every malformed form is refused with a named reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloc.errors import MalformedDocumentError
from alloc.strictjson import MAX_DEPTH, MAX_INTEGER, Fields, parse_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_INTEGER, MAX_INTEGER) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_plain_json_reads_back_unchanged(value: object) -> None:
    assert parse_json(json.dumps(value).encode(), document="d") == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a":1,"a":1}', "duplicate key"),
        ("[1.0]", "fraction or exponent"),
        ("[1e3]", "fraction or exponent"),
        ("[NaN]", "not a JSON value"),
        ("[-Infinity]", "not a JSON value"),
        (str(MAX_INTEGER + 1), "integer outside"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested deeper"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper"),
        ('{"a":', "not valid JSON"),
    ],
)
def test_malformed_json_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(MalformedDocumentError, match=reason):
        parse_json(text.encode(), document="d")


def test_fields_refuse_unknown_keys_and_wrong_types() -> None:
    fields = Fields.of({"n": 1, "flag": True, "extra": 0}, document="d")
    assert fields.integer("n") == 1
    with pytest.raises(MalformedDocumentError, match=r"\$\.flag.*expected an integer"):
        fields.integer("flag")
    with pytest.raises(MalformedDocumentError, match=r"\$\.extra.*unknown key"):
        fields.done()
    with pytest.raises(MalformedDocumentError, match=r"\$\.gone.*missing key"):
        Fields.of({}, document="d").string("gone")
    with pytest.raises(MalformedDocumentError, match="lower-case hexadecimal"):
        Fields.of({"h": "AB"}, document="d").hex("h", size=1)
