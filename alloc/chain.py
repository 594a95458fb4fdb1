"""Later rounds as signed documents: each round chained to the one before (spec 11.7).

Every round after the draw has two signed documents, like the draw itself:

1. :func:`make_round_announcement` commits to the families' responses and,
   for a second-round draw, its records and seed plan, before anything the
   round decides is computed (and before its seed exists); it names the
   previous round's transcript by digest.
2. :func:`make_round_transcript` records the round's outcome: the standings
   of every child (and the second-round draw's results), committed by
   Merkle roots, with the seed and ceremony if the round drew.

:func:`check_chain` verifies the draw and every later round from the public
files alone, re-computing each round from the one before, and refuses a
round missing, out of order, forged, forked or rolled back. A parent's
:class:`~alloc.audit.ParentProof` can carry one part per later round, checked
by :func:`check_round_proofs`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alloc._check import check_instance
from alloc.audit import (
    REHEARSAL_MARK,
    SOFTWARE,
    Check,
    ParentProof,
    RoundPart,
    Transcript,
    VerificationReport,
    _as_envelope,
    _check_draw,
    _Checks,
    _first_difference,
    _identifier,
    _lines_root,
    _nested,
    _read_records,
    _same_form,
    _same_lines,
    _signed_fields,
    document_digest,
    document_title,
    rules_digest,
)
from alloc.canonical import SPEC_VERSION
from alloc.clock import format_time, parse_time
from alloc.draw import draw
from alloc.errors import (
    CeremonyError,
    ChainError,
    DigestMismatchError,
    InputError,
    InputRootMismatchError,
    LogChainError,
    RehearsalError,
    ReplayMismatchError,
    ScheduleError,
    SeedMismatchError,
    TimeWindowError,
    VerificationError,
    WrongDrawError,
)
from alloc.i18n import _, pgettext
from alloc.merkle import verify_inclusion
from alloc.model import ApplicantTable, DrawRules, RoundSeed
from alloc.oplog import LogHead, check_log
from alloc.progress import Progress
from alloc.records import (
    LineSource,
    line_chunks,
    parse_record_lines,
    parse_result_line,
    record_leaf,
    record_lines,
    records_root,
    result_leaf,
    result_line_chunks,
    result_lines,
    results_root,
    whole_lines,
)
from alloc.rounds import (
    Response,
    RoundOutcome,
    Standings,
    first_standings,
    next_round,
    parse_response_lines,
    parse_standing_line,
    response_leaf,
    response_lines,
    responses_root,
    standing_leaf,
    standing_lines,
    standings_root,
)
from alloc.seed import CeremonyRecord, SeedPlan
from alloc.signing import Envelope, RoleResult, TrustPolicy
from alloc.strictjson import Fields
from alloc.tickets import group_ticket, ticket

__all__ = [
    "RoundAnnouncement",
    "RoundFiles",
    "RoundTranscript",
    "chain_standings",
    "check_chain",
    "check_round_proofs",
    "make_round_announcement",
    "make_round_proofs",
    "make_round_transcript",
    "verify_chain",
]


def _commitment(fields: Fields, key: str) -> tuple[bytes, int] | None:
    part = fields.optional_object(key)
    if part is None:
        return None
    found = (part.hex("root", size=32), part.integer("count", minimum=0))
    part.done()
    return found


def _committed(value: tuple[bytes, int] | None) -> dict[str, Any] | None:
    return None if value is None else {"root": value[0].hex(), "count": value[1]}


@dataclass(frozen=True)
class RoundAnnouncement:
    """What a later round commits to before it is computed (spec 11.7).

    ``previous`` is the digest of the previous round's transcript; ``records``
    and, with a fresh seed, ``seed_plan`` and ``window`` are set only for a
    round with a second-round draw. ``rehearsal`` is the previous round's
    mark: a later round of a rehearsal is a rehearsal's (spec 9.7).
    """

    draw_id: str
    round: int
    previous: bytes
    rules_digest: bytes
    responses: tuple[bytes, int]
    records: tuple[bytes, int] | None
    seed_plan: SeedPlan | None
    frozen_at: str
    reveal_deadline: str | None
    draw_at: str | None
    software: str = SOFTWARE
    rehearsal: bool = False

    def to_signed(self) -> dict[str, Any]:
        return {
            "type": "round-announcement",
            "spec": SPEC_VERSION,
            "draw_id": self.draw_id,
            "round": self.round,
            "previous": self.previous.hex(),
            "rules_digest": self.rules_digest.hex(),
            "responses": _committed(self.responses),
            "records": _committed(self.records),
            "seed_plan": None if self.seed_plan is None else self.seed_plan.to_json(),
            "window": {
                "frozen_at": self.frozen_at,
                "reveal_deadline": self.reveal_deadline,
                "draw_at": self.draw_at,
            },
            "rehearsal": self.rehearsal,
            "software": self.software,
        }

    def envelope(self) -> Envelope:
        """An unsigned envelope; add signatures with :meth:`Envelope.sign`."""
        return Envelope(signed=self.to_signed())

    @property
    def deadline(self) -> datetime | None:
        return (
            None
            if self.reveal_deadline is None
            else parse_time(self.reveal_deadline, field="reveal_deadline")
        )

    @property
    def draw_time(self) -> datetime | None:
        return None if self.draw_at is None else parse_time(self.draw_at, field="draw_at")

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> RoundAnnouncement:
        """Read the signed part strictly (spec 2.4, 11.7).

        Raises:
            MalformedDocumentError: naming the key path and the reason, for a
                document of another type or spec version, an unknown or
                missing key, a wrong type, a round below 2, a seed plan
                without a draw or a window that does not fit it, or any form
                alloc would not write.
        """
        fields = _signed_fields(envelope, "round-announcement")
        draw_id = _identifier(fields, "draw_id")
        number = fields.integer("round", minimum=2)
        responses = _commitment(fields, "responses")
        if responses is None:
            raise fields.error(
                "responses",
                _("a round commits to its responses file (root, count)"),
                code="document.round-responses",
            )
        records = _commitment(fields, "records")
        plan = None
        if fields.data.get("seed_plan") is not None:
            plan = _nested(fields, "seed_plan", SeedPlan.from_json)
        else:
            fields.value("seed_plan")
        window = fields.object("window")
        frozen_at = window.string("frozen_at")
        reveal_deadline = window.optional_string("reveal_deadline")
        draw_at = window.optional_string("draw_at")
        window.done()
        for key, value in (
            ("frozen_at", frozen_at),
            ("reveal_deadline", reveal_deadline),
            ("draw_at", draw_at),
        ):
            if value is not None:
                try:
                    parse_time(value, field=key)
                except InputError as exc:
                    raise window.error(key, exc.problem, value) from exc
        if plan is not None and records is None:
            raise fields.error(
                "seed_plan",
                _("a seed plan belongs only to a round with a draw"),
                code="document.round-plan-without-draw",
            )
        if (plan is None) != (reveal_deadline is None) or (plan is None) != (draw_at is None):
            raise fields.error(
                "window",
                _(
                    "the reveal deadline and draw time are given exactly when the round has a"
                    " seed plan"
                ),
                code="document.round-window",
            )
        notice = cls(
            draw_id=draw_id,
            round=number,
            previous=fields.hex("previous", size=32),
            rules_digest=fields.hex("rules_digest", size=32),
            responses=responses,
            records=records,
            seed_plan=plan,
            frozen_at=frozen_at,
            reveal_deadline=reveal_deadline,
            draw_at=draw_at,
            software=fields.string("software"),
            rehearsal=fields.boolean("rehearsal"),
        )
        fields.done()
        _same_form(fields, notice.to_signed())
        return notice


@dataclass(frozen=True)
class RoundTranscript:
    """What a later round decided (spec 11.7): every child's standing, and any draw.

    ``rehearsal`` is its announcement's mark; ``log`` the operator log's head
    when the round was computed (spec 9.6), ``None`` without a log.
    """

    draw_id: str
    round: int
    previous: bytes
    announcement: bytes
    rules_digest: bytes
    responses: tuple[bytes, int]
    records: tuple[bytes, int] | None
    ceremony: CeremonyRecord | None
    seed: bytes | None
    results: tuple[bytes, int] | None
    standings: tuple[bytes, int]
    kindergartens: tuple[Mapping[str, Any], ...]
    unplaced: int
    declined: int
    created: str
    software: str = SOFTWARE
    rehearsal: bool = False
    log: LogHead | None = None

    def to_signed(self) -> dict[str, Any]:
        return {
            "type": "round-transcript",
            "spec": SPEC_VERSION,
            "draw_id": self.draw_id,
            "round": self.round,
            "previous": self.previous.hex(),
            "announcement": self.announcement.hex(),
            "rules_digest": self.rules_digest.hex(),
            "responses": _committed(self.responses),
            "records": _committed(self.records),
            "ceremony": None if self.ceremony is None else self.ceremony.to_json(),
            "seed": None if self.seed is None else self.seed.hex(),
            "results": _committed(self.results),
            "standings": _committed(self.standings),
            "kindergartens": [dict(k) for k in self.kindergartens],
            "unplaced": self.unplaced,
            "declined": self.declined,
            "created": self.created,
            "rehearsal": self.rehearsal,
            "log": None if self.log is None else self.log.to_json(),
            "software": self.software,
        }

    def envelope(self) -> Envelope:
        """An unsigned envelope; add signatures with :meth:`Envelope.sign`."""
        return Envelope(signed=self.to_signed())

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> RoundTranscript:
        """Read the signed part strictly (spec 2.4, 11.7).

        Raises:
            MalformedDocumentError: naming the key path and the reason, for a
                document of another type or spec version, an unknown or
                missing key, a wrong type, a draw's parts given in part, or
                any form alloc would not write.
            SeedMismatchError: if ``seed`` is not the ceremony record's seed.
        """
        fields = _signed_fields(envelope, "round-transcript")
        draw_id = _identifier(fields, "draw_id")
        parts = {key: _commitment(fields, key) for key in ("responses", "records", "results")}
        standings = _commitment(fields, "standings")
        if parts["responses"] is None or standings is None:
            raise fields.error(
                "standings",
                _("a round commits to its responses and standings (root, count)"),
                code="document.round-standings",
            )
        ceremony = None
        if fields.data.get("ceremony") is not None:
            ceremony = _nested(fields, "ceremony", CeremonyRecord.from_json)
        else:
            fields.value("ceremony")
        seed = fields.optional_hex("seed", size=32)
        drew = parts["records"] is not None
        if drew != (seed is not None) or drew != (parts["results"] is not None):
            raise fields.error(
                "seed",
                _(
                    "records, seed and results are all given for a round with a draw and all"
                    " null for a round without one"
                ),
                code="document.round-draw-parts",
            )
        if ceremony is not None and (seed is None or seed != ceremony.seed):
            raise SeedMismatchError(
                _("the round transcript's seed is not its ceremony record's seed")
            )
        created = fields.string("created")
        _nested(fields, "created", lambda value: parse_time(value, field="created"))
        log = fields.optional_object("log")
        transcript = cls(
            draw_id=draw_id,
            round=fields.integer("round", minimum=2),
            previous=fields.hex("previous", size=32),
            announcement=fields.hex("announcement", size=32),
            rules_digest=fields.hex("rules_digest", size=32),
            responses=parts["responses"],
            records=parts["records"],
            ceremony=ceremony,
            seed=seed,
            results=parts["results"],
            standings=standings,
            kindergartens=tuple(fields.each("kindergartens", _read_figures)),
            unplaced=fields.integer("unplaced", minimum=0),
            declined=fields.integer("declined", minimum=0),
            created=created,
            software=fields.string("software"),
            rehearsal=fields.boolean("rehearsal"),
            log=None if log is None else LogHead.from_fields(log),
        )
        fields.done()
        _same_form(fields, transcript.to_signed())
        return transcript


def _read_figures(item: Fields) -> dict[str, Any]:
    """One kindergarten's figures in a round transcript (spec 11.6), every key typed."""
    figures: dict[str, Any] = {"id": item.string("id"), "name": item.string("name")}
    for key in ("seats", "placed", "confirmed", "left_over", "over_capacity"):
        figures[key] = item.integer(key, minimum=0)

    def block(entry: Fields) -> dict[str, Any]:
        return {
            "name": entry.string("name"),
            "seats": entry.integer("seats", minimum=0),
            "placed": entry.integer("placed", minimum=0),
        }

    figures["blocks"] = item.each("blocks", block)
    figures["waitlist"] = item.integer("waitlist", minimum=0)
    figures["moved_in"] = item.integer("moved_in", minimum=0)
    return figures


