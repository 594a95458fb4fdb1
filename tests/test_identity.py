"""alloc.identity: normalisation, masks, receipt salts, commitments, lookup keys.

The vectors in tests/vectors/identity.json pin docs/spec.md section 10; they
are never regenerated to make a test pass; tests/vectors/lookup.json pins the
lookup-index keys (10.7), computed independently with node's WebCrypto.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import json
import unicodedata
from typing import Any

import pytest
from conftest import load_vector
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

from alloc.canonical import Tag, canonical_json
from alloc.errors import AllocError, InputError
from alloc.identity import (
    COMMITMENT_SIZE,
    SALT_SIZE,
    DocumentType,
    LookupKeys,
    PrivateIdentity,
    Receipt,
    format_salt,
    identity_commitment,
    lookup_keys,
    mask_document_number,
    mask_name,
    new_salt,
    normalise_document_number,
    normalise_name,
    parse_salt,
)

RID = DocumentType.RESIDENT_ID
PASSPORT = DocumentType.PASSPORT
VECTORS = load_vector("identity.json")


def rid(body17: str) -> str:
    """A valid 18-character number: ``body17`` and its MOD 11-2 check character."""
    return body17 + mod_11_2.calc_check_digit(body17)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


MAINLAND = rid("44010520220315123")
X_NUMBER = next(n for i in range(100) if (n := rid(f"110105202101010{i:02d}")).endswith("X"))


def commit(number: str = MAINLAND, name: str = "张三明", **changes: Any) -> bytes:
    args: dict[str, Any] = {
        "draw_id": "2026-tianhe-kg",
        "registration_number": "TH-000123",
        "document_type": RID,
        "document_number": number,
        "name": name,
        "salt": bytes(range(16)),
    }
    args.update(changes)
    return identity_commitment(**args)


# --- strategies ------------------------------------------------------------------

regions = st.sampled_from(["440105", "110101", "310104", "510107", "650102"])
permit_prefixes = st.sampled_from(["810000", "820000", "830000"])
card_prefixes = st.builds(
    lambda p, c: f"9{p}{c:03d}", st.sampled_from(["11", "31", "44"]), st.integers(0, 999)
)
dates = st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2024, 12, 31))
sequences = st.integers(0, 999).map(lambda i: f"{i:03d}")


@st.composite
def resident_ids(draw: st.DrawFn, prefixes: st.SearchStrategy[str] = regions) -> str:
    prefix = draw(prefixes)
    born = draw(dates).strftime("%Y%m%d")
    return rid(prefix + born + draw(sequences))


any_ids = st.one_of(resident_ids(), resident_ids(permit_prefixes), resident_ids(card_prefixes))


@st.composite
def messy(draw: st.DrawFn, number: str) -> str:
    """``number`` as typed into a spreadsheet: widths, case, spaces, hyphens."""
    out = []
    for char in number:
        typed = full_width(char) if draw(st.booleans()) else char
        if typed == "X" and draw(st.booleans()):
            typed = "x"
        out.append(typed)
        out.append(draw(st.sampled_from(["", "", "", " ", "-", "\u3000", "\u00a0", "\uff0d"])))
    return "".join(out)


# --- document numbers ----------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["normalise_document_number"], ids=lambda c: c["note"])
def test_number_vectors(case: dict[str, str]) -> None:
    assert normalise_document_number(case["document_type"], case["raw"]) == case["normalised"]


@pytest.mark.parametrize("case", VECTORS["invalid_document_number"], ids=lambda c: c["note"])
def test_invalid_number_vectors(case: dict[str, str]) -> None:
    with pytest.raises(InputError) as info:
        normalise_document_number(case["document_type"], case["raw"])
    assert info.value.field == case["field"]
    assert info.value.value == case["raw"]


@given(any_ids.flatmap(lambda n: st.tuples(st.just(n), messy(n))))
def test_messy_numbers_normalise_to_the_number(pair: tuple[str, str]) -> None:
    number, typed = pair
    assert normalise_document_number(RID, typed) == number
    assert normalise_document_number(RID, number) == number


@given(
    st.one_of(
        st.text(st.characters(max_codepoint=127), max_size=30),
        st.text(st.sampled_from("0123456789xX- \t\u3000\uff11\u2212\u200b\u2013aßﬀ"), max_size=20),
    )
)
def test_passport_numbers_are_cleaned_by_the_written_rule(raw: str) -> None:
    """Spec 10.3 one character at a time: the ASCII shortcut must agree with it."""
    text = unicodedata.normalize("NFKC", raw)
    kept = "".join(
        c
        for c in text
        if c not in " \t\n\v\f\r\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
        and not "\u2000" <= c <= "\u200a"
        and c != "\u2212"
        and unicodedata.category(c) not in {"Pd", "Cf"}
    )
    expected = "".join(c.upper() if "a" <= c <= "z" else c for c in kept)
    try:
        got = normalise_document_number(DocumentType.PASSPORT, raw)
    except InputError:
        assert not (expected.isascii() and expected.isalnum() and 5 <= len(expected) <= 32)
    else:
        assert got == expected
        assert normalise_document_number(DocumentType.PASSPORT, got) == got


@given(any_ids, st.data())
def test_every_single_substitution_is_rejected(number: str, data: st.DataObject) -> None:
    # ISO 7064 MOD 11-2 detects every single substitution, wherever it is.
    index = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from("0123456789X").filter(lambda c: c != number[index]))
    typo = number[:index] + replacement + number[index + 1 :]
    with pytest.raises(InputError) as info:
        normalise_document_number(RID, typo)
    assert info.value.value == typo
    assert info.value.field == "document_number"


@given(any_ids, st.integers(0, 15))
def test_adjacent_transpositions_are_rejected(number: str, index: int) -> None:
    assume(number[index] != number[index + 1])
    swapped = number[:index] + number[index + 1] + number[index] + number[index + 2 :]
    with pytest.raises(InputError) as info:
        normalise_document_number(RID, swapped)
    assert info.value.value == swapped


def test_check_character_hint_names_no_expected_value() -> None:
    wrong = MAINLAND[:-1] + ("0" if MAINLAND[-1] != "0" else "1")
    with pytest.raises(InputError) as info:
        normalise_document_number(RID, wrong)
    assert info.value.hint is not None
    assert "last character" in info.value.hint
    assert "date of birth" in info.value.hint
    assert MAINLAND[-1] not in info.value.hint.replace("18", "").replace("7-14", "")


def test_lower_case_x_and_full_width_x() -> None:
    assert normalise_document_number(RID, X_NUMBER.lower()) == X_NUMBER
    assert normalise_document_number(RID, full_width(X_NUMBER.lower())) == X_NUMBER


def test_impossible_date_with_a_valid_check_character() -> None:
    with pytest.raises(InputError, match="2022-02-30") as info:
        normalise_document_number(RID, rid("44010520220230123"))
    assert info.value.hint == "check the date of birth"


class TestStdnumOnPermits:
    """What python-stdnum's cn.ric does with the permit prefixes, and what we do."""

    def test_stdnum_accepts_hong_kong_and_macau_only_for_recent_births(self) -> None:
        assert ric.is_valid(rid("81000020220315123"))
        assert ric.is_valid(rid("82000020220315123"))
        assert not ric.is_valid(rid("81000019900315123"))  # table: [1997-]

    def test_stdnum_rejects_taiwan_permits_and_the_foreigners_card(self) -> None:
        assert not ric.is_valid(rid("83000020220315123"))
        assert not ric.is_valid(rid("91115620220315123"))

    def test_stdnum_raises_key_error_for_an_unknown_county(self) -> None:
        # A quirk of stdnum 2.2 that _check_region has to catch.
        with pytest.raises(KeyError):
            ric.validate(rid("11999920220315123"))

    @given(resident_ids(permit_prefixes) | resident_ids(card_prefixes))
    def test_we_accept_every_permit_and_card(self, number: str) -> None:
        assert normalise_document_number(RID, number) == number

    def test_permits_of_births_before_1997(self) -> None:
        number = rid("81000019900315123")
        assert normalise_document_number(RID, number) == number

    def test_other_eight_prefixes_are_rejected(self) -> None:
        with pytest.raises(InputError, match="810000"):
            normalise_document_number(RID, rid("81010120220315123"))

    def test_permits_still_need_a_real_date(self) -> None:
        with pytest.raises(InputError, match="not a real date"):
            normalise_document_number(RID, rid("83000020221315123"))


