"""alloc.lookup: the public lookup index (spec 10.7-10.8), opened only with a receipt."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import VECTORS, load_vector
from hypothesis import given
from hypothesis import strategies as st

from alloc.audit import document_digest
from alloc.canonical import SPEC_VERSION, canonical_json
from alloc.demo import DemoRun, run_demo
from alloc.errors import DigestMismatchError, InputError, MalformedDocumentError, WrongDrawError
from alloc.identity import Receipt, format_salt, lookup_keys
from alloc.lookup import (
    INDEX_FILE,
    MAX_SHARD_DIGITS,
    NOT_FOUND,
    SHARD_TARGET,
    LookupIndex,
    build_public_index,
    public_lookup,
    shard_digits,
    shard_file,
)
from alloc.signing import Envelope

LOOKUP = load_vector("lookup.json")


@pytest.fixture(scope="module")
def run() -> DemoRun:
    return run_demo(applicants=120, kindergartens=4)


@pytest.fixture(scope="module")
def files(run: DemoRun) -> dict[str, bytes]:
    return build_public_index(run.registry, run.outcome, run.transcript)


def ask(
    files: dict[str, bytes], run: DemoRun, reg: str, **changes: Any
) -> Any:  # LookupAnswer, but also the raised error in tests below
    entry = run.registry[reg]
    args: dict[str, Any] = {
        "receipt": entry.receipt,
        "document_number": entry.identity.document_number,
        "name": entry.identity.name,
        "document_type": entry.identity.document_type,
    }
    args.update(changes)
    return public_lookup(files.__getitem__, **args)


def test_every_child_is_found_with_receipt_number_and_name(
    run: DemoRun, files: dict[str, bytes]
) -> None:
    server = LookupIndex.build(run.registry, run.outcome)
    for reg in run.outcome.registration_numbers:
        who = run.registry[reg].identity
        answer = ask(files, run, reg)
        assert answer.found
        assert answer == server.lookup(who.document_number, who.name)
        # as typed: full-width digits, spaces, lower case
        typed = " " + who.document_number.lower().translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
        )
        assert ask(files, run, reg, document_number=typed, name=f" {who.name} ") == answer


def test_every_kind_of_miss_is_the_same_not_found(run: DemoRun, files: dict[str, bytes]) -> None:
    reg, other = run.outcome.registration_numbers[:2]
    me, them = run.registry[reg], run.registry[other]
    misses = [
        ask(files, run, reg, name=me.identity.name + "某"),
        ask(files, run, reg, document_number=them.identity.document_number),
        ask(files, run, reg, receipt=Receipt(reg, bytes(16))),
        ask(files, run, reg, receipt=Receipt(other, me.salt)),
        ask(files, run, reg, receipt=them.receipt),  # someone else's receipt, my identity
        ask(files, run, reg, document_type="passport", document_number="E12345678"),
    ]
    assert all(m is NOT_FOUND for m in misses)
    assert {json.dumps(m.to_json()) for m in misses} == {json.dumps(NOT_FOUND.to_json())}


def test_index_carries_no_personal_data_and_no_registration_numbers(
    run: DemoRun, files: dict[str, bytes]
) -> None:
    text = b"".join(files.values()).decode("utf-8")
    for entry in run.registry.values():
        assert entry.identity.name not in text
        assert entry.identity.document_number not in text
        assert entry.identity.document_number[6:14] not in text
        assert entry.registration_number not in text
        assert entry.salt.hex() not in text
        assert format_salt(entry.salt) not in text


def test_layout_header_and_shards(run: DemoRun, files: dict[str, bytes]) -> None:
    header = json.loads(files[INDEX_FILE])
    digest = document_digest(run.transcript).hex()
    assert header == {
        "type": "lookup-index",
        "spec": SPEC_VERSION,
        "draw_id": run.rules.draw_id,
        "transcript": digest,
        "count": len(run.outcome.registration_numbers),
        "shard_digits": 1,
    }
    assert set(files) == {INDEX_FILE} | {shard_file(f"{i:x}") for i in range(16)}
    ids: list[str] = []
    for name, data in files.items():
        assert data.endswith(b"\n")
        assert canonical_json(json.loads(data)) + b"\n" == data
        if name == INDEX_FILE:
            continue
        shard = json.loads(data)
        assert shard["prefix"] + ".json" == name
        assert {k: v for k, v in shard.items() if k not in {"prefix", "entries"}} == {
            "type": "lookup-shard",
            "spec": SPEC_VERSION,
            "draw_id": run.rules.draw_id,
            "transcript": digest,
        }
        assert all(i.startswith(shard["prefix"]) and len(i) == 32 for i in shard["entries"])
        ids += shard["entries"]
    assert len(ids) == len(set(ids)) == header["count"]


def test_index_is_deterministic_and_per_transcript(run: DemoRun, files: dict[str, bytes]) -> None:
    assert build_public_index(run.registry, run.outcome, run.transcript) == files
    later = Envelope(signed={**run.transcript.signed, "created": "2027-01-01T00:00:00+08:00"})
    again = build_public_index(run.registry, run.outcome, later)

    def ids(index: dict[str, bytes]) -> set[str]:
        return {i for n, d in index.items() if n != INDEX_FILE for i in json.loads(d)["entries"]}

    # a new round (another transcript) shares no entry id, so no key ever seals two messages
    assert not ids(files) & ids(again)
    reg = run.outcome.registration_numbers[0]
    assert ask(again, run, reg) == ask(files, run, reg)


def test_a_verified_transcript_must_be_the_index_one(run: DemoRun, files: dict[str, bytes]) -> None:
    reg = run.outcome.registration_numbers[0]
    assert ask(files, run, reg, transcript=run.transcript).found
    other = Envelope(signed={**run.transcript.signed, "created": "2027-01-01T00:00:00+08:00"})
    with pytest.raises(DigestMismatchError, match="another transcript"):
        ask(files, run, reg, transcript=other)


def test_refuses_a_transcript_of_another_draw(run: DemoRun) -> None:
    other = Envelope(signed={**run.transcript.signed, "draw_id": "another-draw"})
    with pytest.raises(WrongDrawError):
        build_public_index(run.registry, run.outcome, other)
    with pytest.raises(InputError, match="shard digits"):
        build_public_index(run.registry, run.outcome, run.transcript, digits=5)


def _entry_of(run: DemoRun, reg: str) -> tuple[str, str]:
    """The shard file and entry id of a child."""
    entry = run.registry[reg]
    entry_id = lookup_keys(
        draw_id=run.rules.draw_id,
        transcript_digest=document_digest(run.transcript),
        registration_number=reg,
        document_type=entry.identity.document_type,
        document_number=entry.identity.document_number,
        name=entry.identity.name,
        salt=entry.salt,
    ).entry_id_text
    return shard_file(entry_id[0]), entry_id


def test_damaged_files_are_errors_not_misses(run: DemoRun, files: dict[str, bytes]) -> None:
    reg = run.outcome.registration_numbers[0]
    name, entry_id = _entry_of(run, reg)
    assert entry_id in json.loads(files[name])["entries"]
    shard = json.loads(files[name])

    def with_shard(change: Callable[[dict[str, Any]], None]) -> dict[str, bytes]:
        copy = json.loads(json.dumps(shard))
        change(copy)
        return {**files, name: canonical_json(copy) + b"\n"}

    def flip(s: dict[str, Any]) -> None:
        sealed = s["entries"][entry_id]
        s["entries"][entry_id] = sealed[:-1] + ("0" if sealed[-1] != "0" else "1")

    with pytest.raises(MalformedDocumentError, match="damaged or was altered"):
        ask(with_shard(flip), run, reg)
    bad: list[tuple[Callable[[dict[str, Any]], None], str]] = [
        (lambda s: s.update(extra=1), "unknown key"),
        (lambda s: s.update(prefix="f" if s["prefix"] != "f" else "e"), "prefix"),
        (lambda s: s.update(transcript="00" * 32), "another transcript"),
        (lambda s: s.update(draw_id="other"), "another draw"),
        (lambda s: s["entries"].update({"zz": "00"}), "not an entry id"),
        (lambda s: s["entries"].update({entry_id: "XYZ"}), "hexadecimal"),
    ]
    for change, message in bad:
        with pytest.raises(MalformedDocumentError, match=message):
            ask(with_shard(change), run, reg)
    header = json.loads(files[INDEX_FILE])
    for field, value in (("spec", 99), ("type", "lookup-shard"), ("shard_digits", 9)):
        broken = {**files, INDEX_FILE: canonical_json({**header, field: value})}
        with pytest.raises(MalformedDocumentError):
            ask(broken, run, reg)
    with pytest.raises(MalformedDocumentError, match="duplicate key"):
        ask({**files, INDEX_FILE: b'{"type":"lookup-index","type":"x"}'}, run, reg)


def test_malformed_input_is_an_input_error_without_echo(
    run: DemoRun, files: dict[str, bytes]
) -> None:
    reg = run.outcome.registration_numbers[0]
    with pytest.raises(InputError) as info:
        ask(files, run, reg, document_number="4401051234")
    assert info.value.field == "document_number"
    assert "4401051234" not in str(info.value)
    with pytest.raises(InputError) as info:
        ask(files, run, reg, document_type="id-card")
    assert info.value.field == "document_type"


def test_reads_entries_a_browser_made(tmp_path: Path) -> None:
    """An index assembled from the vector's WebCrypto entries answers each typed case."""
    digits = 1
    by_transcript: dict[str, list[dict[str, Any]]] = {}
    for case in LOOKUP["entries"]:
        by_transcript.setdefault(case["transcript_digest"], []).append(case)
    for digest, cases in by_transcript.items():
        draw_id = cases[0]["draw_id"]
        head = {"spec": SPEC_VERSION, "draw_id": draw_id, "transcript": digest}
        files = {
            INDEX_FILE: canonical_json(
                {**head, "type": "lookup-index", "count": len(cases), "shard_digits": digits}
            )
        }
        for i in range(16):
            prefix = f"{i:x}"
            entries = {c["entry_id"]: c["ciphertext"] for c in cases if c["entry_id"][0] == prefix}
            shard = {**head, "type": "lookup-shard", "prefix": prefix, "entries": entries}
            files[shard_file(prefix)] = canonical_json(shard)
        for case in cases:
            answer = public_lookup(
                files.__getitem__,
                receipt=Receipt.from_json(
                    {"registration_number": case["registration_number"], "salt": case["receipt"]}
                ),
                document_type=case["document_type"],
                document_number=case["document_number"],
                name=case["name"],
            )
            payload = json.loads(case["plaintext"])
            assert answer.found
            assert {k: v for k, v in answer.to_json().items() if k in payload} == payload


def test_node_webcrypto_still_computes_the_pinned_vector() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: install Node.js 20 or later to recompute lookup.json")
    out = subprocess.run(
        [node, str(VECTORS / "lookup.mjs")], capture_output=True, check=True, timeout=60
    ).stdout
    assert json.loads(out) == LOOKUP


@given(st.integers(min_value=0, max_value=10**9))
def test_shard_digits_are_the_fewest_that_keep_shards_small(count: int) -> None:
    digits = shard_digits(count)
    assert 1 <= digits <= MAX_SHARD_DIGITS
    assert count <= SHARD_TARGET * 16**digits or digits == MAX_SHARD_DIGITS
    assert digits == 1 or count > SHARD_TARGET * 16 ** (digits - 1)
