"""Registration exports as bureaus really have them.

Every messy file is made here (openpyxl for workbooks, raw bytes for CSV in
other encodings), and each gives its outcome with the row, the column and,
for a workbook, the sheet: hidden and instructions sheets, twins columns
under many names, names damaged by an encoding, Big5 and Shift-JIS files,
totals rows, apostrophes, kindergarten names for ids, tier labels, hidden
rows, merged cells, and every limit.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import APPLICANT_HEADER, resident_id, small_applicants, write_csv

from alloc import io as files
from alloc import sheets
from alloc.errors import InputError
from alloc.identity import format_salt
from alloc.model import DrawRules, Kindergarten, SeatBlock
from alloc.records import record_lines

DRAW_ID = "2026-test-import"
RULES = DrawRules(
    draw_id=DRAW_ID,
    kindergartens=(
        Kindergarten("K01", "阳光幼儿园", seats=3, blocks=(SeatBlock("owners", 1, "owner"),)),
        Kindergarten("K02", "星星幼儿园", seats=2),
        Kindergarten("K03", "月亮幼儿园", seats=2),
    ),
    tiers=("local", "other"),
)
ROWS = [list(row) for row in small_applicants()]
HEADER = list(APPLICANT_HEADER)


def column_of(header: str) -> int:
    return HEADER.index(header)


def workbook(path: Path, sheets_: Sequence[tuple[str, list[list[object]], str]], active: int = 0):
    """A workbook of (name, rows, state) sheets, Excel opening on ``active``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, state in sheets_:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    book.active = active
    book.save(path)
    return path


def problems(call) -> list[str]:
    with pytest.raises(files.SpreadsheetError) as info:
        call()
    return [str(p) for p in info.value.problems]


def read(path: Path, **options: object) -> files.ApplicantImport:
    return files.read_applicants(path, draw_id=DRAW_ID, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = write_csv(tmp_path_factory.mktemp("ref") / "a.csv", [HEADER, *ROWS])
    return record_lines(read(path, rules=RULES).table)


# --- sheets ---------------------------------------------------------------------------


def test_a_hidden_first_sheet_is_never_read_silently(
    tmp_path: Path, reference: list[bytes]
) -> None:
    last_year = [HEADER, *[[*r[:1], *r[1:]] for r in ROWS[:3]]]
    path = workbook(
        tmp_path / "a.xlsx",
        [("2025年名单", last_year, "hidden"), ("2026年报名", [HEADER, *ROWS], "visible")],
        active=1,
    )
    imported = read(path, rules=RULES)
    assert imported.sheet == "2026年报名"
    assert record_lines(imported.table) == reference
    assert "hidden sheet '2025年名单' was not read" in imported.notes


def test_the_only_list_on_a_hidden_sheet_is_refused_unless_named(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        [("名单", [HEADER, *ROWS], "hidden"), ("封面", [["2026年报名名单"]], "visible")],
        active=1,
    )
    with pytest.raises(
        InputError, match="the only sheet with applicant columns, '名单', is hidden"
    ):
        read(path)
    imported = read(path, sheet="名单")
    assert imported.sheet == "名单"
    assert "sheet '名单' is hidden in Excel; read as asked" in imported.notes


def test_an_instructions_sheet_first_is_passed_over_and_named(tmp_path: Path) -> None:
    instructions = [["填表说明"], ["1. 身份证号请填写18位"], ["2. 志愿请填写幼儿园编号"]]
    path = workbook(
        tmp_path / "a.xlsx",
        [("填表说明", instructions, "visible"), ("报名表", [HEADER, *ROWS], "visible")],
        active=0,
    )
    imported = read(path)
    assert imported.sheet == "报名表"
    assert any("Excel opens on '填表说明'" in n for n in imported.notes)
    assert "sheet '填表说明' was not read: it has no applicant columns" in imported.notes


def test_two_visible_lists_are_ambiguous_until_a_sheet_is_named(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        [("2026", [HEADER, *ROWS], "visible"), ("2025", [HEADER, *ROWS[:4]], "visible")],
    )
    with pytest.raises(InputError, match="sheets '2026' and '2025' both hold applicant columns"):
        read(path)
    assert len(read(path, sheet="2025").table) == 4
    with pytest.raises(InputError, match="no such sheet"):
        read(path, sheet="2024")


def test_no_sheet_with_the_columns_names_the_sheet_and_the_others(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        [("说明", [["说明"]], "visible"), ("数据", [["编号", "姓名"], ["1", "张三"]], "visible")],
    )
    found = problems(lambda: read(path))
    assert any("sheet '数据'" in p and "required column is missing" in p for p in found)
    assert any("sheet '说明' was not read" in p for p in found)


def test_messages_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][column_of("身份证号")] = rows[2][column_of("身份证号")][:-1] + "0"
    path = workbook(tmp_path / "a.xlsx", [("报名表", [HEADER, *rows], "visible")])
    with pytest.raises(files.SpreadsheetError) as info:
        read(path)
    assert str(info.value).startswith(f"{path}, sheet '报名表': 1 problem")
    (problem,) = info.value.problems
    assert isinstance(problem, files.CellError)
    assert (problem.sheet, problem.row, problem.column) == ("报名表", 4, "D")