def test_unknown_region_is_an_input_error_unless_not_checked() -> None:
    number = rid("11999920220315123")
    with pytest.raises(InputError, match="region code") as info:
        normalise_document_number(RID, number)
    assert info.value.hint is not None
    assert "check_region=False" in info.value.hint
    assert normalise_document_number(RID, number, check_region=False) == number
    # the region check never stops a commitment, a mask or a lookup key
    assert len(commit(number)) == COMMITMENT_SIZE
    assert mask_document_number(RID, number) == "*" * 14 + number[-4:]
    assert len(keys(document_number=number).key) == 32


def test_abolished_county_for_a_later_birth_year() -> None:
    # 110103 (崇文区) was abolished in 2010
    assert normalise_document_number(RID, rid("11010320050315123"))
    with pytest.raises(InputError, match="region code"):
        normalise_document_number(RID, rid("11010320220315123"))


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ("A123456(7)", "letters A-Z and digits"),
        ("护照E1234567", "letters A-Z and digits"),
        ("E12", "5 to 32"),
        ("E" * 33, "5 to 32"),
        (" - ", "empty"),
    ],
)
def test_invalid_passports(raw: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        normalise_document_number(PASSPORT, raw)
    assert info.value.value == raw


def test_passport_is_not_upper_cased_into_validity() -> None:
    # full Unicode upper-casing would turn ß into SS; numbers use a-z only
    with pytest.raises(InputError):
        normalise_document_number(PASSPORT, "E1234ß567")


def test_document_type_from_its_value() -> None:
    assert normalise_document_number("resident-id", MAINLAND) == MAINLAND
    with pytest.raises(InputError, match="unknown document type") as info:
        normalise_document_number("id-card", MAINLAND)
    assert info.value.value == "id-card"
    assert info.value.field == "document_type"


@pytest.mark.parametrize("raw", [None, 440105202203151234, b"440105202203151234", "\ud800"])
def test_non_text_numbers(raw: Any) -> None:
    with pytest.raises(InputError) as info:
        normalise_document_number(RID, raw)
    assert info.value.value == raw


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["normalise_name"], ids=lambda c: c["note"])
def test_name_vectors(case: dict[str, str]) -> None:
    assert normalise_name(case["raw"]) == case["normalised"]


