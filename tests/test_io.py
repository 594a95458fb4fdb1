"""alloc.io: reading registration exports, writing the draw's files.

The key property: the same applicants exported as UTF-8 CSV, UTF-8-with-BOM
CSV, GBK CSV or .xlsx, in any row order and with the usual spreadsheet mess,
give byte-identical announcements and transcripts.
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc import io as files
from alloc import sheets
from alloc.audit import TimeWindow, document_digest, make_announcement, make_transcript
from alloc.clock import parse_time
from alloc.drand import QUICKNET
from alloc.draw import Outcome, draw
from alloc.errors import AllocError, InputError, MalformedDocumentError, RulesError
from alloc.identity import (
    DocumentType,
    PrivateIdentity,
    format_salt,
    mask_document_number,
    mask_name,
)
from alloc.model import ApplicantTable, DrawRules, Kindergarten, SeatBlock
from alloc.records import record_lines
from alloc.registry import Registry, attach_identities
from alloc.seed import Ceremony, Digits, DrandRound, Source, commitment
from alloc.signing import SigningKey
from alloc.storage import StorageError
from alloc.synthetic import Stream, synthetic_district, synthetic_registry

DISTRICT = synthetic_district(applicants=200, kindergartens=6)
REGISTRY = synthetic_registry(DISTRICT.applicants)
# Fewer seats than children, so there are waitlists and unplaced children.
RULES = dataclasses.replace(
    DISTRICT.rules,
    kindergartens=tuple(
        Kindergarten(
            k.id, k.name, seats=25, blocks=tuple(SeatBlock(b.name, 2, b.fact) for b in k.blocks)
        )
        for k in DISTRICT.rules.kindergartens
    ),
)
DRAW_ID = RULES.draw_id
TABLE = attach_identities(DISTRICT.applicants, REGISTRY, DRAW_ID)
REFERENCE_RECORDS = record_lines(TABLE)
FORMATS = ("utf-8", "utf-8-sig", "gbk", "xlsx")


# --- writing test spreadsheets ---------------------------------------------------


def applicant_frame(table: ApplicantTable = TABLE, registry: Registry = REGISTRY) -> pd.DataFrame:
    """The district as a bureau's export: Chinese headers, one row per child."""
    assert table.tiers is not None
    assert table.groups is not None
    facts: dict[int, list[str]] = {}
    for row, code, kg in zip(
        table.fact_rows, table.fact_codes, table.fact_kindergartens, strict=True
    ):
        facts.setdefault(int(row), []).append(
            f"{table.fact_names[code]}@{table.kindergarten_ids[kg]}"
        )
    rows = []
    for row, reg in enumerate(table.registration_numbers):
        entry = registry[reg]
        choices = [table.kindergarten_ids[c] for c in table.choices[row] if c >= 0]
        choices += [""] * (table.choices.shape[1] - len(choices))
        tier, group = int(table.tiers[row]), int(table.groups[row])
        rows.append(
            {
                "报名编号": reg,
                "幼儿姓名": entry.identity.name,
                "证件类型": "居民身份证",
                "身份证号": entry.identity.document_number,
                **{f"第{'一二三'[i]}志愿": c for i, c in enumerate(choices)},
                "类别": table.tier_names[tier] if tier >= 0 else "",
                "多胞胎编号": table.group_ids[group] if group >= 0 else "",
                "优先条件": "; ".join(facts.get(row, [])),
                "回执校验码": format_salt(entry.salt),
            }
        )
    return pd.DataFrame(rows, dtype=str)


def save(frame: pd.DataFrame, path: Path, kind: str) -> Path:
    """Write ``frame`` as CSV in an encoding, or as .xlsx with text cells."""
    if kind == "xlsx":
        target = path.with_suffix(".xlsx")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(frame.columns))
        for values in frame.itertuples(index=False):
            sheet.append(list(values))
        book.save(target)
        return target
    target = path.with_suffix(".csv")
    frame.to_csv(target, index=False, encoding=kind)
    return target


# --- the protocol, with fixed keys and secrets (as alloc.demo) -----------------------

PARTIES = ("bureau", "notary", "parent-rep-1")
WINDOW = TimeWindow(
    frozen_at="2026-11-30T17:00:00+08:00",
    reveal_deadline="2026-12-01T10:00:00+08:00",
    draw_at="2026-12-02T09:30:00+08:00",
)


def _at(text: str) -> Any:
    return parse_time(text, field="test")


def run_protocol(table: ApplicantTable, rules: DrawRules = RULES) -> dict[str, Any]:
    """Announcement, records, transcript and results, as bytes."""
    stream = Stream("alloc io tests: keys and secrets")
    keys = [SigningKey.from_seed(stream.block(4).astype(">u8").tobytes()) for _ in range(2)]
    secrets = {p: stream.block(4).astype(">u8").tobytes() for p in PARTIES}
    lottery = Source("welfare-3d", Digits(3, _at("2026-12-01T21:15:00+08:00")), "福彩3D 2026-12-01")
    beacon = Source(
        "drand", DrandRound(QUICKNET, QUICKNET.first_round_after(WINDOW.deadline)), "drand"
    )
    ceremony = Ceremony.begin(rules.draw_id, sources=[lottery], fallbacks=[beacon])
    for party in PARTIES:
        ceremony = ceremony.commit(
            party, commitment(rules.draw_id, party, secrets[party]), fallback=beacon.name
        )
    ceremony = ceremony.fix_plan()
    notice, records = make_announcement(rules, table, ceremony.plan, window=WINDOW)
    announcement = notice.envelope().sign(keys[0]).sign(keys[1])
    ceremony = ceremony.open(
        document_digest(announcement),
        reveal_deadline=WINDOW.deadline,
        at=_at("2026-12-01T09:30:00+08:00"),
    )
    for party in PARTIES:
        ceremony = ceremony.reveal(party, secrets[party], at=_at("2026-12-01T09:40:00+08:00"))
    record = ceremony.add_source(lottery.name, "381", at=WINDOW.draw).finish()
    outcome = draw(rules, table, record.seed)
    transcript_doc, results = make_transcript(
        announcement, rules, record, outcome, created="2026-12-02T09:35:00+08:00"
    )
    transcript = transcript_doc.envelope().sign(keys[0]).sign(keys[1])
    return {
        "announcement": announcement.to_bytes(),
        "records": records,
        "transcript": transcript.to_bytes(),
        "results": results,
    }


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return run_protocol(TABLE)


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    return draw(RULES, TABLE, hashlib.sha256(b"alloc io tests").digest())


