"""Later rounds as signed documents, and verification of the whole chain (spec 11.7).

On the demo draw: round 2 answers and promotes, round 3 answers again and
draws the children still unplaced with a fresh seed from its own ceremony.
The chain verifies from the public files alone; a round missing, forged
(without the keys, or signed but computed wrongly), forked or rolled back is
refused, each with its reason; and a parent's proof spans the rounds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc import audit, records
from alloc.audit import ParentProof, document_digest, make_parent_proofs
from alloc.chain import (
    RoundAnnouncement,
    RoundFiles,
    RoundTranscript,
    _describe_standing,
    _standing_difference,
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
from alloc.errors import ChainError, InputError, MalformedDocumentError, ReplayMismatchError
from alloc.io import LineFile, write_lines
from alloc.model import Applicant, ApplicantTable
from alloc.records import LineSource, line_chunks, parse_record_lines, whole_lines
from alloc.rounds import (
    Response,
    Standings,
    next_round,
    parse_standing_line,
    standing_lines,
    standings_root,
)
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


# --- the rehearsal mark and the operator log in later rounds (spec 9.6, 9.7, 11.7) -------------


def test_a_round_after_a_rehearsal_is_a_rehearsals(chain: Chain) -> None:
    demo = chain.demo
    start = chain_standings(demo.rules, demo.records, demo.ceremony.seed)
    for marked in (False, True):
        previous = Envelope(signed={**demo.transcript.signed, "rehearsal": marked})
        notice, _, _ = make_round_announcement(
            demo.rules, previous, start, answers(start, 5), frozen_at="2026-07-31T10:00:00+08:00"
        )
        assert notice.rehearsal is marked
        assert notice.to_signed()["rehearsal"] is marked


def test_a_real_draws_round_marked_as_a_rehearsal_is_refused_either_way(chain: Chain) -> None:
    """Round 2 announced and computed as a rehearsal's, after a real round 1: signed by the
    real keys, it is refused as a real round, and checked as a rehearsal round 1 fails."""
    demo, second = chain.demo, chain.rounds[0]
    notice = replace(RoundAnnouncement.from_envelope(second.announcement), rehearsal=True)
    announcement = sign(notice, demo.keys)
    start = chain_standings(demo.rules, demo.records, demo.ceremony.seed)
    tx, _, lines, _ = make_round_transcript(
        announcement,
        demo.rules,
        start,
        list(second.files.responses),
        created=RoundTranscript.from_envelope(second.transcript).created,
    )
    assert tx.rehearsal
    files = replace(
        second.files, announcement=announcement, transcript=sign(tx, demo.keys), standings=lines
    )
    report = check(chain, [files])
    assert [f.split(":")[0] for f in failures(report)] == ["round 2"]
    assert failures(report)[0].startswith(
        "round 2: rehearsal mark: 演练 REHEARSAL: round 2 is marked rehearsal: true"
    )
    assert report.rehearsal is False
    report = check(chain, [files], rehearsal=True)
    assert failures(report)[0].startswith("rehearsal mark: checked as a rehearsal")
    assert "round 2: rehearsal mark" not in [c.name for c in report.checks]  # the chain stopped


def test_a_round_whose_documents_disagree_on_the_mark_is_refused(chain: Chain) -> None:
    demo, second = chain.demo, chain.rounds[0]
    tx = replace(RoundTranscript.from_envelope(second.transcript), rehearsal=True)
    report = check(chain, [replace(second.files, transcript=sign(tx, demo.keys))])
    assert failures(report) == [
        "round 2: rehearsal mark: round 2's announcement and transcript disagree on the"
        " rehearsal mark; a rehearsal's round is always a rehearsal's"
    ]


def test_a_log_is_checked_against_every_transcript(chain: Chain) -> None:
    """The demo keeps no operator log: a log given cannot be checked against its transcripts."""
    report = check(chain, [r.files for r in chain.rounds], log=b"")
    assert [f.split(":")[0] for f in failures(report)] == ["operator log"]
    assert "commits to no operator log" in failures(report)[0]


def test_round_documents_read_their_mark_and_log_strictly(chain: Chain) -> None:
    second = chain.rounds[0]
    notice = dict(second.announcement.signed)
    tx = dict(second.transcript.signed)
    assert notice["rehearsal"] is False
    assert tx["rehearsal"] is False
    assert tx["log"] is None
    for document, read, change, reason in (
        (notice, RoundAnnouncement.from_envelope, {"rehearsal": None}, "expected true or false"),
        (tx, RoundTranscript.from_envelope, {"rehearsal": 0}, "expected true or false"),
        (tx, RoundTranscript.from_envelope, {"log": {"count": 3}}, "missing key"),
        (
            tx,
            RoundTranscript.from_envelope,
            {"log": {"count": 0, "head": "11" * 32}},
            "an empty log has the all-zero head",
        ),
    ):
        with pytest.raises(MalformedDocumentError, match=reason):
            read(Envelope(signed={**document, **change}))
    for document, read in (
        (notice, RoundAnnouncement.from_envelope),
        (tx, RoundTranscript.from_envelope),
    ):
        without = {k: v for k, v in document.items() if k != "rehearsal"}
        with pytest.raises(MalformedDocumentError, match="missing key"):
            read(Envelope(signed=without))
    logged = {**tx, "log": {"count": 2, "head": "11" * 32}}
    assert RoundTranscript.from_envelope(Envelope(signed=logged)).log is not None


# --- the chain read chunk by chunk ---------------------------------------------------


def as_files(
    folder: Path, lines: Sequence[bytes] | LineSource | None, name: str
) -> LineFile | None:
    if lines is None:
        return None
    return LineFile(write_lines(folder / f"{name}.jsonl", whole_lines(lines)))


def streamed(files: RoundFiles, folder: Path) -> RoundFiles:
    """The round's line-per-child files written out and given as files read chunk by chunk."""
    folder.mkdir(parents=True)
    responses = as_files(folder, files.responses, "responses")
    assert responses is not None
    return replace(
        files,
        responses=responses,
        records=as_files(folder, files.records, "records"),
        standings=as_files(folder, files.standings, "standings"),
        results=as_files(folder, files.results, "results"),
    )


