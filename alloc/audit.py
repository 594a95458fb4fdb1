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
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alloc import __version__
from alloc.canonical import SPEC_VERSION, Tag, canonical_json, tagged_hash
from alloc.draw import Outcome, draw
from alloc.errors import (
    AllocError,
    CeremonyError,
    ChainError,
    DigestMismatchError,
    InputError,
    InputRootMismatchError,
    MalformedDocumentError,
    ReplayMismatchError,
    SeedMismatchError,
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
from alloc.model import ApplicantTable, DrawRules
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
from alloc.signing import Envelope, TrustPolicy
from alloc.tickets import group_ticket, ticket

__all__ = [
    "EMPTY_ROOT",
    "Announcement",
    "Check",
    "MerkleTree",
    "ParentProof",
    "ParentReport",
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


def rules_digest(rules: DrawRules) -> bytes:
    """SHA-256(tagged_message("alloc/v1/rules", draw_id, JCS(rules)))."""
    return tagged_hash(Tag.RULES, rules.draw_id, canonical_json(rules.to_json()))


def document_digest(envelope: Envelope) -> bytes:
    """The digest of a signed document: tag by its type, over JCS of ``signed``.

    Raises:
        MalformedDocumentError: if the document has no known type or draw id.
    """
    kind = envelope.signed.get("type")
    tag = {"announcement": Tag.ANNOUNCEMENT, "transcript": Tag.TRANSCRIPT}.get(str(kind))
    draw_id = envelope.signed.get("draw_id")
    if tag is None or not isinstance(draw_id, str):
        raise MalformedDocumentError(
            "document has no known type or draw id", field="signed.type", value=kind
        )
    return tagged_hash(tag, draw_id, envelope.signed_bytes)


def _check_time(value: object, name: str) -> None:
    """Times are ISO 8601 with a UTC offset: a naive time means nothing to a verifier."""
    try:
        moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InputError("not an ISO 8601 time", field=name, value=value) from exc
    if moment.tzinfo is None:
        raise InputError(
            "time has no UTC offset",
            field=name,
            value=value,
            hint="write it like 2026-12-01T09:00:00+08:00",
        )


@dataclass(frozen=True)
class TimeWindow:
    """When the list was frozen, when the draw happens, and the reveal deadline.

    Times are ISO 8601 strings with a UTC offset (never naive), e.g.
    ``2026-12-01T09:00:00+08:00``, compared as instants, so offsets may differ.

    Raises:
        InputError: if a time is not ISO 8601 with an offset, or the three are
            not in the order frozen, draw, reveal deadline.
    """

    frozen_at: str
    draw_at: str
    reveal_deadline: str

    def __post_init__(self) -> None:
        for name in ("frozen_at", "draw_at", "reveal_deadline"):
            _check_time(getattr(self, name), name)
        frozen, drawn, deadline = (
            datetime.fromisoformat(t) for t in (self.frozen_at, self.draw_at, self.reveal_deadline)
        )
        if not frozen <= drawn <= deadline:
            raise InputError(
                "times out of order: the list is frozen, then the draw starts, then the"
                " reveal deadline passes",
                field="window",
                value=self.to_json(),
                hint="check --frozen-at, --draw-at and --reveal-deadline",
            )

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
        """Raises: MalformedDocumentError if the signed part is not an announcement."""
        data = envelope.signed
        try:
            if data["type"] != "announcement":
                raise MalformedDocumentError(
                    "not an announcement", field="signed.type", value=data["type"]
                )
            _check_spec(data)
            window = data["window"]
            return cls(
                draw_id=data["draw_id"],
                title=data["title"],
                authority=data["authority"],
                rules_digest=bytes.fromhex(data["rules_digest"]),
                records_root=bytes.fromhex(data["records"]["root"]),
                records_count=int(data["records"]["count"]),
                seed_plan=SeedPlan.from_json(data["seed_plan"]),
                window=TimeWindow(
                    window["frozen_at"], window["draw_at"], window["reveal_deadline"]
                ),
                software=data["software"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, MalformedDocumentError):
                raise
            raise MalformedDocumentError(f"malformed announcement ({exc!r})") from exc


def _check_spec(data: Mapping[str, Any]) -> None:
    if data.get("spec") != SPEC_VERSION:
        raise MalformedDocumentError(
            f"written for spec version {data.get('spec')!r}; this is alloc for spec {SPEC_VERSION}",
            field="signed.spec",
            value=data.get("spec"),
        )


def make_announcement(
    rules: DrawRules,
    applicants: ApplicantTable,
    plan: SeedPlan,
    *,
    window: TimeWindow,
) -> tuple[Announcement, list[bytes]]:
    """Freeze the inputs: the announcement and the public record lines it commits to.

    Raises:
        WrongDrawError: if the seed plan is for another draw.
        InputError: for malformed applicants.
    """
    if plan.draw_id != rules.draw_id:
        raise WrongDrawError(
            f"seed plan is for draw {plan.draw_id!r}, the rules for {rules.draw_id!r}"
        )
    lines = record_lines(applicants)
    tree_root = records_root(rules.draw_id, lines)
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
        """Raises: MalformedDocumentError if the signed part is not a transcript."""
        data = envelope.signed
        try:
            if data["type"] != "transcript":
                raise MalformedDocumentError(
                    "not a transcript", field="signed.type", value=data["type"]
                )
            _check_spec(data)
            ceremony = CeremonyRecord.from_json(data["ceremony"])
            if data["seed"] != ceremony.seed.hex():
                raise SeedMismatchError(
                    f"transcript seed {data['seed']} differs from its ceremony record's"
                    f" seed {ceremony.seed.hex()}"
                )
            return cls(
                draw_id=data["draw_id"],
                announcement_digest=bytes.fromhex(data["announcement"]),
                rules_digest=bytes.fromhex(data["rules_digest"]),
                records_root=bytes.fromhex(data["records"]["root"]),
                records_count=int(data["records"]["count"]),
                ceremony=ceremony,
                results_root=bytes.fromhex(data["results"]["root"]),
                results_count=int(data["results"]["count"]),
                kindergartens=tuple(data["kindergartens"]),
                unplaced=int(data["unplaced"]),
                created=data["created"],
                round=int(data["round"]),
                previous=None if data["previous"] is None else bytes.fromhex(data["previous"]),
                software=data["software"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, MalformedDocumentError):
                raise
            raise MalformedDocumentError(f"malformed transcript ({exc!r})") from exc


def make_transcript(
    announcement: Envelope,
    rules: DrawRules,
    ceremony: CeremonyRecord,
    outcome: Outcome,
    *,
    created: str,
    previous: Envelope | None = None,
) -> tuple[Transcript, list[bytes]]:
    """The transcript of a finished draw and the result lines it commits to.

    Raises:
        WrongDrawError: if the announcement, ceremony or outcome belong to another draw.
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
    _check_time(created, "created")
    lines = result_lines(outcome)
    root = results_root(rules.draw_id, lines)
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
        round=1 if previous is None else int(previous.signed.get("round", 0)) + 1,
        previous=None if previous is None else document_digest(previous),
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
    """Every check run on a transcript; building one never raises."""

    checks: tuple[Check, ...]

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
        return {"ok": self.ok, "checks": [c.to_json() for c in self.checks]}

    def __str__(self) -> str:
        lines = [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        lines.append("verification " + ("passed" if self.ok else "FAILED"))
        return "\n".join(lines)


class _Checks:
    """Runs named checks, recording each result; a failed prerequisite skips the rest."""

    def __init__(self) -> None:
        self.checks: list[Check] = []
        self.stopped = False

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
    previous: Envelope | bytes | None = None,
) -> VerificationReport:
    """Check a transcript end to end and report every check; never raises.

    ``records`` are the public record lines and ``results`` the published
    result lines (optional: without them the re-run is compared by root).
    The draw is re-run from the public records and the seed with this
    version of alloc, and every outcome compared.
    """
    run = _Checks()
    state: dict[str, Any] = {}

    def parse() -> str:
        state["announcement_env"] = _as_envelope(announcement, "announcement")
        state["transcript_env"] = _as_envelope(transcript, "transcript")
        state["announcement"] = Announcement.from_envelope(state["announcement_env"])
        state["transcript"] = Transcript.from_envelope(state["transcript_env"])
        return "announcement and transcript are well-formed and canonical"

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

    def signatures(key: str, label: str) -> Callable[[], str]:
        def check() -> str:
            results_ = policy.evaluate(state[key])
            policy.verify(state[key], document=label)
            return "; ".join(r.describe() for r in results_)

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
        tx.ceremony.verify()
        defaults = [c.party for c in tx.ceremony.contributions if c.secret is None]
        text = f"{len(tx.ceremony.contributions)} contributions match their commitments"
        if defaults:
            text += f"; in default (fallback used): {', '.join(defaults)}"
        return text + f"; seed {tx.seed.hex()}"

    run.run("seed ceremony", ceremony)

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

    if previous is not None:

        def chain() -> str:
            before = _as_envelope(previous, "transcript")
            digest = document_digest(before)
            tx: Transcript = state["transcript"]
            if tx.previous != digest:
                raise ChainError(
                    f"the transcript does not name the given previous round ({digest.hex()[:16]}…)"
                )
            return f"round {tx.round} follows {digest.hex()}"

        run.run("previous round", chain)
    return VerificationReport(checks=tuple(run.checks))


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
    previous: Envelope | bytes | None = None,
) -> VerificationReport:
    """As :func:`check_transcript`, but raise the first failure's precise error.

    Raises:
        MalformedDocumentError, WrongDrawError, SignatureThresholdError,
        DigestMismatchError, InputRootMismatchError, RevealMismatchError,
        SeedMismatchError, ReplayMismatchError, ChainError: whichever check
        failed first.
    """
    report = check_transcript(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
        previous=previous,
    )
    report.raise_for_failure()
    return report


# --- parents' proofs --------------------------------------------------------------


@dataclass(frozen=True)
class ParentProof:
    """One child's lines and Merkle paths, handed out or published by the bureau."""

    draw_id: str
    record_line: bytes
    record_index: int
    record_count: int
    record_path: tuple[bytes, ...]
    result_line: bytes
    result_index: int
    result_count: int
    result_path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "record": {
                "line": self.record_line.decode("utf-8"),
                "index": self.record_index,
                "count": self.record_count,
                "path": [p.hex() for p in self.record_path],
            },
            "result": {
                "line": self.result_line.decode("utf-8"),
                "index": self.result_index,
                "count": self.result_count,
                "path": [p.hex() for p in self.result_path],
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParentProof:
        """Raises: InputError if malformed."""
        try:
            record, result = data["record"], data["result"]
            return cls(
                draw_id=data["draw_id"],
                record_line=record["line"].encode("utf-8"),
                record_index=int(record["index"]),
                record_count=int(record["count"]),
                record_path=tuple(bytes.fromhex(p) for p in record["path"]),
                result_line=result["line"].encode("utf-8"),
                result_index=int(result["index"]),
                result_count=int(result["count"]),
                result_path=tuple(bytes.fromhex(p) for p in result["path"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError("malformed proof file", field="proof") from exc


def make_parent_proofs(
    draw_id: str,
    records: Sequence[bytes],
    results: Sequence[bytes],
    registration_numbers: Sequence[str] | None = None,
) -> dict[str, ParentProof]:
    """Proofs keyed by registration number: every child's, or only those asked for.

    Raises:
        InputError: if an asked-for registration number has no record or result.
    """
    record_tree = records_tree(draw_id, records)
    result_tree = results_tree(draw_id, results)
    result_at = {}
    for index, line in enumerate(results):
        result_at[parse_result_line(line)["registration_number"]] = index
    wanted = None if registration_numbers is None else set(registration_numbers)
    proofs = {}
    for index, line in enumerate(records):
        reg = json.loads(line)["registration_number"]
        if wanted is not None and reg not in wanted:
            continue
        at = result_at[reg]
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
    policy: TrustPolicy | None = None,
) -> ParentReport:
    """A parent's whole check, step by step; never raises.

    From the receipt (registration number and salt) and the child's document
    number and name: the identity commitment in the record is theirs; the
    record is in the announced input root; the lottery number is the HMAC of
    the seed; the result line is under the results root; and, with a policy,
    the announcement and transcript carry the required signatures.
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
    if policy is not None:

        def signed() -> str:
            policy.verify(state["a_env"], document="announcement")
            policy.verify(state["t_env"], document="transcript")
            return "; ".join(r.describe() for r in policy.evaluate(state["t_env"]))

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
