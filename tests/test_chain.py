"""Later rounds as signed documents, and verification of the whole chain (spec 11.7).

On the demo draw: round 2 answers and promotes, round 3 answers again and
draws the children still unplaced with a fresh seed from its own ceremony.
The chain verifies from the public files alone; a round missing, forged
(without the keys, or signed but computed wrongly), forked or rolled back is
refused, each with its reason; and a parent's proof spans the rounds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest

from alloc.audit import ParentProof, document_digest, make_parent_proofs
from alloc.chain import (
    RoundAnnouncement,
    RoundFiles,
    RoundTranscript,
    chain_standings,
    check_chain,
    check_round_proofs,
    make_round_announcement,
    make_round_proofs,
    make_round_transcript,
    verify_chain,
)
from alloc.clock import parse_time
from alloc.demo import DemoRun, run_demo
from alloc.errors import ChainError, InputError, MalformedDocumentError
from alloc.model import Applicant, ApplicantTable
from alloc.records import parse_record_lines
from alloc.rounds import Response, Standings, next_round, parse_standing_line, standings_root
from alloc.seed import Ceremony, Digits, Source, commitment
from alloc.signing import Envelope, SigningKey

PARTIES = ("bureau", "notary")
#: Fixed secrets that look random (the ceremony refuses obviously chosen ones).
SECRETS = {p: hashlib.sha256(f"round 3 secret of {p}".encode()).digest() for p in PARTIES}


@dataclass
class Round:
    files: RoundFiles
    announcement: Envelope
    transcript: Envelope
    standings: Standings


@dataclass
class Chain:
    demo: DemoRun
    rounds: list[Round]


def at(text: str) -> datetime:
    return parse_time(text, field="time")


def sign(document: Any, keys: dict[str, SigningKey]) -> Envelope:
    envelope: Envelope = document.envelope()
    return envelope.sign(keys["bureau"]).sign(keys["notary-1"])


def answers(standings: Standings, every: int) -> list[Response]:
    """Seat holders confirm, except every ``every``-th group or child, which declines."""
    out, decided = [], {}
    for index, s in enumerate(standings):
        if s.declined or not s.seats:
            continue
        row = standings.index(s.registration_number)
        group = int(standings.groups[row])
        key = standings.group_ids[group] if group >= 0 else s.registration_number
        if key not in decided:
            decided[key] = index % every == 0
        if decided[key]:
            out.append(Response(s.registration_number, "decline"))
        else:
            out.append(Response(s.registration_number, "confirm", s.seats[0].kindergarten))
    return out


def promotion_round(
    demo: DemoRun, previous: Envelope, standings: Standings, every: int, at: str, done: str
) -> Round:
    notice, responses, _ = make_round_announcement(
        demo.rules, previous, standings, answers(standings, every), frozen_at=at
    )
    announcement = sign(notice, demo.keys)
    tx, outcome, lines, _ = make_round_transcript(
        announcement, demo.rules, standings, responses, created=done
    )
    transcript = sign(tx, demo.keys)
    files = RoundFiles(
        announcement=announcement,
        responses=responses,
        transcript=transcript,
        standings=lines,
    )
    return Round(files, announcement, transcript, outcome.standings)


def draw_round(demo: DemoRun, previous: Round) -> Round:
    """Round 3: answers, then a second-round draw for the unplaced with a fresh seed."""
    standings = previous.standings
    responses = answers(standings, 11)
    # The draw is over the seats the round's promotion leaves, for those it leaves unplaced.
    promoted = next_round(standings, responses).standings
    free = promoted.free_seats().sum(axis=1)
    choices = tuple(k.id for k, f in zip(demo.rules.kindergartens, free, strict=True) if f)[:3]
    unplaced = set(promoted.unplaced)
    table = ApplicantTable.from_applicants(
        [
            Applicant(a.registration_number, choices, a.tier, a.facts, None, a.identity)
            for a in demo.applicants
            if a.registration_number in unplaced
        ][:60]
    )
    lottery = Source("welfare-3d-0806", Digits(3, at("2026-08-06T21:15:00+08:00")))
    spare = Source("happy8-0806", Digits(2, at("2026-08-06T21:30:00+08:00")))
    ceremony = Ceremony.begin(demo.rules.draw_id, sources=[lottery], fallbacks=[spare])
    for party in PARTIES:
        ceremony = ceremony.commit(
            party, commitment(demo.rules.draw_id, party, SECRETS[party]), fallback=spare.name
        )
    ceremony = ceremony.fix_plan()
    notice, lines, records = make_round_announcement(
        demo.rules,
        previous.transcript,
        standings,
        responses,
        frozen_at="2026-08-05T10:00:00+08:00",
        records=table,
        plan=ceremony.plan,
        reveal_deadline="2026-08-06T12:00:00+08:00",
        draw_at="2026-08-07T09:30:00+08:00",
    )
    announcement = sign(notice, demo.keys)
    ceremony = ceremony.open(
        document_digest(announcement),
        reveal_deadline=at("2026-08-06T12:00:00+08:00"),
        at=at("2026-08-06T10:00:00+08:00"),
    )
    for party in PARTIES:
        ceremony = ceremony.reveal(party, SECRETS[party], at=at("2026-08-06T10:30:00+08:00"))
    record = ceremony.add_source(lottery.name, "527", at=at("2026-08-07T09:00:00+08:00")).finish()
    tx, outcome, standing_lines, results = make_round_transcript(
        announcement,
        demo.rules,
        standings,
        lines,
        records=records,
        ceremony=record,
        created="2026-08-07T09:30:00+08:00",
    )
    transcript = sign(tx, demo.keys)
    files = RoundFiles(
        announcement=announcement,
        responses=lines,
        transcript=transcript,
        records=records,
        standings=standing_lines,
        results=results,
    )
    return Round(files, announcement, transcript, outcome.standings)


@pytest.fixture(scope="module")
def chain() -> Chain:
    demo = run_demo(applicants=800, kindergartens=4)
    start = chain_standings(demo.rules, demo.records, demo.ceremony.seed)
    second = promotion_round(
        demo, demo.transcript, start, 5, "2026-07-31T10:00:00+08:00", "2026-07-31T10:05:00+08:00"
    )
    third = draw_round(demo, second)
    return Chain(demo, [second, third])


def check(chain: Chain, rounds: list[RoundFiles], **options: Any) -> Any:
    demo = chain.demo
    return check_chain(
        rules=demo.rules,
        policy=demo.policy,
        announcement=demo.announcement,
        transcript=demo.transcript,
        records=demo.records,
        results=demo.results,
        rounds=rounds,
        **options,
    )


def failures(report: Any) -> list[str]:
    return [f"{c.name}: {c.detail}" for c in report.failures]


def test_the_whole_chain_verifies(chain: Chain) -> None:
    report = check(chain, [r.files for r in chain.rounds])
    assert report.ok, failures(report)
    assert report.round == 3
    names = [c.name for c in report.checks]
    for number in (2, 3):
        for part in ("documents", "chain", "re-computation", "transcript signatures"):
            assert f"round {number}: {part}" in names
    assert "round 3: seed" in names
    assert set(report.digests) == {1, 2, 3}
    assert report.digests[3] == document_digest(chain.rounds[1].transcript)
    second = chain.rounds[0].standings
    assert (second.moved_from >= 0).any()  # promotion moved someone
    assert chain.rounds[1].files.results  # round 3 drew


def test_a_missing_round_is_refused(chain: Chain) -> None:
    report = check(chain, [chain.rounds[1].files])
    assert not report.ok
    assert "round 2 is missing" in failures(report)[0]
    with pytest.raises(ChainError, match="round 2 is missing"):
        verify_chain(
            rules=chain.demo.rules,
            policy=chain.demo.policy,
            announcement=chain.demo.announcement,
            transcript=chain.demo.transcript,
            records=chain.demo.records,
            rounds=[chain.rounds[1].files],
        )


def test_rounds_out_of_order_are_refused(chain: Chain) -> None:
    report = check(chain, [chain.rounds[1].files, chain.rounds[0].files])
    assert not report.ok
    assert "round 2 is missing" in failures(report)[0]


def test_a_round_forged_without_the_keys_is_refused(chain: Chain) -> None:
    second = chain.rounds[0]
    signed = dict(second.transcript.signed)
    signed["declined"] = signed["declined"] + 1
    forger = SigningKey.from_seed(bytes(32))
    forged = Envelope(signed=signed).sign(forger)
    report = check(chain, [replace(second.files, transcript=forged)])
    assert not report.ok
    assert any("round 2: transcript signatures" in f for f in failures(report))


def test_a_round_signed_but_computed_wrongly_is_refused(chain: Chain) -> None:
    """The bureau and notary sign a round whose standings were changed: the re-computation
    names the child."""
    demo, second = chain.demo, chain.rounds[0]
    lines = list(second.files.standings or [])
    at = next(i for i, line in enumerate(lines) if b'"seats":[{' in line)
    standing = parse_standing_line(lines[at])
    other = next(k.id for k in demo.rules.kindergartens if k.id != standing.seats[0].kindergarten)
    lines[at] = lines[at].replace(
        f'"kindergarten":"{standing.seats[0].kindergarten}"'.encode(),
        f'"kindergarten":"{other}"'.encode(),
        1,
    )
    tx = RoundTranscript.from_envelope(second.transcript)
    forged_tx = replace(tx, standings=(standings_root(demo.rules.draw_id, lines), len(lines)))
    forged = sign(forged_tx, demo.keys)
    report = check(chain, [replace(second.files, transcript=forged, standings=lines)])
    assert not report.ok
    text = failures(report)[0]
    assert text.startswith("round 2: re-computation")
    assert standing.registration_number in text


def test_a_rolled_back_chain_is_refused(chain: Chain) -> None:
    """Round 2 presented as the latest, by someone who knows round 3 was published."""
    shorter = [chain.rounds[0].files]
    assert check(chain, shorter).ok  # alone, nobody can tell
    report = check(chain, shorter, expect_round=3)
    assert "rollback: round 3 was published" in failures(report)[-1]
    seen = {3: document_digest(chain.rounds[1].transcript)}
    report = check(chain, shorter, known=seen)
    assert "rollback: round 3 was seen before" in failures(report)[-1]


def test_a_fork_is_refused(chain: Chain) -> None:
    """Another round 2, properly signed, under the published round 3."""
    demo = chain.demo
    start = chain_standings(demo.rules, demo.records, demo.ceremony.seed)
    other = promotion_round(
        demo, demo.transcript, start, 3, "2026-07-31T10:00:00+08:00", "2026-07-31T10:05:00+08:00"
    )
    report = check(chain, [other.files, chain.rounds[1].files])
    assert not report.ok
    assert "round 3: chain" in failures(report)[0]
    assert "fork" in failures(report)[0]
    seen = {2: document_digest(chain.rounds[0].transcript)}
    report = check(chain, [other.files], known=seen)
    assert "fork: round 2 was seen before" in failures(report)[-1]


def test_a_round_announced_but_not_drawn(chain: Chain) -> None:
    second = chain.rounds[0]
    report = check(chain, [replace(second.files, transcript=None, standings=None)])
    assert report.ok
    assert report.checks[-1].detail == "round 2 is announced, not yet computed"


def test_an_edited_responses_file_is_refused(chain: Chain) -> None:
    """A response dropped after the announcement: the file no longer has the announced root."""
    second = chain.rounds[0]
    lines = list(second.files.responses)
    report = check(chain, [replace(second.files, responses=lines[1:])])
    assert any("responses file does not match" in f for f in failures(report))


def test_round_documents_are_read_strictly(chain: Chain) -> None:
    second = chain.rounds[0]
    signed = dict(second.announcement.signed)
    for change, reason in (
        ({"round": 1}, "must be at least 2"),
        ({"extra": 1}, "unknown key"),
        ({"window": {**signed["window"], "draw_at": "2026-08-01T09:00:00+08:00"}}, "exactly when"),
    ):
        with pytest.raises(MalformedDocumentError, match=reason):
            RoundAnnouncement.from_envelope(Envelope(signed={**signed, **change}))


def test_a_parents_proof_spans_the_rounds(chain: Chain) -> None:
    demo = chain.demo
    third = chain.rounds[1]
    drawn = parse_record_lines(third.files.records or []).registration_numbers[0]
    proof = make_parent_proofs(demo.rules.draw_id, demo.records, demo.results, [drawn])[drawn]
    spanning = make_round_proofs(proof, [r.files for r in chain.rounds])
    assert [p.round for p in spanning.rounds] == [2, 3]
    assert spanning.rounds[1].record is not None
    again = ParentProof.from_json(spanning.to_json())
    assert again == spanning
    docs = [(r.announcement, r.transcript) for r in chain.rounds]
    steps = check_round_proofs(
        spanning,
        registration_number=drawn,
        transcript=demo.transcript,
        rounds=docs,
        policy=demo.policy,
    )
    assert all(s.passed for s in steps), [s.detail for s in steps]
    assert "second-round record and result" in steps[-1].detail
    # The rounds given in another order, or a round missing, fail.
    steps = check_round_proofs(
        spanning,
        registration_number=drawn,
        transcript=demo.transcript,
        rounds=docs[::-1],
        policy=demo.policy,
    )
    assert not all(s.passed for s in steps)
    steps = check_round_proofs(
        spanning,
        registration_number=drawn,
        transcript=demo.transcript,
        rounds=docs[:1],
        policy=demo.policy,
    )
    assert not all(s.passed for s in steps)


def test_a_round_cannot_be_announced_for_responses_that_do_not_fit(chain: Chain) -> None:
    demo = chain.demo
    start = chain_standings(demo.rules, demo.records, demo.ceremony.seed)
    with pytest.raises(InputError, match="no child of the previous round"):
        make_round_announcement(
            demo.rules,
            demo.transcript,
            start,
            [Response("nobody", "decline")],
            frozen_at="2026-07-31T10:00:00+08:00",
        )
    with pytest.raises(InputError, match="fresh seed"):
        make_round_announcement(
            demo.rules,
            demo.transcript,
            start,
            [],
            frozen_at="2026-07-31T10:00:00+08:00",
            records=ApplicantTable.from_applicants([]),
        )