@pytest.mark.parametrize("case", VECTORS["invalid_name"], ids=lambda c: c["note"])
def test_invalid_name_vectors(case: dict[str, str]) -> None:
    with pytest.raises(InputError) as info:
        normalise_name(case["raw"])
    assert info.value.field == case["field"]
    assert info.value.value == case["raw"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("张  三", "张三"),
        ("张\u3000\u3000三", "张三"),
        ("张\t三\n", "张三"),
        ("阿卜杜拉‧买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉･买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉∙买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉。买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉 . 买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉．买买提", "阿卜杜拉·买买提"),
        ("阿卜杜拉\u0387买买提", "阿卜杜拉·买买提"),  # GREEK ANO TELEIA: NFC -> U+00B7
        ("j. r. smith", "J. R. SMITH"),
        ("Zhang San", "ZHANG SAN"),
        ("张 San", "张 SAN"),
        ("Straße", "STRASSE"),
        ("\U00020000\u3000明", "\U00020000明"),  # Extension B character
    ],
)
def test_name_normalisation(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


# pieces of names, some of them two code points (NFD letters)
name_pieces = st.sampled_from(
    [
        *"张三明欧阳娜李小龙阿卜杜拉买提·•・. 　\u00a0abcAZéèüñß*\u4e00\U00020001",
        "e\u0301",
        "u\u0308",
    ]
)
names = st.lists(name_pieces, min_size=1, max_size=12).map("".join)


def _valid(raw: str) -> str | None:
    try:
        return normalise_name(raw)
    except InputError:
        return None


@given(names)
def test_name_normalisation_is_idempotent(raw: str) -> None:
    normal = _valid(raw)
    assume(normal is not None)
    assert normal is not None
    assert normalise_name(normal) == normal
    assert unicodedata.is_normalized("NFC", normal)
    assert normal == normal.strip()
    assert "  " not in normal


@given(
    names,
    st.one_of(
        any_ids.map(lambda n: (RID, n)),
        st.text("ABCDEFGHJK0123456789", min_size=5, max_size=12).map(
            lambda n: (DocumentType.PASSPORT, n)
        ),
    ),
    st.one_of(st.none(), st.sampled_from(["13800000000", "138 0000 0000", "e\u0301 ok"])),
)
def test_import_path_identity_equals_the_constructors(
    raw: str, document: tuple[DocumentType, str], contact: str | None
) -> None:
    """alloc.io skips re-normalising; the identity must be the one the constructor makes."""
    name = _valid(raw)
    assume(name is not None)
    assert name is not None
    kind, number = document[0], normalise_document_number(*document)
    built = PrivateIdentity(name, kind, number, contact)
    fast = PrivateIdentity._of_normalised(name, kind, number, contact)
    assert dataclasses.astuple(fast) == dataclasses.astuple(built)
    assert fast == built


@given(names)
def test_canonically_equivalent_names_give_identical_commitments(raw: str) -> None:
    normal = _valid(raw)
    assume(normal is not None)
    assert normal is not None
    nfd = unicodedata.normalize("NFD", raw)
    assert normalise_name(nfd) == normal
    assert commit(name=nfd) == commit(name=raw) == commit(name=normal)


def test_nfc_and_nfd_commitments() -> None:
    assert commit(name="Ele\u0301na") == commit(name="Eléna") == commit(name="ELÉNA")
    assert commit(name="張三") != commit(name="张三")  # different characters, not forms


def test_names_with_control_characters() -> None:
    for raw in ["张\x00三", "张\x1f三", "张\u200b三", "张\u200d三", "\ufeff张三", "张\x7f"]:
        with pytest.raises(
            InputError, match=f"U\\+{ord(raw[1] if raw[0] == '张' else raw[0]):04X}"
        ):
            normalise_name(raw)


@pytest.mark.parametrize("raw", ["张*明", "张＊明", "*"])
def test_masked_names_are_rejected(raw: str) -> None:
    with pytest.raises(InputError, match="asterisk") as info:
        normalise_name(raw)
    assert info.value.value == raw


def test_overlong_name() -> None:
    with pytest.raises(InputError, match="longer than 128") as info:
        normalise_name("张" * 129)
    assert info.value.value == "张" * 129
    assert normalise_name("张" * 128) == "张" * 128


# --- masks -------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["mask_name"], ids=lambda c: c["name"])
def test_mask_name_vectors(case: dict[str, str]) -> None:
    assert mask_name(case["name"]) == case["masked"]


@pytest.mark.parametrize("case", VECTORS["mask_document_number"], ids=lambda c: c["number"])
def test_mask_number_vectors(case: dict[str, str]) -> None:
    assert mask_document_number(case["document_type"], case["number"]) == case["masked"]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "**"),
        ("张三明", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("诸葛亮", "***"),
        ("上官婉儿", "上官**"),
        ("歐陽娜娜", "歐陽**"),
        ("欧阳", "**"),
        ("张　三", "**"),
        ("张三　明", "张**"),
        ("阿卜杜拉•买买提", "阿***·***"),
        ("John Smith", "J*** *****"),
        ("Maria Jose Garcia Lopez", "M**** **** ****** *****"),
        ("J R Smith", "J * *****"),
        ("张·张", "*·*"),
        ("A B", "* *"),
        ("A", "*"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(names)
def test_masks_show_at_most_a_leading_surname_and_hide_at_least_two(raw: str) -> None:
    normal = _valid(raw)
    assume(normal is not None)
    assert normal is not None
    masked = mask_name(raw)
    assert len(masked) == len(normal)
    shown = [(i, c) for i, c in enumerate(masked) if c not in "* ·"]
    # only a prefix of at most two characters shows, exactly as it is
    assert [i for i, _ in shown] == list(range(len(shown)))
    assert len(shown) <= 2
    assert all(normal[i] == c for i, c in shown)
    hidden = masked.count("*")
    letters = sum(1 for c in normal if c not in " ·")
    assert hidden == letters - len(shown)
    assert hidden >= min(2, letters)
    # separators stay where they are
    assert [i for i, c in enumerate(normal) if c in " ·"] == [
        i for i, c in enumerate(masked) if c in " ·"
    ]


def test_mask_resident_id() -> None:
    assert mask_document_number(RID, "440105 2022 0315 1234") == "**************1234"
    assert mask_document_number(RID, X_NUMBER.lower()) == "*" * 14 + X_NUMBER[-4:]


@given(st.text(alphabet="ABCDEFGHJK0123456789", min_size=5, max_size=32))
def test_passport_masks_hide_at_least_half(number: str) -> None:
    masked = mask_document_number(PASSPORT, number)
    assert len(masked) == len(number)
    assert masked.count("*") * 2 >= len(number)


def test_masks_reject_invalid_input() -> None:
    with pytest.raises(InputError):
        mask_document_number(RID, MAINLAND[:-1] + "X" if MAINLAND[-1] != "X" else "0")
    with pytest.raises(InputError):
        mask_name("  ")


# --- salts ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["format_salt"], ids=lambda c: c["text"])
def test_format_salt_vectors(case: dict[str, str]) -> None:
    salt = bytes.fromhex(case["salt"])
    assert format_salt(salt) == case["text"]
    assert parse_salt(case["text"]) == salt


@pytest.mark.parametrize("case", VECTORS["parse_salt"], ids=lambda c: c["note"])
def test_parse_salt_vectors(case: dict[str, str]) -> None:
    assert parse_salt(case["text"]).hex() == case["salt"]


@pytest.mark.parametrize("case", VECTORS["invalid_salt"], ids=lambda c: c["note"])
def test_invalid_salt_vectors(case: dict[str, str]) -> None:
    with pytest.raises(InputError) as info:
        parse_salt(case["text"])
    assert info.value.field == case["field"]
    assert info.value.value == case["text"]


@given(st.binary(min_size=16, max_size=16))
def test_salt_text_round_trip(salt: bytes) -> None:
    text = format_salt(salt)
    assert len(text) == 32
    assert [len(g) for g in text.split("-")] == [4, 4, 4, 4, 4, 4, 2]
    assert parse_salt(text) == salt


@given(st.binary(min_size=16, max_size=16), st.data())
def test_salt_typed_sloppily(salt: bytes, data: st.DataObject) -> None:
    typed = []
    for char in format_salt(salt):
        if char == "-":
            typed.append(data.draw(st.sampled_from(["-", " ", "", "\u3000", "\uff0d", "\u2014"])))
            continue
        out = char.lower() if data.draw(st.booleans()) else char
        out = full_width(out) if data.draw(st.booleans()) else out
        if out in "Oo" and data.draw(st.booleans()):
            out = "0"
        typed.append(out)
    assert parse_salt(" " + "".join(typed) + " ") == salt


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-A", "26 characters"),
        ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA", "26 characters"),
        ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-A8", "26 characters"),
        ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AB", "last character"),
        ("", "26 characters"),
    ],
)
def test_bad_salt_text(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as info:
        parse_salt(text)
    assert info.value.value == text


@pytest.mark.parametrize("salt", [b"", bytes(15), bytes(17), "00" * 16, bytearray(16)])
def test_salt_must_be_16_bytes(salt: Any) -> None:
    with pytest.raises(InputError, match="16 bytes") as info:
        format_salt(salt)
    assert info.value.value == salt
    with pytest.raises(InputError, match="16 bytes"):
        commit(salt=salt)


def test_new_salt() -> None:
    salts = {new_salt() for _ in range(100)}
    assert len(salts) == 100
    assert all(len(s) == SALT_SIZE for s in salts)


# --- commitments ---------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["identity_commitment"], ids=lambda c: c["note"])
def test_commitment_vectors(case: dict[str, str]) -> None:
    salt = bytes.fromhex(case["salt"])
    value = identity_commitment(
        draw_id=case["draw_id"],
        registration_number=case["registration_number"],
        document_type=case["document_type"],
        document_number=case["document_number"],
        name=case["name"],
        salt=salt,
    )
    assert value.hex() == case["commitment"]
    # the byte layout of spec 10.4, spelt out independently of alloc
    message = b"\x00".join(
        [
            b"alloc/v1/identity",
            case["draw_id"].encode(),
            case["registration_number"].encode(),
            case["document_type"].encode(),
            case["normalised_number"].encode(),
            case["normalised_name"].encode(),
            salt,
        ]
    )
    assert message.hex() == case["message"]
    assert hashlib.sha256(message).hexdigest() == case["commitment"]
    assert (
        normalise_document_number(case["document_type"], case["document_number"])
        == (case["normalised_number"])
    )
    assert normalise_name(case["name"]) == case["normalised_name"]


def test_commitment_binds_every_field() -> None:
    base = commit()
    variants = [
        commit(draw_id="2026-haizhu-kg"),
        commit(registration_number="TH-000124"),
        commit(number=rid("44010520220315124")),
        commit(name="张三"),
        commit(salt=bytes(16)),
        commit(document_type=PASSPORT, number="E12345678"),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_commitment_ignores_how_the_input_was_typed() -> None:
    assert commit(number=full_width(MAINLAND), name="张三明 ") == commit()
    assert commit(document_type="resident-id") == commit()


def test_document_type_is_hashed() -> None:
    # the same characters as a passport number and as a resident id
    assert commit(document_type=PASSPORT) != commit()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"draw_id": ""}, "draw_id"),
        ({"draw_id": "a\x00b"}, "draw_id"),
        ({"registration_number": " TH-1"}, "registration_number"),
        ({"document_type": "licence"}, "document_type"),
        ({"number": "123"}, "document_number"),
        ({"name": ""}, "name"),
        ({"salt": None}, "salt"),
    ],
)
def test_commitment_errors_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        commit(**changes)
    assert info.value.field == field
    assert isinstance(info.value, AllocError)