def test_a_csv_has_no_sheet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, *ROWS])
    with pytest.raises(InputError, match="a CSV file has no sheets"):
        read(path, sheet="Sheet1")


# --- columns ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["双胞胎编号", "二胎/双胞胎", "多胞胎", "双胞胎/多胞胎组号"])
def test_twins_columns_under_other_names_are_read(tmp_path: Path, header: str) -> None:
    head = [header if h == "多胞胎编号" else h for h in HEADER]
    imported = read(write_csv(tmp_path / "a.csv", [head, *ROWS]), rules=RULES)
    assert imported.column("group") is not None
    assert imported.table.group_ids == ("G01",)


def test_a_yes_no_twins_column_is_refused_once(tmp_path: Path) -> None:
    head = ["是否双胞胎" if h == "多胞胎编号" else h for h in HEADER]
    rows = [list(r) for r in ROWS]
    for row in rows:
        row[column_of("多胞胎编号")] = "是" if row[column_of("多胞胎编号")] else "否"
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [head, *rows])))
    assert len(found) == 1
    assert "row 1, column H 是否双胞胎 (group): the multiples column says yes or no" in found[0]


def test_every_ignored_column_is_reported_with_its_letter(tmp_path: Path) -> None:
    head = [*HEADER, "备注", "家长姓名"]
    rows = [[*r, "", "某某"] for r in ROWS]
    imported = read(write_csv(tmp_path / "a.csv", [head, *rows]))
    assert [(c.letter, c.header) for c in imported.ignored] == [("K", "备注"), ("L", "家长姓名")]


# --- damaged text ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["陈?", "陈？", "陈\ufffd"])
def test_names_that_lost_a_character_are_refused(tmp_path: Path, name: str) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][column_of("幼儿姓名")] = name
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [HEADER, *rows])))
    assert len(found) == 1
    assert "row 3, column B 幼儿姓名 (name):" in found[0]
    assert ("U+FFFD" if "\ufffd" in name else "name contains '?'") in found[0]
    assert name not in found[0]  # personal data is never echoed


def test_a_replacement_character_in_a_code_is_refused(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][column_of("第一志愿")] = "K0\ufffd"
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [HEADER, *rows])))
    assert len(found) == 1
    assert "row 2, column E 第一志愿 (choice_1): holds the replacement character" in found[0]


