"""Announcements, transcripts, verification by anyone, and parents' proofs.

The protocol (DESIGN section 2, spec sections 9 and 10):

1. :func:`make_announcement` commits to the rules, the public applicant
   records (Merkle root and count) and the seed plan, before any randomness
   exists; bureau and notary sign it (:class:`~alloc.signing.Envelope`).
2. The ceremony derives the seed from the announcement digest.
3. :func:`make_transcript` records the ceremony, the seed, the results root
   and per-kindergarten summaries; bureau and notary sign it.
4. :func:`check_transcript` re-checks everything and returns a
   :class:`VerificationReport` that never raises; :func:`verify_transcript`
   raises one precise error for the first failed check.
5. :func:`check_parent_proof` lets a parent check their own child's record,
   lottery number and result from a receipt and an ID number.
"""

from __future__ import annotations

import hmac
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from alloc._check import check_id, check_instance, check_items, check_text
from alloc._version import __version__
from alloc.canonical import SPEC_VERSION, Tag, canonical_json, check_identifier, tagged_hash
from alloc.clock import format_time, parse_time
from alloc.draw import Outcome, draw
from alloc.errors import (
    AllocError,
    CeremonyError,
    DigestMismatchError,
    InputError,
    InputRootMismatchError,
    MalformedDocumentError,
    ReplayMismatchError,
    ScheduleError,
    SeedMismatchError,
    TimeWindowError,
    VerificationError,
    WrongDrawError,
)
from alloc.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)
from alloc.model import Applicant, ApplicantTable, DrawRules, local_time
from alloc.progress import Progress, Task, advance
from alloc.records import (
    parse_record_lines,
    parse_result_line,
    record_leaf,
    record_lines,
    records_root,
    records_tree,
    result_leaf,
    result_lines,
    results_root,
    results_tree,
)
from alloc.seed import CeremonyRecord, SeedPlan
from alloc.signing import Envelope, RoleResult, TrustPolicy
from alloc.strictjson import Fields, parse_json
from alloc.tickets import group_ticket, ticket

__all__ = [
    "EMPTY_ROOT",
    "Announcement",
    "Check",
    "MerkleTree",
    "ParentProof",
    "ParentReport",
    "RoundPart",
    "TimeWindow",
    "Transcript",
    "VerificationReport",
    "check_parent_proof",
    "check_transcript",
    "document_digest",
    "inclusion_proof",
    "leaf_hash",
    "make_announcement",
    "make_parent_proofs",
    "make_transcript",
    "merkle_root",
    "node_hash",
    "rules_digest",
    "verify_inclusion",
    "verify_parent_proof",
    "verify_transcript",
]

SOFTWARE = f"alloc {__version__}"

_T = TypeVar("_T")


def rules_digest(rules: DrawRules) -> bytes:
    """SHA-256(tagged_message("alloc/v1/rules", draw_id, JCS(rules))).

    Raises:
        WrongTypeError: if ``rules`` is not a DrawRules.
    """
    check_instance(rules, DrawRules, "rules", rules=True)
    return tagged_hash(Tag.RULES, rules.draw_id, canonical_json(rules.to_json()))


def document_digest(envelope: Envelope) -> bytes:
    """The digest of a signed document: tag by its type, over JCS of ``signed``.

    Raises:
        MalformedDocumentError: if the document has no known type or draw id.
        WrongTypeError: if ``envelope`` is not an Envelope.
    """
    check_instance(envelope, Envelope, "envelope", hint="read it with Envelope.from_bytes")
    kind = envelope.signed.get("type")
    tag = {
        "announcement": Tag.ANNOUNCEMENT,
        "transcript": Tag.TRANSCRIPT,
        "round-announcement": Tag.ROUND_ANNOUNCEMENT,
        "round-transcript": Tag.ROUND_TRANSCRIPT,
    }.get(str(kind))
    draw_id = envelope.signed.get("draw_id")
    if tag is None or not isinstance(draw_id, str):
        raise MalformedDocumentError(
            "document has no known type or draw id", field="signed.type", value=kind
        )
    return tagged_hash(tag, draw_id, envelope.signed_bytes)


def _check_time(value: object, name: str) -> datetime:
    """A time in its one written form (spec 1): a naive time means nothing to a verifier."""
    return parse_time(value, field=name)


@dataclass(frozen=True)
class TimeWindow:
    """When the list was frozen, the reveal deadline, and when the draw happens (spec 4.7).

    Times are written ``2026-07-23T15:30:00+08:00`` (seconds and a UTC offset,
    :data:`alloc.clock.TIME_FORM`), compared as instants, so offsets may differ.
    Reveals are accepted until the deadline; every source becomes known after
    it and by the draw time, before which no draw is run.

    Raises:
        InputError: if a time is not in that form, or the three are not in the
            order frozen, reveal deadline, draw.
    """

    frozen_at: str
    draw_at: str
    reveal_deadline: str

    def __post_init__(self) -> None:
        for name in ("frozen_at", "draw_at", "reveal_deadline"):
            _check_time(getattr(self, name), name)
        if not self.frozen < self.deadline:
            raise InputError(
                "times out of order: the list is frozen, then the reveal deadline passes,"
                f" then the draw happens; the reveal deadline {self.reveal_deadline} is not"
                f" after the freeze at {self.frozen_at}",
                field="window",
                hint="the list is frozen when `alloc freeze` runs: give a later --reveal-deadline",
            )
        if not self.deadline < self.draw:
            raise InputError(
                "times out of order: the list is frozen, then the reveal deadline passes,"
                f" then the draw happens; the draw time {self.draw_at} is not after the"
                f" reveal deadline {self.reveal_deadline}",
                field="window",
                hint="give a --draw-at after --reveal-deadline and after every source's drawing",
            )

    @property
    def frozen(self) -> datetime:
        return parse_time(self.frozen_at, field="frozen_at")

    @property
    def deadline(self) -> datetime:
        return parse_time(self.reveal_deadline, field="reveal_deadline")

    @property
    def draw(self) -> datetime:
        return parse_time(self.draw_at, field="draw_at")

    def to_json(self) -> dict[str, str]:
        return {
            "frozen_at": self.frozen_at,
            "draw_at": self.draw_at,
            "reveal_deadline": self.reveal_deadline,
        }