def _previous_round(envelope: Envelope) -> tuple[str, int, bool]:
    """(draw id, round, rehearsal mark) of a round-1 transcript or a round transcript."""
    if envelope.signed.get("type") == "round-transcript":
        later = RoundTranscript.from_envelope(envelope)
        return later.draw_id, later.round, later.rehearsal
    first = Transcript.from_envelope(envelope)
    return first.draw_id, first.round, first.rehearsal


# --- making a round ----------------------------------------------------------------


def make_round_announcement(
    rules: DrawRules,
    previous: Envelope,
    standings: Standings,
    responses: Iterable[Response],
    *,
    frozen_at: str,
    records: ApplicantTable | None = None,
    plan: SeedPlan | None = None,
    reveal_deadline: str | None = None,
    draw_at: str | None = None,
) -> tuple[RoundAnnouncement, list[bytes], list[bytes] | None]:
    """A round's announcement, with the response lines and record lines it commits to.

    ``previous`` is the signed transcript of the round before and
    ``standings`` the standings it left (:func:`chain_standings`). The
    responses, and second-round ``records`` if any, are checked against them
    by computing the round once with a stand-in seed, so an announcement is
    never signed for inputs the round would refuse. A second-round draw with
    ``round_seed = fresh`` needs its seed ``plan`` with ``reveal_deadline`` and
    ``draw_at``; with ``same`` it takes none. A round after a rehearsal's is
    marked as a rehearsal's (spec 9.7).

    Raises:
        InputError: for responses or records that do not fit the previous
            round (see :func:`alloc.rounds.next_round`), a seed plan where the
            rules call for none or none where they call for one, or times out
            of order (a ScheduleError for a source known by the deadline).
        WrongDrawError: if the previous round or the plan is of another draw.
    """
    check_instance(rules, DrawRules, "rules", rules=True)
    check_instance(standings, Standings, "standings")
    draw_id, number, rehearsal = _previous_round(previous)
    if draw_id != rules.draw_id or (plan is not None and plan.draw_id != rules.draw_id):
        raise WrongDrawError(
            _("the previous round or seed plan is not of draw {draw_id!r}").format(
                draw_id=rules.draw_id
            )
        )
    if standings.round != number:
        raise InputError(
            _(
                "the standings are of round {standings}, the previous transcript of round"
                " {previous}"
            ).format(standings=standings.round, previous=number),
            code="round.standings-of-other-round",
            field="standings",
        )
    given = list(responses)
    lines = response_lines(given)
    fresh = records is not None and rules.round_seed is RoundSeed.FRESH
    if fresh and (plan is None or reveal_deadline is None or draw_at is None):
        raise InputError(
            _(
                "the rules call for a fresh seed for a second-round draw: give its seed plan,"
                " reveal deadline and draw time"
            ),
            code="round.fresh-seed-needs-plan",
            field="plan",
            hint=_("run the round's ceremony begin and commit steps first"),
        )
    if not fresh and (plan is not None or reveal_deadline is not None or draw_at is not None):
        raise InputError(
            _("only a second-round draw with round_seed = fresh has a seed plan and a window"),
            code="round.plan-not-expected",
            field="plan",
        )
    if fresh:
        assert plan is not None
        assert reveal_deadline is not None
        assert draw_at is not None
        frozen, deadline, drawn = (
            parse_time(t, field=f)
            for t, f in (
                (frozen_at, "frozen_at"),
                (reveal_deadline, "reveal_deadline"),
                (draw_at, "draw_at"),
            )
        )
        if not frozen < deadline < drawn:
            raise InputError(
                _(
                    "times out of order: the round is announced, then the reveal deadline"
                    " passes, then the draw happens"
                ),
                code="window.round-order",
                field="window",
                hint=_("give a later --reveal-deadline and --draw-at"),
            )
        plan.check_schedule(reveal_deadline=deadline, draw_at=drawn)
    else:
        parse_time(frozen_at, field="frozen_at")
    # The round once, with a stand-in seed: every input it would refuse is refused now.
    next_round(standings, given, records=records, seed=bytes(32) if records is not None else None)
    records_out = None if records is None else record_lines(records)
    notice = RoundAnnouncement(
        draw_id=rules.draw_id,
        round=number + 1,
        previous=document_digest(previous),
        rules_digest=rules_digest(rules),
        responses=(responses_root(rules.draw_id, lines), len(lines)),
        records=None
        if records_out is None
        else (records_root(rules.draw_id, records_out), len(records_out)),
        seed_plan=plan if fresh else None,
        frozen_at=frozen_at,
        reveal_deadline=reveal_deadline if fresh else None,
        draw_at=draw_at if fresh else None,
        rehearsal=rehearsal,
    )
    return notice, lines, records_out