def test_tags() -> None:
    assert Tag.IDENTITY == "alloc/v1/identity"
    assert Tag.LOOKUP_ENTRY == "alloc/v1/lookup-entry"
    assert Tag.LOOKUP_ENTRY_ID == "alloc/v1/lookup-entry-id"
    assert Tag.LOOKUP_ENTRY_KEY == "alloc/v1/lookup-entry-key"


# --- value types ---------------------------------------------------------------------


def test_private_identity_normalises_and_hides_itself() -> None:
    person = PrivateIdentity(
        "张\u3000三",
        "resident-id",  # type: ignore[arg-type]
        full_width(MAINLAND),
        "138 0013 8000",
    )
    assert person.name == "张三"
    assert person.document_type is RID
    assert person.document_number == MAINLAND
    text = repr(person)
    assert "张三" not in text
    assert MAINLAND not in text
    assert "138" not in text
    assert "**************1234" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.name = "李四"  # type: ignore[misc]
    salt = bytes(range(16))
    assert person.commitment(
        draw_id="2026-tianhe-kg", registration_number="TH-000123", salt=salt
    ) == commit(name="张三")


def test_private_identity_accepts_a_stale_region() -> None:
    person = PrivateIdentity("张三", RID, rid("11999920220315123"))
    assert person.document_number.startswith("119999")


