"""Progress: the library's callbacks, and the command line's bars on a terminal only."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from cli_helpers import EXIT_OK, write_small_inputs

from alloc import io as files
from alloc.audit import (
    Announcement,
    Transcript,
    check_transcript,
    make_announcement,
    make_transcript,
)
from alloc.cli import main
from alloc.demo import run_demo
from alloc.draw import draw
from alloc.progress import Task, tracked
from alloc.report import render_report

Calls = list[tuple[Task, int, int]]


def _recorder() -> tuple[Calls, object]:
    calls: Calls = []

    def progress(task: Task, done: int, total: int) -> None:
        calls.append((task, done, total))

    return calls, progress


def _grows_to_the_end(calls: Calls, task: Task, total: int) -> None:
    assert calls, "progress was never called"
    assert {c[0] for c in calls} == {task}
    done = [c[1] for c in calls]
    assert done == sorted(done)
    assert done[0] == 0
    assert calls[-1][1:] == (total, total)


@pytest.mark.parametrize("count", [0, 1, 7, 199, 200, 201, 1000, 12345])
def test_tracked_yields_everything_and_ends_at_the_total(count: int) -> None:
    calls, progress = _recorder()
    items = list(range(count))
    assert list(tracked(items, progress, Task.READ_SPREADSHEET)) == items  # type: ignore[arg-type]
    _grows_to_the_end(calls, Task.READ_SPREADSHEET, count)
    assert len(calls) <= 202
    assert list(tracked(items, None, Task.READ_SPREADSHEET)) == items


def test_reading_a_spreadsheet_reports_rows(tmp_path: Path) -> None:
    write_small_inputs(tmp_path)
    calls, progress = _recorder()
    imported = files.read_applicants(
        tmp_path / "applicants.csv",
        draw_id="2026-test-small",
        progress=progress,  # type: ignore[arg-type]
    )
    _grows_to_the_end(calls, Task.READ_SPREADSHEET, len(imported.table))


def test_the_protocol_steps_report_their_stages(tmp_path: Path) -> None:
    run = run_demo(applicants=300, kindergartens=5)
    calls, progress = _recorder()
    _, records = make_announcement(
        run.rules,
        run.applicants,
        run.ceremony.plan,
        window=Announcement.from_envelope(run.announcement).window,
        progress=progress,  # type: ignore[arg-type]
    )
    assert records == run.records
    _grows_to_the_end(calls, Task.COMMIT_RECORDS, 2)
    calls.clear()
    outcome = draw(run.rules, run.applicants, run.ceremony.seed, progress=progress)  # type: ignore[arg-type]
    _grows_to_the_end(calls, Task.DRAW, 3)
    calls.clear()
    _, results = make_transcript(
        run.announcement,
        run.rules,
        run.ceremony,
        outcome,
        created=Transcript.from_envelope(run.transcript).created,
        progress=progress,  # type: ignore[arg-type]
    )
    assert results == run.results
    _grows_to_the_end(calls, Task.RESULTS, 2)
    calls.clear()
    report = check_transcript(
        run.transcript,
        announcement=run.announcement,
        rules=run.rules,
        records=run.records,
        policy=run.policy,
        results=run.results,
        progress=progress,  # type: ignore[arg-type]
    )
    assert report.ok, str(report)
    assert [c[1] for c in calls] == list(range(1, len(report.checks) + 1))
    assert {c[0] for c in calls} == {Task.VERIFY}
    calls.clear()
    written = files.write_notice_lists(
        tmp_path,
        outcome,
        run.registry,
        progress=progress,  # type: ignore[arg-type]
    )
    _grows_to_the_end(calls, Task.NOTICE_LISTS, len(written))
    calls.clear()
    pages = render_report(
        rules=run.rules,
        announcement=run.announcement,
        transcript=run.transcript,
        outcome=outcome,
        report=report,
        policy=run.policy,
        progress=progress,  # type: ignore[arg-type]
    )
    _grows_to_the_end(calls, Task.REPORT, len(pages.pages) + 1)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _validate(tmp_path: Path, *options: str, terminal: bool) -> tuple[int, str, str]:
    write_small_inputs(tmp_path)
    rules_argv = ("rules", "init", "--kindergartens", tmp_path / "kindergartens.csv",
                  "--draw-id", "2026-test-small", "--tiers", "policy-care,local,other",
                  "--out", tmp_path / "rules.json")  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main([str(a) for a in rules_argv]) == EXIT_OK
    out = io.StringIO()
    err = _Terminal() if terminal else io.StringIO()
    argv = [*options, "validate", "--rules", str(tmp_path / "rules.json"),
            "--applicants", str(tmp_path / "applicants.csv")]  # fmt: skip
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    code, out, err = _validate(tmp_path, terminal=True)
    assert code == EXIT_OK
    rows = 12  # the small district's children
    assert "reading the spreadsheet: 100%" in err
    assert f"{rows}/{rows}" in err
    assert "reading the spreadsheet" not in out


def test_a_pipe_gets_plain_lines_and_quiet_gets_nothing(tmp_path: Path) -> None:
    code, _, err = _validate(tmp_path / "pipe", terminal=False)
    assert code == EXIT_OK
    assert "%|" not in err
    assert "] reading " in err  # the step's plain line
    for options in (("--quiet",), ("--json",)):
        code, _, err = _validate(tmp_path / options[0].strip("-"), *options, terminal=True)
        assert code == EXIT_OK
        assert err == ""