def make_round_transcript(
    announcement: Envelope,
    rules: DrawRules,
    standings: Standings,
    responses: Sequence[bytes],
    *,
    created: str,
    records: Sequence[bytes] | None = None,
    ceremony: CeremonyRecord | None = None,
    first_seed: bytes | None = None,
    log: LogHead | None = None,
) -> tuple[RoundTranscript, RoundOutcome, list[bytes], list[bytes] | None]:
    """Compute a round from its announcement and inputs: the transcript, the outcome,
    the standing lines and (for a draw) the result lines.

    ``standings`` are the previous round's; ``ceremony`` is the round's
    finished ceremony (``round_seed = fresh``); ``first_seed`` is round 1's
    seed (``round_seed = same``); ``log`` the head of the operator log as the
    round is computed (spec 9.6), which the transcript then signs. The
    transcript carries its announcement's rehearsal mark.

    Raises:
        DigestMismatchError: if the rules, responses or records are not the
            announced ones, or the ceremony was opened on another announcement.
        CeremonyError: if the ceremony's plan is not the announced plan, or a
            seed is missing where the round needs one.
        ScheduleError: if ``created`` is before the announced draw time.
    """
    notice = RoundAnnouncement.from_envelope(announcement)
    if rules.draw_id != notice.draw_id or rules_digest(rules) != notice.rules_digest:
        raise DigestMismatchError(
            _("the rules are not the announced rules"), code="verify.rules-mismatch"
        )
    if (responses_root(rules.draw_id, responses), len(responses)) != notice.responses:
        raise DigestMismatchError(
            _("the responses are not the announced responses file"),
            code="verify.responses-mismatch",
        )
    if (records is None) != (notice.records is None) or (
        records is not None
        and notice.records is not None
        and (records_root(rules.draw_id, records), len(records)) != notice.records
    ):
        raise DigestMismatchError(
            _("the records are not the announced second-round records"),
            code="verify.round-records-mismatch",
        )
    seed = _round_seed(notice, rules, ceremony, first_seed, document_digest(announcement))
    if notice.draw_at is not None and parse_time(created, field="created") < parse_time(
        notice.draw_at, field="draw_at"
    ):
        raise ScheduleError(
            _("the round cannot be drawn at {time}: the announced draw time is {draw_at}").format(
                time=created, draw_at=notice.draw_at
            ),
            code="ceremony.draw-before-time",
            field="created",
            hint=_("wait until the announced draw time"),
        )
    table = None if records is None else parse_record_lines(records)
    outcome = next_round(standings, parse_response_lines(responses), records=table, seed=seed)
    lines = standing_lines(outcome.standings)
    results = None if outcome.draw is None else result_lines(outcome.draw)
    transcript = RoundTranscript(
        draw_id=rules.draw_id,
        round=notice.round,
        previous=notice.previous,
        announcement=document_digest(announcement),
        rules_digest=notice.rules_digest,
        responses=notice.responses,
        records=notice.records,
        ceremony=ceremony if notice.seed_plan is not None else None,
        seed=seed,
        results=None if results is None else (results_root(rules.draw_id, results), len(results)),
        standings=(standings_root(rules.draw_id, lines), len(lines)),
        kindergartens=tuple(s.to_json() for s in outcome.standings.summaries),
        unplaced=len(outcome.standings.unplaced),
        declined=int(outcome.standings.declined.sum()),
        created=created,
        rehearsal=notice.rehearsal,
        log=None if log is None else check_instance(log, LogHead, "log"),
    )
    return transcript, outcome, lines, results