def registry_view(registry: Registry) -> dict[str, tuple[str, str, str, bytes]]:
    return {
        reg: (
            e.identity.name,
            e.identity.document_type.value,
            e.identity.document_number,
            e.salt,
        )
        for reg, e in registry.items()
    }


def problems_of(call: Callable[[], object]) -> files.SpreadsheetError:
    with pytest.raises(files.SpreadsheetError) as info:
        call()
    return info.value


# --- the same applicants in every format ---------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_reads_to_the_same_table_and_registry(tmp_path: Path, kind: str) -> None:
    path = save(applicant_frame(), tmp_path / "applicants", kind)
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert record_lines(imported.table) == REFERENCE_RECORDS
    assert imported.table.registration_numbers == TABLE.registration_numbers
    assert registry_view(imported.registry) == registry_view(REGISTRY)
    assert imported.table.source_rows is not None
    assert imported.table.source_rows.tolist() == list(range(2, len(TABLE) + 2))
    assert imported.receipts_generated is False
    assert imported.ignored_columns == ()
    assert (
        imported.encoding
        == {
            "utf-8": "utf-8",
            "utf-8-sig": "utf-8-sig",
            "gbk": "gb18030",
            "xlsx": None,
        }[kind]
    )
    assert files.check_against_rules(imported, RULES) == []


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_gives_byte_identical_announcement_and_transcript(
    tmp_path: Path, kind: str, reference: dict[str, Any]
) -> None:
    path = save(applicant_frame(), tmp_path / "applicants", kind)
    assert run_protocol(files.read_applicants(path, draw_id=DRAW_ID).table) == reference


@settings(max_examples=4)
@given(order=st.permutations(range(len(TABLE))), kind=st.sampled_from(FORMATS))
def test_row_order_does_not_change_the_transcript(order: list[int], kind: str) -> None:
    reference = run_protocol(TABLE)
    frame = applicant_frame().iloc[order]
    with tempfile.TemporaryDirectory() as folder:
        path = save(frame, Path(folder) / "shuffled", kind)
        imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert imported.table.source_rows is not None
    # Row numbers follow the file; the table follows the file's order.
    assert imported.table.registration_numbers[0] == TABLE.registration_numbers[order[0]]
    assert run_protocol(imported.table) == reference


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_spreadsheet_mess_reads_to_the_same_records(tmp_path: Path) -> None:
    frame = applicant_frame()
    x_row = next(i for i, n in enumerate(frame["身份证号"]) if n.endswith("X") and i % 3 == 1)
    frame.loc[x_row, "身份证号"] = frame.loc[x_row, "身份证号"].lower()
    # Full-width digits and letters, ideographic and ordinary spaces.
    for row in range(0, len(frame), 3):
        frame.loc[row, "身份证号"] = full_width(frame.loc[row, "身份证号"])
        frame.loc[row, "第一志愿"] = full_width(frame.loc[row, "第一志愿"])
        frame.loc[row, "报名编号"] = "  " + full_width(frame.loc[row, "报名编号"]) + "\u3000"
        frame.loc[row, "回执校验码"] = frame.loc[row, "回执校验码"].lower()
    frame.loc[5, "幼儿姓名"] = " " + frame.loc[5, "幼儿姓名"] + " "
    frame.loc[7, "优先条件"] = frame.loc[7, "优先条件"].replace(";", "；").replace("@", "＠")
    frame["联系电话"] = [f"１３８ 0000 {i:04d}\u3000" if i % 2 else "" for i in range(len(frame))]
    frame = frame.rename(columns={"报名编号": "*报名编号", "类别": " 类别 ", "第二志愿": "志愿２"})
    path = tmp_path / "messy.csv"
    text = frame.to_csv(index=False)
    # A title row above the header, blank rows inside and at the end.
    lines = text.splitlines()
    lines = ["2026年秋季幼儿园报名名单,,,", *lines[:50], ",,,,", "", *lines[50:], ",,,", "", " , "]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert record_lines(imported.table) == REFERENCE_RECORDS
    assert registry_view(imported.registry) == registry_view(REGISTRY)
    # The import builds identities without normalising twice: each must be
    # exactly what the validating constructor makes of its fields.
    for entry in imported.registry.values():
        identity = entry.identity
        assert identity == PrivateIdentity(*dataclasses.astuple(identity))
    assert imported.registry[TABLE.registration_numbers[1]].identity.guardian_contact == (
        "138 0000 0001"
    )
    assert imported.table.source_rows is not None
    rows = imported.table.source_rows.tolist()
    # Title is row 1, header row 2; two blank rows after the 49th child.
    assert rows[:2] == [3, 4]
    assert rows[49] == 54
    assert rows[-1] == len(TABLE) + 4