def checks(report: Any) -> list[tuple[str, bool, str]]:
    return [(c.name, c.passed, c.detail) for c in report.checks]


def forged_standings(chain: Chain) -> RoundFiles:
    """Round 2 signed over standings with one child's seat moved (as in the test above)."""
    demo, second = chain.demo, chain.rounds[0]
    lines = list(second.files.standings or [])
    at = next(i for i, line in enumerate(lines) if b'"seats":[{' in line)
    seat = parse_standing_line(lines[at]).seats[0].kindergarten
    other = next(k.id for k in demo.rules.kindergartens if k.id != seat)
    lines[at] = lines[at].replace(f'"{seat}"'.encode(), f'"{other}"'.encode(), 1)
    tx = RoundTranscript.from_envelope(second.transcript)
    forged_tx = replace(tx, standings=(standings_root(demo.rules.draw_id, lines), len(lines)))
    return replace(second.files, transcript=sign(forged_tx, demo.keys), standings=lines)


@pytest.mark.parametrize("size", [7, 1 << 17])
def test_files_read_in_chunks_give_the_report_of_whole_lists(
    chain: Chain, tmp_path: Path, size: int
) -> None:
    demo = chain.demo
    second, third = chain.rounds[0].files, chain.rounds[1].files
    responses = list(second.responses)
    cases = {
        "whole chain": [second, third],
        "forged standings": [forged_standings(chain)],
        "edited responses": [replace(second, responses=responses[1:])],
        "standings missing a child": [replace(second, standings=list(second.standings or [])[1:])],
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "CHUNK_LINES", size)
        for number, (name, rounds) in enumerate(cases.items()):
            expected = checks(check(chain, rounds))
            folder = tmp_path / str(number)
            given = [streamed(r, folder / str(n)) for n, r in enumerate(rounds, start=2)]
            round_1 = {
                "records": LineFile(write_lines(folder / "records.jsonl", demo.records)),
                "results": LineFile(write_lines(folder / "results.jsonl", demo.results)),
            }
            found = check_chain(
                rules=demo.rules,
                policy=demo.policy,
                announcement=demo.announcement,
                transcript=demo.transcript,
                rounds=given,
                **round_1,
            )
            assert checks(found) == expected, name
            assert found.ok == (name == "whole chain"), name