def _round_seed(
    notice: RoundAnnouncement,
    rules: DrawRules,
    ceremony: CeremonyRecord | None,
    first_seed: bytes | None,
    digest: bytes,
) -> bytes | None:
    """The seed a round draws with: none, round 1's, or its own ceremony's (spec 11.5)."""
    if notice.records is None:
        return None
    if notice.seed_plan is None:
        if rules.round_seed is not RoundSeed.SAME or first_seed is None:
            raise CeremonyError(
                _("this second-round draw uses round 1's seed (round_seed = same): give it"),
                code="round.first-seed-missing",
            )
        return first_seed
    if ceremony is None:
        raise CeremonyError(
            _("this second-round draw needs its own finished seed ceremony"),
            code="round.ceremony-missing",
        )
    if ceremony.plan != notice.seed_plan:
        raise CeremonyError(
            _("the round's ceremony plan is not the announced seed plan"),
            code="ceremony.plan-mismatch",
        )
    if ceremony.announcement_digest != digest:
        raise DigestMismatchError(
            _("the round's ceremony was opened on another announcement"),
            code="verify.other-announcement",
        )
    return ceremony.seed


# --- the standings a chain leads to --------------------------------------------------


def chain_standings(
    rules: DrawRules,
    records: Sequence[bytes],
    seed: bytes,
    rounds: Sequence[tuple[Sequence[bytes], Sequence[bytes] | None, bytes | None]] = (),
) -> Standings:
    """The standings after round 1 and the given later rounds (their inputs only).

    Each later round is ``(response lines, second-round record lines or None,
    seed or None)``; nothing is verified here (see :func:`check_chain`).

    Raises:
        InputError: for records, responses or rounds the engine refuses.
    """
    table = parse_record_lines(records)
    standings = first_standings(draw(rules, table, seed), table)
    for responses, round_records, round_seed in rounds:
        standings = next_round(
            standings,
            parse_response_lines(responses),
            records=None if round_records is None else parse_record_lines(round_records),
            seed=round_seed,
        ).standings
    return standings


# --- verifying the chain ---------------------------------------------------------------


@dataclass(frozen=True)
class RoundFiles:
    """One later round's public files, as published (bytes or envelopes).

    ``transcript`` is ``None`` for a round announced but not yet drawn (only
    the last round may be); ``standings`` and ``results`` are optional, as
    the results file of round 1 is: without them the re-computation is
    compared by root. Each line-per-child file is a list of lines or a file
    read chunk by chunk (:class:`alloc.io.LineFile`).
    """

    announcement: Envelope | bytes
    responses: Sequence[bytes] | LineSource
    transcript: Envelope | bytes | None = None
    records: Sequence[bytes] | LineSource | None = None
    standings: Sequence[bytes] | LineSource | None = None
    results: Sequence[bytes] | LineSource | None = None


def check_chain(
    *,
    rules: DrawRules,
    policy: TrustPolicy,
    announcement: Envelope | bytes,
    transcript: Envelope | bytes,
    records: Sequence[bytes] | LineSource,
    results: Sequence[bytes] | LineSource | None = None,
    rounds: Sequence[RoundFiles] = (),
    expect_round: int | None = None,
    known: Mapping[int, bytes] | None = None,
    log: bytes | None = None,
    rehearsal: bool = False,
    progress: Progress | None = None,
) -> VerificationReport:
    """Check the draw and every later round, in order, and report every check; never raises.

    Round 1 is checked as :func:`alloc.audit.check_transcript` does. Then each
    later round: its documents read strictly and signed under ``policy``;
    named by number in order with no gap; its announcement and transcript
    naming the previous round's transcript by digest (no fork); its
    responses and records under the announced roots; its seed (round 1's,
    or its own ceremony replayed); its times; and the round re-computed from
    the round before, standing by standing. ``expect_round`` is the latest
    round the verifier knows was published, and ``known`` maps rounds to
    transcript digests it saw before: a chain that ends earlier is a
    rollback, one that disagrees a fork. ``log`` is the operator log's
    bytes: every transcript's log head, round 1's and each later round's, is
    checked against it, each after the one before. Documents marked as a
    rehearsal fail as a real draw, in every round; with ``rehearsal`` they
    are checked as a rehearsal instead (and a real draw fails). Records,
    results, responses and standings may be files read chunk by chunk
    (:class:`alloc.io.LineFile`), as in :func:`alloc.audit.check_transcript`:
    no file is held whole, and round 1 is parsed and re-drawn once.
    """
    first, drawn = _check_draw(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
        log=log,
        rehearsal=rehearsal,
        progress=progress,
    )
    run = _Checks(progress)
    run.checks.extend(first.checks)
    try:
        rounds = list(rounds)
    except TypeError:
        problem = VerificationError(
            _("rounds: expected a sequence of RoundFiles, one per round"),
            code="verify.rounds-type",
        )
        run.checks.append(Check("rounds", False, str(problem), problem))
        rounds = []
    signers: dict[str, tuple[RoleResult, ...]] = dict(first.signatures)
    digests: dict[int, bytes] = {}
    state: dict[str, Any] = {
        "last": 1 if first.ok else 0,
        "rehearsal": rehearsal,
        "log": log,
        "drawn": drawn,
    }
    del drawn
    if first.ok:
        envelope = _as_envelope(transcript, "transcript")
        digests[1] = document_digest(envelope)
        state["previous"] = envelope
        state["previous_created"] = Transcript.from_envelope(envelope).created
        state["first_seed"] = Transcript.from_envelope(envelope).seed
        state["log_head"] = Transcript.from_envelope(envelope).log

        def standings() -> str:
            # Round 1 passed every check, so its table and re-run are at hand;
            # they are let go of once its standings are made.
            table, outcome = state.pop("drawn")
            state["standings"] = first_standings(outcome, table)
            return _("round 1's standings from the re-run draw")

        if rounds:
            run.run("round 1 standings", standings, essential=True)
    for index, files in enumerate(rounds, start=2):
        if run.stopped or "standings" not in state:
            break
        if not _check_round(run, index, files, rules, policy, state, signers, digests):
            run.stopped = True
            break
        state["last"] = index

    def chain_end() -> str:
        last = state["last"]
        if expect_round is not None and last < expect_round:
            raise ChainError(
                _(
                    "rollback: round {expected} was published, the chain given ends at round {last}"
                ).format(expected=expect_round, last=last)
            )
        for number, digest in sorted((known or {}).items()):
            if number > last:
                raise ChainError(
                    _(
                        "rollback: round {round} was seen before (transcript {digest}…), the"
                        " chain given ends at round {last}"
                    ).format(round=number, digest=digest.hex()[:16], last=last)
                )
            if digests.get(number) != digest:
                found = digests.get(number)
                raise ChainError(
                    _(
                        "fork: round {round} was seen before as transcript {digest}…, the"
                        " chain given has none"
                    ).format(round=number, digest=digest.hex()[:16])
                    if found is None
                    else _(
                        "fork: round {round} was seen before as transcript {digest}…, the"
                        " chain given has {found}…"
                    ).format(round=number, digest=digest.hex()[:16], found=found.hex()[:16])
                )
        return _("the chain runs from round 1 to round {last} without a gap").format(last=last)

    # ``known is not None``, not its truth: a wrong argument (an array, say)
    # must fail the chain check, not raise here.
    if rounds or expect_round is not None or known is not None:
        run.run("chain", chain_end)
    last = state["last"] if state["last"] else first.round
    return VerificationReport(
        checks=tuple(run.checks),
        signatures=signers,
        round=last,
        rehearsal=first.rehearsal,
        digests=dict(digests),
    )


