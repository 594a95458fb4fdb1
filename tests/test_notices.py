"""Published notice lists and waitlists (alloc.notices): printable .xlsx, and checked by verify.

A notice list carries, besides two masks, only what follows from the public
results, so every edit of one (a child moved, a row added or dropped, a
waitlist reordered, a title changed) must fail verification naming the file
and the row, and the lists ``publish`` writes must pass.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import EXIT_INPUT, EXIT_OK, EXIT_VERIFY, call

from alloc import io as files
from alloc import notices
from alloc.audit import Announcement
from alloc.demo import DemoRun, run_demo
from alloc.errors import NoticeMismatchError
from alloc.notices import (
    NOTICE_HEADERS,
    REHEARSAL_BANNER,
    WAITLIST_HEADERS,
    NoticeHeading,
    check_published_lists,
    notice_rows,
    waitlist_rows,
)


@pytest.fixture(scope="module")
def crowded() -> DemoRun:
    """More children than seats: every kindergarten has a waitlist."""
    return run_demo(applicants=900, kindergartens=4)


@pytest.fixture(scope="module")
def heading(crowded: DemoRun) -> NoticeHeading:
    return NoticeHeading.of(crowded.rules, Announcement.from_envelope(crowded.announcement))


def publish(run: DemoRun, heading: NoticeHeading, folder: Path, suffix: str) -> Path:
    """The lists as ``alloc publish`` lays them out in ``folder``."""
    files.write_notice_lists(
        folder / "notice", run.outcome, run.registry, suffix=suffix, heading=heading
    )
    files.write_waitlists(folder / f"waitlists{suffix}", run.outcome, run.registry, heading=heading)
    return folder


def check(run: DemoRun, heading: NoticeHeading, folder: Path) -> dict[str, str]:
    """Each check's detail, by name; a failed check's error is a NoticeMismatchError."""
    checks = check_published_lists(
        files.read_published_lists(folder, run.rules), outcome=run.outcome, heading=heading
    )
    for item in checks:
        assert item.passed == (item.error is None)
        assert item.error is None or isinstance(item.error, NoticeMismatchError)
    return {c.name: ("PASS " if c.passed else "FAIL ") + c.detail for c in checks}


# --- what the lists say --------------------------------------------------------------------


def test_rows_follow_the_outcome(crowded: DemoRun) -> None:
    outcome = crowded.outcome
    ranks = {r.registration_number: n for n, r in enumerate(outcome, start=1)}
    for kg in crowded.rules.kindergartens:
        rows = notice_rows(outcome, kg.id)
        placed = list(outcome.placed_at(kg.id))
        waitlist = list(outcome.waitlist(kg.id))
        assert waitlist, "the crowded demo should have waitlists"
        assert [r[3] for r in rows] == placed + [reg for reg, _ in waitlist]
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        assert [r[2] for r in rows[len(placed) :]] == [p for _, p in waitlist]
        for row in rows:
            result = outcome.applicant(str(row[3]))
            assert row[4] == result.ticket.hex()
            assert row[5] == ranks[result.registration_number]
    assert [(r[0], r[2], r[3]) for r in waitlist_rows(outcome)] == [
        (kg.id, p, reg) for kg in crowded.rules.kindergartens for reg, p in outcome.waitlist(kg.id)
    ]


# --- printable .xlsx notice boards -----------------------------------------------------------


def test_xlsx_lists_have_titles_and_print_on_a4(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    folder = publish(crowded, heading, tmp_path, ".xlsx")
    kg = crowded.rules.kindergartens[1]
    book = openpyxl.load_workbook(folder / "notice" / files.notice_file_name(kg.id, ".xlsx"))
    sheet = book.active
    assert sheet is not None
    titles = [sheet.cell(row=r, column=1).value for r in (1, 2, 3)]
    assert titles == list(heading.notice_titles(kg, independent=False))
    assert crowded.rules.title in str(titles[0])
    assert f"{kg.id} {kg.name}" in str(titles[1])
    assert "2026-07-24 09:30:00 Asia/Shanghai" in str(titles[2])
    assert sheet.cell(row=4, column=1).value is None  # a blank row before the header
    assert [c.value for c in sheet[5]] == list(NOTICE_HEADERS)
    assert all(c.font.bold for c in sheet[5])
    assert sheet.freeze_panes == "A6"
    assert sheet.print_title_rows == "$1:$5"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in str(sheet.oddFooter.center.text)
    assert "&N" in str(sheet.oddFooter.center.text)
    body = list(sheet.iter_rows(min_row=6, values_only=True))
    assert [row[3] for row in body] == [r[3] for r in notice_rows(crowded.outcome, kg.id)]
    assert all(isinstance(row[3], str) for row in body)  # ids stay text
    waitlists = openpyxl.load_workbook(folder / "waitlists.xlsx").active
    assert waitlists is not None
    assert waitlists.cell(row=2, column=1).value == heading.waitlist_titles()[1]
    assert [c.value for c in waitlists[5]] == list(WAITLIST_HEADERS)
    assert waitlists.print_title_rows == "$1:$5"
    assert waitlists.page_setup.paperSize == 9


def test_csv_lists_have_the_header_first(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    folder = publish(crowded, heading, tmp_path, ".csv")
    kg = crowded.rules.kindergartens[0]
    text = (folder / "notice" / f"notice-{kg.id}.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(NOTICE_HEADERS)
    assert len(rows) == 1 + len(notice_rows(crowded.outcome, kg.id))


# --- checking published lists -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_lists_as_published_pass(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path, suffix: str
) -> None:
    found = check(crowded, heading, publish(crowded, heading, tmp_path, suffix))
    assert found["notice lists"].startswith("PASS 4 notice lists for 4 kindergartens")
    assert found["waitlists"].startswith("PASS 1 waitlists file(s)")


def _edit_csv(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    change(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _first_waitlist_row(rows: list[list[str]]) -> int:
    """The first waitlist row followed by one of the next position.

    Bundled twins share one position, so swapping them would change nothing the
    list shows; the row after them holds the next position.
    """
    return next(
        i for i, row in enumerate(rows[:-1]) if i and row[2] and rows[i + 1][2] not in ("", row[2])
    )


def _swap_first_waitlist_places(rows: list[list[str]]) -> None:
    """Waitlist #1 and #2 change places (twins share a place, so #2 is found, not assumed)."""
    first = _first_waitlist_row(rows)
    second = next(i for i in range(first, len(rows)) if rows[i][2] != rows[first][2])
    rows[first], rows[second] = rows[second], rows[first]


