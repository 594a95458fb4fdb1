"""Verification that holds no whole file: records and results read and compared chunk by chunk.

``check_transcript`` reads the public records in one pass (count, input root
and table), commits the published results in another, and compares the
re-run's result lines with them a chunk at a time. Every answer must be the
one reading the whole files gives: the same report, the same first failure,
and the same child named when an outcome differs, wherever the chunks are
cut and whether the lines come as lists or as files.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from alloc import drand, records
from alloc import io as files
from alloc.audit import Transcript, _describe, _replay_difference, check_transcript
from alloc.canonical import canonical_json
from alloc.demo import DemoRun, run_demo
from alloc.errors import InputError, ReplayMismatchError
from alloc.signing import Envelope


@pytest.fixture(scope="module", autouse=True)
def pairings_checked_once() -> Iterator[None]:
    """Each drand signature is still checked, once: the pairing takes half a second."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drand, "_pairing_check", functools.cache(drand._pairing_check))
        yield


@pytest.fixture(scope="module")
def demo() -> DemoRun:
    return run_demo(applicants=80, kindergartens=5)


def resign(demo: DemoRun, signed: dict[str, Any]) -> bytes:
    """An insider with both keys signs a forged document."""
    envelope = Envelope(signed=signed).sign(demo.keys["bureau"]).sign(demo.keys["notary-1"])
    return envelope.to_bytes()


def forged_transcript(demo: DemoRun, results: list[bytes]) -> bytes:
    """The demo's transcript re-signed over ``results``, so only the re-run can tell."""
    signed = json.loads(demo.transcript.to_bytes())["signed"]
    signed["results"] = {
        "root": records.results_root(demo.rules.draw_id, results).hex(),
        "count": len(results),
    }
    return resign(demo, signed)


def report(demo: DemoRun, **changes: Any) -> list[tuple[str, bool, str]]:
    arguments: dict[str, Any] = {
        "transcript": demo.transcript.to_bytes(),
        "announcement": demo.announcement.to_bytes(),
        "rules": demo.rules,
        "records": demo.records,
        "policy": demo.policy,
        "results": demo.results,
    }
    arguments.update(changes)
    transcript = arguments.pop("transcript")
    checked = check_transcript(transcript, **arguments)
    return [(c.name, c.passed, c.detail) for c in checked.checks]


@pytest.fixture
def chunks(request: pytest.FixtureRequest) -> Iterator[int]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "CHUNK_LINES", request.param)
        yield request.param


def as_files(folder: Path, **lines: list[bytes]) -> dict[str, files.LineFile]:
    return {
        name: files.LineFile(files.write_lines(folder / f"{name}.jsonl", content))
        for name, content in lines.items()
    }


def changed_outcome(line: bytes, demo: DemoRun) -> bytes:
    data = json.loads(line)
    other = next(k.id for k in demo.rules.kindergartens if k.id != data["placed"])
    data["placed"] = other
    if data["wins"]:
        data["wins"][0]["kindergarten"] = other
    return canonical_json(data)


@pytest.mark.parametrize("chunks", [1, 7, 1 << 17], indirect=True)
def test_files_read_in_chunks_give_the_report_of_whole_lists(
    demo: DemoRun, chunks: int, tmp_path: Path
) -> None:
    changed = list(demo.records)
    data = json.loads(changed[50])
    data["tier"] = "policy-care" if data["tier"] != "policy-care" else "other"
    changed[50] = canonical_json(data)
    forged = list(demo.results)
    forged[60] = changed_outcome(forged[60], demo)
    cases: list[dict[str, Any]] = [
        {},
        {"records": changed},
        {"records": demo.records[:-1]},
        {"records": [*demo.records[1:], demo.records[0]]},
        {"results": forged},
        {"results": forged, "transcript": forged_transcript(demo, forged)},
        {"results": demo.results[:-1]},
        {"results": None},
    ]
    for number, case in enumerate(cases):
        expected = report(demo, **case)
        lines = {k: case.get(k, getattr(demo, k)) for k in ("records", "results")}
        folder = tmp_path / str(number)
        folder.mkdir()
        given = as_files(folder, **{k: v for k, v in lines.items() if v is not None})
        assert report(demo, **{**case, **given}) == expected
    assert all(passed for _, passed, _ in report(demo))


def test_a_damaged_file_fails_its_check_naming_the_line(demo: DemoRun, tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in demo.results).replace(b"}\n", b"}\r\n", 3))
    checks = {
        name: (passed, detail)
        for name, passed, detail in report(demo, results=files.LineFile(path))
    }
    assert not checks["results file"][0]
    assert f"{path}, row 1: line ends with CRLF" in checks["results file"][1]
    assert not checks["re-run"][0]
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in demo.records)[:-1])
    checks = {
        name: (passed, detail)
        for name, passed, detail in report(demo, records=files.LineFile(path))
    }
    assert not checks["public records"][0]
    assert "no newline" in checks["public records"][1]


def plainly_first_difference(lines: list[bytes], results: list[bytes]) -> ReplayMismatchError:
    """The first child whose published result differs, with both files held whole."""
    published = {}
    for line in results:
        try:
            data = records.parse_result_line(line)
        except InputError:
            continue
        published[data["registration_number"]] = data
    for line in lines:
        mine = records.parse_result_line(line)
        reg = mine["registration_number"]
        theirs = published.get(reg)
        if theirs is None:
            return ReplayMismatchError(f"applicant {reg} is missing from the published results")
        if theirs != mine:
            return ReplayMismatchError(
                f"applicant {reg} {_describe(theirs)}, re-run gives {_describe(mine)}"
            )
    return ReplayMismatchError("the published results list an applicant the re-run does not")


EDITS = ["outcome", "swap", "drop", "copy", "garbage", "extra", "reorder"]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_first_differing_child_is_named_as_when_both_files_are_held(
    demo: DemoRun, data: st.DataObject
) -> None:
    lines = list(demo.results)
    published = list(lines)
    for _ in range(data.draw(st.integers(1, 3))):
        edit = data.draw(st.sampled_from(EDITS))
        at = data.draw(st.integers(0, len(published) - 1))
        other = data.draw(st.integers(0, len(published) - 1))
        original = lines[at % len(lines)]
        if edit == "outcome":
            published[at] = changed_outcome(original, demo)
        elif edit == "swap":
            published[at], published[other] = published[other], published[at]
        elif edit == "drop":
            del published[at]
        elif edit == "copy":
            published.insert(other, changed_outcome(original, demo))
        elif edit == "garbage":
            published[at] = data.draw(st.sampled_from([b"{", b"", b"[]", original + b" "]))
        elif edit == "extra":
            item = json.loads(original)
            item["registration_number"] += "-x"
            published.insert(other, canonical_json(item))
        else:
            published = published[at:] + published[:at]
    size = data.draw(st.sampled_from([1, 2, 7, 64, 1 << 17]))
    transcript = Transcript.from_envelope(demo.transcript)
    expected = str(plainly_first_difference(lines, published))
    event(
        "a child's result differs"
        if ", re-run gives" in expected
        else "a child is missing"
        if "missing" in expected
        else "an extra line"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "CHUNK_LINES", size)
        found = _replay_difference(demo.outcome, published, transcript.results_root, transcript)
        assert str(found) == expected
        if data.draw(st.booleans()) and b"" not in published:
            with tempfile.TemporaryDirectory() as folder:
                (given,) = as_files(Path(folder), results=published).values()
                found = _replay_difference(demo.outcome, given, transcript.results_root, transcript)
                assert str(found) == expected