def _check_round(
    run: _Checks,
    number: int,
    files: RoundFiles,
    rules: DrawRules,
    policy: TrustPolicy,
    state: dict[str, Any],
    signers: dict[str, tuple[RoleResult, ...]],
    digests: dict[int, bytes],
) -> bool:
    """One later round's checks; False if the chain cannot go on past it."""
    mine: dict[str, Any] = {}
    label = f"round {number}"
    before = len(run.checks)

    def documents() -> str:
        mine["a_env"] = _as_envelope(files.announcement, "round-announcement")
        mine["a"] = RoundAnnouncement.from_envelope(mine["a_env"])
        if files.transcript is not None:
            mine["t_env"] = _as_envelope(files.transcript, "round-transcript")
            mine["t"] = RoundTranscript.from_envelope(mine["t_env"])
        found = {mine["a"].round} | ({mine["t"].round} if "t" in mine else set())
        if found != {number}:
            given = ", ".join(str(r) for r in sorted(found))
            problem = (
                _("round {previous} is followed by round {given}: round {round} is missing")
                if min(found) > number
                else _("the files given as round {round} are of round {given}")
            )
            raise ChainError(problem.format(previous=number - 1, given=given, round=number))
        ids = {mine["a"].draw_id} | ({mine["t"].draw_id} if "t" in mine else set())
        if ids != {rules.draw_id}:
            raise WrongDrawError(
                _("round {round} belongs to another draw ({draws})").format(
                    round=number, draws=", ".join(repr(i) for i in sorted(ids))
                )
            )
        if "t" in mine:
            return _(
                "round {round}'s announcement and transcript are well-formed and canonical"
            ).format(round=number)
        return _("round {round}'s announcement is well-formed and canonical").format(round=number)

    run.run(f"{label}: documents", documents, essential=True)

    def kind() -> str:
        marks = {mine["a"].rehearsal} | ({mine["t"].rehearsal} if "t" in mine else set())
        return _round_mark(number, marks, state["rehearsal"])

    run.run(f"{label}: rehearsal mark", kind)

    def signatures(key: str, document: str) -> Callable[[], str]:
        def check() -> str:
            signers[f"{label} {document}"] = tuple(policy.evaluate(mine[key]))
            policy.verify(mine[key], document=document_title(f"{label} {document}"))
            return policy.describe(mine[key])

        return check

    run.run(f"{label}: announcement signatures", signatures("a_env", "announcement"))
    if "t_env" in mine:
        run.run(f"{label}: transcript signatures", signatures("t_env", "transcript"))

    def linked() -> str:
        notice: RoundAnnouncement = mine["a"]
        expected = document_digest(state["previous"])
        if notice.previous != expected:
            raise ChainError(
                _(
                    "fork: round {round}'s announcement names round {previous}'s transcript"
                    " {named}…, the chain's round {previous} is {expected}…"
                ).format(
                    round=number,
                    previous=number - 1,
                    named=notice.previous.hex()[:16],
                    expected=expected.hex()[:16],
                )
            )
        if notice.rules_digest != rules_digest(rules):
            raise DigestMismatchError(
                _("round {round}'s announcement names other rules").format(round=number),
                code="verify.rules-mismatch",
            )
        if "t" in mine:
            tx: RoundTranscript = mine["t"]
            if tx.previous != expected or tx.announcement != document_digest(mine["a_env"]):
                raise ChainError(
                    _(
                        "fork: round {round}'s transcript does not name its announcement and"
                        " round {previous}'s transcript"
                    ).format(round=number, previous=number - 1)
                )
            if (tx.rules_digest, tx.responses, tx.records) != (
                notice.rules_digest,
                notice.responses,
                notice.records,
            ):
                raise DigestMismatchError(
                    _(
                        "round {round}'s transcript repeats other commitments than its announcement"
                    ).format(round=number),
                    code="verify.transcript-inputs",
                )
        return _("round {round} follows round {previous} ({digest})").format(
            round=number, previous=number - 1, digest=expected.hex()
        )

    run.run(f"{label}: chain", linked, essential=True)

    def inputs() -> str:
        notice: RoundAnnouncement = mine["a"]
        # Committed and counted first, then read: the file is read twice, a
        # chunk at a time, never held whole.
        count, root = _lines_root(line_chunks(files.responses), response_leaf(rules.draw_id, b""))
        if (root, count) != notice.responses:
            raise DigestMismatchError(
                _(
                    "round {round}'s responses file does not match the announced root and count"
                ).format(round=number),
                code="verify.responses-mismatch",
            )
        mine["responses"] = parse_response_lines(
            itertools.chain.from_iterable(line_chunks(files.responses))
        )
        responses = count
        if notice.records is not None:
            if files.records is None:
                raise VerificationError(
                    _("round {round} draws: give its records file").format(round=number),
                    code="verify.round-records-missing",
                )
            count, root, table = _read_records(rules.draw_id, files.records)
            if (root, count) != notice.records:
                raise InputRootMismatchError(
                    _("round {round}'s records do not match the announced root and count").format(
                        round=number
                    )
                )
            mine["records"] = table()
            return _(
                "{responses} responses and {records} second-round records under the announced roots"
            ).format(responses=responses, records=count)
        return _("{responses} responses under the announced roots").format(responses=responses)

    run.run(f"{label}: responses and records", inputs)

    def seed() -> str:
        notice: RoundAnnouncement = mine["a"]
        tx: RoundTranscript = mine["t"]
        if notice.records is None:
            if tx.seed is not None or tx.ceremony is not None:
                raise SeedMismatchError(
                    _("round {round} draws nothing but names a seed").format(round=number)
                )
            return _("no draw this round, no seed")
        if notice.seed_plan is None:
            if rules.round_seed is not RoundSeed.SAME or tx.ceremony is not None:
                raise CeremonyError(
                    _("round {round} draws without the seed its rules call for").format(
                        round=number
                    ),
                    code="round.seed-not-as-rules",
                )
            if tx.seed != state["first_seed"]:
                raise SeedMismatchError(
                    _(
                        "round {round} draws with round_seed = same, but its seed is not round 1's"
                    ).format(round=number)
                )
            return _("round 1's seed (round_seed = same): {seed}").format(
                seed=state["first_seed"].hex()
            )
        if rules.round_seed is not RoundSeed.FRESH:
            raise CeremonyError(
                _(
                    "round {round} draws with a ceremony of its own, but the rules say"
                    " round_seed = same"
                ).format(round=number),
                code="round.seed-not-as-rules",
            )
        record = tx.ceremony
        if record is None:
            raise CeremonyError(
                _("round {round} names no ceremony for its fresh seed").format(round=number),
                code="round.ceremony-missing",
            )
        if record.plan != notice.seed_plan:
            raise CeremonyError(
                _("round {round}'s ceremony plan is not the announced plan").format(round=number),
                code="ceremony.plan-mismatch",
            )
        if record.announcement_digest != document_digest(mine["a_env"]):
            raise CeremonyError(
                _("round {round}'s ceremony was opened on another announcement").format(
                    round=number
                ),
                code="verify.other-announcement",
            )
        deadline, drawn = notice.deadline, notice.draw_time
        assert deadline is not None
        assert drawn is not None
        notice.seed_plan.check_schedule(reveal_deadline=deadline, draw_at=drawn)
        record.verify(reveal_deadline=deadline)
        if record.opened_at < parse_time(notice.frozen_at, field="frozen_at"):
            raise ScheduleError(
                _("round {round}'s reveals were opened before the round was announced").format(
                    round=number
                ),
                code="ceremony.opened-before-freeze",
                field="ceremony.opened_at",
            )
        return _("{count} contributions match; seed {seed}").format(
            count=len(record.contributions), seed=record.seed.hex()
        )

    def times() -> str:
        notice: RoundAnnouncement = mine["a"]
        tx: RoundTranscript = mine["t"]
        at = parse_time(tx.created, field="created")
        if at < parse_time(notice.frozen_at, field="frozen_at"):
            raise TimeWindowError(
                _(
                    "round {round} was computed at {created}, before it was announced ({announced})"
                ).format(round=number, created=tx.created, announced=notice.frozen_at),
                code="verify.round-before-announcement",
            )
        if at < parse_time(state["previous_created"], field="created"):
            raise TimeWindowError(
                _(
                    "round {round} was computed at {created}, before round {previous}"
                    " ({previous_created})"
                ).format(
                    round=number,
                    created=tx.created,
                    previous=number - 1,
                    previous_created=state["previous_created"],
                ),
                code="verify.round-before-previous",
            )
        if notice.draw_at is not None and at < parse_time(notice.draw_at, field="draw_at"):
            raise TimeWindowError(
                _(
                    "round {round} was drawn at {created}, before its announced draw time {draw_at}"
                ).format(round=number, created=tx.created, draw_at=notice.draw_at),
                code="verify.created-before-draw",
            )
        if tx.ceremony is not None:
            record = tx.ceremony
            steps = [record.opened_at, *(c.at for c in record.contributions)]
            steps += [v.at for v in record.sources]
            if at < max(steps):
                raise TimeWindowError(
                    _(
                        "round {round} was drawn at {created}, before the last step of its"
                        " ceremony at {step}"
                    ).format(
                        round=number, created=tx.created, step=format_time(max(steps), like=at)
                    ),
                    code="verify.created-before-ceremony",
                )
        return _("computed at {created}, after the announcement and the round before").format(
            created=tx.created
        )

    def published() -> str:
        tx: RoundTranscript = mine["t"]
        text = []
        for name, given, committed, leaf in (
            ("standings", files.standings, tx.standings, standing_leaf),
            ("results", files.results, tx.results, result_leaf),
        ):
            if given is None or committed is None:
                continue
            count, root = _lines_root(line_chunks(given), leaf(rules.draw_id, b""))
            if (root, count) != committed:
                raise DigestMismatchError(
                    (
                        _(
                            "round {round}'s standings file does not match the transcript's"
                            " root and count"
                        )
                        if name == "standings"
                        else _(
                            "round {round}'s results file does not match the transcript's"
                            " root and count"
                        )
                    ).format(round=number),
                    code="verify.round-file-mismatch",
                )
            text.append(
                (
                    _("{count} standings lines")
                    if name == "standings"
                    else _("{count} results lines")
                ).format(count=count)
            )
        if not text:
            return _("no standings file given; the re-computation is compared by root")
        return _("{files} under the transcript's roots").format(
            files=pgettext("joining names", " and ").join(text)
        )

    def recompute() -> str:
        tx: RoundTranscript = mine["t"]
        if "responses" not in mine:
            raise VerificationError(
                _("cannot re-compute round {round}: its inputs did not verify").format(
                    round=number
                ),
                code="verify.records-unverified",
            )
        outcome = next_round(
            state["standings"],
            mine["responses"],
            records=mine.get("records"),
            seed=tx.seed,
        )
        lines = standing_lines(outcome.standings)
        if (standings_root(rules.draw_id, lines), len(lines)) != tx.standings:
            raise _standing_difference(number, outcome.standings, lines, files.standings)
        if files.standings is not None and not _same_lines(line_chunks(lines), files.standings):
            raise _standing_difference(number, outcome.standings, lines, files.standings)
        figures = tuple(s.to_json() for s in outcome.standings.summaries)
        if figures != tuple(dict(k) for k in tx.kindergartens):
            raise ReplayMismatchError(
                _("round {round}'s per-kindergarten figures differ").format(round=number)
            )
        if (len(outcome.standings.unplaced), int(outcome.standings.declined.sum())) != (
            tx.unplaced,
            tx.declined,
        ):
            raise ReplayMismatchError(
                _("round {round}'s unplaced or declined counts differ").format(round=number)
            )
        if outcome.draw is not None:
            count, root = _lines_root(
                result_line_chunks(outcome.draw), result_leaf(rules.draw_id, b"")
            )
            if (root, count) != tx.results:
                raise ReplayMismatchError(
                    _("re-drawing round {round}'s second-round draw gives other results").format(
                        round=number
                    )
                )
        mine["standings"] = outcome.standings
        moved = int((outcome.standings.moved_from >= 0).sum())
        return _(
            "re-computed round {round} with {software}: {count} standings identical ({moved}"
            " moved, {unplaced} unplaced, {declined} declined)"
        ).format(
            round=number,
            software=SOFTWARE,
            count=len(lines),
            moved=moved,
            unplaced=len(outcome.standings.unplaced),
            declined=tx.declined,
        )

    if "t" not in mine:
        if not any(not c.passed for c in run.checks[before:]):
            run.checks.append(
                Check(
                    f"{label}: drawn",
                    True,
                    _("round {round} is announced, not yet computed").format(round=number),
                )
            )
        return False

    def operator_log() -> str:
        tx: RoundTranscript = mine["t"]
        if tx.log is None:
            raise LogChainError(
                _(
                    "round {round}'s transcript commits to no operator log (it was made without"
                    " one), so the log cannot be checked against it"
                ).format(round=number)
            )
        before: LogHead | None = state.get("log_head")
        if before is not None and tx.log.count <= before.count:
            raise LogChainError(
                _(
                    "round {round}'s transcript commits to the operator log's first {count}"
                    " entries, round {previous}'s to the first {before}: a later round's head"
                    " comes after the head of the round before"
                ).format(round=number, count=tx.log.count, previous=number - 1, before=before.count)
            )
        return check_log(bytes(state["log"]), tx.log, draw_id=rules.draw_id)

    run.run(f"{label}: seed", seed)
    run.run(f"{label}: time", times)
    if state["log"] is not None:
        run.run(f"{label}: operator log", operator_log)
    run.run(f"{label}: published files", published)
    run.run(f"{label}: re-computation", recompute)
    if any(not c.passed for c in run.checks[before:]) or "standings" not in mine:
        return False
    state["standings"] = mine["standings"]
    state["previous"] = mine["t_env"]
    state["previous_created"] = mine["t"].created
    state["log_head"] = mine["t"].log
    digests[number] = document_digest(mine["t_env"])
    return True


