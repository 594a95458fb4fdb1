"""The column-wise import equals the per-row definition.

Two levels. Each shortcut in :mod:`alloc.columns` is compared with the
per-cell function of :mod:`alloc.identity` it stands in for. Then whole
imports of generated messy exports are read twice, once as usual and once
with every row forced through the per-row definition (``_parse_row``): the
accepted records, the registry and every problem message must be the same.
"""

from __future__ import annotations

import csv
import io as stdio
import string
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
from cli_helpers import APPLICANT_HEADER, resident_id, small_applicants, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc import columns, sheets
from alloc import io as files
from alloc.canonical import check_identifier
from alloc.errors import InputError
from alloc.identity import (
    DocumentType,
    format_salt,
    identity_commitment,
    normalise_document_number,
    normalise_name,
    parse_salt,
)
from alloc.model import DrawRules, Kindergarten, SeatBlock
from alloc.records import record_lines

RULES = DrawRules(
    draw_id="2026-test-columns",
    kindergartens=(
        Kindergarten("K01", "阳光幼儿园", seats=3, blocks=(SeatBlock("owners", 1, "owner"),)),
        Kindergarten("K02", "星星幼儿园", seats=2),
        Kindergarten("K03", "月亮幼儿园", seats=2),
    ),
    tiers=("local", "other"),
)

# --- the shortcuts against their per-cell definitions -----------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def id_like(draw: st.DrawFn) -> str:
    """Resident numbers, valid and broken in the ways exports break them."""
    region = draw(st.sampled_from(["440105", "110101", "810000", "910000", "000000", "720000"]))
    year = draw(st.sampled_from(["2022", "2023", "1900", "2000", "0000", "2024"]))
    month = draw(st.sampled_from(["01", "02", "12", "13", "00"]))
    day = draw(st.sampled_from(["01", "28", "29", "30", "31", "32", "00"]))
    number = resident_id(region, year + month + day, draw(st.integers(0, 999)))
    change = draw(st.sampled_from(["none", "check", "lower", "full", "space", "cut", "extra"]))
    if change == "check":
        number = number[:-1] + draw(st.sampled_from("0123456789Xx"))
    elif change == "lower":
        number = number.lower()
    elif change == "full":
        number = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    elif change == "space":
        number = number[:6] + " " + number[6:]
    elif change == "cut":
        number = number[:-1]
    elif change == "extra":
        number += draw(digits)
    return number


@settings(max_examples=300)
@given(st.lists(id_like(), min_size=1, max_size=20))
def test_resident_ids_match_the_per_cell_check(cells: list[str]) -> None:
    ok, values, regions = columns.resident_ids(cells)
    for cell, fast, value in zip(cells, ok.tolist(), values, strict=True):
        try:
            expected: str | None = normalise_document_number(
                DocumentType.RESIDENT_ID, cell, check_region=False
            )
        except InputError:
            expected = None
        common = len(cell) == 18 and cell.isascii() and cell[0] in "1234567"
        assert fast == (common and expected is not None), cell
        if fast:
            assert value == expected
    assert regions.tolist() == [int(v[:10]) if f else -1 for v, f in zip(values, ok, strict=True)]


@settings(max_examples=300)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                [*"张王李欧阳䶮𠀀丽·. ?？\u3000ABab*\ufffd\u200b", "\uf900", "\u3400"]
            ),
            max_size=20,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_han_names_are_their_own_normal_form(cells: list[str]) -> None:
    for cell, fast in zip(cells, columns.han_names(cells).tolist(), strict=True):
        if fast:
            assert normalise_name(cell) == cell


@settings(max_examples=200)
@given(st.lists(st.binary(min_size=16, max_size=16), min_size=1, max_size=20), st.data())
def test_receipt_salts_decode_as_parse_salt(salts: list[bytes], data: st.DataObject) -> None:
    cells = []
    for salt in salts:
        text = format_salt(salt)
        change = data.draw(st.sampled_from(["none", "lower", "char", "last", "hyphen", "cut"]))
        if change == "lower":
            text = text.lower()
        elif change == "char":
            at = data.draw(st.integers(0, len(text) - 1))
            text = text[:at] + data.draw(st.sampled_from("A01Z8-=")) + text[at + 1 :]
        elif change == "last":
            text = text[:-1] + data.draw(st.sampled_from(string.ascii_uppercase + "234567"))
        elif change == "hyphen":
            text = text.replace("-", "", 1)
        elif change == "cut":
            text = text[:-2]
        cells.append(text)
    ok, decoded = columns.receipt_salts(cells)
    for cell, fast, salt in zip(cells, ok.tolist(), decoded, strict=True):
        try:
            expected: bytes | None = parse_salt(cell)
        except InputError:
            expected = None
        if fast:
            assert salt.tobytes() == expected
        elif expected is not None:
            assert cell != format_salt(expected)  # only the printed form is taken as it is