@dataclass(frozen=True)
class Announcement:
    """What is published before the draw (spec section 9.2)."""

    draw_id: str
    title: str
    authority: str
    rules_digest: bytes
    records_root: bytes
    records_count: int
    seed_plan: SeedPlan
    window: TimeWindow
    software: str = SOFTWARE

    def to_signed(self) -> dict[str, Any]:
        return {
            "type": "announcement",
            "spec": SPEC_VERSION,
            "draw_id": self.draw_id,
            "title": self.title,
            "authority": self.authority,
            "rules_digest": self.rules_digest.hex(),
            "records": {"root": self.records_root.hex(), "count": self.records_count},
            "seed_plan": self.seed_plan.to_json(),
            "window": self.window.to_json(),
            "software": self.software,
        }

    def envelope(self) -> Envelope:
        """An unsigned envelope; add signatures with :meth:`Envelope.sign`."""
        return Envelope(signed=self.to_signed())

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> Announcement:
        """Read the signed part strictly (spec sections 2.4 and 9.2).

        Raises:
            MalformedDocumentError: naming the key path and the reason, for a
                document of another type or spec version, an unknown or
                missing key, a wrong type, or any form alloc would not write.
        """
        fields = _signed_fields(envelope, "announcement")
        draw_id = _identifier(fields, "draw_id")
        records = fields.object("records")
        root, count = records.hex("root", size=32), records.integer("count", minimum=0)
        records.done()
        window = fields.object("window")
        times = {k: window.string(k) for k in ("frozen_at", "draw_at", "reveal_deadline")}
        window.done()
        notice = cls(
            draw_id=draw_id,
            title=fields.string("title"),
            authority=fields.string("authority"),
            rules_digest=fields.hex("rules_digest", size=32),
            records_root=root,
            records_count=count,
            seed_plan=_nested(fields, "seed_plan", SeedPlan.from_json),
            window=_nested(fields, "window", lambda _: TimeWindow(**times)),
            software=fields.string("software"),
        )
        fields.done()
        _same_form(fields, notice.to_signed())
        return notice


def _signed_fields(envelope: Envelope, kind: str) -> Fields:
    """The signed part of a ``kind`` document, its type and spec version checked."""
    fields = Fields.of(envelope.signed, document=kind, path="$.signed")
    found = fields.value("type")
    if found != kind:
        raise fields.error("type", f"not a {kind}", found)
    spec = fields.value("spec")
    if spec != SPEC_VERSION or isinstance(spec, bool):
        raise fields.error(
            "spec",
            f"written for spec version {spec!r}; this is alloc for spec {SPEC_VERSION}, which"
            " reads only its own version (check it with the alloc that wrote it)",
            spec,
        )
    return fields


def _identifier(fields: Fields, key: str) -> str:
    value = fields.string(key)
    try:
        return check_identifier(value, key)
    except InputError as exc:
        raise fields.error(key, exc.problem, value) from exc


def _nested(fields: Fields, key: str, read: Callable[[Any], _T]) -> _T:
    """A part read by another reader, its errors located in this document."""
    value = fields.value(key)
    try:
        return read(value)
    except InputError as exc:
        if isinstance(exc, MalformedDocumentError) and exc.source == fields.document:
            raise
        inner = f" ({exc.field})" if exc.field else ""
        raise MalformedDocumentError(
            f"{exc.problem}{inner}",
            source=fields.document,
            field=f"{fields.path}.{key}",
            value=exc.value,
        ) from exc


def _same_form(fields: Fields, written: Mapping[str, Any]) -> None:
    """Refuse a document that reads well but is not exactly what alloc writes for it."""
    if canonical_json(written) != canonical_json(dict(fields.data)):
        raise MalformedDocumentError(
            "not in the one form alloc writes for this content (an order, a default or a"
            " spelling differs)",
            source=fields.document,
            field=fields.path,
            hint="the document was edited; use the file exactly as alloc wrote it",
        )


def make_announcement(
    rules: DrawRules,
    applicants: ApplicantTable | Iterable[Applicant],
    plan: SeedPlan,
    *,
    window: TimeWindow,
    progress: Progress | None = None,
) -> tuple[Announcement, list[bytes]]:
    """Freeze the inputs: the announcement and the public record lines it commits to.

    ``applicants`` is an :class:`ApplicantTable` or a list of :class:`Applicant`.
    ``progress`` hears of its two stages: the lines, the Merkle root.

    Raises:
        WrongDrawError: if the seed plan is for another draw.
        InputError: for malformed applicants (a WrongTypeError for an
            argument of the wrong type).
    """
    check_instance(rules, DrawRules, "rules", rules=True)
    check_instance(plan, SeedPlan, "plan")
    check_instance(window, TimeWindow, "window")
    if not isinstance(applicants, ApplicantTable):
        applicants = ApplicantTable.from_applicants(applicants)
    if plan.draw_id != rules.draw_id:
        raise WrongDrawError(
            f"seed plan is for draw {plan.draw_id!r}, the rules for {rules.draw_id!r}"
        )
    plan.check_schedule(reveal_deadline=window.deadline, draw_at=window.draw)
    advance(progress, Task.COMMIT_RECORDS, 0, 2)
    lines = record_lines(applicants)
    advance(progress, Task.COMMIT_RECORDS, 1, 2)
    tree_root = records_root(rules.draw_id, lines)
    advance(progress, Task.COMMIT_RECORDS, 2, 2)
    announcement = Announcement(
        draw_id=rules.draw_id,
        title=rules.title,
        authority=rules.authority,
        rules_digest=rules_digest(rules),
        records_root=tree_root,
        records_count=len(lines),
        seed_plan=plan,
        window=window,
    )
    return announcement, lines