def _round_mark(number: int, marks: set[bool], expected: bool) -> str:
    """A later round's rehearsal mark, as the chain's and as asked (spec 9.7).

    Raises:
        RehearsalError: if its documents disagree, or a rehearsal's round is
            checked as a real one, or a real round as a rehearsal's.
    """
    if len(marks) != 1:
        raise RehearsalError(
            _(
                "round {round}'s announcement and transcript disagree on the rehearsal mark;"
                " a rehearsal's round is always a rehearsal's"
            ).format(round=number)
        )
    (marked,) = marks
    if marked and not expected:
        raise RehearsalError(
            _(
                "{mark}: round {round} is marked rehearsal: true (signed): a round of a"
                " practice draw, never of a real one; check it as a rehearsal with --rehearsal"
                " (rehearsal=True), or verify the real draw's files"
            ).format(mark=REHEARSAL_MARK, round=number)
        )
    if expected and not marked:
        raise RehearsalError(
            _(
                "checked as a rehearsal, but round {round} is marked rehearsal: false: a real"
                " draw's round; verify it without --rehearsal"
            ).format(round=number)
        )
    if marked:
        return _("{mark}: marked rehearsal: true and checked as a rehearsal's round").format(
            mark=REHEARSAL_MARK
        )
    return _("a real draw's round (marked rehearsal: false)")