def _move_child(rows: list[list[str]]) -> None:
    """A child of another kindergarten's list appears in place of row 3's."""
    rows[3][3] = "2026-9999999"


EDITS: dict[str, tuple[Callable[[list[list[str]]], None], str]] = {
    "a child moved": (_move_child, r"row 4: registration number 2026-9999999 where the results"),
    "a row added": (
        lambda rows: rows.append(list(rows[-1])),
        r"row \d+: a row the results do not have \(registration number",
    ),
    "a row dropped": (lambda rows: rows.pop(), r"1 row\(s\) missing at the end, the first for"),
    "a waitlist reordered": (
        _swap_first_waitlist_places,
        r"row \d+: registration number \S+ where the results have \S+ \(the results have"
        r" \S+ [^)]*waitlist K001 #2",
    ),
    "a lottery number changed": (
        lambda rows: rows[1].__setitem__(6, "0" * 64),
        r"row 2 \(\S+\): 随机号 \(lottery number\) is '0{64}', the results give '[0-9a-f]{64}'",
    ),
    "a rank changed": (
        lambda rows: rows[2].__setitem__(7, "1"),
        r"row 3 \(\S+\): 派位序号 \(draw rank\) is '1', the results give '\d+'",
    ),
    "a name unmasked": (
        lambda rows: rows[1].__setitem__(4, "张三明"),
        r"row 2: column 幼儿姓名 \(name, masked\) is not masked \(value withheld: personal data\)",
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_notice_list_fails_naming_file_and_row(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path, edit: str
) -> None:
    folder = publish(crowded, heading, tmp_path, ".csv")
    path = folder / "notice" / "notice-K001.csv"
    change, expected = EDITS[edit]
    _edit_csv(path, change)
    found = check(crowded, heading, folder)
    assert found["notice lists"].startswith("FAIL "), found
    assert f"{path} row " in found["notice lists"] or f"{path}: " in found["notice lists"]
    assert re.search(expected, found["notice lists"]), found["notice lists"]
    assert "张三明" not in found["notice lists"]
    assert found["waitlists"].startswith("PASS ")


def test_an_edited_waitlists_file_fails(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    folder = publish(crowded, heading, tmp_path, ".csv")
    _edit_csv(folder / "waitlists.csv", lambda rows: rows.__setitem__(slice(1, 3), rows[2:0:-1]))
    found = check(crowded, heading, folder)
    assert found["notice lists"].startswith("PASS ")
    assert re.search(
        rf"{re.escape(str(folder / 'waitlists.csv'))} row 2: registration number \S+ where",
        found["waitlists"],
    )


def test_an_edited_xlsx_title_or_cell_fails(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    folder = publish(crowded, heading, tmp_path, ".xlsx")
    path = folder / "notice" / "notice-K002.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=2, column=1).value = "K003 第3幼儿园 · 录取与候补名单 (placed and waitlist)"
    sheet.cell(row=7, column=8).value = 999999
    book.save(path)
    found = check(crowded, heading, folder)["notice lists"]
    assert re.search(rf"{re.escape(str(path))} row 2: the title reads 'K003 ", found), found
    assert re.search(r"row 7 \(\S+\): 派位序号 \(draw rank\) is '999999'", found), found


def _publish_rehearsal(
    run: DemoRun, heading: NoticeHeading, folder: Path, suffix: str
) -> NoticeHeading:
    """The lists as ``alloc publish`` lays them out for a rehearsal: the banner first."""
    marked = dataclasses.replace(heading, rehearsal=True)
    assert heading.banner is None
    assert marked.banner == REHEARSAL_BANNER
    files.write_notice_lists(
        folder / "notice",
        run.outcome,
        run.registry,
        suffix=suffix,
        heading=marked,
        banner=marked.banner,
    )
    files.write_waitlists(
        folder / f"waitlists{suffix}",
        run.outcome,
        run.registry,
        heading=marked,
        banner=marked.banner,
    )
    return marked


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_rehearsals_lists_pass_as_a_rehearsals_and_fail_as_a_real_draws(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path, suffix: str
) -> None:
    marked = _publish_rehearsal(crowded, heading, tmp_path, suffix)
    found = check(crowded, marked, tmp_path)
    assert found["notice lists"].startswith("PASS 4 notice lists"), found
    assert found["waitlists"].startswith("PASS "), found
    # Checked as a real draw's (the announcement not marked), the banner is no title.
    found = check(crowded, heading, tmp_path)
    for name in ("notice lists", "waitlists"):
        assert found[name].startswith("FAIL "), found
        assert "row 1: the title reads '演练 REHEARSAL" in found[name], found[name]


def test_a_rehearsals_list_without_its_banner_fails(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    marked = _publish_rehearsal(crowded, heading, tmp_path, ".csv")
    path = tmp_path / "notice" / "notice-K001.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [REHEARSAL_BANNER]
    assert rows[1] == list(NOTICE_HEADERS)
    _edit_csv(path, lambda rows: rows.pop(0))
    found = check(crowded, marked, tmp_path)["notice lists"]
    assert found.startswith("FAIL "), found
    assert f"{path}: title '{REHEARSAL_BANNER}' is missing above the header" in found, found


def test_a_rehearsals_xlsx_list_has_the_banner_above_its_titles(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    marked = _publish_rehearsal(crowded, heading, tmp_path, ".xlsx")
    kg = crowded.rules.kindergartens[0]
    book = openpyxl.load_workbook(tmp_path / "notice" / files.notice_file_name(kg.id, ".xlsx"))
    sheet = book.active
    assert sheet is not None
    top = [sheet.cell(row=r, column=1).value for r in (1, 2, 3, 4)]
    assert top == [REHEARSAL_BANNER, *marked.notice_titles(kg, independent=False)]
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet.cell(row=5, column=1).value is None
    assert [c.value for c in sheet[6]] == list(NOTICE_HEADERS)
    assert sheet.freeze_panes == "A7"
    assert sheet.print_title_rows == "$1:$6"


def test_missing_and_unexpected_lists_are_named(
    crowded: DemoRun, heading: NoticeHeading, tmp_path: Path
) -> None:
    folder = publish(crowded, heading, tmp_path, ".csv")
    (folder / "notice" / "notice-K003.csv").rename(folder / "notice" / "notice-K999.csv")
    (folder / "waitlists.csv").unlink()
    found = check(crowded, heading, folder)
    assert "no notice list for kindergarten K003" in found["notice lists"]
    assert f"{folder / 'notice' / 'notice-K999.csv'}: not the list of any" in found["notice lists"]
    assert "no waitlists file" in found["waitlists"]


# --- the command line: verify --published, and publish's own check -----------------------------


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A demo draw folder, with the --expect pins its output prints."""
    target = tmp_path_factory.mktemp("demo") / "draw"
    run = call("demo", "--applicants", "600", "--kindergartens", "3", "--out", target)
    assert run.code == EXIT_OK, str(run)
    pins = [f"--expect={r}={f}" for r, f in re.findall(r'--expect (\w+)="([0-9 ]+)"', run.out)]
    assert len(pins) == 2
    return target, pins


def test_verify_checks_the_published_lists(
    demo_folder: tuple[Path, list[str]], tmp_path: Path
) -> None:
    source, pins = demo_folder
    folder = tmp_path / "draw"
    shutil.copytree(source, folder)
    memory = tmp_path / "rounds.json"
    run = call(
        "verify", "--dir", folder, *pins, "--published", folder / "publish", "--remember", memory
    )
    assert run.code == EXIT_OK, str(run)
    assert "PASS  notice lists: 3 notice lists for 3 kindergartens" in run.out
    assert "PASS  waitlists: " in run.out
    # Checking the lists keeps the verified round's digest to remember.
    assert list(json.loads(memory.read_text())["rounds"]) == ["1"]
    _edit_csv(folder / "publish" / "notice" / "notice-K002.csv", _move_child)
    run = call("verify", "--dir", folder, *pins, "--published", folder / "publish")
    assert run.code == EXIT_VERIFY, str(run)
    assert "FAIL  notice lists: " in run.out
    assert "notice-K002.csv row 4: registration number 2026-9999999" in run.out
    assert "verification FAILED" in run.out
    # Without --published the lists are not looked at (and the draw itself verifies).
    plain = call("verify", "--dir", folder, *pins)
    assert plain.code == EXIT_OK, str(plain)
    missing = call("verify", "--dir", folder, *pins, "--published", tmp_path / "nowhere")
    assert missing.code == EXIT_VERIFY
    assert "is not a folder" in missing.out


def test_publish_checks_its_own_lists(demo_folder: tuple[Path, list[str]], tmp_path: Path) -> None:
    source, _ = demo_folder
    folder = tmp_path / "draw"
    shutil.copytree(source, folder)
    shutil.rmtree(folder / "publish")
    run = call("publish", "--dir", folder, "--format", "xlsx")
    assert run.code == EXIT_OK, str(run)
    assert "PASS  notice lists: 3 notice lists for 3 kindergartens" in run.out
    assert "PASS  waitlists: " in run.out
    book = openpyxl.load_workbook(folder / "publish" / "notice" / "notice-K001.xlsx")
    assert book.active is not None
    assert book.active.print_title_rows == "$1:$5"


def test_publish_writes_nothing_if_its_lists_do_not_check(
    demo_folder: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, _ = demo_folder
    folder = tmp_path / "draw"
    shutil.copytree(source, folder)
    shutil.rmtree(folder / "publish")
    (folder / "private" / "results.csv").unlink()
    before = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())

    def backwards(*args: Any, **kwargs: Any) -> list[tuple[object, ...]]:
        return notices.notice_rows(*args, **kwargs)[::-1]

    # Only the writer lists its rows backwards; the check reads the files back.
    writer_view = types.SimpleNamespace(**{**vars(notices), "notice_rows": backwards})
    monkeypatch.setattr(files, "notices", writer_view)
    run = call("publish", "--dir", folder)
    assert run.code == EXIT_VERIFY, str(run)
    assert "FAIL  notice lists: " in run.out
    assert "notice-K001.csv row 2: registration number" in run.out
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()) == before


def test_verify_refuses_a_missing_pin_before_reading_lists(
    demo_folder: tuple[Path, list[str]],
) -> None:
    folder, _ = demo_folder
    run = call("verify", "--dir", folder, "--published", folder / "publish")
    assert run.code == EXIT_INPUT
    assert "no trust pin given" in run.err


def test_the_report_is_a_folder_of_pages(
    demo_folder: tuple[Path, list[str]], tmp_path: Path
) -> None:
    source, _ = demo_folder
    folder = tmp_path / "draw"
    shutil.copytree(source, folder)
    refused = call("report", "--dir", folder, "--out", tmp_path / "r.html")
    assert refused.code == EXIT_INPUT, str(refused)
    assert "the report is a folder of pages" in refused.err
    assert not (tmp_path / "r.html").exists()
    out = tmp_path / "r"
    run = call("report", "--dir", folder, "--out", out)
    assert run.code == EXIT_OK, str(run)
    assert f"open {out / 'index.html'}" in run.out
    assert sorted(p.name for p in out.glob("*.html")) == [
        "index.html",
        "kg-1.html",
        "kg-2.html",
        "kg-3.html",
        "unplaced-1.html",
    ]
    assert (out / "search" / "pages.js").is_file()
    (out / "kg-9.html").write_text("a page of an earlier report", encoding="utf-8")
    (out / "search" / "s999.js").write_text("allocShard('s999',{});", encoding="utf-8")
    assert call("report", "--dir", folder, "--out", out).code == EXIT_INPUT
    forced = call("report", "--dir", folder, "--out", out, "--force")
    assert forced.code == EXIT_OK, str(forced)
    assert not (out / "kg-9.html").exists()
    assert not (out / "search" / "s999.js").exists()
    assert (out / "kg-3.html").is_file()
