"""The operator log (spec 9.6): the vector, strict reading, and tampering always caught."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc.errors import InputError, LogChainError, MalformedDocumentError
from alloc.oplog import (
    EMPTY_HEAD,
    FileDigest,
    LogEntry,
    LogHead,
    OperatorLog,
    check_log,
    entry_digest,
    parse_log,
)

VECTOR = json.loads((Path(__file__).parent / "vectors" / "oplog.json").read_text(encoding="utf-8"))
DRAW_ID = VECTOR["draw_id"]


def _lines(text: str) -> bytes:
    return text.encode("utf-8")


def test_every_entry_of_the_vector_reads_and_hashes_as_pinned() -> None:
    for row, item in enumerate(VECTOR["entries"], start=1):
        line = item["line"].encode("utf-8")
        entry = LogEntry.from_line(line, document="vector", row=row)
        assert entry.line() == line
        assert entry.to_json() == item["entry"]
        assert entry.digest() == entry_digest(line)
        assert entry.digest().hex() == item["hash"]
        # The rule in three lines, as any implementation would write it.
        assert hashlib.sha256(b"alloc/v1/log-entry\0" + line).hexdigest() == item["hash"]


def test_the_heads_of_the_vector_log() -> None:
    whole = "".join(item["line"] + "\n" for item in VECTOR["entries"]).encode()
    log = parse_log(whole)
    assert [e.to_json() for e in log.entries] == [i["entry"] for i in VECTOR["entries"]]
    for head in VECTOR["heads"]:
        assert log.head_at(head["count"]).to_json() == head
    assert log.draw_id == DRAW_ID
    assert parse_log(b"").head == LogHead(0, EMPTY_HEAD)


@pytest.mark.parametrize("case", VECTOR["refused"], ids=lambda c: c["note"])
def test_a_log_the_spec_refuses_is_refused_naming_the_line(case: dict[str, Any]) -> None:
    with pytest.raises((MalformedDocumentError, LogChainError)) as caught:
        parse_log(_lines(case["text"]), document="operator-log.jsonl")
    message = str(caught.value)
    assert case["reason"] in message
    assert f"row {case['line']}" in message or f"line {case['line']}" in message


@pytest.mark.parametrize("case", VECTOR["against_transcript"], ids=lambda c: c["note"])
def test_a_log_against_the_head_a_transcript_signs(case: dict[str, Any]) -> None:
    committed = LogHead(case["committed"]["count"], bytes.fromhex(case["committed"]["head"]))
    if case["ok"]:
        detail = check_log(_lines(case["text"]), committed, draw_id=DRAW_ID)
        assert f"the first {committed.count}" in detail
        return
    with pytest.raises(LogChainError, match=case["reason"]):
        check_log(_lines(case["text"]), committed, draw_id=DRAW_ID)


def test_a_log_is_not_checked_against_a_transcript_that_commits_to_none() -> None:
    whole = "".join(item["line"] + "\n" for item in VECTOR["entries"]).encode()
    with pytest.raises(LogChainError, match="commits to no operator log"):
        check_log(whole, None, draw_id=DRAW_ID)
    with pytest.raises(LogChainError, match="of draw '2026-example-district', not 'other'"):
        check_log(whole, LogHead(0), draw_id="other")


def test_a_head_fits_its_count() -> None:
    with pytest.raises(InputError, match="all-zero head"):
        LogHead(0, b"\x01" * 32)
    with pytest.raises(InputError, match="all-zero head"):
        LogHead(3, EMPTY_HEAD)
    with pytest.raises(InputError, match="whole number"):
        LogHead(True, b"\x01" * 32)  # type: ignore[arg-type]


def test_a_log_holds_one_draw() -> None:
    log = parse_log("".join(item["line"] + "\n" for item in VECTOR["entries"]).encode())
    with pytest.raises(InputError, match="a draw folder holds one draw"):
        log.next_entry(
            at=datetime.now(UTC), command="alloc draw", options={}, wrote=[], draw_id="other"
        )


# --- tampering of any kind, anywhere before the head, is caught ---------------------------

_START = datetime(2026, 7, 22, 9, 0, tzinfo=UTC)
_paths = st.text("abcdefghij/._-", min_size=1, max_size=12)
_option = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.text(max_size=8),
    st.lists(st.text(max_size=5), max_size=3).map(tuple),
    st.builds(FileDigest, _paths, st.one_of(st.none(), st.binary(min_size=32, max_size=32))),
)
_entry = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["alloc freeze", "alloc sign", "alloc draw", "alloc publish"]),
        "options": st.dictionaries(st.sampled_from(["--a", "--b", "--force", "x"]), _option),
        "wrote": st.dictionaries(_paths, st.binary(min_size=32, max_size=32), max_size=3),
        "removed": st.lists(_paths, max_size=2),
        "seconds": st.integers(0, 10**6),
    }
)


def _build(specs: list[dict[str, Any]], *, rules_from: int) -> bytes:
    log, data = OperatorLog(), b""
    for index, spec in enumerate(specs):
        entry = log.next_entry(
            at=_START + timedelta(seconds=spec["seconds"]),
            command=spec["command"],
            options=spec["options"],
            wrote=[FileDigest(p, d) for p, d in spec["wrote"].items()],
            removed=spec["removed"],
            draw_id=DRAW_ID if index >= rules_from else None,
        )
        data += entry.line() + b"\n"
        log = parse_log(data)
    return data


@settings(max_examples=60, deadline=None)
@given(
    specs=st.lists(_entry, min_size=2, max_size=7),
    rules_from=st.integers(0, 3),
    data=st.data(),
)
def test_an_edited_dropped_inserted_or_moved_entry_is_always_caught(
    specs: list[dict[str, Any]], rules_from: int, data: st.DataObject
) -> None:
    original = _build(specs, rules_from=rules_from)
    lines = original.split(b"\n")[:-1]
    log = parse_log(original)
    committed = log.head
    assert check_log(original, committed, draw_id=DRAW_ID)
    at = data.draw(st.integers(0, len(lines) - 1), label="entry")
    how = data.draw(st.sampled_from(["edit", "drop", "swap", "duplicate"]), label="how")
    changed = list(lines)
    if how == "edit":
        entry = json.loads(lines[at])
        entry["command"] += " --again"
        changed[at] = (
            LogEntry.from_line(lines[at], document="x", row=at + 1)
            .line()
            .replace(
                json.dumps(json.loads(lines[at])["command"]).encode(),
                json.dumps(entry["command"]).encode(),
                1,
            )
        )
    elif how == "drop":
        del changed[at]
    elif how == "swap":
        other = data.draw(st.integers(0, len(lines) - 1).filter(lambda i: i != at), label="with")
        if lines[at] == lines[other]:
            return
        changed[at], changed[other] = lines[other], lines[at]
    else:
        changed.insert(at, lines[at])
    tampered = b"".join(line + b"\n" for line in changed)
    with pytest.raises((LogChainError, MalformedDocumentError)):
        check_log(tampered, committed, draw_id=DRAW_ID)