@dataclass(frozen=True)
class Transcript:
    """What is published after the draw (spec section 9.3)."""

    draw_id: str
    announcement_digest: bytes
    rules_digest: bytes
    records_root: bytes
    records_count: int
    ceremony: CeremonyRecord
    results_root: bytes
    results_count: int
    kindergartens: tuple[Mapping[str, Any], ...]
    unplaced: int
    created: str
    round: int = 1
    previous: bytes | None = None
    software: str = SOFTWARE

    @property
    def seed(self) -> bytes:
        return self.ceremony.seed

    def to_signed(self) -> dict[str, Any]:
        return {
            "type": "transcript",
            "spec": SPEC_VERSION,
            "draw_id": self.draw_id,
            "announcement": self.announcement_digest.hex(),
            "rules_digest": self.rules_digest.hex(),
            "records": {"root": self.records_root.hex(), "count": self.records_count},
            "ceremony": self.ceremony.to_json(),
            "seed": self.ceremony.seed.hex(),
            "results": {"root": self.results_root.hex(), "count": self.results_count},
            "kindergartens": [dict(k) for k in self.kindergartens],
            "unplaced": self.unplaced,
            "created": self.created,
            "round": self.round,
            "previous": None if self.previous is None else self.previous.hex(),
            "software": self.software,
        }

    def envelope(self) -> Envelope:
        """An unsigned envelope; add signatures with :meth:`Envelope.sign`."""
        return Envelope(signed=self.to_signed())

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> Transcript:
        """Read the signed part strictly (spec sections 2.4 and 9.3).

        Raises:
            MalformedDocumentError: naming the key path and the reason, for a
                document of another type or spec version, an unknown or
                missing key, a wrong type, unsorted ceremony entries, a round
                below 1, a round and ``previous`` that disagree, or any form
                alloc would not write.
            SeedMismatchError: if ``seed`` is not the ceremony record's seed.
        """
        fields = _signed_fields(envelope, "transcript")
        draw_id = _identifier(fields, "draw_id")
        ceremony = _nested(fields, "ceremony", CeremonyRecord.from_json)
        _check_ceremony_order(fields, ceremony)
        seed = fields.hex("seed", size=32)
        if seed != ceremony.seed:
            raise SeedMismatchError(
                f"transcript seed {seed.hex()} differs from its ceremony record's"
                f" seed {ceremony.seed.hex()}"
            )
        counted = {}
        for key in ("records", "results"):
            part = fields.object(key)
            counted[key] = (part.hex("root", size=32), part.integer("count", minimum=0))
            part.done()
        created = fields.string("created")
        _nested(fields, "created", lambda value: _check_time(value, "created"))
        number = fields.integer("round", minimum=1)
        previous = fields.optional_hex("previous", size=32)
        if number != 1 or previous is not None:
            raise fields.error(
                "round" if number != 1 else "previous",
                "a transcript is round 1's, with no previous round (null); a later round is a"
                " round transcript of its own (spec 11.7)",
                number if number != 1 else previous.hex() if previous is not None else None,
            )
        transcript = cls(
            draw_id=draw_id,
            announcement_digest=fields.hex("announcement", size=32),
            rules_digest=fields.hex("rules_digest", size=32),
            records_root=counted["records"][0],
            records_count=counted["records"][1],
            ceremony=ceremony,
            results_root=counted["results"][0],
            results_count=counted["results"][1],
            kindergartens=tuple(fields.each("kindergartens", _read_summary)),
            unplaced=fields.integer("unplaced", minimum=0),
            created=created,
            round=number,
            previous=previous,
            software=fields.string("software"),
        )
        fields.done()
        _same_form(fields, transcript.to_signed())
        return transcript


def _check_ceremony_order(fields: Fields, ceremony: CeremonyRecord) -> None:
    """Contributions sorted by party and sources by name, each once (spec 4.5)."""
    for key, names in (
        ("contributions", [c.party for c in ceremony.contributions]),
        ("sources", [s.name for s in ceremony.sources]),
    ):
        for before, after in itertools.pairwise(names):
            if not (isinstance(before, str) and isinstance(after, str) and before < after):
                raise MalformedDocumentError(
                    "entries must be sorted by name, each name once",
                    source=fields.document,
                    field=f"{fields.path}.ceremony.{key}",
                    value=after,
                )


def _read_summary(item: Fields) -> dict[str, Any]:
    """One kindergarten's summary in a transcript (spec 9.3), every key typed."""
    summary: dict[str, Any] = {"id": item.string("id"), "name": item.string("name")}
    for key in ("seats", "applicants", "first_choice", "placed", "left_over", "over_capacity"):
        summary[key] = item.integer(key, minimum=0)

    def block(entry: Fields) -> dict[str, Any]:
        return {
            "name": entry.string("name"),
            "seats": entry.integer("seats", minimum=0),
            "placed": entry.integer("placed", minimum=0),
        }

    summary["blocks"] = item.each("blocks", block)
    summary["waitlist"] = item.integer("waitlist", minimum=0)
    return summary