def test_private_identity_rejects_bad_values() -> None:
    with pytest.raises(InputError, match="check character"):
        PrivateIdentity("张三", RID, MAINLAND[:-1] + "0" if MAINLAND[-1] != "0" else "1")
    with pytest.raises(InputError) as info:
        PrivateIdentity("张三", RID, MAINLAND, guardian_contact=13800138000)  # type: ignore[arg-type]
    assert info.value.field == "guardian_contact"


def test_receipt() -> None:
    receipt = Receipt("TH-000123", bytes(range(16)))
    assert receipt.salt_text == "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4"
    assert "AAAQ" not in repr(receipt)
    assert Receipt.from_json(receipt.to_json()) == receipt
    with pytest.raises(InputError, match="16 bytes"):
        Receipt("TH-000123", bytes(8))
    with pytest.raises(InputError) as info:
        Receipt.from_json({"salt": receipt.salt_text})
    assert info.value.field == "registration_number"


# --- lookup keys ---------------------------------------------------------------------

LOOKUP = load_vector("lookup.json")
DIGEST = bytes(range(0x80, 0xA0))


def keys(**changes: Any) -> LookupKeys:
    args: dict[str, Any] = {
        "draw_id": "2026-tianhe-kg",
        "transcript_digest": DIGEST,
        "registration_number": "TH-2026-000123",
        "document_type": RID,
        "document_number": MAINLAND,
        "name": "张三明",
        "salt": bytes(range(16)),
    }
    args.update(changes)
    return lookup_keys(**args)