def test_without_a_salt_column_receipts_are_generated(tmp_path: Path) -> None:
    path = save(applicant_frame().drop(columns=["回执校验码"]), tmp_path / "a", "utf-8")
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert imported.receipts_generated is True
    assert registry_view(imported.registry) != registry_view(REGISTRY)
    assert len({e.salt for e in imported.registry.values()}) == len(TABLE)
    receipts = files.write_receipts(tmp_path / "receipts.csv", imported.registry)
    text = receipts.read_bytes().decode("utf-8-sig")
    for reg, entry in imported.registry.items():
        assert f"{reg},{mask_name(entry.identity.name)}" in text
        assert format_salt(entry.salt) in text
        assert entry.identity.document_number not in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_applicants_reads_back(tmp_path: Path, suffix: str) -> None:
    path = files.write_applicants(tmp_path / f"applicants{suffix}", TABLE, REGISTRY)
    assert path.stat().st_mode & 0o077 == 0
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert record_lines(imported.table) == REFERENCE_RECORDS
    assert registry_view(imported.registry) == registry_view(REGISTRY)


def test_cells_that_look_like_formulas_round_trip(tmp_path: Path) -> None:
    table = ApplicantTable.from_applicants([next(iter(TABLE))])
    registry = Registry([REGISTRY[table.registration_numbers[0]]])
    entry = registry[table.registration_numbers[0]]
    contact = "+86 138 0000 0000"
    registry = Registry(
        [
            dataclasses.replace(
                entry, identity=dataclasses.replace(entry.identity, guardian_contact=contact)
            )
        ]
    )
    path = files.write_applicants(tmp_path / "a.csv", table, registry)
    assert b"'+86" in path.read_bytes()
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert imported.registry[table.registration_numbers[0]].identity.guardian_contact == contact


def test_other_documents_ignored_columns_and_tabs(tmp_path: Path) -> None:
    name, number = person(0)
    path = tmp_path / "a.csv"
    rows = [
        ["报名编号", "姓名", "证件类型", "证件号码", "志愿1", "备注", "备注", ""],
        ["R1", name, "护照", "e 123 4567", "K001", "", "", "stray"],
        ["R2", "JOHN SMITH", "港澳居民来往内地通行证", "ｈ１２３４５６７８", "K002", "x", "y", ""],
        ["R3", "李四", "身份证", number, "K001", "", "", ""],
    ]
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n", "utf-8")
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    identities = [imported.registry[r].identity for r in ("R1", "R2", "R3")]
    assert [(i.document_type, i.document_number) for i in identities] == [
        (DocumentType.PASSPORT, "E1234567"),
        (DocumentType.PASSPORT, "H12345678"),
        (DocumentType.RESIDENT_ID, number),
    ]
    assert imported.ignored_columns == ("备注", "备注", "column H")
    assert imported.receipts_generated