def make_transcript(
    announcement: Envelope,
    rules: DrawRules,
    ceremony: CeremonyRecord,
    outcome: Outcome,
    *,
    created: str,
    progress: Progress | None = None,
) -> tuple[Transcript, list[bytes]]:
    """The transcript of a finished draw (round 1) and the result lines it commits to.

    Later rounds have transcripts of their own (:mod:`alloc.chain`).
    ``progress`` hears of its two stages: the lines, the Merkle root.

    Raises:
        WrongDrawError: if the announcement, ceremony or outcome belong to
            another draw.
        DigestMismatchError: if the ceremony was not opened on this announcement
            or the rules are not the announced rules.
    """
    notice = Announcement.from_envelope(announcement)
    digest = document_digest(announcement)
    for label, other in (
        ("announcement", notice.draw_id),
        ("ceremony", ceremony.plan.draw_id),
        ("outcome", outcome.rules.draw_id),
    ):
        if other != rules.draw_id:
            raise WrongDrawError(f"{label} is for draw {other!r}, the rules for {rules.draw_id!r}")
    if ceremony.announcement_digest != digest:
        raise DigestMismatchError("the ceremony was opened on a different announcement")
    if rules_digest(rules) != notice.rules_digest:
        raise DigestMismatchError("the rules are not the announced rules")
    if _check_time(created, "created") < notice.window.draw:
        raise ScheduleError(
            f"the draw cannot be run at {created}: the announced draw time is"
            f" {notice.window.draw_at}",
            field="created",
            hint="wait until the announced draw time",
        )
    advance(progress, Task.RESULTS, 0, 2)
    lines = result_lines(outcome)
    advance(progress, Task.RESULTS, 1, 2)
    root = results_root(rules.draw_id, lines)
    advance(progress, Task.RESULTS, 2, 2)
    transcript = Transcript(
        draw_id=rules.draw_id,
        announcement_digest=digest,
        rules_digest=notice.rules_digest,
        records_root=notice.records_root,
        records_count=notice.records_count,
        ceremony=ceremony,
        results_root=root,
        results_count=len(lines),
        kindergartens=tuple(s.to_json() for s in outcome.summaries),
        unplaced=len(outcome.unplaced),
        created=created,
        round=1,
        previous=None,
    )
    return transcript, lines