def test_big5_and_shift_jis_are_refused_with_how_to_save_as_utf8(tmp_path: Path) -> None:
    traditional = [["報名編號", "幼兒姓名", "身份證號", "第一志願"]] + [
        [f"2026-{i}", name, resident_id("810000", "20220101", i), "K01"]
        for i, name in enumerate(["陳大文", "林志明", "黃美玲", "張家豪", "劉德華"])
    ]
    big5 = write_csv(tmp_path / "big5.csv", traditional, encoding="big5")
    with pytest.raises(InputError, match=r"is Big5 \(Traditional Chinese") as info:
        read(big5)
    assert "save it as 'CSV UTF-8" in str(info.value)
    japanese = [["申込番号", "氏名", "フリガナ"], ["1", "山田太郎", "ヤマダ タロウ"]]
    sjis = write_csv(tmp_path / "sjis.csv", japanese, encoding="cp932")
    with pytest.raises(InputError, match=r"is Shift-JIS \(Japanese\) text"):
        read(sjis)


def test_gbk_is_read_and_named(tmp_path: Path, reference: list[bytes]) -> None:
    imported = read(write_csv(tmp_path / "a.csv", [HEADER, *ROWS], encoding="gbk"), rules=RULES)
    assert imported.encoding == "gb18030"
    assert record_lines(imported.table) == reference


# --- totals rows, apostrophes, spaces, full-width digits ----------------------------------


def test_a_totals_row_is_not_an_applicant(tmp_path: Path, reference: list[bytes]) -> None:
    totals = ["合计", "", "", "", "", "", "", "", "", f"共{len(ROWS)}人"]
    imported = read(write_csv(tmp_path / "a.csv", [HEADER, *ROWS, totals]), rules=RULES)
    assert record_lines(imported.table) == reference
    assert any("is a totals row (合计 12, which matches" in n for n in imported.notes)


def test_a_totals_row_that_disagrees_is_a_problem(tmp_path: Path) -> None:
    totals = ["总计：13人"]
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [HEADER, *ROWS, totals])))
    assert found == [
        f"{tmp_path / 'a.csv'}, row 14: the totals row (总计) says 13 but there are 12 applicant"
        " rows (value 13); rows may be missing (a filter, a copy that stopped short) or doubled;"
        " check the list, or delete the totals row"
    ]


def test_apostrophes_spaces_and_full_width_digits(tmp_path: Path, reference: list[bytes]) -> None:
    rows = [list(r) for r in ROWS]
    number = column_of("身份证号")
    rows[0][number] = "'" + rows[0][number]
    rows[1][number] = " ' " + rows[1][number] + " "
    rows[2][number] = rows[2][number].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows[3][0] = "'" + rows[3][0]
    rows[4][column_of("第一志愿")] = "  Ｋ０２\u200b"
    imported = read(write_csv(tmp_path / "a.csv", [HEADER, *rows]), rules=RULES)
    assert record_lines(imported.table) == reference


def test_alloc_s_own_apostrophe_quoting_round_trips(tmp_path: Path) -> None:
    registry = read(write_csv(tmp_path / "a.csv", [HEADER, *ROWS])).registry
    table = read(write_csv(tmp_path / "a.csv", [HEADER, *ROWS])).table
    written = files.write_applicants(tmp_path / "b.csv", table, registry)
    assert record_lines(read(written).table) == record_lines(table)


# --- the rules: names and labels ------------------------------------------------------------


def test_kindergarten_names_are_read_as_ids(tmp_path: Path, reference: list[bytes]) -> None:
    names = {k.id: k.name for k in RULES.kindergartens}
    rows = [list(r) for r in ROWS]
    for row in rows[::2]:
        row[column_of("第一志愿")] = names[row[column_of("第一志愿")]]
    rows[6][column_of("优先条件")] = "owner@阳光幼儿园"
    imported = read(write_csv(tmp_path / "a.csv", [HEADER, *rows]), rules=RULES)
    assert record_lines(imported.table) == reference
    assert "6 choice cells named a kindergarten by its name; read as its id" in imported.notes


