"""Every JSON document and line alloc reads has one meaning (spec section 2.4).

A property test takes a real document of each kind (rules, trust policy,
announcement, transcript, parent's proof, record line, result line), changes
it in one place, an extra key, a duplicate key, a value of another type or
nesting past the limit, and shows the reader refuses it with a reason that
names the document. Pinned vectors (tests/vectors/strict.json) show the
specific refusals of the issue: ``threshold: true``, ``"spec": true``, a
typo'd rule, a child's name and ID number in a record line, and the rest.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc.audit import (
    Announcement,
    ParentProof,
    Transcript,
    check_transcript,
    document_digest,
    make_parent_proofs,
    rules_digest,
)
from alloc.canonical import canonical_json, tagged_hash
from alloc.demo import DemoRun, run_demo
from alloc.errors import AllocError, InputError, MalformedDocumentError, TimeWindowError
from alloc.model import DrawRules
from alloc.records import parse_record_lines, parse_result_line, records_root
from alloc.signing import Envelope, TrustPolicy
from alloc.strictjson import MAX_DEPTH, parse_json

JsonPath = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of document: a real sample, its reader, and where it ends in a newline."""

    name: str
    sample: bytes
    read: Callable[[bytes], object]
    newline: bool
    #: Parts read by the seed ceremony's own reader (alloc/seed.py), not by this issue's.
    elsewhere: tuple[JsonPath, ...] = ()


def _kinds(run: DemoRun) -> dict[str, Kind]:
    proof = make_parent_proofs(run.rules.draw_id, run.records, run.results)
    reg = next(iter(proof))
    grouped = next(line for line in run.records if b'"group":"' in line)
    placed = json.loads(next(line for line in run.results if b'"wins":[{' in line))
    # Every key of a result line filled: a placement and a place on another waitlist.
    placed["waitlist"] = [{"kindergarten": "K002", "position": 3}]
    won = canonical_json(placed)
    kinds = [
        Kind(
            "rules",
            canonical_json(run.rules.to_json()) + b"\n",
            lambda data: DrawRules.from_json(parse_json(data, document="rules")),
            newline=True,
        ),
        Kind("trust policy", run.policy.to_bytes(), TrustPolicy.from_bytes, newline=True),
        Kind(
            "announcement",
            run.announcement.to_bytes(),
            lambda data: Announcement.from_envelope(
                Envelope.from_bytes(data, expected_type="announcement")
            ),
            newline=True,
            elsewhere=(("signed", "seed_plan"),),
        ),
        Kind(
            "transcript",
            run.transcript.to_bytes(),
            lambda data: Transcript.from_envelope(
                Envelope.from_bytes(data, expected_type="transcript")
            ),
            newline=True,
            elsewhere=(("signed", "ceremony"),),
        ),
        Kind(
            "proof",
            canonical_json(proof[reg].to_json()) + b"\n",
            ParentProof.from_bytes,
            newline=True,
        ),
        Kind("record line", grouped, lambda data: parse_record_lines([data]), newline=False),
        Kind("result line", won, parse_result_line, newline=False),
    ]
    return {kind.name: kind for kind in kinds}


@pytest.fixture(scope="module")
def kinds() -> dict[str, Kind]:
    return _kinds(run_demo(applicants=60, kindergartens=4))


def test_every_sample_reads(kinds: dict[str, Kind]) -> None:
    for kind in kinds.values():
        kind.read(kind.sample)


# --- changing a document in one place -----------------------------------------------------


def _paths(value: Any, at: JsonPath = ()) -> list[JsonPath]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*at, index))
    return found


def _get(value: Any, path: JsonPath) -> Any:
    for step in path:
        value = value[step]
    return value