# --- verification ---------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One verification check: what was checked, whether it passed, and why."""

    name: str
    passed: bool
    detail: str
    error: AllocError | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class VerificationReport:
    """Every check run on a transcript; building one never raises.

    ``signatures`` holds, per document checked (``announcement``,
    ``transcript``, ``round 2 announcement``, …), who signed it role by role,
    so a reader sees the key ids and fingerprints behind every PASS.
    """

    checks: tuple[Check, ...]
    signatures: Mapping[str, tuple[RoleResult, ...]] = field(default_factory=dict)
    round: int | None = None
    #: the transcript digest of every round that verified, by round number
    digests: Mapping[int, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def raise_for_failure(self) -> None:
        """Raises: the error of the first failed check."""
        for check in self.checks:
            if not check.passed:
                assert check.error is not None
                raise check.error

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "round": self.round,
            "digests": {str(r): d.hex() for r, d in sorted(self.digests.items())},
            "checks": [c.to_json() for c in self.checks],
            "signatures": {
                document: [r.to_json() for r in roles]
                for document, roles in self.signatures.items()
            },
        }

    def __str__(self) -> str:
        lines = [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        lines.append("verification " + ("passed" if self.ok else "FAILED"))
        return "\n".join(lines)


class _Checks:
    """Runs named checks, recording each result; a failed prerequisite skips the rest."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.checks: list[Check] = []
        self.stopped = False
        self.progress = progress

    def run(self, name: str, check: Callable[[], str], *, essential: bool = False) -> None:
        if self.stopped:
            return
        try:
            detail = check()
        except AllocError as exc:
            self.checks.append(Check(name, False, str(exc), exc))
            self.stopped = essential
        except Exception as exc:
            error = VerificationError(f"{name}: unexpected {type(exc).__name__}: {exc}")
            self.checks.append(Check(name, False, str(error), error))
            self.stopped = True
        else:
            self.checks.append(Check(name, True, detail))
        advance(self.progress, Task.VERIFY, len(self.checks), 0)


def _as_envelope(document: Envelope | bytes, kind: str) -> Envelope:
    if isinstance(document, Envelope):
        if document.signed.get("type") != kind:
            raise MalformedDocumentError(
                f"not a {kind}", field="signed.type", value=document.signed.get("type")
            )
        return document
    return Envelope.from_bytes(document, expected_type=kind)


def check_transcript(
    transcript: Envelope | bytes,
    *,
    announcement: Envelope | bytes,
    rules: DrawRules,
    records: Sequence[bytes],
    policy: TrustPolicy,
    results: Sequence[bytes] | None = None,
    progress: Progress | None = None,
) -> VerificationReport:
    """Check a draw's transcript end to end and report every check; never raises.

    ``records`` are the public record lines and ``results`` the published
    result lines (optional: without them the re-run is compared by root).
    Later rounds are checked with :func:`alloc.chain.check_chain`.
    The draw is re-run from the public records and the seed with this
    version of alloc, and every outcome compared. ``progress`` hears of each
    check as it finishes (their number is not known in advance).
    """
    run = _Checks(progress)
    state: dict[str, Any] = {}

    def parse() -> str:
        state["announcement_env"] = _as_envelope(announcement, "announcement")
        state["transcript_env"] = _as_envelope(transcript, "transcript")
        state["announcement"] = Announcement.from_envelope(state["announcement_env"])
        state["transcript"] = Transcript.from_envelope(state["transcript_env"])
        return (
            f"announcement and transcript (round {state['transcript'].round}) are well-formed"
            " and canonical"
        )

    run.run("documents", parse, essential=True)

    def same_draw() -> str:
        ids = {
            "rules": rules.draw_id,
            "announcement": state["announcement"].draw_id,
            "transcript": state["transcript"].draw_id,
        }
        if len(set(ids.values())) != 1:
            raise WrongDrawError(
                "documents belong to different draws: "
                + ", ".join(f"{k} {v!r}" for k, v in ids.items())
            )
        return f"all documents are for draw {rules.draw_id!r}"

    run.run("draw id", same_draw, essential=True)

    signers: dict[str, tuple[RoleResult, ...]] = {}

    def signatures(key: str, label: str) -> Callable[[], str]:
        def check() -> str:
            signers[label] = tuple(policy.evaluate(state[key]))
            policy.verify(state[key], document=label)
            return policy.describe(state[key])

        return check

    run.run("announcement signatures", signatures("announcement_env", "announcement"))
    run.run("transcript signatures", signatures("transcript_env", "transcript"))

    def rules_match() -> str:
        if rules_digest(rules) != state["announcement"].rules_digest:
            raise DigestMismatchError(
                "the rules differ from the announced rules (rules digest"
                f" {rules_digest(rules).hex()[:16]}…, announced"
                f" {state['announcement'].rules_digest.hex()[:16]}…)"
            )
        return f"rules digest {state['announcement'].rules_digest.hex()}"

    run.run("rules", rules_match)

    def records_match() -> str:
        notice: Announcement = state["announcement"]
        if len(records) != notice.records_count:
            raise InputRootMismatchError(
                f"{len(records)} public records, the announcement committed to"
                f" {notice.records_count}"
            )
        root = records_root(rules.draw_id, records)
        if root != notice.records_root:
            raise InputRootMismatchError(
                "the public records do not match the announced input root"
                f" (computed {root.hex()[:16]}…, announced {notice.records_root.hex()[:16]}…):"
                " a record was changed after the announcement"
            )
        state["table"] = parse_record_lines(records)
        return f"{len(records)} records under input root {root.hex()}"

    run.run("public records", records_match)

    def bound() -> str:
        tx: Transcript = state["transcript"]
        digest = document_digest(state["announcement_env"])
        if tx.announcement_digest != digest:
            raise DigestMismatchError(
                "the transcript names a different announcement"
                f" ({tx.announcement_digest.hex()[:16]}… instead of {digest.hex()[:16]}…)"
            )
        notice: Announcement = state["announcement"]
        if (tx.rules_digest, tx.records_root, tx.records_count) != (
            notice.rules_digest,
            notice.records_root,
            notice.records_count,
        ):
            raise DigestMismatchError(
                "the transcript's rules or records differ from the announcement's"
            )
        return f"transcript names announcement {digest.hex()}"

    run.run("announcement binding", bound)

    def ceremony() -> str:
        tx: Transcript = state["transcript"]
        notice: Announcement = state["announcement"]
        if tx.ceremony.plan != notice.seed_plan:
            raise CeremonyError("the ceremony's seed plan is not the announced plan")
        if tx.ceremony.announcement_digest != tx.announcement_digest:
            raise CeremonyError("the ceremony was opened on a different announcement")
        window = notice.window
        notice.seed_plan.check_schedule(reveal_deadline=window.deadline, draw_at=window.draw)
        tx.ceremony.verify(reveal_deadline=window.deadline)
        record = tx.ceremony
        if record.opened_at < window.frozen:
            raise ScheduleError(
                "reveals were opened before the list was frozen", field="ceremony.opened_at"
            )
        defaults = [c.party for c in tx.ceremony.contributions if c.secret is None]
        text = f"{len(tx.ceremony.contributions)} contributions match their commitments"
        if defaults:
            text += f"; in default (fallback used): {', '.join(defaults)}"
        return text + f"; seed {tx.seed.hex()}"

    run.run("seed ceremony", ceremony)

    def created() -> str:
        tx: Transcript = state["transcript"]
        window: TimeWindow = state["announcement"].window
        at = _instant(tx.created)
        if at < _instant(window.draw_at):
            raise TimeWindowError(
                f"the transcript was created at {tx.created}, before the announced draw time"
                f" {window.draw_at}"
            )
        record = tx.ceremony
        steps = [record.opened_at, *(c.at for c in record.contributions)]
        steps += [v.at for v in record.sources]
        if at < max(steps):
            raise TimeWindowError(
                f"the transcript was created at {tx.created}, before the last step of its"
                f" ceremony at {format_time(max(steps), like=at)}"
            )
        return (
            f"created {local_time(tx.created, rules.time_zone)}, not before the announced"
            f" draw time {local_time(window.draw_at, rules.time_zone)}"
        )

    run.run("transcript time", created)

    def results_file() -> str:
        tx: Transcript = state["transcript"]
        if results is None:
            return "no results file given; the re-run is compared by root"
        if len(results) != tx.results_count:
            raise DigestMismatchError(
                f"{len(results)} result lines, the transcript committed to {tx.results_count}"
            )
        root = results_root(rules.draw_id, results)
        state["results_file_root"] = root
        if root != tx.results_root:
            raise DigestMismatchError(
                "the results file does not match the transcript's"
                f" results root ({root.hex()[:16]}… instead of"
                f" {tx.results_root.hex()[:16]}…)"
            )
        return f"{len(results)} result lines under results root {root.hex()}"

    run.run("results file", results_file)

    def replay() -> str:
        tx: Transcript = state["transcript"]
        if "table" not in state:
            raise VerificationError("cannot re-run: the public records did not verify")
        outcome = draw(rules, state["table"], tx.seed)
        lines = result_lines(outcome)
        published = None if results is None else list(results)
        if published == lines and "results_file_root" in state:
            # Byte for byte the published file, whose root was just computed.
            root = state["results_file_root"]
        else:
            root = results_root(rules.draw_id, lines)
        if root != tx.results_root or len(lines) != tx.results_count:
            raise _replay_difference(lines, results, root, tx)
        if published is not None and published != lines:
            # The signed root is right but the published file is not: name the child.
            raise _replay_difference(lines, results, root, tx)
        summaries = tuple(s.to_json() for s in outcome.summaries)
        if summaries != tuple(dict(k) for k in tx.kindergartens):
            raise ReplayMismatchError("per-kindergarten summaries differ from the re-run")
        if len(outcome.unplaced) != tx.unplaced:
            raise ReplayMismatchError(
                f"transcript says {tx.unplaced} unplaced, re-run gives {len(outcome.unplaced)}"
            )
        placed = sum(s.placed for s in outcome.summaries)
        return (
            f"re-ran the draw with {SOFTWARE}: {len(lines)} outcomes identical"
            f" ({placed} seats taken, {len(outcome.unplaced)} unplaced)"
        )

    run.run("re-run", replay)

    tx_round = state["transcript"].round if "transcript" in state else None
    ok = all(c.passed for c in run.checks)
    return VerificationReport(
        checks=tuple(run.checks),
        signatures=signers,
        round=tx_round,
        digests={1: document_digest(state["transcript_env"])} if ok else {},
    )


def _instant(text: str) -> datetime:
    """A time already checked by :func:`_check_time`, as an instant."""
    return datetime.fromisoformat(text)


def _replay_difference(
    lines: Sequence[bytes], results: Sequence[bytes] | None, root: bytes, tx: Transcript
) -> ReplayMismatchError:
    """Name the first child whose published result differs from the re-run."""
    if results is None:
        return ReplayMismatchError(
            f"re-running the draw gives results root {root.hex()[:16]}…, the transcript"
            f" commits to {tx.results_root.hex()[:16]}…"
        )
    published = {}
    for line in results:
        try:
            data = parse_result_line(line)
        except InputError:
            continue
        published[data["registration_number"]] = data
    for line in lines:
        mine = parse_result_line(line)
        reg = mine["registration_number"]
        theirs = published.get(reg)
        if theirs is None:
            return ReplayMismatchError(f"applicant {reg} is missing from the published results")
        if theirs != mine:
            return ReplayMismatchError(
                f"applicant {reg} {_describe(theirs)}, re-run gives {_describe(mine)}"
            )
    return ReplayMismatchError("the published results list an applicant the re-run does not")


def _describe(result: Mapping[str, Any]) -> str:
    if result.get("placed"):
        text = f"placed at {result['placed']}"
    elif result.get("wins"):
        text = "winning at " + ", ".join(w["kindergarten"] for w in result["wins"])
    else:
        text = "unplaced"
    waitlist = result.get("waitlist") or []
    if waitlist:
        text += (
            " (waitlist "
            + ", ".join(f"{w['kindergarten']} #{w['position']}" for w in waitlist)
            + ")"
        )
    return text + f" with lottery number {str(result.get('ticket'))[:16]}…"


def verify_transcript(
    transcript: Envelope | bytes,
    *,
    announcement: Envelope | bytes,
    rules: DrawRules,
    records: Sequence[bytes],
    policy: TrustPolicy,
    results: Sequence[bytes] | None = None,
) -> VerificationReport:
    """As :func:`check_transcript`, but raise the first failure's precise error.

    Raises:
        MalformedDocumentError, WrongDrawError, SignatureThresholdError,
        DigestMismatchError, InputRootMismatchError, RevealMismatchError,
        SeedMismatchError, ReplayMismatchError: whichever check failed first.
    """
    report = check_transcript(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
    )
    report.raise_for_failure()
    return report


# --- parents' proofs --------------------------------------------------------------


#: One line in a Merkle tree: the line, its 0-based index, the tree's size, the audit path.
Inclusion = tuple[bytes, int, int, tuple[bytes, ...]]


def _inclusion_json(part: Inclusion | None) -> dict[str, Any] | None:
    if part is None:
        return None
    line, index, count, path = part
    return {
        "line": line.decode("utf-8"),
        "index": index,
        "count": count,
        "path": [p.hex() for p in path],
    }


def _read_inclusion(part: Fields) -> Inclusion:
    count = part.integer("count", minimum=1)
    found = (
        part.string("line").encode("utf-8"),
        part.integer("index", minimum=0, maximum=count - 1),
        count,
        tuple(_path_nodes(part)),
    )
    part.done()
    return found


@dataclass(frozen=True)
class RoundPart:
    """One later round's part of a parent's proof (spec 9.5, 11.7): the child's
    standing line and, if any, its response, second-round record and result, each
    with its place in its round's tree."""

    round: int
    standing: Inclusion
    response: Inclusion | None = None
    record: Inclusion | None = None
    result: Inclusion | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "standing": _inclusion_json(self.standing),
            "response": _inclusion_json(self.response),
            "record": _inclusion_json(self.record),
            "result": _inclusion_json(self.result),
        }