@pytest.mark.parametrize("case", LOOKUP["entries"], ids=lambda c: c["note"])
def test_lookup_entry_vectors(case: dict[str, Any]) -> None:
    """Computed by node's WebCrypto (tests/vectors/lookup.mjs), as a browser would."""
    salt = bytes.fromhex(case["salt"])
    assert format_salt(salt) == case["receipt"]
    assert (
        normalise_document_number(case["document_type"], case["document_number"])
        == (case["normalised_number"])
    )
    assert normalise_name(case["name"]) == case["normalised_name"]
    got = lookup_keys(
        draw_id=case["draw_id"],
        transcript_digest=bytes.fromhex(case["transcript_digest"]),
        registration_number=case["registration_number"],
        document_type=case["document_type"],
        document_number=case["document_number"],
        name=case["name"],
        salt=salt,
    )
    assert got.entry_id.hex() == case["entry_id"]
    assert got.entry_id_text == case["entry_id"]
    assert got.key.hex() == case["key"]
    ikm = b"\x00".join(
        [
            b"alloc/v1/lookup-entry",
            case["draw_id"].encode(),
            case["registration_number"].encode(),
            case["document_type"].encode(),
            case["normalised_number"].encode(),
            case["normalised_name"].encode(),
            salt,
        ]
    )
    assert ikm.hex() == case["ikm"]
    # HKDF spelt out (RFC 5869): extract with the transcript digest, one expand block each
    prk = hmac.new(bytes.fromhex(case["transcript_digest"]), ikm, hashlib.sha256).digest()
    for info, size, field in (
        (b"alloc/v1/lookup-entry-id", 16, "entry_id"),
        (b"alloc/v1/lookup-entry-key", 32, "key"),
    ):
        assert hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:size].hex() == case[field]
    plaintext = case["plaintext"].encode("utf-8")
    assert canonical_json(json.loads(plaintext)) == plaintext
    payload = json.loads(plaintext)
    assert payload["masked_name"] == mask_name(case["name"])
    masked = mask_document_number(case["document_type"], case["document_number"])
    assert payload["masked_document_number"] == masked
    sealed = AESGCM(got.key).encrypt(bytes(12), plaintext, case["entry_id"].encode("ascii"))
    assert sealed.hex() == case["ciphertext"]


