"""Announcements, transcripts, verification and parents' proofs (spec sections 8-10)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc.audit import (
    ParentProof,
    TimeWindow,
    check_parent_proof,
    check_transcript,
    make_parent_proofs,
    make_transcript,
    verify_transcript,
)
from alloc.canonical import canonical_json
from alloc.demo import DemoRun, run_demo
from alloc.errors import (
    AllocError,
    DigestMismatchError,
    InputError,
    InputRootMismatchError,
    InvalidSignatureError,
    MalformedDocumentError,
    ReplayMismatchError,
    RevealMismatchError,
    ScheduleError,
    SeedMismatchError,
    SignatureError,
    SignatureThresholdError,
    TimeWindowError,
    WrongDrawError,
)
from alloc.lookup import NOT_FOUND, LookupIndex
from alloc.model import DrawRules, Kindergarten
from alloc.records import results_root
from alloc.signing import Envelope, Signature, SigningKey, TrustPolicy


@pytest.fixture(scope="module")
def demo() -> DemoRun:
    return run_demo(applicants=300, kindergartens=8)


def verify(demo: DemoRun, **changes: Any) -> None:
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
    verify_transcript(transcript, **arguments)


def resign(demo: DemoRun, signed: dict[str, Any]) -> bytes:
    """An insider with both keys signs a forged document."""
    envelope = Envelope(signed=signed).sign(demo.keys["bureau"]).sign(demo.keys["notary-1"])
    return envelope.to_bytes()


def test_the_demo_run_verifies(demo: DemoRun) -> None:
    assert demo.report.ok, str(demo.report)
    names = [c.name for c in demo.report.checks]
    assert names == [
        "documents",
        "draw id",
        "rehearsal mark",
        "announcement signatures",
        "transcript signatures",
        "rules",
        "public records",
        "announcement binding",
        "seed ceremony",
        "transcript time",
        "results file",
        "re-run",
    ]
    verify(demo)
    assert all(report.ok for report in demo.parent_reports.values())
    assert demo.lookup.found


@settings(max_examples=120)
@given(data=st.data())
def test_flipping_any_byte_of_the_signed_transcript_is_caught(
    demo: DemoRun, data: st.DataObject
) -> None:
    raw = bytearray(demo.transcript.to_bytes())
    position = data.draw(st.integers(0, len(raw) - 1))
    bit = data.draw(st.integers(0, 7))
    raw[position] ^= 1 << bit
    with pytest.raises((MalformedDocumentError, SignatureError, SeedMismatchError, WrongDrawError)):
        verify(demo, transcript=bytes(raw))


def test_flipping_a_byte_of_the_announcement_is_caught(demo: DemoRun) -> None:
    raw = bytearray(demo.announcement.to_bytes())
    raw[raw.index(b'"count":') + 8] ^= 1
    with pytest.raises((MalformedDocumentError, InvalidSignatureError)):
        verify(demo, announcement=bytes(raw))


def test_changing_one_outcome_names_the_applicant(demo: DemoRun) -> None:
    results = list(demo.results)
    line = json.loads(results[0])
    original = line["placed"]
    other = next(k.id for k in demo.rules.kindergartens if k.id != original)
    line["placed"] = other
    line["wins"][0]["kindergarten"] = other
    results[0] = canonical_json(line)
    # Without the keys: the results file no longer matches the signed root.
    with pytest.raises(DigestMismatchError, match="results file"):
        verify(demo, results=results)
    # With both keys (a forged transcript): the re-run names the child.
    forged_tx, _ = make_transcript(
        demo.announcement,
        demo.rules,
        demo.ceremony,
        demo.outcome,
        created="2026-12-01T10:05:00+08:00",
    )
    signed = forged_tx.to_signed()
    signed["results"]["root"] = results_root(demo.rules.draw_id, results).hex()
    with pytest.raises(ReplayMismatchError) as info:
        verify(demo, transcript=resign(demo, signed), results=results)
    message = str(info.value)
    assert line["registration_number"] in message
    assert f"placed at {other}" in message
    assert f"re-run gives placed at {original}" in message


def test_reordered_signatures_are_caught(demo: DemoRun) -> None:
    data = json.loads(demo.transcript.to_bytes())
    data["signatures"].reverse()
    with pytest.raises(MalformedDocumentError, match="sorted"):
        verify(demo, transcript=canonical_json(data) + b"\n")


def test_a_duplicate_signature_by_the_same_key_is_caught(demo: DemoRun) -> None:
    data = json.loads(demo.transcript.to_bytes())
    data["signatures"].append(data["signatures"][0])
    data["signatures"].sort(key=lambda s: s["keyid"])
    with pytest.raises(MalformedDocumentError, match="signed twice"):
        verify(demo, transcript=canonical_json(data) + b"\n")


def test_a_key_counts_once_towards_a_threshold(demo: DemoRun) -> None:
    notary, bureau = demo.keys["notary-1"], demo.keys["bureau"]
    policy = TrustPolicy(roles=(demo.policy.roles[0], replace(demo.policy.roles[1], threshold=2)))
    doubled = Envelope(
        signed=demo.transcript.signed,
        signatures=(
            Signature(bureau.keyid, bureau.sign(demo.transcript.signed_bytes)),
            Signature(notary.keyid, notary.sign(demo.transcript.signed_bytes)),
            Signature(notary.keyid, notary.sign(demo.transcript.signed_bytes)),
        ),
    )
    (_, result) = policy.evaluate(doubled)
    assert (result.valid, result.threshold) == (1, 2)
    with pytest.raises(SignatureThresholdError, match="notary signed by 1/2 keys"):
        policy.verify(doubled, document="transcript")


def test_a_missing_notary_signature_is_named(demo: DemoRun) -> None:
    only_bureau = Envelope(signed=demo.transcript.signed).sign(demo.keys["bureau"])
    with pytest.raises(SignatureThresholdError, match="transcript: notary signed by 0/1 keys"):
        verify(demo, transcript=only_bureau.to_bytes())


def test_a_signature_by_an_untrusted_key_does_not_count(demo: DemoRun) -> None:
    stranger = SigningKey.from_seed(bytes(range(32)))
    forged = Envelope(signed=demo.transcript.signed).sign(demo.keys["bureau"]).sign(stranger)
    with pytest.raises(SignatureThresholdError, match="notary signed by 0/1"):
        verify(demo, transcript=forged.to_bytes())


def test_another_draws_transcript_is_caught(demo: DemoRun) -> None:
    other = run_demo(applicants=120, kindergartens=5)
    with pytest.raises(WrongDrawError):
        verify(demo, transcript=replace_draw_id(other, "2026-another-district"))
    with pytest.raises((DigestMismatchError, SignatureThresholdError)):
        verify(demo, transcript=other.transcript.to_bytes())


def replace_draw_id(run: DemoRun, draw_id: str) -> bytes:
    signed = dict(run.transcript.signed)
    signed["draw_id"] = draw_id
    return resign(run, signed)


def test_a_record_changed_after_the_announcement_is_caught(demo: DemoRun) -> None:
    records = list(demo.records)
    data = json.loads(records[5])
    data["tier"] = "policy-care" if data["tier"] != "policy-care" else "other"
    records[5] = canonical_json(data)
    with pytest.raises(InputRootMismatchError, match="changed after the announcement"):
        verify(demo, records=records)
    with pytest.raises(InputRootMismatchError, match="299 public records"):
        verify(demo, records=records[:-1])


def test_a_changed_rule_is_caught(demo: DemoRun) -> None:
    first = demo.rules.kindergartens[0]
    bigger = Kindergarten(first.id, first.name, first.seats + 1, first.blocks)
    rules = replace(demo.rules, kindergartens=(bigger, *demo.rules.kindergartens[1:]))
    with pytest.raises(DigestMismatchError, match="rules differ"):
        verify(demo, rules=rules)


def test_a_wrong_seed_is_caught(demo: DemoRun) -> None:
    signed = json.loads(canonical_json(demo.transcript.signed))
    signed["seed"] = "00" * 32
    with pytest.raises(SeedMismatchError):
        verify(demo, transcript=resign(demo, signed))
    signed = json.loads(canonical_json(demo.transcript.signed))
    signed["seed"] = signed["ceremony"]["seed"] = "11" * 32
    with pytest.raises(SeedMismatchError, match="not the derived seed"):
        verify(demo, transcript=resign(demo, signed))


def test_a_reveal_not_matching_its_commitment_is_caught(demo: DemoRun) -> None:
    signed = json.loads(canonical_json(demo.transcript.signed))
    forged = hashlib.sha256(b"a secret nobody committed to").hexdigest()
    signed["ceremony"]["contributions"][0]["reveal"] = forged
    with pytest.raises(RevealMismatchError, match="does not match its commitment"):
        verify(demo, transcript=resign(demo, signed))


def test_a_reveal_recorded_after_the_deadline_is_caught(demo: DemoRun) -> None:
    signed = json.loads(canonical_json(demo.transcript.signed))
    signed["ceremony"]["contributions"][0]["at"] = "2026-07-23T15:30:01+08:00"
    with pytest.raises(
        ScheduleError, match="reveal deadline 2026-07-23T15:30:00\\+08:00 has passed"
    ):
        verify(demo, transcript=resign(demo, signed))


def test_a_source_recorded_before_it_was_known_is_caught(demo: DemoRun) -> None:
    signed = json.loads(canonical_json(demo.transcript.signed))
    beacon = next(s for s in signed["ceremony"]["sources"] if s["kind"] == "drand")
    beacon["at"] = "2026-07-23T15:38:29+08:00"  # the round is published at 15:38:30
    with pytest.raises(ScheduleError, match="known only from 2026-07-23T15:38:30"):
        verify(demo, transcript=resign(demo, signed))


def test_a_transcript_created_before_the_draw_time_is_caught(demo: DemoRun) -> None:
    signed = json.loads(canonical_json(demo.transcript.signed))
    signed["created"] = "2026-07-24T09:29:59+08:00"
    with pytest.raises(TimeWindowError, match="before the announced draw time"):
        verify(demo, transcript=resign(demo, signed))


def test_make_transcript_refuses_a_draw_before_the_draw_time(demo: DemoRun) -> None:
    with pytest.raises(ScheduleError, match="announced draw time is 2026-07-24T09:30:00"):
        make_transcript(
            demo.announcement,
            demo.rules,
            demo.ceremony,
            demo.outcome,
            created="2026-07-24T09:29:00+08:00",
        )


def test_report_lists_every_check_and_never_raises(demo: DemoRun) -> None:
    report = check_transcript(
        b"not json", announcement=b"{}", rules=demo.rules, records=[], policy=demo.policy
    )
    assert not report.ok
    assert report.failures[0].name == "documents"
    with pytest.raises(MalformedDocumentError):
        report.raise_for_failure()
    records = list(demo.records)
    records[0] = records[0].replace(b'"tier":"', b'"tier":"x')
    report = check_transcript(
        demo.transcript,
        announcement=demo.announcement,
        rules=demo.rules,
        records=records,
        policy=demo.policy,
        results=demo.results,
    )
    failed = {c.name for c in report.failures}
    assert "public records" in failed
    assert {"transcript signatures", "seed ceremony", "results file"}.isdisjoint(failed)


# --- parents ------------------------------------------------------------------


def parent_args(demo: DemoRun, reg: str, **changes: Any) -> dict[str, Any]:
    entry = demo.registry[reg]
    arguments: dict[str, Any] = {
        "registration_number": reg,
        "salt": entry.salt,
        "document_type": entry.identity.document_type,
        "document_number": entry.identity.document_number,
        "name": entry.identity.name,
        "announcement": demo.announcement,
        "transcript": demo.transcript,
        "policy": demo.policy,
    }
    arguments.update(changes)
    return arguments


def test_three_parents_proofs_pass(demo: DemoRun) -> None:
    assert len(demo.parent_reports) == 3
    for report in demo.parent_reports.values():
        assert report.ok, str(report)
        assert [s.name for s in report.steps] == [
            "documents",
            "signatures",
            "identity",
            "record in frozen list",
            "lottery number",
            "result in transcript",
        ]


def test_parent_proof_failures_name_the_step(demo: DemoRun) -> None:
    reg = demo.outcome.registration_numbers[7]
    proof = make_parent_proofs(demo.rules.draw_id, demo.records, demo.results, [reg])[reg]
    assert check_parent_proof(proof, **parent_args(demo, reg)).ok
    wrong_name = check_parent_proof(proof, **parent_args(demo, reg, name="王小明"))
    assert (
        [s.name for s in wrong_name.failures_or_none()] == ["identity"]
        if hasattr(wrong_name, "failures_or_none")
        else not wrong_name.ok
    )
    assert not wrong_name.ok
    assert wrong_name.result is None
    assert {s.name for s in wrong_name.steps if not s.passed} == {"identity"}
    bad_path = replace(proof, record_path=(bytes(32), *proof.record_path[1:]))
    report = check_parent_proof(bad_path, **parent_args(demo, reg))
    assert {s.name for s in report.steps if not s.passed} == {"record in frozen list"}
    other = demo.outcome.registration_numbers[8]
    other_proof = make_parent_proofs(demo.rules.draw_id, demo.records, demo.results, [other])[other]
    swapped = replace(
        proof,
        result_line=other_proof.result_line,
        result_index=other_proof.result_index,
        result_path=other_proof.result_path,
    )
    report = check_parent_proof(swapped, **parent_args(demo, reg))
    assert "lottery number" in {s.name for s in report.steps if not s.passed}
    assert ParentProof.from_json(json.loads(json.dumps(proof.to_json()))) == proof


# --- lookup and privacy ---------------------------------------------------------


def test_lookup_answers_not_found_identically(demo: DemoRun) -> None:
    index = LookupIndex.build(demo.registry, demo.outcome)
    reg = demo.outcome.registration_numbers[3]
    who = demo.registry[reg].identity
    found = index.lookup(who.document_number, who.name)
    assert found.found
    assert found.registration_number == reg
    assert who.name not in json.dumps(found.to_json(), ensure_ascii=False)
    assert who.document_number not in json.dumps(found.to_json())
    wrong_name = index.lookup(who.document_number, who.name + "某")
    other = demo.registry[demo.outcome.registration_numbers[4]].identity
    unknown = index.lookup(
        "11010520220101001X"
        if who.document_number != "11010520220101001X"
        else "110105202201010029",
        who.name,
    )
    assert wrong_name is NOT_FOUND
    assert unknown is NOT_FOUND
    assert wrong_name.to_json() == unknown.to_json()
    assert index.lookup(other.document_number, who.name) is NOT_FOUND
    full_width = who.document_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert index.lookup(" " + full_width.lower() + " ", who.name).found
    with pytest.raises(AllocError):
        index.lookup("12345", who.name)


def test_no_public_artefact_carries_a_name_or_document_number(demo: DemoRun) -> None:
    public = b"\n".join(
        [
            demo.announcement.to_bytes(),
            demo.transcript.to_bytes(),
            *demo.records,
            *demo.results,
            canonical_json(demo.rules.to_json()),
            canonical_json(demo.report.to_json()),
            canonical_json(demo.policy.to_json()),
        ]
    ).decode("utf-8")
    for entry in demo.registry.values():
        assert entry.identity.name not in public
        assert entry.identity.document_number not in public
        assert entry.identity.document_number[:14] not in public


def test_rules_round_trip_and_digest_is_stable(demo: DemoRun) -> None:
    again = DrawRules.from_json(json.loads(canonical_json(demo.rules.to_json())))
    assert again == demo.rules


def test_a_time_window_must_run_frozen_then_deadline_then_draw() -> None:
    # Offsets differ: 09:00+08:00 is 01:00Z, after the freeze at 00:30Z.
    TimeWindow(
        frozen_at="2026-12-01T00:30:00+00:00",
        reveal_deadline="2026-12-01T09:00:00+08:00",
        draw_at="2026-12-01T01:00:01+00:00",
    )
    for frozen, deadline, draw_at in (
        ("2026-12-01T10:00:00+08:00", "2026-12-01T09:00:00+08:00", "2026-12-01T12:00:00+08:00"),
        ("2026-12-01T08:00:00+08:00", "2026-12-01T09:00:00+08:00", "2026-12-01T00:59:00+00:00"),
        ("2026-12-01T08:00:00+08:00", "2026-12-01T09:00:00+08:00", "2026-12-01T09:00:00+08:00"),
        ("2026-12-01T09:00:00+08:00", "2026-12-01T09:00:00+08:00", "2026-12-01T10:00:00+08:00"),
    ):
        with pytest.raises(InputError, match="out of order") as caught:
            TimeWindow(frozen_at=frozen, reveal_deadline=deadline, draw_at=draw_at)
        assert caught.value.field == "window"


@pytest.mark.parametrize(
    "written",
    [
        "2026-12-01T09:00:00",
        "2026-12-01 09:00:00+08:00",
        "2026-12-01T09:00+08:00",
        "2026-12-01T01:00:00Z",
        "2026-12-01T09:00:00.5+08:00",
        "2026-12-31T24:00:00+08:00",
    ],
)
def test_window_times_have_one_written_form(written: str) -> None:
    with pytest.raises(InputError, match="time"):
        TimeWindow(
            frozen_at="2026-11-30T17:00:00+08:00",
            reveal_deadline=written,
            draw_at="2026-12-02T09:00:00+08:00",
        )