def _replaced(value: Any, path: JsonPath, new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    _get(copy, path[:-1])[path[-1]] = new
    return copy


def _other_type(value: Any) -> Any:
    """A JSON value of a different type than ``value`` (null becomes a number)."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return 0
    if isinstance(value, list):
        return {}
    if isinstance(value, dict):
        return []
    return 0


def _text_with_duplicate(value: Any, path: JsonPath) -> bytes:
    """Canonical JSON of ``value``, but the object at ``path`` repeats its first key."""
    marker = "\u0000duplicate\u0000"
    target = _get(value, path)
    first = sorted(target)[0]
    marked = _replaced(value, path, {**target, marker: None})
    text = canonical_json(marked).decode("utf-8")
    repeated = json.dumps(first, ensure_ascii=False) + ":" + canonical_json(target[first]).decode()
    return text.replace(json.dumps(marker) + ":null", repeated, 1).encode("utf-8")


MUTATIONS = ("extra key", "duplicate key", "wrong type", "too deep")


@settings(max_examples=400)
@given(data=st.data())
def test_any_change_in_one_place_is_refused_with_a_named_reason(
    kinds: dict[str, Kind], data: st.DataObject
) -> None:
    kind = kinds[data.draw(st.sampled_from(sorted(kinds)), label="document")]
    original = json.loads(kind.sample)
    mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    paths = [
        p
        for p in _paths(original)
        if not any(p[: len(e)] == e for e in kind.elsewhere)
        and (mutation not in ("extra key", "duplicate key") or isinstance(_get(original, p), dict))
        and (mutation != "duplicate key" or _get(original, p))
        and (mutation != "wrong type" or p)
    ]
    path = data.draw(st.sampled_from(paths), label="path")
    target = _get(original, path)
    if mutation == "extra key":
        key = data.draw(
            st.sampled_from(["x", "name", "id_number", "spec ", "Type", "签名"]).filter(
                lambda k: k not in target
            ),
            label="key",
        )
        text = canonical_json(_replaced(original, path, {**target, key: "张三"}))
        reasons: tuple[str, ...] = ("unknown key",)
    elif mutation == "duplicate key":
        text = _text_with_duplicate(original, path)
        reasons = ("duplicate key",)
    elif mutation == "wrong type":
        text = canonical_json(_replaced(original, path, _other_type(target)))
        reasons = ()
    else:
        deep: Any = target
        for _ in range(MAX_DEPTH + 1):
            deep = [deep]
        text = canonical_json(_replaced(original, path, deep))
        reasons = (f"nested deeper than {MAX_DEPTH} levels",)
    if kind.newline:
        text += b"\n"
    with pytest.raises(AllocError) as caught:
        kind.read(text)
    error = caught.value
    assert isinstance(error, InputError), repr(error)
    message = str(error)
    assert kind.name in message or (error.source or "") in message, message
    assert error.problem, message
    if reasons:
        assert any(reason in message for reason in reasons), (mutation, path, message)


# --- the pinned refusals ------------------------------------------------------------------


def _read(kind: str, text: str) -> object:
    data = text.encode("utf-8")
    if kind == "json":
        return parse_json(data, document="document")
    if kind == "rules":
        return DrawRules.from_json(parse_json(data, document="rules"))
    if kind == "trust policy":
        return TrustPolicy.from_bytes(data)
    if kind == "record line":
        return parse_record_lines([data])
    if kind == "result line":
        return parse_result_line(data)
    if kind == "envelope":
        return Envelope.from_bytes(data)
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "case", load_vector("strict.json")["refused"], ids=lambda case: case["note"]
)
def test_pinned_refusals(case: dict[str, str]) -> None:
    with pytest.raises(InputError) as caught:
        _read(case["document"], case["text"])
    assert case["reason"] in str(caught.value)


def test_rules_are_written_as_their_canonical_bytes(demo: DemoRun, tmp_path: Path) -> None:
    from alloc.io import read_rules, write_rules  # noqa: PLC0415 - the file layer, here only

    path = write_rules(tmp_path / "rules.json", demo.rules)
    assert path.read_bytes() == canonical_json(demo.rules.to_json()) + b"\n"
    assert read_rules(path) == demo.rules


def test_the_rules_document_fills_its_defaults_and_pins_its_digest() -> None:
    case = load_vector("strict.json")["rules_defaults"]
    rules = DrawRules.from_json(parse_json(case["text"].encode(), document="rules"))
    assert canonical_json(rules.to_json()).decode() == case["complete_jcs"]
    assert rules_digest(rules).hex() == case["digest"]
    assert (
        tagged_hash("alloc/v1/rules", rules.draw_id, case["complete_jcs"].encode()).hex()
        == (case["digest"])
    )


# --- signed documents: spec version, rounds, order, time ----------------------------------


@pytest.fixture(scope="module")
def demo() -> DemoRun:
    return run_demo(applicants=60, kindergartens=4)


def _resigned(run: DemoRun, signed: dict[str, Any]) -> Envelope:
    return Envelope(signed=signed).sign(run.keys["bureau"]).sign(run.keys["notary-1"])


def _signed(envelope: Envelope) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(canonical_json(envelope.signed))
    return copy


def _check(run: DemoRun, transcript: Envelope, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "announcement": run.announcement,
        "rules": run.rules,
        "records": run.records,
        "policy": run.policy,
        "results": run.results,
    }
    arguments.update(changes)
    return check_transcript(transcript, **arguments)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"spec": 1}, "written for spec version 1; this is alloc for spec 2"),
        ({"spec": True}, "written for spec version True"),
        ({"round": 0}, "must be at least 1"),
        ({"round": -3}, "must be at least 1"),
        ({"round": True}, "expected an integer, found true/false"),
        ({"round": 7}, "a transcript is round 1's, with no previous round (null)"),
        ({"previous": "00" * 32}, "a transcript is round 1's, with no previous round (null)"),
        ({"unplaced": "707"}, "expected an integer, found text"),
        ({"created": 20261201}, "expected text, found integer"),
        ({"software": None}, "expected text, found null"),
        ({"rehearsal": None}, "expected true or false, found null"),
        ({"rehearsal": 1}, "expected true or false, found integer"),
        ({"log": {"count": 3}}, "missing key"),
        ({"log": {"count": 0, "head": "11" * 32}}, "an empty log has the all-zero head"),
        ({"log": {"count": 2, "head": "00" * 32}}, "an empty log has the all-zero head"),
        ({"log": {"count": -1, "head": "11" * 32}}, "must be at least 0"),
        ({"log": {"count": 1, "head": "11" * 32, "by": "me"}}, "unknown key"),
        ({"log": []}, "expected an object"),
    ],
    ids=str,
)
def test_a_transcript_outside_the_spec_is_refused(
    demo: DemoRun, change: dict[str, Any], reason: str
) -> None:
    signed = {**_signed(demo.transcript), **change}
    report = _check(demo, _resigned(demo, signed))
    assert [c.name for c in report.failures] == ["documents"]
    assert reason in report.failures[0].detail
    assert isinstance(report.failures[0].error, MalformedDocumentError)


def test_an_announcement_has_its_rehearsal_mark(demo: DemoRun) -> None:
    for value, reason in ((None, "found null"), ("true", "found text"), (0, "found integer")):
        signed = {**_signed(demo.announcement), "rehearsal": value}
        with pytest.raises(MalformedDocumentError, match=reason):
            Announcement.from_envelope(_resigned(demo, signed))
    missing = {k: v for k, v in _signed(demo.announcement).items() if k != "rehearsal"}
    with pytest.raises(MalformedDocumentError, match="missing key"):
        Announcement.from_envelope(_resigned(demo, missing))


def test_an_announcement_of_another_spec_version_is_refused(demo: DemoRun) -> None:
    for spec in (1, True, "2", None):
        signed = {**_signed(demo.announcement), "spec": spec}
        with pytest.raises(MalformedDocumentError, match="written for spec version"):
            Announcement.from_envelope(_resigned(demo, signed))


def test_unsorted_ceremony_entries_are_refused(demo: DemoRun) -> None:
    signed = _signed(demo.transcript)
    signed["ceremony"]["contributions"].reverse()
    report = _check(demo, _resigned(demo, signed))
    assert report.failures[0].name == "documents"
    assert "not sorted by party" in report.failures[0].detail
    assert "$.signed.ceremony" in report.failures[0].detail
    assert "$.contributions" in report.failures[0].detail


def test_a_later_round_is_not_a_transcript(demo: DemoRun) -> None:
    """A round after the draw has documents of its own (spec 11.7, tests/test_chain.py): a
    ``transcript`` naming a previous round is refused, whatever it claims."""
    second = _signed(demo.transcript)
    second.update(round=2, previous=document_digest(demo.transcript).hex())
    report = _check(demo, _resigned(demo, second))
    assert [c.name for c in report.failures] == ["documents"]
    assert "a later round is a round transcript of its own" in report.failures[0].detail


def test_a_transcript_created_before_the_draw_fails_naming_the_check(demo: DemoRun) -> None:
    signed = {**_signed(demo.transcript), "created": "1999-12-01T10:05:00+08:00"}
    report = _check(demo, _resigned(demo, signed))
    assert [c.name for c in report.failures] == ["transcript time"]
    failure = report.failures[0]
    assert isinstance(failure.error, TimeWindowError)
    assert "created at 1999-12-01T10:05:00+08:00, before the announced draw time" in failure.detail


def test_a_transcript_cannot_predate_its_ceremonys_last_step(demo: DemoRun) -> None:
    """The draw runs after every reveal, default and source value it uses."""
    signed = _signed(demo.transcript)
    last = max(v["at"] for v in signed["ceremony"]["sources"])
    signed["ceremony"]["sources"][-1]["at"] = "2026-07-24T09:45:00+08:00"
    signed["created"] = "2026-07-24T09:40:00+08:00"
    report = _check(demo, _resigned(demo, signed))
    times = [c for c in report.checks if c.name == "transcript time"]
    assert last < "2026-07-24T09:45:00+08:00"
    assert times
    assert not times[0].passed
    assert "before the last step of its ceremony" in times[0].detail


def test_a_record_line_with_a_childs_name_and_id_fails_verification_naming_the_line(
    demo: DemoRun,
) -> None:
    """A bureau that froze the list with personal data in a record line: the root matches,
    the announcement is signed, and verification still fails on that line."""
    records = list(demo.records)
    line = json.loads(records[5])
    line.update(name="张三明", id_number="440105202203151234")
    records[5] = canonical_json(line)
    signed = _signed(demo.announcement)
    signed["records"]["root"] = records_root(demo.rules.draw_id, records).hex()
    report = _check(demo, demo.transcript, announcement=_resigned(demo, signed), records=records)
    failed = {c.name: c.detail for c in report.failures}
    assert "public records" in failed
    assert "row 6" in failed["public records"]
    assert "unknown key" in failed["public records"]
    assert "张三明" not in str(report)
    assert "440105202203151234" not in str(report)