@given(st.lists(st.text(max_size=12), min_size=1, max_size=20))
def test_ascii_identifiers_are_identifiers_as_written(cells: list[str]) -> None:
    for cell, fast in zip(cells, columns.ascii_identifiers(cells).tolist(), strict=True):
        if fast:
            assert check_identifier(cell, "x") == cell


@settings(max_examples=50)
@given(st.lists(st.tuples(st.integers(1, 10**6), st.binary(min_size=16, max_size=16)), max_size=8))
def test_identity_commitments_match_the_definition(rows: list[tuple[int, bytes]]) -> None:
    regs = [f"R-{n}" for n, _ in rows]
    numbers = [resident_id("440105", "20220101", n % 1000) for n, _ in rows]
    names = ["张三" if n % 2 else "JOHN SMITH" for n, _ in rows]
    salts = b"".join(s for _, s in rows)
    found = columns.identity_commitments(
        "d", regs, ["resident-id"] * len(rows), numbers, names, salts
    )
    for at, (reg, number, name) in enumerate(zip(regs, numbers, names, strict=True)):
        expected = identity_commitment(
            draw_id="d",
            registration_number=reg,
            document_type=DocumentType.RESIDENT_ID,
            document_number=number,
            name=name,
            salt=rows[at][1],
        )
        assert found[at].tobytes() == expected


# --- whole imports: columns against rows ----------------------------------------------------

HEADER = [*APPLICANT_HEADER, "联系电话"]
COLUMN = {h: i for i, h in enumerate(HEADER)}
MESS = (
    "none",
    "check character",
    "lower x",
    "full-width number",
    "spaced number",
    "apostrophe number",
    "empty name",
    "question mark name",
    "replacement name",
    "latin name",
    "dotted name",
    "padded name",
    "bad date",
    "repeat registration",
    "repeat document",
    "empty choice",
    "gap in choices",
    "repeated choice",
    "unknown kindergarten",
    "kindergarten name",
    "full-width choice",
    "bad tier",
    "empty tier",
    "singleton group",
    "yes group",
    "bad facts",
    "owner fact elsewhere",
    "lower salt",
    "broken salt",
    "full-width contact",
    "scientific number",
    "passport",
    "permit",
)