def test_a_name_and_an_id_for_one_kindergarten_is_a_repeat(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][column_of("第二志愿")] = {"K01": "阳光幼儿园", "K02": "星星幼儿园"}.get(
        rows[0][column_of("第一志愿")], "月亮幼儿园"
    )
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [HEADER, *rows]), rules=RULES))
    assert any(
        "row 2, column F 第二志愿 (choice_2): names the same kindergarten" in p for p in found
    )


def test_tier_labels_map_to_tier_ids(tmp_path: Path, reference: list[bytes]) -> None:
    rows = [list(r) for r in ROWS]
    tier = column_of("类别")
    for row in rows:
        row[tier] = {"local": "本地户籍", "other": "非本地 户籍"}[row[tier]]
    path = write_csv(tmp_path / "a.csv", [HEADER, *rows])
    labels = files.tier_labels_from(["本地户籍=local", "非本地户籍=other"])
    imported = read(path, rules=RULES, tier_labels=labels)
    assert record_lines(imported.table) == reference
    found = problems(lambda: read(path, rules=RULES))
    assert len(found) == len(rows)
    assert "row 2, column G 类别 (tier): tier is not declared in the rules" in found[0]
    assert "use one of local, other" in found[0]
    assert "--tier-label" in found[0]
    with pytest.raises(InputError, match="maps to a tier the rules do not declare"):
        read(path, rules=RULES, tier_labels={"本地户籍": "vip"})
    with pytest.raises(InputError, match="LABEL=TIER"):
        files.tier_labels_from(["本地户籍"])


def test_every_problem_in_one_pass(tmp_path: Path) -> None:
    """Parse problems and rule problems together, also on rows that do not parse."""
    rows = [list(r) for r in ROWS]
    number = column_of("身份证号")
    rows[1][number] = rows[1][number][:-1] + ("0" if rows[1][number][-1] != "0" else "1")
    rows[1][column_of("类别")] = "vip"  # the same row: a parse and a rule problem
    rows[3][column_of("第一志愿")] = "K09"
    rows[5][column_of("回执校验码")] = "ABC"
    found = problems(lambda: read(write_csv(tmp_path / "a.csv", [HEADER, *rows]), rules=RULES))
    where = [p.split(": ", 1)[0].split(", ", 1)[1] for p in found]
    assert where == [
        "row 3, column D 身份证号 (document_number)",
        "row 3, column G 类别 (tier)",
        "row 5, column E 第一志愿 (choice_1)",
        "row 7, column J 回执校验码 (salt)",
    ]


# --- layout ------------------------------------------------------------------------------------


def test_hidden_rows_and_merged_cells_are_problems(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [("报名表", [HEADER, *ROWS], "visible")])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.row_dimensions[4].hidden = True
    sheet.merge_cells("E6:E7")
    book.save(path)
    found = problems(lambda: read(path))
    assert any("row 4: the row is hidden in Excel" in p for p in found)
    assert any("row 6, column E: cells E6:E7 are merged" in p for p in found)


# --- limits ------------------------------------------------------------------------------------


def test_limits_are_refused_cleanly(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, *ROWS])
    small = sheets.SpreadsheetLimits(max_csv_bytes=100)
    with pytest.raises(InputError, match="more than the 100 bytes alloc reads as CSV"):
        read(path, limits=small)
    with pytest.raises(InputError, match="more than 5 rows"):
        read(path, limits=sheets.SpreadsheetLimits(max_rows=5))
    with pytest.raises(InputError, match="more than 4 cells"):
        read(path, limits=sheets.SpreadsheetLimits(max_columns=4))
    long = [list(r) for r in ROWS]
    long[0][column_of("优先条件")] = "x" * 50
    with pytest.raises(InputError, match="holds 50 characters, more than the 40"):
        read(
            write_csv(tmp_path / "b.csv", [HEADER, *long]),
            limits=sheets.SpreadsheetLimits(max_cell_chars=40),
        )
    book = workbook(tmp_path / "a.xlsx", [(f"s{i}", [["x"]], "visible") for i in range(5)])
    with pytest.raises(InputError, match="has 5 sheets, more than the 3"):
        read(book, limits=sheets.SpreadsheetLimits(max_sheets=3))
    with pytest.raises(InputError, match=r"more than the 1\.0 KB alloc reads as \.xlsx"):
        read(book, limits=sheets.SpreadsheetLimits(max_xlsx_bytes=1024))