@dataclass(frozen=True)
class ParentProof:
    """One child's lines and Merkle paths, handed out or published by the bureau.

    ``rounds`` holds a part for every later round, in order (empty after the
    draw alone).
    """

    draw_id: str
    record_line: bytes
    record_index: int
    record_count: int
    record_path: tuple[bytes, ...]
    result_line: bytes
    result_index: int
    result_count: int
    result_path: tuple[bytes, ...]
    rounds: tuple[RoundPart, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "record": _inclusion_json(
                (self.record_line, self.record_index, self.record_count, self.record_path)
            ),
            "result": _inclusion_json(
                (self.result_line, self.result_index, self.result_count, self.result_path)
            ),
            "rounds": [r.to_json() for r in self.rounds],
        }

    @classmethod
    def from_bytes(cls, data: bytes, *, document: str = "proof") -> ParentProof:
        """Read a proof file strictly (spec sections 2.4 and 9.5).

        Raises:
            MalformedDocumentError: naming the key path and the reason.
        """
        return cls.from_json(parse_json(data, document=document), document=document)

    @classmethod
    def from_json(cls, data: object, *, document: str = "proof") -> ParentProof:
        """As :meth:`from_bytes`, from parsed JSON."""
        fields = Fields.of(data, document=document)
        draw_id = _identifier(fields, "draw_id")
        record = _read_inclusion(fields.object("record"))
        result = _read_inclusion(fields.object("result"))

        def part(item: Fields) -> RoundPart:
            def optional(key: str) -> Inclusion | None:
                found = item.optional_object(key)
                return None if found is None else _read_inclusion(found)

            return RoundPart(
                round=item.integer("round", minimum=2),
                standing=_read_inclusion(item.object("standing")),
                response=optional("response"),
                record=optional("record"),
                result=optional("result"),
            )

        rounds = tuple(fields.each("rounds", part))
        if [r.round for r in rounds] != list(range(2, 2 + len(rounds))):
            raise fields.error("rounds", "the rounds must be 2, 3, … in order, none missing")
        fields.done()
        return cls(draw_id, *record, *result, rounds=rounds)