def test_without_a_type_column_a_passport_number_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("报名编号,姓名,证件号码,志愿1\nR1,张三,E1234567,K001\n", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert "row 2, column C 证件号码 (document_number)" in str(error)
    assert "add a 证件类型 (document_type) column" in str(error)


def test_region_check_can_be_turned_off(tmp_path: Path) -> None:
    from stdnum.iso7064 import mod_11_2  # noqa: PLC0415

    body = "12345620220315123"
    number = body + mod_11_2.calc_check_digit(body)
    path = tmp_path / "a.csv"
    path.write_text(f"报名编号,姓名,身份证号,志愿1\nR1,张三,{number},K001\n", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert "first six digits 123456 are not a region code" in str(error)
    imported = files.read_applicants(path, draw_id=DRAW_ID, check_region=False)
    assert imported.registry["R1"].identity.document_number == number


# --- Excel's numbers and dates ------------------------------------------------------------


def xlsx(path: Path, rows: list[list[Any]], formats: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    book.save(path)
    return path


HEADER = ["报名编号", "姓名", "身份证号", "志愿1", "志愿2"]


def person(index: int) -> tuple[str, str]:
    entry = REGISTRY[TABLE.registration_numbers[index]]
    return entry.identity.name, entry.identity.document_number


def test_excel_number_identity_numbers_are_refused(tmp_path: Path) -> None:
    name, number = person(0)
    path = xlsx(
        tmp_path / "a.xlsx",
        [HEADER, ["R1", name, int(number[:-1] + "0"), "K001", ""], ["R2", *person(1), "K001", ""]],
    )
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert isinstance(problem, files.CellError)
    assert (problem.row, problem.column, problem.field) == (2, "C", "document_number")
    assert "15 significant digits" in str(error)
    assert "row 2, column C 身份证号 (document_number)" in str(error)
    assert "Text (文本)" in str(error)


def test_scientific_notation_text_is_refused(tmp_path: Path) -> None:
    name, _ = person(0)
    path = tmp_path / "a.csv"
    path.write_text(f"报名编号,姓名,身份证号,志愿1\nR1,{name},4.40105E+17,K001\n", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert "row 2, column C" in str(error)
    assert "scientific notation" in str(error)


def test_excel_numbers_in_code_columns_keep_their_digits(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        [HEADER, [20260001, *person(0), 1, 2], [12, *person(1), 3, None]],
        formats={"A3": "0000000"},
    )
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    assert imported.table.registration_numbers == ("20260001", "0000012")
    assert [list(a.choices) for a in imported.table] == [["1", "2"], ["3"]]


def test_excel_dates_and_errors_are_refused(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            HEADER,
            ["R1", *person(0), datetime.date(2026, 3, 1), None],
            ["R2", *person(1), "K001", "#N/A"],
        ],
    )
    # A literal "#N/A" typed as text is only text; make it a real error cell.
    book = openpyxl.load_workbook(path)
    book.active["E3"].data_type = "e"
    book.save(path)
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert [(p.row, getattr(p, "column", None)) for p in error.problems] == [(2, "D"), (3, "E")]
    assert "turned this cell into a date" in str(error)
    assert "Excel error" in str(error)


# --- error paths -------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found") as info:
        files.read_applicants(tmp_path / "nope.csv", draw_id=DRAW_ID)
    assert info.value.source == str(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="file not found"):
        files.read_table(tmp_path / "nope.xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xe6\x8a\xa5\xe5\x90\x8d\n\xff\xfe\xfa\n", "is not UTF-8, and not clearly GBK/GB18030"),
        ("报名编号,姓名\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest", "rename it to end in .xlsx"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel .xls"),
    ],
)
def test_undecodable_csv(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        files.read_table(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, AllocError)


def test_unknown_and_broken_file_types(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        files.read_table(tmp_path / "a.txt")
    (tmp_path / "a.xlsx").write_text("not a zip")
    with pytest.raises(InputError, match="not a readable Excel"):
        files.read_table(tmp_path / "a.xlsx")


def test_missing_required_column(tmp_path: Path) -> None:
    path = save(applicant_frame().drop(columns=["身份证号"]), tmp_path / "a", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert [(p.row, p.field) for p in error.problems] == [(1, "document_number")]
    assert "row 1, column document_number: required column is missing" in str(error)
    assert "身份证号" in str(error)


def test_missing_choice_column_in_the_middle(tmp_path: Path) -> None:
    path = save(applicant_frame().drop(columns=["第二志愿"]), tmp_path / "a", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert [p.field for p in error.problems] == ["choice_2"]


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    frame = applicant_frame()
    frame["证件号码"] = frame["身份证号"]
    path = save(frame, tmp_path / "a", "xlsx")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert "two columns give document_number: column D '身份证号' and column L '证件号码'" in str(
        error
    )


def test_a_bad_row_names_row_column_and_value(tmp_path: Path) -> None:
    frame = applicant_frame()
    number = frame.loc[3, "身份证号"]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    frame.loc[3, "身份证号"] = wrong
    path = save(frame, tmp_path / "a", "utf-8-sig")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert isinstance(problem, files.CellError)
    assert (problem.row, problem.column, problem.header, problem.value) == (
        5,
        "D",
        "身份证号",
        wrong,
    )
    message = str(error)
    assert str(path) in message
    assert "row 5, column D 身份证号 (document_number): check character does not match" in message
    # The value is on the error for programs, but a message never repeats personal data.
    assert wrong not in message
    assert "(value withheld: personal data)" in message


def test_duplicate_registration_number_names_both_rows(tmp_path: Path) -> None:
    frame = applicant_frame()
    frame.loc[9, "报名编号"] = frame.loc[2, "报名编号"]
    path = save(frame, tmp_path / "a", "xlsx")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert [(p.row, p.field) for p in error.problems] == [(11, "registration_number")]
    assert "registration number appears twice: rows 4 and 11" in str(error)


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    frame = applicant_frame()
    frame.loc[0, "报名编号"] = ""
    frame.loc[1, "幼儿姓名"] = ""
    frame.loc[2, "身份证号"] = "12345"
    frame.loc[3, "身份证号"] = frame.loc[4, "身份证号"]
    frame.loc[5, "证件类型"] = "驾驶证"
    frame.loc[6, "第二志愿"] = frame.loc[6, "第一志愿"]
    frame.loc[7, "优先条件"] = "owner K001"
    frame.loc[8, "回执校验码"] = "ABCD"
    frame.loc[9, "第一志愿"] = ""
    frame.loc[10, "第一志愿"] = frame.loc[10, "第二志愿"] = frame.loc[10, "第三志愿"] = ""
    frame.loc[11, "幼儿姓名"] = "张*明"
    path = save(frame, tmp_path / "a", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    found = [(p.row, p.field) for p in error.problems]
    assert found == [
        (2, "registration_number"),
        (3, "name"),
        (4, "document_number"),
        (6, "document_number"),
        (7, "document_type"),
        (8, "choice_2"),
        (9, "facts"),
        (10, "salt"),
        (11, "choice_2"),
        (12, "choice_1"),
        (13, "name"),
    ]
    message = str(error)
    # the doubled document number names both rows and registrations
    assert "registered twice: rows 5 (2026-0000004) and 6 (2026-0000005)" in message
    assert "use one of resident-id, 居民身份证" in message
    assert "lists the same kindergarten as choice 1" in message
    assert "not written fact@kindergarten" in message
    assert "choice 2 is given but choice 1 is empty" in message


def test_long_problem_lists_are_capped(tmp_path: Path) -> None:
    frame = applicant_frame()
    frame.loc[:59, "身份证号"] = "123"
    path = save(frame, tmp_path / "a", "utf-8")
    error = problems_of(lambda: files.read_applicants(path, draw_id=DRAW_ID))
    assert len(error.problems) == 60
    message = str(error)
    assert message.startswith(f"{path}: 60 problems; nothing was imported")
    assert "row 51," in message
    assert "row 52," not in message
    assert message.endswith("... and 10 more")


def test_empty_files(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        files.read_applicants(tmp_path / "empty.csv", draw_id=DRAW_ID)
    (tmp_path / "header.csv").write_text("报名编号,姓名,身份证号,志愿1\n,,,\n", "utf-8")
    with pytest.raises(InputError, match="no applicant rows"):
        files.read_applicants(tmp_path / "header.csv", draw_id=DRAW_ID)


def test_unbalanced_quote(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,2\n"3,4\n', "utf-8")
    # An open quote would swallow the rest of the file into one cell.
    with pytest.raises(InputError, match="not well-formed CSV") as info:
        files.read_table(path)
    assert info.value.row == 3
    assert "unmatched double quote" in str(info.value)


# --- checks against the rules ------------------------------------------------------------


def test_check_against_rules_reports_every_row(tmp_path: Path) -> None:
    frame = applicant_frame()
    groups = frame["多胞胎编号"]
    twins = [i for i in range(len(frame)) if groups[i] == "G0001"]
    frame.loc[0, "第一志愿"] = "k001" if frame.loc[0, "第一志愿"] != "K001" else "k002"
    frame.loc[1, "类别"] = "vip"
    frame.loc[2, "优先条件"] = "owners@K001"
    frame.loc[3, "第三志愿"] = "第1幼儿园"
    frame.loc[twins[1], "第一志愿"], frame.loc[twins[1], "第二志愿"] = (
        frame.loc[twins[1], "第二志愿"],
        frame.loc[twins[1], "第一志愿"],
    )
    frame.loc[150, "多胞胎编号"] = "G9999"
    frame.loc[151, "类别"] = ""
    path = save(frame, tmp_path / "a", "utf-8")
    imported = files.read_applicants(path, draw_id=DRAW_ID)
    problems = files.check_against_rules(imported, RULES)
    found = [(p.row, p.field) for p in problems]
    assert (2, "choice_1") in found
    assert (3, "tier") in found
    assert (4, "facts") in found
    assert (5, "choice_3") in found
    assert (twins[1] + 2, "group") in found
    assert (152, "group") in found
    assert (153, "tier") in found
    text = "\n".join(map(str, problems))
    assert "ids are case-sensitive" in text
    assert "that is the name of 'K001'" in text
    assert "gives no priority" in text
    assert f"from its sibling on row {twins[0] + 2}" in text
    assert all(str(path) in str(p) for p in problems)
    combined = files.SpreadsheetError.of(problems, source=path)
    assert len(combined.problems) == len(problems)


# --- read_table -------------------------------------------------------------------------


def test_read_table_keeps_text_and_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "t.xlsx",
        [
            ["编号", " 志愿１ ", "名称"],
            ["0001", 7, " 天河 一幼 "],
            [None, None, None],
            ["0003", 12, "  "],
            [None, "   ", None],
        ],
        formats={"B4": "000"},
    )
    table = files.read_table(path)
    assert list(table.columns) == ["编号", "志愿1", "名称"]
    assert table.index.tolist() == [2, 4]
    assert table.to_dict("list") == {
        "编号": ["0001", "0003"],
        "志愿1": ["7", "012"],
        "名称": ["天河 一幼", ""],
    }
    assert all(isinstance(v, str) for column in table.columns for v in table[column])


def test_read_table_refuses_long_excel_numbers_and_duplicate_headers(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "t.xlsx",
        [["a", "b", "a"], ["x", 4.40105e17, "y"], ["z", 1234567890123456, "w"]],
    )
    error = problems_of(lambda: files.read_table(path))
    assert [(p.row, getattr(p, "column", None)) for p in error.problems] == [
        (1, "C"),
        (2, "B"),
        (3, "B"),
    ]
    assert "appears twice (also column A)" in str(error)


@settings(max_examples=30)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.sampled_from('ab1２ 　,"\n张三·'), min_size=0, max_size=6).filter(
                lambda t: not t.startswith("'")
            ),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_read_table_round_trips_csv_text(rows: list[list[str]], encoding: str) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=str)
    expected = [
        (number, [v.strip() for v in row])
        for number, row in enumerate(rows, start=2)
        if any(v.strip() for v in row)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        frame.to_csv(path, index=False, encoding=encoding)
        table = files.read_table(path)
    assert [
        (n, list(r)) for n, r in zip(table.index, table.itertuples(index=False), strict=True)
    ] == expected


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "张",
                ",",
                '"',
                " ",
                "\t",
                "\r",
                "\n",
                "\r\n",
                "\x0b",
                "\x0c",
                "\x1c",
                "\x85",
                "\u2028",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_csv_lines_are_cut_where_stringio_cuts_them(text: str) -> None:
    """The reader cuts lines itself (no StringIO copy); csv must see the same pieces."""
    assert [m.group() for m in sheets._LINE.finditer(text)] == list(io.StringIO(text, newline=""))


# --- header names and facts ---------------------------------------------------------------


@settings(max_examples=50)
@given(
    st.sampled_from(
        [(alias, name) for name, aliases in files.APPLICANT_COLUMNS.items() for alias in aliases]
    ),
    st.lists(st.sampled_from([" ", "\u3000", "_", "*"]), max_size=3),
    st.booleans(),
)
def test_header_aliases_match_whatever_the_case_and_spacing(
    pair: tuple[str, str], noise: list[str], upper: bool
) -> None:
    alias, name = pair
    if name == "choice_N":
        return
    header = "".join(noise) + (alias.upper() if upper else alias) + "".join(noise)
    header = full_width(header) if upper else header
    assert files._match_header(header, files._APPLICANT_INDEX, choices=True) == name


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("志愿1", "choice_1"),
        ("第1志愿", "choice_1"),
        ("第一志愿", "choice_1"),
        ("第十志愿", "choice_10"),
        ("第十二志愿", "choice_12"),
        ("第二十志愿", "choice_20"),
        ("Choice 3", "choice_3"),
        ("choice_32", "choice_32"),
        ("choice_33", None),
        ("报名编号 (registration number)", "registration_number"),
        ("志愿1 (choice_1)", "choice_1"),
        ("性别", None),
    ],
)
def test_choice_and_bilingual_headers(header: str, field: str | None) -> None:
    assert files._match_header(header, files._APPLICANT_INDEX, choices=True) == field


identifier = st.text(alphabet="abcKXYZ019-", min_size=1, max_size=5)


@settings(max_examples=25)
@given(
    st.lists(st.tuples(identifier, identifier), min_size=1, max_size=4, unique=True),
    st.sampled_from([";", "; ", "；", ",", "、", " ；\n"]),
    st.sampled_from(["@", "＠", " @ "]),
)
def test_facts_syntax(pairs: list[tuple[str, str]], separator: str, at: str) -> None:
    text = separator.join(f"{fact}{at}{kg}" for fact, kg in pairs)
    frame = pd.DataFrame(
        [["R1", *person(0), "K001", text]],
        columns=["报名编号", "姓名", "身份证号", "志愿1", "优先条件"],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = save(frame, Path(folder) / "a", "utf-8")
        imported = files.read_applicants(path, draw_id=DRAW_ID)
    facts = imported.table.applicant(0).facts
    assert {(f.name, f.kindergarten) for f in facts} == set(pairs)
    assert imported.fact_fields == ("facts",) * len(pairs)


def test_owner_and_staff_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        [["R1", *person(0), "K001", "owner@K001", "K001", "K002"]],
        columns=[
            "报名编号",
            "姓名",
            "身份证号",
            "志愿1",
            "facts",
            "业主幼儿园",
            "教职工子女幼儿园",
        ],
    )
    imported = files.read_applicants(save(frame, tmp_path / "a", "xlsx"), draw_id=DRAW_ID)
    facts = imported.table.applicant(0).facts
    assert {(f.name, f.kindergarten) for f in facts} == {("owner", "K001"), ("staff", "K002")}
    assert sorted(imported.fact_fields) == ["facts", "staff_at"]


# --- kindergartens and rules ---------------------------------------------------------------


def test_read_kindergartens(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text(
        "幼儿园编号,幼儿园名称,班数,班额,预留学位\n"
        "K01,天河一幼,4,30,owners=12@owner； staff=3@staff\n"
        "Ｋ０２,天河二幼,3,25,\n",
        "gbk",
    )
    kgs = files.read_kindergartens(path)
    assert kgs == (
        Kindergarten(
            "K01",
            "天河一幼",
            120,
            (SeatBlock("owners", 12, "owner"), SeatBlock("staff", 3, "staff")),
        ),
        Kindergarten("K02", "天河二幼", 75),
    )


def test_read_kindergartens_reports_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text(
        "编号,名称,学位数,班数,班额,预留学位\n"
        "K01,一幼,100,4,30,\n"
        "K02,二幼,0,,,\n"
        ",三幼,90,,,\n"
        "K01,四幼,90,,,\n"
        "K05,五幼,90,,,owners:9@owner\n"
        "K06,六幼,10,,,owners=20@owner\n"
        "K07,七幼,,,,\n",
        "utf-8",
    )
    error = problems_of(lambda: files.read_kindergartens(path))
    assert [(p.row, p.field) for p in error.problems] == [
        (2, "seats"),
        (3, "seats"),
        (4, "id"),
        (5, "id"),
        (6, "blocks"),
        (7, "blocks"),
        (8, "seats"),
    ]
    message = str(error)
    assert "seats 100 differ from classes × class size = 4 × 30 = 120" in message
    assert "rows 2 and 5" in message
    assert "more than the capacity 10" in message


def test_read_kindergartens_needs_seats(tmp_path: Path) -> None:
    path = tmp_path / "k.xlsx"
    xlsx(path, [["编号", "名称", "班数"], ["K01", "一幼", 3]])
    error = problems_of(lambda: files.read_kindergartens(path))
    assert [(p.row, p.field) for p in error.problems] == [(1, "seats")]


def test_rules_round_trip_and_errors(tmp_path: Path) -> None:
    path = files.write_rules(tmp_path / "rules.json", RULES)
    assert files.read_rules(path) == RULES
    assert path.read_text("utf-8").endswith("}\n")
    with pytest.raises(files.OutputExistsError):
        files.write_rules(path, RULES)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "draw_id": "x",\n  "kindergartens": [\n}\n', "utf-8")
    with pytest.raises(InputError, match="not valid JSON") as info:
        files.read_rules(broken)
    assert info.value.row == 4
    assert info.value.source == str(broken)
    doubled = tmp_path / "doubled.json"
    doubled.write_text('{"draw_id": "a", "draw_id": "b"}', "utf-8")
    with pytest.raises(InputError, match="duplicate key"):
        files.read_rules(doubled)
    bad = tmp_path / "bad.json"
    data = RULES.to_json()
    data["kindergartens"][0]["seats"] = 0
    files.write_json(bad, data)
    with pytest.raises(RulesError, match="capacity must be a positive integer") as rules_info:
        files.read_rules(bad)
    assert rules_info.value.source == str(bad)


# --- writing files -------------------------------------------------------------------------


def test_write_bytes_never_overwrites_without_force(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    assert files.write_bytes(path, b"first") == path
    with pytest.raises(files.OutputExistsError, match="--force") as info:
        files.write_bytes(path, b"second")
    assert str(path) in str(info.value)
    assert isinstance(info.value, AllocError)
    assert path.read_bytes() == b"first"
    files.write_bytes(path, b"second", force=True)
    assert path.read_bytes() == b"second"
    assert sorted(os.listdir(tmp_path)) == ["out.bin"]


def test_write_bytes_leaves_no_temporary_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(StorageError, match="disk is full") as info:
        files.write_bytes(tmp_path / "out.bin", b"data")
    assert info.value.path == tmp_path / "out.bin"
    assert info.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path) == []
    (tmp_path / "kept").write_bytes(b"old")
    with pytest.raises(StorageError):
        files.write_bytes(tmp_path / "kept", b"new", force=True)
    assert os.listdir(tmp_path) == ["kept"]
    assert (tmp_path / "kept").read_bytes() == b"old"


def test_write_bytes_loses_no_race(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file appearing between the check and the rename is not clobbered."""
    path = tmp_path / "out.bin"
    real_link = os.link

    def racing_link(src: Any, dst: Any, **kwargs: Any) -> None:
        Path(dst).write_bytes(b"theirs")
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(files.OutputExistsError):
        files.write_bytes(path, b"ours")
    assert path.read_bytes() == b"theirs"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_write_bytes_errors(tmp_path: Path) -> None:
    with pytest.raises(files.OutputError, match="does not exist"):
        files.write_bytes(tmp_path / "missing" / "out.bin", b"x")
    private = files.write_bytes(tmp_path / "key", b"secret", mode=0o600)
    assert private.stat().st_mode & 0o777 == 0o600


def test_lines_round_trip_and_damage(tmp_path: Path) -> None:
    lines = [b'{"a":1}', b'{"b":"\xe5\xbc\xa0"}']
    path = files.write_lines(tmp_path / "records.jsonl", lines)
    assert path.read_bytes() == b'{"a":1}\n{"b":"\xe5\xbc\xa0"}\n'
    assert files.read_lines(path) == lines
    assert files.read_lines(files.write_lines(tmp_path / "empty.jsonl", [])) == []
    for name, data, message, row in [
        ("truncated", b"a\nb", "no newline", 2),
        ("crlf", b"a\r\nb\r\n", "CRLF", 1),
        ("blank", b"a\n\nb\n", "empty line", 2),
        ("bom", b"\xef\xbb\xbfa\n", "byte-order mark", 1),
    ]:
        damaged = tmp_path / name
        damaged.write_bytes(data)
        with pytest.raises(InputError, match=message) as info:
            files.read_lines(damaged)
        assert (info.value.row, info.value.source) == (row, str(damaged))
    with pytest.raises(InputError, match="newline"):
        files.write_lines(tmp_path / "bad.jsonl", [b"a\nb"])
    assert not (tmp_path / "bad.jsonl").exists()


def plainly_read_lines(data: bytes) -> Any:
    """read_lines as the docstring defines it, over the whole file at once: lines or an error."""
    if not data:
        return ("lines", [])
    if data.startswith(b"\xef\xbb\xbf"):
        return ("error", "starts with a byte-order mark (BOM)", 1)
    if not data.endswith(b"\n"):
        return ("error", "the last line has no newline", data.count(b"\n") + 1)
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, start=1):
        if line.endswith(b"\r"):
            return ("error", "line ends with CRLF (Windows line endings)", number)
        if b"\r" in line:
            return ("error", "line contains a carriage return", number)
        if not line:
            return ("error", "empty line", number)
    return ("lines", lines)


def streamed(read: Callable[[], list[bytes]]) -> Any:
    try:
        return ("lines", read())
    except InputError as exc:
        return ("error", exc.problem.split(":")[0], exc.row)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"", b"\n", b"\r", b"\r\n", b"ab", b"{}", b"\xef\xbb\xbf"]), max_size=30
    ),
    st.integers(1, 12),
    st.integers(1, 9),
)
def test_a_line_file_is_read_in_blocks_and_chunks_as_it_is_read_whole(
    pieces: list[bytes], block: int, size: int
) -> None:
    data = b"".join(pieces)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_bytes(data)
        expected = plainly_read_lines(data)
        # Every reading to the end is recorded, refused or not, as the file's whole bytes.
        whole = files.FileDigest(str(path), len(data), hashlib.sha256(data).digest())
        with pytest.MonkeyPatch.context() as patch, files.recording_reads() as reads:
            patch.setattr(files, "_LINE_BLOCK", block)
            assert streamed(lambda: files.read_lines(path)) == expected
            assert reads == [whole]

            def chunked() -> list[bytes]:
                lines = files.LineFile(path)
                chunks = list(lines.chunks(size))
                assert all(len(c) == size for c in chunks[:-1])
                assert all(0 < len(c) <= size for c in chunks[-1:])
                assert list(lines.chunks(size)) == chunks  # read again, the same
                return [line for chunk in chunks for line in chunk]

            assert streamed(chunked) == expected
            assert set(reads) == {whole}
            assert len(reads) == (3 if expected[0] == "lines" else 2)


def test_a_line_file_records_only_whole_readings_and_the_same_bytes(tmp_path: Path) -> None:
    path = files.write_lines(tmp_path / "results.jsonl", [b"a", b"b", b"c"])
    with files.recording_reads() as reads:
        lines = files.LineFile(path)
        next(iter(lines.chunks(1)))  # a reading stopped early reads no whole file
        assert reads == []
        assert [line for chunk in lines.chunks(2) for line in chunk] == [b"a", b"b", b"c"]
        assert reads == [files.FileDigest(str(path), 6, hashlib.sha256(b"a\nb\nc\n").digest())]
        # Other bytes under the same size and time: only the digest tells.
        stamp = path.stat()
        path.write_bytes(b"a\nb\nd\n")
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        with pytest.raises(InputError, match="changed while alloc was reading it"):
            list(lines.chunks(2))
    assert list(lines.chunks(2)) == [[b"a", b"b"], [b"d"]]  # unrecorded readings are not hashed


def test_a_line_file_that_changes_after_it_was_opened_is_refused(tmp_path: Path) -> None:
    path = files.write_lines(tmp_path / "results.jsonl", [b"a", b"b", b"c"])
    lines = files.LineFile(path)
    assert list(lines.chunks(2)) == [[b"a", b"b"], [b"c"]]
    path.write_bytes(b"a\nb\nc\nd\n")
    with pytest.raises(InputError, match="changed while alloc was reading it"):
        list(lines.chunks(2))
    with pytest.raises(InputError, match="file not found"):
        files.LineFile(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match="at least one line"):
        list(files.LineFile(path).chunks(0))


def test_read_envelope(tmp_path: Path, reference: dict[str, Any]) -> None:
    path = files.write_bytes(tmp_path / "announcement.json", reference["announcement"])
    envelope = files.read_envelope(path, "announcement")
    assert envelope.to_bytes() == reference["announcement"]
    with pytest.raises(MalformedDocumentError, match="not a transcript") as info:
        files.read_envelope(path, "transcript")
    assert info.value.source == str(path)
    edited = files.write_bytes(tmp_path / "edited.json", reference["announcement"][:-1] + b" \n")
    with pytest.raises(MalformedDocumentError, match="canonical"):
        files.read_envelope(edited, "announcement")


def test_write_json(tmp_path: Path) -> None:
    path = files.write_json(tmp_path / "a.json", {"名": [1, True, None]})
    assert path.read_text("utf-8") == '{\n  "名": [\n    1,\n    true,\n    null\n  ]\n}\n'
    canonical = files.write_json(tmp_path / "b.json", {"b": 1, "a": "x"}, canonical=True)
    assert canonical.read_bytes() == b'{"a":"x","b":1}\n'
    with pytest.raises(InputError, match="JSON"):
        files.write_json(tmp_path / "c.json", {"x": float("nan")})
    assert not (tmp_path / "c.json").exists()


# --- result files --------------------------------------------------------------------------


def readable_text(path: Path) -> str:
    """Every character of a CSV or .xlsx file, for scanning."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel must carry a BOM"
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_and_numbers_appear_only_in_the_private_results(
    tmp_path: Path, outcome: Outcome, suffix: str
) -> None:
    assert outcome.unplaced
    assert any(len(outcome.waitlist(k.id)) for k in RULES.kindergartens)
    public = [
        *files.write_notice_lists(tmp_path / "notice", outcome, REGISTRY, suffix=suffix),
        files.write_waitlists(tmp_path / f"waitlists{suffix}", outcome, REGISTRY),
        files.write_unplaced(tmp_path / f"unplaced{suffix}", outcome, REGISTRY),
        files.write_receipts(tmp_path / f"receipts{suffix}", REGISTRY),
    ]
    assert len(public) == len(RULES.kindergartens) + 3
    private = files.write_private_results(tmp_path / f"results{suffix}", outcome, REGISTRY)
    secrets = [(e.identity.name, e.identity.document_number) for e in REGISTRY.values()]
    for path in public:
        text = readable_text(path)
        for name, number in secrets:
            assert name not in text, f"{path.name} shows the name {name}"
            assert number not in text, f"{path.name} shows a document number"
    text = readable_text(private)
    assert all(name in text and number in text for name, number in secrets)
    assert private.stat().st_mode & 0o077 == 0


def test_private_results_in_draw_order(tmp_path: Path, outcome: Outcome) -> None:
    path = files.write_private_results(tmp_path / "results.xlsx", outcome, REGISTRY)
    table = files.read_table(path)
    assert list(table.columns)[:3] == [
        "派位序号 (draw rank)",
        "报名编号 (registration number)",
        "幼儿姓名 (name)",
    ]
    results = list(outcome)
    assert table["报名编号 (registration number)"].tolist() == [
        r.registration_number for r in results
    ]
    assert table["派位序号 (draw rank)"].tolist() == [str(i) for i in range(1, len(results) + 1)]
    assert table["随机号 (lottery number)"].tolist() == [r.ticket.hex() for r in results]
    assert table["录取幼儿园编号 (placed kindergarten id)"].tolist() == [
        r.placed or "" for r in results
    ]
    names = {k.id: k.name for k in RULES.kindergartens}
    first_placed = next(r for r in results if r.placed)
    row = table.iloc[results.index(first_placed)]
    assert row["录取幼儿园 (placed kindergarten)"] == names[first_placed.placed]
    assert set(table["超计划录取 (over capacity)"]) <= {"是", "否"}
    waitlisted = next(r for r in results if r.waitlist)
    kg, position = waitlisted.waitlist[0]
    assert f"{kg} #{position}" in table.iloc[results.index(waitlisted)]["候补 (waitlist positions)"]
    entry = REGISTRY[results[0].registration_number]
    assert table.iloc[0]["证件号码 (document number)"] == entry.identity.document_number


def test_notice_lists_show_masks_in_order(tmp_path: Path, outcome: Outcome) -> None:
    written = files.write_notice_lists(tmp_path / "notice", outcome, REGISTRY)
    assert [p.name for p in written] == [f"notice-{k.id}.csv" for k in RULES.kindergartens]
    kg = RULES.kindergartens[0]
    table = files.read_table(written[0])
    placed = list(outcome.placed_at(kg.id))
    waitlist = [reg for reg, _ in outcome.waitlist(kg.id)]
    assert table["报名编号 (registration number)"].tolist() == placed + waitlist
    assert table["结果 (result)"].tolist() == ["录取 (placed)"] * len(placed) + [
        "候补 (waitlist)"
    ] * len(waitlist)
    entry = REGISTRY[placed[0]]
    assert table.iloc[0]["幼儿姓名 (name, masked)"] == mask_name(entry.identity.name)
    masked = mask_document_number(DocumentType.RESIDENT_ID, entry.identity.document_number)
    assert table.iloc[0]["证件号码 (document number, masked)"] == masked
    assert len(masked) == 18
    assert masked[:14] == "*" * 14
    with pytest.raises(files.OutputExistsError):
        files.write_notice_lists(tmp_path / "notice", outcome, REGISTRY)
    files.write_notice_lists(tmp_path / "notice", outcome, REGISTRY, force=True)


def test_waitlists_and_unplaced(tmp_path: Path, outcome: Outcome) -> None:
    waitlists = files.read_table(
        files.write_waitlists(tmp_path / "waitlists.csv", outcome, REGISTRY)
    )
    expected = [
        (k.id, str(position), reg)
        for k in RULES.kindergartens
        for reg, position in outcome.waitlist(k.id)
    ]
    assert (
        list(
            zip(
                waitlists["幼儿园编号 (kindergarten id)"],
                waitlists["候补序号 (waitlist position)"],
                waitlists["报名编号 (registration number)"],
                strict=True,
            )
        )
        == expected
    )
    unplaced = files.read_table(files.write_unplaced(tmp_path / "unplaced.csv", outcome, REGISTRY))
    assert unplaced["报名编号 (registration number)"].tolist() == list(outcome.unplaced)
    assert np.all(unplaced["志愿 (choices)"].str.len() > 0)


def test_unknown_output_type_and_unknown_child(tmp_path: Path, outcome: Outcome) -> None:
    with pytest.raises(InputError, match=r"use \.csv or \.xlsx"):
        files.write_waitlists(tmp_path / "w.txt", outcome, REGISTRY)
    partial = Registry(list(REGISTRY.values())[1:])
    with pytest.raises(InputError, match="registry does not know"):
        files.write_private_results(tmp_path / "r.csv", outcome, partial)
    assert os.listdir(tmp_path) == []