def _standing_difference(
    number: int,
    standings: Standings,
    lines: Sequence[bytes],
    published: Sequence[bytes] | LineSource | None,
) -> ReplayMismatchError:
    """Name the first child whose published standing differs from the re-computed one."""
    if published is None:
        return ReplayMismatchError(
            _(
                "re-computing round {round} gives another standings root than its transcript's"
            ).format(round=number)
        )
    regs = standings.registration_numbers
    found = _first_difference(
        lambda: line_chunks(lines),
        lambda place: regs[place],
        published,
        lambda line: parse_standing_line(line).registration_number,
    )
    if found is None:
        return ReplayMismatchError(
            _("round {round}'s published standings list a child too many").format(round=number)
        )
    line, theirs = found
    mine = parse_standing_line(line)
    other = None if theirs is None else parse_standing_line(theirs)
    return ReplayMismatchError(
        _(
            "round {round}: child {registration} is published as {published},"
            " re-computation gives {computed}"
        ).format(
            round=number,
            registration=mine.registration_number,
            published=_describe_standing(other),
            computed=_describe_standing(mine),
        )
    )


def _describe_standing(standing: Any) -> str:
    """A child's standing in words: seat, confirmation, promotion, waitlists."""
    if standing is None:
        return _("missing")
    if standing.declined:
        return _("declined")
    seats = ", ".join(s.kindergarten for s in standing.seats)
    if not seats:
        text = _("no seat")
    elif standing.confirmed:
        text = _("seat at {kindergartens} (confirmed)").format(kindergartens=seats)
    else:
        text = _("seat at {kindergartens} (to be confirmed)").format(kindergartens=seats)
    if standing.moved_from:
        text = _("{standing}, moved up from {kindergarten}").format(
            standing=text, kindergarten=standing.moved_from
        )
    waits = ", ".join(
        _("{kindergarten} #{position}").format(kindergarten=k, position=p)
        for k, p in standing.waitlist
    )
    if waits:
        text = _("{standing}; waitlist {places}").format(standing=text, places=waits)
    return text


def verify_chain(**kwargs: Any) -> VerificationReport:
    """As :func:`check_chain`, raising the first failed check's error.

    Raises:
        VerificationError: (ChainError, SignatureThresholdError,
            DigestMismatchError, ReplayMismatchError, …) of the first failure.
    """
    report = check_chain(**kwargs)
    report.raise_for_failure()
    return report


# --- parents' proofs across rounds -------------------------------------------------------


def make_round_proofs(
    proof: ParentProof,
    rounds: Sequence[RoundFiles],
) -> ParentProof:
    """``proof`` (round 1's) with one part per later round for the same child.

    Raises:
        InputError: if a round's files have no standing line for the child.
    """
    from alloc.merkle import MerkleTree  # noqa: PLC0415 - only here

    reg = parse_record_lines([proof.record_line]).registration_numbers[0]
    draw_id = proof.draw_id
    parts = []
    for number, files in enumerate(rounds, start=2):
        if files.standings is None:
            raise InputError(
                _("round {round}: give its standings file").format(round=number),
                code="proof.round-standings-missing",
                field="standings",
            )

        def part(
            given: Sequence[bytes] | LineSource | None,
            leaf: Callable[[str, bytes], bytes],
            key: Callable[[bytes], str],
        ) -> tuple[bytes, int, int, tuple[bytes, ...]] | None:
            if given is None:
                return None
            lines = whole_lines(given)
            for at, line in enumerate(lines):
                if key(line) == reg:
                    tree = MerkleTree(list(lines), prefix=leaf(draw_id, b""))
                    return (line, at, len(lines), tuple(tree.inclusion_proof(at)))
            return None

        standing = part(
            files.standings,
            standing_leaf,
            lambda line: parse_standing_line(line).registration_number,
        )
        if standing is None:
            raise InputError(
                _("round {round}'s standings have no line for this child").format(round=number),
                code="proof.no-standing",
                field="registration_number",
                value=reg,
            )
        parts.append(
            RoundPart(
                round=number,
                standing=standing,
                response=part(
                    files.responses,
                    response_leaf,
                    lambda line: parse_response_lines([line])[0].registration_number,
                ),
                record=part(
                    files.records,
                    record_leaf,
                    lambda line: parse_record_lines([line]).registration_numbers[0],
                ),
                result=part(
                    files.results,
                    result_leaf,
                    lambda line: str(parse_result_line(line)["registration_number"]),
                ),
            )
        )
    return ParentProof(
        draw_id=proof.draw_id,
        record_line=proof.record_line,
        record_index=proof.record_index,
        record_count=proof.record_count,
        record_path=proof.record_path,
        result_line=proof.result_line,
        result_index=proof.result_index,
        result_count=proof.result_count,
        result_path=proof.result_path,
        rounds=tuple(parts),
    )