def test_lookup_keys_need_every_input() -> None:
    """A change to any one input gives an unrelated entry id and key."""
    base = keys()
    variants = [
        keys(draw_id="2026-haizhu-kg"),
        keys(transcript_digest=bytes(32)),
        keys(registration_number="TH-2026-000124"),
        keys(document_type=PASSPORT),
        keys(document_number=rid("44010520220315124")),
        keys(name="张三"),
        keys(salt=bytes(16)),
    ]
    ids = {k.entry_id for k in [base, *variants]}
    secrets_ = {k.key for k in [base, *variants]}
    assert len(ids) == len(secrets_) == 1 + len(variants)
    assert base.entry_id not in base.key
    # typed forms that normalise alike give the same entry
    assert keys(document_number=" " + full_width(MAINLAND), name="张\u3000三明") == base


def test_lookup_keys_hide_the_key_in_repr() -> None:
    entry = keys()
    assert "key=" not in repr(entry)
    assert repr(entry.key) not in repr(entry)
    # the same inputs as the first vector give its entry
    assert entry.entry_id_text == LOOKUP["entries"][0]["entry_id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_number": "440105"}, "document_number"),
        ({"name": ""}, "name"),
        ({"salt": bytes(15)}, "salt"),
        ({"draw_id": ""}, "draw_id"),
        ({"registration_number": "a\x00b"}, "registration_number"),
        ({"transcript_digest": bytes(31)}, "transcript_digest"),
        ({"transcript_digest": DIGEST.hex()}, "transcript_digest"),
        ({"document_type": "id-card"}, "document_type"),
    ],
)
def test_lookup_keys_reject_bad_input(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        keys(**changes)
    assert info.value.field == field
    assert "440105" not in str(info.value)  # a document number is never echoed