def _path_nodes(part: Fields) -> list[bytes]:
    nodes = part.strings("path")
    for index, node in enumerate(nodes):
        if len(node) != 64 or node.strip("0123456789abcdef"):
            raise part.error(f"path[{index}]", "expected 64 lower-case hexadecimal digits", node)
    return [bytes.fromhex(n) for n in nodes]


def _lines(value: object, field: str) -> list[bytes]:
    """A sequence of byte lines (public record or result lines)."""
    lines = check_items(value, field, what="a sequence of lines (bytes)")
    for index, line in enumerate(lines):
        check_instance(line, bytes, f"{field}[{index}]")
    return list(lines)  # type: ignore[arg-type]  # each was checked to be bytes


def _record_registration(line: bytes, index: int) -> str:
    """The registration number of a public record line."""
    try:
        data = json.loads(line)
        registration = data["registration_number"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            "not a public record line", field=f"records[{index}]", hint="give records.jsonl lines"
        ) from exc
    return check_id(registration, f"records[{index}].registration_number")


def make_parent_proofs(
    draw_id: str,
    records: Sequence[bytes],
    results: Sequence[bytes],
    registration_numbers: Sequence[str] | None = None,
) -> dict[str, ParentProof]:
    """Proofs keyed by registration number: every child's, or only those asked for.

    Raises:
        InputError: if an asked-for registration number has no record or result,
            or a line is not a record or result line (a WrongTypeError for
            arguments of the wrong type, such as one registration number given
            as a bare string).
    """
    check_id(draw_id, "draw_id")
    records = _lines(records, "records")
    results = _lines(results, "results")
    if registration_numbers is not None:
        asked = check_items(
            registration_numbers, "registration_numbers", what="a sequence of registration numbers"
        )
        registration_numbers = [
            check_text(r, f"registration_numbers[{i}]") for i, r in enumerate(asked)
        ]
    record_tree = records_tree(draw_id, records)
    result_tree = results_tree(draw_id, results)
    result_at = {}
    for index, line in enumerate(results):
        result_at[parse_result_line(line)["registration_number"]] = index
    wanted = None if registration_numbers is None else set(registration_numbers)
    proofs = {}
    for index, line in enumerate(records):
        reg = _record_registration(line, index)
        if wanted is not None and reg not in wanted:
            continue
        at = result_at.get(reg)
        if at is None:
            raise InputError(
                "this record has no result line",
                field="registration_number",
                value=reg,
                hint="give the result lines of the same draw",
            )
        proofs[reg] = ParentProof(
            draw_id=draw_id,
            record_line=line,
            record_index=index,
            record_count=len(records),
            record_path=tuple(record_tree.inclusion_proof(index)),
            result_line=results[at],
            result_index=at,
            result_count=len(results),
            result_path=tuple(result_tree.inclusion_proof(at)),
        )
    missing = (wanted or set()) - set(proofs)
    if missing:
        raise InputError(
            "no record for this registration number",
            field="registration_number",
            value=sorted(missing)[0],
        )
    return proofs