def messy_rows(kinds: list[str]) -> list[list[str]]:
    base = [[*row, ""] for row in small_applicants()]
    rows = []
    for at, kind in enumerate(kinds):
        row = list(base[at % len(base)])
        row[0] = f"2026-{at + 1:04d}"
        row[COLUMN["身份证号"]] = resident_id("440105", f"2022{at % 12 + 1:02d}15", at)
        row[COLUMN["回执校验码"]] = format_salt(bytes([at % 256]) * 16)
        row[COLUMN["多胞胎编号"]] = ""
        number = row[COLUMN["身份证号"]]
        if kind == "check character":
            row[COLUMN["身份证号"]] = number[:-1] + ("1" if number[-1] != "1" else "2")
        elif kind == "lower x":
            row[COLUMN["身份证号"]] = number.lower()
        elif kind == "full-width number":
            row[COLUMN["身份证号"]] = number.translate(
                str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
            )
        elif kind == "spaced number":
            row[COLUMN["身份证号"]] = f"{number[:6]} {number[6:14]} {number[14:]}"
        elif kind == "apostrophe number":
            row[COLUMN["身份证号"]] = "'" + number
        elif kind == "empty name":
            row[COLUMN["幼儿姓名"]] = ""
        elif kind == "question mark name":
            row[COLUMN["幼儿姓名"]] = "林?"
        elif kind == "replacement name":
            row[COLUMN["幼儿姓名"]] = "林\ufffd"
        elif kind == "latin name":
            row[COLUMN["幼儿姓名"]] = "John  Smith"
        elif kind == "dotted name":
            row[COLUMN["幼儿姓名"]] = "阿卜杜拉.买买提"
        elif kind == "padded name":
            row[COLUMN["幼儿姓名"]] = "张\u3000三"
        elif kind == "bad date":
            row[COLUMN["身份证号"]] = resident_id("440105", "20230231", at)
        elif kind == "repeat registration" and at:
            row[0] = "2026-0001"
        elif kind == "repeat document" and at:
            row[COLUMN["身份证号"]] = resident_id("440105", "20220115", 0)
        elif kind == "empty choice":
            row[COLUMN["第一志愿"]] = row[COLUMN["第二志愿"]] = ""
        elif kind == "gap in choices":
            row[COLUMN["第一志愿"]] = ""
        elif kind == "repeated choice":
            row[COLUMN["第二志愿"]] = row[COLUMN["第一志愿"]]
        elif kind == "unknown kindergarten":
            row[COLUMN["第一志愿"]] = "K09"
        elif kind == "kindergarten name":
            row[COLUMN["第二志愿"]] = "月亮幼儿园"
        elif kind == "full-width choice":
            row[COLUMN["第一志愿"]] = "Ｋ０１"
        elif kind == "bad tier":
            row[COLUMN["类别"]] = "vip"
        elif kind == "empty tier":
            row[COLUMN["类别"]] = ""
        elif kind == "singleton group":
            row[COLUMN["多胞胎编号"]] = f"G{at}"
        elif kind == "yes group":
            row[COLUMN["多胞胎编号"]] = "是"
        elif kind == "bad facts":
            row[COLUMN["优先条件"]] = "owner K01"
        elif kind == "owner fact elsewhere":
            row[COLUMN["优先条件"]] = "owner@K03; staff@K02"
        elif kind == "lower salt":
            row[COLUMN["回执校验码"]] = row[COLUMN["回执校验码"]].lower()
        elif kind == "broken salt":
            row[COLUMN["回执校验码"]] = row[COLUMN["回执校验码"]][:-4]
        elif kind == "full-width contact":
            row[COLUMN["联系电话"]] = "１３８００１３８０００"
        elif kind == "scientific number":
            row[COLUMN["身份证号"]] = "4.40105E+17"
        elif kind == "passport":
            row[COLUMN["证件类型"]] = "护照"
            row[COLUMN["身份证号"]] = f"E{at:08d}"
        elif kind == "permit":
            row[COLUMN["身份证号"]] = resident_id("810000", "20220101", at)
        rows.append(row)
    return rows


def outcome(path: Path, *, per_row: bool) -> tuple[object, ...]:
    original = files._fast_rows

    def slow(*args: object, **kwargs: object) -> object:
        fast, values = original(*args, **kwargs)  # type: ignore[arg-type]
        return np.zeros_like(fast), values

    with mock.patch.object(files, "_fast_rows", slow if per_row else original):
        try:
            imported = files.read_applicants(path, draw_id=RULES.draw_id, rules=RULES)
        except files.SpreadsheetError as exc:
            return ("refused", [str(p) for p in exc.problems])
    registry = {
        reg: (e.identity.name, e.identity.document_number, e.identity.guardian_contact, e.salt)
        for reg, e in imported.registry.items()
    }
    return ("read", record_lines(imported.table), registry, imported.notes, imported.fact_fields)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(MESS), min_size=1, max_size=14), st.booleans())
def test_columns_and_rows_read_an_export_alike(kinds: list[str], gbk: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(
            Path(folder) / "a.csv",
            [HEADER, *messy_rows(kinds)],
            encoding="gb18030" if gbk else "utf-8-sig",
        )
        fast = outcome(path, per_row=False)
        assert fast == outcome(path, per_row=True)


# --- the CSV tokenizer against the csv module ---------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "张", ",", '"', '""', " ", "'", "\r", "\n", "\r\n", "\t", "x y"]),
        max_size=40,
    ).map("".join)
)
def test_csv_is_read_as_the_strict_csv_module_reads_it(text: str) -> None:
    """pandas' tokenizer gives exactly the csv module's rows whenever csv accepts the text."""
    first_line = stdio.StringIO(text, newline="").readline().rstrip("\r\n")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        expected = [
            (number, [sheets.clean_cell(c) for c in cells])
            for number, cells in enumerate(
                csv.reader(stdio.StringIO(text, newline=""), delimiter=delimiter, strict=True),
                start=1,
            )
        ]
    except csv.Error:
        expected = None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode())
        try:
            loaded = sheets.load_csv(path)
        except InputError:
            assert expected is None, text
            return
    assert expected is not None, text
    kept = [(n, cells) for n, cells in expected if any(cells)]
    width = loaded.width
    got = [(int(n), list(loaded.row(i))) for i, n in enumerate(loaded.rows)]
    assert got == [(n, (cells + [""] * width)[:width]) for n, cells in kept], text