def _rewrite(path: Path, part: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as old:
        parts = {n: old.read(n) for n in old.namelist()}
    parts[part] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, content in parts.items():
            new.writestr(name, content)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [("报名表", [HEADER, *ROWS], "visible")])
    # 64 MB of one repeated row compresses to about 64 KB.
    with zipfile.ZipFile(path) as old:
        xml = old.read("xl/worksheets/sheet1.xml")
    head, _, tail = xml.partition(b"</sheetData>")
    filler = b'<row r="999"><c r="A999" t="inlineStr"><is><t>x</t></is></c></row>' * 1_000_000
    _rewrite(path, "xl/worksheets/sheet1.xml", head + filler + b"</sheetData>" + tail)
    limits = sheets.SpreadsheetLimits(max_part_bytes=16 * 1024**2)
    with pytest.raises(InputError, match=r"unpacks to 6\d\.\d MB, more than the 16.0 MB"):
        read(path, limits=limits)


def test_xml_with_entities_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [("报名表", [HEADER, *ROWS], "visible")])
    with zipfile.ZipFile(path) as old:
        xml = old.read("xl/worksheets/sheet1.xml")
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    _rewrite(path, "xl/worksheets/sheet1.xml", bomb + body)
    with pytest.raises(InputError, match="DTD or entity declarations"):
        read(path)


def test_a_formatted_cell_far_right_costs_nothing(tmp_path: Path, reference: list[bytes]) -> None:
    """The 4.5 GB workbook: one styled empty cell in column XFD on every row."""
    path = workbook(tmp_path / "a.xlsx", [("报名表", [HEADER, *ROWS], "visible")])
    with zipfile.ZipFile(path) as old:
        xml = old.read("xl/worksheets/sheet1.xml").decode()
    xml = re.sub(r'(<row r="(\d+)"[^>]*>.*?)</row>', r'\1<c r="XFD\2" s="0"/></row>', xml)
    _rewrite(path, "xl/worksheets/sheet1.xml", xml.encode())
    with sheets.Workbook(path) as book:
        loaded = book.read(book.sheets[0])
    assert loaded.width == len(HEADER)  # no padding to 16,384 columns
    assert record_lines(read(path, rules=RULES).table) == reference


def test_a_value_far_right_is_beyond_the_column_limit(tmp_path: Path) -> None:
    rows = [[*HEADER], *ROWS]
    path = workbook(tmp_path / "a.xlsx", [("报名表", rows, "visible")])
    book = openpyxl.load_workbook(path)
    book.active["ZZ5"] = "stray"
    book.save(path)
    with pytest.raises(InputError, match="column ZZ holds a value; alloc reads at most 100"):
        read(path, limits=sheets.SpreadsheetLimits(max_columns=100))


def test_excel_cells_keep_their_meaning_when_streamed(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "数字", "日期", "布尔", "文本"])
    sheet.append(["0001", 7, None, True, " 天河 "])
    sheet["C2"] = __import__("datetime").date(2026, 9, 1)
    sheet["B2"].number_format = "000"
    sheet.append(["0002", 4.40105e17, None, False, "=不是公式"])
    book.save(path)
    with sheets.Workbook(path) as opened:
        loaded = opened.read(opened.sheets[0])
    assert loaded.row(1) == ("0001", "007", "2026-09-01T00:00:00", "TRUE", "天河")
    assert loaded.kinds[(2, 1)] == "number"
    assert loaded.kinds[(2, 2)] == "date"
    assert loaded.kinds[(3, 1)] == "big-number"