@dataclass(frozen=True)
class ParentReport:
    """Each step of a parent's check, and the child's result if they all pass."""

    steps: tuple[Check, ...]
    result: Mapping[str, Any] | None

    @property
    def ok(self) -> bool:
        return all(s.passed for s in self.steps)

    def raise_for_failure(self) -> None:
        """Raises: the error of the first failed step."""
        for step in self.steps:
            if not step.passed:
                assert step.error is not None
                raise step.error

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "steps": [s.to_json() for s in self.steps],
            "result": None if self.result is None else dict(self.result),
        }

    def __str__(self) -> str:
        lines = [f"{'PASS' if s.passed else 'FAIL'}  {s.name}: {s.detail}" for s in self.steps]
        if self.ok and self.result is not None:
            lines.append("result: " + _describe(self.result))
        return "\n".join(lines)


def check_parent_proof(
    proof: ParentProof,
    *,
    registration_number: str,
    salt: bytes,
    document_type: Any,
    document_number: str,
    name: str,
    announcement: Envelope | bytes,
    transcript: Envelope | bytes,
    policy: TrustPolicy,
) -> ParentReport:
    """A parent's whole check, step by step; never raises.

    From the receipt (registration number and salt) and the child's document
    number and name: the identity commitment in the record is theirs; the
    record is in the announced input root; the lottery number is the HMAC of
    the seed; the result line is under the results root; and the
    announcement and transcript carry the signatures ``policy`` requires (a
    policy the parent pinned, never one that came with these files).
    """
    from alloc.identity import identity_commitment  # noqa: PLC0415 - optional layer

    run = _Checks()
    state: dict[str, Any] = {}

    def documents() -> str:
        state["a_env"] = _as_envelope(announcement, "announcement")
        state["t_env"] = _as_envelope(transcript, "transcript")
        state["a"] = Announcement.from_envelope(state["a_env"])
        state["t"] = Transcript.from_envelope(state["t_env"])
        if state["t"].announcement_digest != document_digest(state["a_env"]):
            raise DigestMismatchError("the transcript names a different announcement")
        if proof.draw_id != state["a"].draw_id or state["t"].draw_id != state["a"].draw_id:
            raise WrongDrawError("the proof, announcement and transcript are for different draws")
        return f"announcement and transcript of draw {state['a'].draw_id!r}"

    run.run("documents", documents, essential=True)

    def signed() -> str:
        policy.verify(state["a_env"], document="announcement")
        policy.verify(state["t_env"], document="transcript")
        return (
            f"announcement: {policy.describe(state['a_env'])}; transcript:"
            f" {policy.describe(state['t_env'])}"
        )

    run.run("signatures", signed)

    def identity() -> str:
        table = parse_record_lines([proof.record_line])
        state["record"] = table
        if table.registration_numbers[0] != registration_number:
            raise InputError(
                "the proof is for another registration number",
                field="registration_number",
                value=table.registration_numbers[0],
            )
        if table.identities is None:
            raise VerificationError("the record carries no identity commitment")
        expected = identity_commitment(
            draw_id=proof.draw_id,
            registration_number=registration_number,
            document_type=document_type,
            document_number=document_number,
            name=name,
            salt=salt,
        )
        if not hmac.compare_digest(expected, bytes(table.identities[0])):
            raise VerificationError(
                "the record's identity commitment does not match this"
                " document number, name and receipt"
            )
        return "the record's identity commitment matches the receipt, number and name"

    run.run("identity", identity)

    def in_input() -> str:
        notice: Announcement = state["a"]
        leaf = record_leaf(proof.draw_id, proof.record_line)
        if proof.record_count != notice.records_count or not verify_inclusion(
            leaf, proof.record_index, proof.record_count, proof.record_path, notice.records_root
        ):
            raise InputRootMismatchError("the record is not under the announced input root")
        return (
            f"record {proof.record_index + 1} of {proof.record_count} is under the"
            " announced input root"
        )

    run.run("record in frozen list", in_input)

    def lottery_number() -> str:
        tx: Transcript = state["t"]
        result = parse_result_line(proof.result_line)
        state["result"] = result
        if result["registration_number"] != registration_number:
            raise InputError(
                "the result line is for another registration number",
                field="registration_number",
                value=result["registration_number"],
            )
        own = ticket(tx.seed, proof.draw_id, registration_number).hex()
        if result["ticket"] == own:
            return f"lottery number {own} = HMAC-SHA256(seed, registration number)"
        record: ApplicantTable = state["record"]
        assert record.groups is not None
        if record.groups[0] >= 0:
            group_id = record.group_ids[int(record.groups[0])]
            shared = group_ticket(tx.seed, proof.draw_id, group_id).hex()
            if result["ticket"] == shared:
                return (
                    f"lottery number {shared} = HMAC-SHA256(seed, multiples group"
                    f" {group_id!r}), shared by the bundled siblings"
                )
        raise VerificationError(
            f"the published lottery number {result['ticket'][:16]}… is"
            f" not HMAC-SHA256(seed, child) = {own[:16]}…"
        )

    run.run("lottery number", lottery_number)

    def in_results() -> str:
        tx: Transcript = state["t"]
        leaf = result_leaf(proof.draw_id, proof.result_line)
        if proof.result_count != tx.results_count or not verify_inclusion(
            leaf, proof.result_index, proof.result_count, proof.result_path, tx.results_root
        ):
            raise DigestMismatchError("the result is not under the transcript's results root")
        return f"result {proof.result_index + 1} of {proof.result_count} is under the results root"

    run.run("result in transcript", in_results)
    steps = tuple(run.checks)
    ok = all(s.passed for s in steps)
    return ParentReport(steps=steps, result=state.get("result") if ok else None)


def verify_parent_proof(proof: ParentProof, **kwargs: Any) -> ParentReport:
    """As :func:`check_parent_proof`, raising the first failed step's error."""
    report = check_parent_proof(proof, **kwargs)
    report.raise_for_failure()
    return report