class CountedLines:
    """A line source that counts how often it is read."""

    def __init__(self, lines: Sequence[bytes]) -> None:
        self.lines, self.readings = lines, 0

    def chunks(self, size: int) -> Iterator[list[bytes]]:
        self.readings += 1
        return line_chunks(list(self.lines), size)


def test_round_1_is_read_and_drawn_once(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = chain.demo
    given = CountedLines(demo.records)
    draws = []
    original = audit.draw

    def counted(*args: Any, **kwargs: Any) -> Any:
        draws.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "draw", counted)
    report = check_chain(
        rules=demo.rules,
        policy=demo.policy,
        announcement=demo.announcement,
        transcript=demo.transcript,
        records=given,
        results=demo.results,
        rounds=[r.files for r in chain.rounds],
    )
    assert report.ok, failures(report)
    assert (given.readings, len(draws)) == (1, 1)


def plainly_standing_difference(
    number: int, lines: list[bytes], published: list[bytes]
) -> ReplayMismatchError:
    """The first child whose published standing differs, with both files held whole."""
    theirs = {}
    for line in published:
        try:
            standing = parse_standing_line(line)
        except InputError:
            continue
        theirs[standing.registration_number] = standing
    for line in lines:
        mine = parse_standing_line(line)
        other = theirs.get(mine.registration_number)
        if other != mine:
            return ReplayMismatchError(
                f"round {number}: child {mine.registration_number} is published as"
                f" {_describe_standing(other)}, re-computation gives {_describe_standing(mine)}"
            )
    return ReplayMismatchError(f"round {number}'s published standings list a child too many")


def changed_standing(line: bytes, rules: Any) -> bytes:
    standing = parse_standing_line(line)
    if standing.seats:
        seat = standing.seats[0].kindergarten
        other = next(k.id for k in rules.kindergartens if k.id != seat)
        return line.replace(
            f'"kindergarten":"{seat}"'.encode(), f'"kindergarten":"{other}"'.encode(), 1
        )
    return line.replace(b'"declined":false', b'"declined":true', 1)


STANDING_EDITS = ["outcome", "swap", "drop", "copy", "garbage", "extra", "reorder"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_first_differing_standing_is_named_as_when_both_files_are_held(
    chain: Chain, data: st.DataObject
) -> None:
    rules, standings = chain.demo.rules, chain.rounds[0].standings
    lines = standing_lines(standings)
    published = list(lines)
    for _ in range(data.draw(st.integers(1, 3))):
        edit = data.draw(st.sampled_from(STANDING_EDITS))
        at = data.draw(st.integers(0, len(published) - 1))
        other = data.draw(st.integers(0, len(published) - 1))
        original = lines[at % len(lines)]
        if edit == "outcome":
            published[at] = changed_standing(original, rules)
        elif edit == "swap":
            published[at], published[other] = published[other], published[at]
        elif edit == "drop":
            del published[at]
        elif edit == "copy":
            published.insert(other, changed_standing(original, rules))
        elif edit == "garbage":
            published[at] = data.draw(st.sampled_from([b"{", b"", b"[]", original + b" "]))
        elif edit == "extra":
            published.insert(other, original.replace(b'_number":"', b'_number":"x-', 1))
        else:
            published = published[at:] + published[:at]
    size = data.draw(st.sampled_from([1, 7, 64, 1 << 17]))
    expected = str(plainly_standing_difference(2, lines, published))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "CHUNK_LINES", size)
        assert str(_standing_difference(2, standings, lines, published)) == expected