def test_decode_text_names_the_encoding() -> None:
    text = "报名编号,姓名\n1,张三\n"
    assert sheets.decode_text(text.encode(), "x") == (text, "utf-8")
    assert sheets.decode_text(b"\xef\xbb\xbf" + text.encode(), "x") == (text, "utf-8-sig")
    assert sheets.decode_text(text.encode("gbk"), "x") == (text, "gb18030")
    assert sheets.decode_text(io.BytesIO(b"a,b\n").getvalue(), "x") == ("a,b\n", "utf-8")


# --- salts kept across freezes ------------------------------------------------------------------


def _without_salts() -> tuple[list[str], list[list[str]]]:
    drop = column_of("回执校验码")
    return (
        [h for i, h in enumerate(HEADER) if i != drop],
        [[c for i, c in enumerate(r) if i != drop] for r in ROWS],
    )


def test_salts_are_made_once_and_kept(tmp_path: Path) -> None:
    head, rows = _without_salts()
    path = write_csv(tmp_path / "a.csv", [head, *rows])
    first = read(path, rules=RULES)
    assert len(first.new_salts) == len(rows)
    again = read(path, rules=RULES, previous=first.registry)
    assert again.new_salts == ()
    assert {r: again.registry[r].salt for r in again.registry} == {
        r: first.registry[r].salt for r in first.registry
    }
    assert record_lines(again.table) == record_lines(first.table)

    # A corrected name keeps its receipt; another child's number gets a new one.
    rows[0][1] = "欧阳晨"
    rows[1][3] = resident_id("440105", "20230101", 999)
    changed = read(
        write_csv(tmp_path / "b.csv", [head, *rows]), rules=RULES, previous=first.registry
    )
    assert changed.registry[rows[0][0]].salt == first.registry[rows[0][0]].salt
    assert changed.new_salts == (rows[1][0],)
    assert changed.reissued == (rows[1][0],)
    assert changed.registry[rows[1][0]].salt != first.registry[rows[1][0]].salt


def test_an_export_salt_that_differs_from_the_registry_is_a_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, *ROWS])
    first = read(path)
    rows = [list(r) for r in ROWS]
    rows[2][column_of("回执校验码")] = format_salt(bytes(16))
    found = problems(
        lambda: read(write_csv(tmp_path / "b.csv", [HEADER, *rows]), previous=first.registry)
    )
    assert len(found) == 1
    assert "row 4, column J 回执校验码 (salt): the receipt salt differs" in found[0]
    assert format_salt(bytes(16)) not in found[0]


def test_kindergartens_are_read_from_the_sheet_that_has_them(tmp_path: Path) -> None:
    table = [
        ["幼儿园编号", "幼儿园名称", "学位数"],
        ["K01", "阳光幼儿园", "3"],
        ["K02", "星星幼儿园", "2"],
    ]
    path = workbook(
        tmp_path / "k.xlsx",
        [
            ("说明", [["请按编号填写"]], "visible"),
            ("幼儿园", table, "visible"),
            ("旧", table, "hidden"),
        ],
    )
    assert [k.id for k in files.read_kindergartens(path)] == ["K01", "K02"]
    both = workbook(tmp_path / "k2.xlsx", [("a", table, "visible"), ("b", table, "visible")])
    with pytest.raises(InputError, match="both hold kindergarten columns"):
        files.read_kindergartens(both)
    assert len(files.read_kindergartens(both, sheet="b")) == 2


def test_read_table_reads_the_active_visible_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx",
        [("旧", [["a"], ["old"]], "hidden"), ("新", [["a"], ["new"]], "visible")],
        active=1,
    )
    table = files.read_table(path)
    assert table["a"].tolist() == ["new"]
    assert table.attrs["sheet"] == "新"