def check_round_proofs(
    proof: ParentProof,
    *,
    registration_number: str,
    transcript: Envelope | bytes,
    rounds: Sequence[tuple[Envelope | bytes, Envelope | bytes]],
    policy: TrustPolicy,
    rehearsal: bool = False,
) -> list[Check]:
    """A parent's checks of the later rounds of ``proof``; never raises.

    ``transcript`` is round 1's; ``rounds`` the (announcement, transcript) of
    each later round, in order. Each round's documents must be signed under
    ``policy`` and chained by digest to the round before; the child's
    standing line must be under the round's standings root, its response
    (if it answered) under the responses root, and for a second-round draw
    its record and result under that round's roots, its lottery number from
    the round's seed and its identity commitment unchanged. A rehearsal's
    round fails, unless checked as one with ``rehearsal`` (spec 9.7).
    """
    run = _Checks()
    state: dict[str, Any] = {}

    def start() -> str:
        envelope = _as_envelope(transcript, "transcript")
        state["previous"] = envelope
        state["identity"] = parse_record_lines([proof.record_line]).identities
        if len(proof.rounds) != len(rounds):
            raise ChainError(
                _("the proof covers {covered} later round(s), {given} given").format(
                    covered=len(proof.rounds), given=len(rounds)
                )
            )
        return _("{count} later round(s) to check").format(count=len(rounds))

    run.run("later rounds", start, essential=True)
    for number, ((a_doc, t_doc), part) in enumerate(zip(rounds, proof.rounds, strict=False), 2):

        def check(
            number: int = number, a_doc: Any = a_doc, t_doc: Any = t_doc, part: RoundPart = part
        ) -> str:
            a_env = _as_envelope(a_doc, "round-announcement")
            t_env = _as_envelope(t_doc, "round-transcript")
            notice = RoundAnnouncement.from_envelope(a_env)
            tx = RoundTranscript.from_envelope(t_env)
            policy.verify(a_env, document=document_title(f"round {number} announcement"))
            policy.verify(t_env, document=document_title(f"round {number} transcript"))
            _round_mark(number, {notice.rehearsal, tx.rehearsal}, rehearsal)
            previous = document_digest(state["previous"])
            if part.round != number or notice.round != number or tx.round != number:
                raise ChainError(
                    _("the documents and proof part given as round {round} differ").format(
                        round=number
                    )
                )
            if (
                notice.previous != previous
                or tx.previous != previous
                or (tx.announcement != document_digest(a_env))
            ):
                raise ChainError(
                    _("round {round} does not follow the round before it").format(round=number)
                )
            line, index, count, path = part.standing
            if (count != tx.standings[1]) or not verify_inclusion(
                standing_leaf(proof.draw_id, line), index, count, path, tx.standings[0]
            ):
                raise DigestMismatchError(
                    _("the standing is not under round {round}'s standings root").format(
                        round=number
                    ),
                    code="proof.standing-not-included",
                )
            standing = parse_standing_line(line)
            if standing.registration_number != registration_number:
                raise InputError(
                    _("the standing is for another registration number"),
                    code="proof.other-registration",
                    field="registration_number",
                    value=standing.registration_number,
                )
            text = [_describe_standing(standing)]
            if part.response is not None:
                line, index, count, path = part.response
                if count != tx.responses[1] or not verify_inclusion(
                    response_leaf(proof.draw_id, line), index, count, path, tx.responses[0]
                ):
                    raise DigestMismatchError(
                        _("the response is not under round {round}'s responses root").format(
                            round=number
                        ),
                        code="proof.response-not-included",
                    )
                answer = parse_response_lines([line])[0]
                if answer.registration_number != registration_number:
                    raise InputError(
                        _("the response is for another child"),
                        code="proof.other-registration",
                        field="response",
                    )
                text.append(
                    _("the answer {answer} is recorded under the responses root").format(
                        answer=answer.answer.value
                    )
                )
            if part.record is not None or part.result is not None:
                text.append(_second_round_part(proof, part, tx, number, state["identity"]))
            state["previous"] = t_env
            return pgettext("list of notes", "; ").join(text)

        run.run(f"round {number}", check, essential=True)
    return list(run.checks)


def _second_round_part(
    proof: ParentProof, part: RoundPart, tx: RoundTranscript, number: int, identity: Any
) -> str:
    """The child's second-round record and result, under the round's roots."""
    if part.record is None or part.result is None or tx.records is None or tx.results is None:
        raise VerificationError(
            _("round {round}'s proof part has a record without a result").format(round=number),
            code="proof.record-without-result",
        )
    line, index, count, path = part.record
    if count != tx.records[1] or not verify_inclusion(
        record_leaf(proof.draw_id, line), index, count, path, tx.records[0]
    ):
        raise InputRootMismatchError(
            _("the record is not under round {round}'s records root").format(round=number)
        )
    table = parse_record_lines([line])
    same = (identity is None and table.identities is None) or (
        identity is not None
        and table.identities is not None
        and bytes(identity[0]) == bytes(table.identities[0])
    )
    if not same:
        raise VerificationError(
            _("round {round}'s record carries another identity commitment than round 1's").format(
                round=number
            ),
            code="proof.identity-changed",
        )
    line, index, count, path = part.result
    if count != tx.results[1] or not verify_inclusion(
        result_leaf(proof.draw_id, line), index, count, path, tx.results[0]
    ):
        raise DigestMismatchError(
            _("the result is not under round {round}'s results root").format(round=number),
            code="verify.results-root",
        )
    result = parse_result_line(line)
    assert tx.seed is not None
    reg = table.registration_numbers[0]
    numbers = {ticket(tx.seed, proof.draw_id, reg).hex()}
    assert table.groups is not None
    if table.groups[0] >= 0:
        numbers.add(
            group_ticket(tx.seed, proof.draw_id, table.group_ids[int(table.groups[0])]).hex()
        )
    if result["ticket"] not in numbers:
        raise VerificationError(
            _("round {round}'s lottery number is not HMAC-SHA256 of the round's seed").format(
                round=number
            ),
            code="proof.ticket-mismatch",
        )
    return _(
        "second-round record and result under the round's roots, lottery number {ticket}…"
    ).format(ticket=result["ticket"][:16])
