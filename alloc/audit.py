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

import hashlib
import hmac
import itertools
import json
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import numpy as np

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
    RehearsalError,
    ReplayMismatchError,
    ScheduleError,
    SeedMismatchError,
    TimeWindowError,
    VerificationError,
    WrongDrawError,
)
from alloc.i18n import N_, _, pgettext
from alloc.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    MerkleTree,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)
from alloc.model import Applicant, ApplicantTable, DrawRules, local_time
from alloc.oplog import LogHead, check_log
from alloc.progress import Progress, Task, advance
from alloc.records import (
    CHUNK_LINES,
    LineSource,
    RecordReader,
    line_chunks,
    parse_record_lines,
    parse_result_line,
    record_leaf,
    record_lines,
    records_root,
    records_tree,
    result_leaf,
    result_line_chunks,
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
    "REHEARSAL_MARK",
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
    "check_title",
    "check_transcript",
    "document_digest",
    "document_title",
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
#: How a rehearsal is marked wherever alloc shows one.
REHEARSAL_MARK = "演练 REHEARSAL"

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
    check_instance(envelope, Envelope, "envelope", hint=_("read it with Envelope.from_bytes"))
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
            _("document has no known type or draw id"),
            code="document.unknown-type",
            field="signed.type",
            value=kind,
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
                _(
                    "times out of order: the list is frozen, then the reveal deadline passes,"
                    " then the draw happens; the reveal deadline {deadline} is not after the"
                    " freeze at {frozen}"
                ).format(deadline=self.reveal_deadline, frozen=self.frozen_at),
                code="window.deadline-before-freeze",
                field="window",
                hint=_(
                    "the list is frozen when `alloc freeze` runs: give a later --reveal-deadline"
                ),
            )
        if not self.deadline < self.draw:
            raise InputError(
                _(
                    "times out of order: the list is frozen, then the reveal deadline passes,"
                    " then the draw happens; the draw time {draw_at} is not after the reveal"
                    " deadline {deadline}"
                ).format(draw_at=self.draw_at, deadline=self.reveal_deadline),
                code="window.draw-before-deadline",
                field="window",
                hint=_("give a --draw-at after --reveal-deadline and after every source's drawing"),
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
    #: A rehearsal (``alloc rehearse``): never a real draw, whatever else it says.
    rehearsal: bool = False

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
            "rehearsal": self.rehearsal,
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
            rehearsal=fields.boolean("rehearsal"),
        )
        fields.done()
        _same_form(fields, notice.to_signed())
        return notice


def _signed_fields(envelope: Envelope, kind: str) -> Fields:
    """The signed part of a ``kind`` document, its type and spec version checked."""
    fields = Fields.of(envelope.signed, document=kind, path="$.signed")
    found = fields.value("type")
    if found != kind:
        raise fields.error(
            "type",
            _("not a {kind}").format(kind=document_title(kind)),
            found,
            code="document.other-type",
        )
    spec = fields.value("spec")
    if spec != SPEC_VERSION or isinstance(spec, bool):
        raise fields.error(
            "spec",
            _(
                "written for spec version {found!r}; this is alloc for spec {spec}, which"
                " reads only its own version (check it with the alloc that wrote it)"
            ).format(found=spec, spec=SPEC_VERSION),
            spec,
            code="document.spec-version",
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
        raise MalformedDocumentError(
            _("{problem} ({field})").format(problem=exc.problem, field=exc.field)
            if exc.field
            else exc.problem,
            code=exc.code,
            source=fields.document,
            field=f"{fields.path}.{key}",
            value=exc.value,
        ) from exc


def _same_form(fields: Fields, written: Mapping[str, Any]) -> None:
    """Refuse a document that reads well but is not exactly what alloc writes for it."""
    if canonical_json(written) != canonical_json(dict(fields.data)):
        raise MalformedDocumentError(
            _(
                "not in the one form alloc writes for this content (an order, a default or a"
                " spelling differs)"
            ),
            code="document.not-canonical",
            source=fields.document,
            field=fields.path,
            hint=_("the document was edited; use the file exactly as alloc wrote it"),
        )


def make_announcement(
    rules: DrawRules,
    applicants: ApplicantTable | Iterable[Applicant],
    plan: SeedPlan,
    *,
    window: TimeWindow,
    rehearsal: bool = False,
    progress: Progress | None = None,
) -> tuple[Announcement, list[bytes]]:
    """Freeze the inputs: the announcement and the public record lines it commits to.

    ``applicants`` is an :class:`ApplicantTable` or a list of :class:`Applicant`.
    ``rehearsal`` marks a practice draw day (spec 9.2): every verifier refuses
    it, and the transcript made from it, as a real draw.
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
            _("seed plan is for draw {plan!r}, the rules for {rules!r}").format(
                plan=plan.draw_id, rules=rules.draw_id
            )
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
        rehearsal=check_instance(rehearsal, bool, "rehearsal"),
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
    #: As its announcement's (spec 9.3): a rehearsal's transcript is a rehearsal's.
    rehearsal: bool = False
    #: The operator log's head when the draw ran (spec 9.6); None without a log.
    log: LogHead | None = None

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
            "rehearsal": self.rehearsal,
            "log": None if self.log is None else self.log.to_json(),
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
                _(
                    "transcript seed {seed} differs from its ceremony record's seed {ceremony}"
                ).format(seed=seed.hex(), ceremony=ceremony.seed.hex())
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
                _(
                    "a transcript is round 1's, with no previous round (null); a later round"
                    " is a round transcript of its own (spec 11.7)"
                ),
                number if number != 1 else previous.hex() if previous is not None else None,
                code="document.not-round-1",
            )
        log = fields.optional_object("log")
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
            rehearsal=fields.boolean("rehearsal"),
            log=None if log is None else LogHead.from_fields(log),
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
                    _("entries must be sorted by name, each name once"),
                    code="document.not-sorted",
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
    log: LogHead | None = None,
    progress: Progress | None = None,
) -> tuple[Transcript, list[bytes]]:
    """The transcript of a finished draw (round 1) and the result lines it commits to.

    Later rounds have transcripts of their own (:mod:`alloc.chain`).
    ``log`` is the head of the operator log as the draw runs (spec 9.6), which
    the transcript then signs. A rehearsal's announcement gives a rehearsal's
    transcript.
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
        (_("the announcement"), notice.draw_id),
        (_("the ceremony"), ceremony.plan.draw_id),
        (_("the outcome"), outcome.rules.draw_id),
    ):
        if other != rules.draw_id:
            raise WrongDrawError(
                _("{document} is for draw {other!r}, the rules for {rules!r}").format(
                    document=label, other=other, rules=rules.draw_id
                )
            )
    if ceremony.announcement_digest != digest:
        raise DigestMismatchError(
            _("the ceremony was opened on a different announcement"),
            code="verify.other-announcement",
        )
    if rules_digest(rules) != notice.rules_digest:
        raise DigestMismatchError(
            _("the rules are not the announced rules"), code="verify.rules-mismatch"
        )
    if _check_time(created, "created") < notice.window.draw:
        raise ScheduleError(
            _("the draw cannot be run at {time}: the announced draw time is {draw_at}").format(
                time=created, draw_at=notice.window.draw_at
            ),
            code="ceremony.draw-before-time",
            field="created",
            hint=_("wait until the announced draw time"),
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
        rehearsal=notice.rehearsal,
        log=None if log is None else check_instance(log, LogHead, "log"),
    )
    return transcript, lines


# --- verification ---------------------------------------------------------------


#: Each check's name (stable, in English: ``--json`` and programs key on it) and its
#: title for people, translated where it is shown (:func:`check_title`).
_CHECK_TITLES: dict[str, str] = {
    "documents": N_("documents"),
    "draw id": N_("draw id"),
    "announcement signatures": N_("announcement signatures"),
    "transcript signatures": N_("transcript signatures"),
    "rules": N_("rules"),
    "public records": N_("public records"),
    "announcement binding": N_("announcement binding"),
    "seed ceremony": N_("seed ceremony"),
    "transcript time": N_("transcript time"),
    "results file": N_("results file"),
    "re-run": N_("re-run"),
    "signatures": N_("signatures"),
    "identity": N_("identity"),
    "record in frozen list": N_("record in frozen list"),
    "lottery number": N_("lottery number"),
    "result in transcript": N_("result in transcript"),
    "rounds": N_("rounds"),
    "round 1 standings": N_("round 1 standings"),
    "chain": N_("chain"),
    "later rounds": N_("later rounds"),
    "drawn": N_("drawn"),
    "responses and records": N_("responses and records"),
    "seed": N_("seed"),
    "time": N_("time"),
    "published files": N_("published files"),
    "re-computation": N_("re-computation"),
    "notice lists": N_("notice lists"),
    "waitlists": N_("waitlists"),
    "operator log": N_("operator log"),
    "rehearsal mark": N_("rehearsal mark"),
}
#: The documents a verification reads, by the name programs see (``signatures`` keys).
_DOCUMENT_TITLES: dict[str, str] = {
    "announcement": N_("announcement"),
    "transcript": N_("transcript"),
    "round-announcement": N_("round announcement"),
    "round-transcript": N_("round transcript"),
    "proof": N_("proof"),
}
_ROUND_PREFIX = "round "


def _round_part(name: str) -> tuple[int, str] | None:
    """``(3, "documents")`` for ``round 3: documents``, ``(3, "")`` for ``round 3``."""
    if not name.startswith(_ROUND_PREFIX):
        return None
    number, _colon, rest = name.removeprefix(_ROUND_PREFIX).partition(":")
    number, _space, document = number.partition(" ")
    if not number.isdigit():
        return None
    return int(number), (document or rest.strip())


def check_title(name: str) -> str:
    """A check's name (``round 2: seed``) as people read it, in the current language.

    Never raises: a name it does not know is returned as it is.
    """
    found = _round_part(name)
    if found is not None and name != "round 1 standings":
        number, rest = found
        if not rest:
            return _("round {round}").format(round=number)
        return _("round {round}: {check}").format(round=number, check=check_title(rest))
    title = _CHECK_TITLES.get(name)
    return name if title is None else _(title)


def document_title(name: str) -> str:
    """A document's name (``transcript``, ``round 2 announcement``) in the current language.

    Never raises: a name it does not know is returned as it is.
    """
    found = _round_part(name)
    if found is not None and found[1] in _DOCUMENT_TITLES:
        return _("round {round} {document}").format(
            round=found[0], document=_(_DOCUMENT_TITLES[found[1]])
        )
    title = _DOCUMENT_TITLES.get(name)
    return name if title is None else _(title)


def _outcome_word(passed: bool) -> str:
    return pgettext("check result", "PASS") if passed else pgettext("check result", "FAIL")


@dataclass(frozen=True)
class Check:
    """One verification check: what was checked, whether it passed, and why.

    ``name`` is stable and in English (programs key on it; :func:`check_title`
    gives it in the current language); ``detail`` is in the language current
    when the check ran.
    """

    name: str
    passed: bool
    detail: str
    error: AllocError | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        """The check's name in the current language."""
        return check_title(self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "passed": self.passed,
            "detail": self.detail,
        }

    def line(self) -> str:
        """``PASS  rules: rules digest …`` in the current language."""
        return _("{outcome}  {check}: {detail}").format(
            outcome=_outcome_word(self.passed), check=self.title, detail=self.detail
        )


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
    #: The documents' rehearsal mark (None if they could not be read): a report on a
    #: rehearsal says so in its verdict, whether or not it was checked as one.
    rehearsal: bool | None = None
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
            "rehearsal": self.rehearsal,
            "digests": {str(r): d.hex() for r, d in sorted(self.digests.items())},
            "checks": [c.to_json() for c in self.checks],
            "signatures": {
                document: [r.to_json() for r in roles]
                for document, roles in self.signatures.items()
            },
        }

    def __str__(self) -> str:
        lines = [c.line() for c in self.checks]
        verdict = _("verification passed") if self.ok else _("verification FAILED")
        if self.rehearsal:
            verdict = _("{verdict} — {mark}: a rehearsal, never a real draw").format(
                verdict=verdict, mark=REHEARSAL_MARK
            )
        lines.append(verdict)
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
            error = VerificationError(
                _("{check}: unexpected {kind}: {error}").format(
                    check=check_title(name), kind=type(exc).__name__, error=exc
                ),
                code="verify.unexpected",
            )
            self.checks.append(Check(name, False, str(error), error))
            self.stopped = True
        else:
            self.checks.append(Check(name, True, detail))
        advance(self.progress, Task.VERIFY, len(self.checks), 0)


def _as_envelope(document: Envelope | bytes, kind: str) -> Envelope:
    if isinstance(document, Envelope):
        if document.signed.get("type") != kind:
            raise MalformedDocumentError(
                _("not a {kind}").format(kind=document_title(kind)),
                code="document.other-type",
                field="signed.type",
                value=document.signed.get("type"),
            )
        return document
    return Envelope.from_bytes(document, expected_type=kind)


def check_transcript(
    transcript: Envelope | bytes,
    *,
    announcement: Envelope | bytes,
    rules: DrawRules,
    records: Sequence[bytes] | LineSource,
    policy: TrustPolicy,
    results: Sequence[bytes] | LineSource | None = None,
    log: bytes | None = None,
    rehearsal: bool = False,
    progress: Progress | None = None,
) -> VerificationReport:
    """Check a draw's transcript end to end and report every check; never raises.

    ``records`` are the public record lines and ``results`` the published
    result lines (optional: without them the re-run is compared by root),
    each a list of lines or a file read chunk by chunk
    (:class:`alloc.io.LineFile`): then no file is ever held whole, and a
    national draw is verified in a few gigabytes. ``log`` is the operator
    log's bytes, checked against the head the transcript signs (spec 9.6).
    Documents marked as a rehearsal fail as a real draw; with ``rehearsal``
    they are checked as a rehearsal instead (and a real draw fails). Later
    rounds are checked with :func:`alloc.chain.check_chain`. The draw is
    re-run from the public records and the seed with this version of alloc,
    and every outcome compared. ``progress`` hears of each check as it
    finishes (their number is not known in advance).
    """
    report, _ = _check_draw(
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
    return report


def _check_draw(
    transcript: Envelope | bytes,
    *,
    announcement: Envelope | bytes,
    rules: DrawRules,
    records: Sequence[bytes] | LineSource,
    policy: TrustPolicy,
    results: Sequence[bytes] | LineSource | None,
    log: bytes | None,
    rehearsal: bool,
    progress: Progress | None,
) -> tuple[VerificationReport, tuple[ApplicantTable, Outcome] | None]:
    """:func:`check_transcript`'s report, and the records' table and the re-run's
    outcome if every check passed: :func:`alloc.chain.check_chain` goes on from
    them without reading and drawing again."""
    run = _Checks(progress)
    state: dict[str, Any] = {}

    def parse() -> str:
        state["announcement_env"] = _as_envelope(announcement, "announcement")
        state["transcript_env"] = _as_envelope(transcript, "transcript")
        state["announcement"] = Announcement.from_envelope(state["announcement_env"])
        state["transcript"] = Transcript.from_envelope(state["transcript_env"])
        return _(
            "announcement and transcript (round {round}) are well-formed and canonical"
        ).format(round=state["transcript"].round)

    run.run("documents", parse, essential=True)

    def same_draw() -> str:
        ids = {
            "rules": rules.draw_id,
            "announcement": state["announcement"].draw_id,
            "transcript": state["transcript"].draw_id,
        }
        if len(set(ids.values())) != 1:
            raise WrongDrawError(
                _("documents belong to different draws: {draws}").format(
                    draws=pgettext("list", ", ").join(
                        _("{document} {draw_id!r}").format(document=document_title(k), draw_id=v)
                        for k, v in ids.items()
                    )
                )
            )
        return _("all documents are for draw {draw_id!r}").format(draw_id=rules.draw_id)

    run.run("draw id", same_draw, essential=True)

    def kind() -> str:
        return _rehearsal_mark(state["announcement"], state["transcript"], rehearsal)

    run.run("rehearsal mark", kind)

    signers: dict[str, tuple[RoleResult, ...]] = {}

    def signatures(key: str, label: str) -> Callable[[], str]:
        def check() -> str:
            signers[label] = tuple(policy.evaluate(state[key]))
            policy.verify(state[key], document=document_title(label))
            return policy.describe(state[key])

        return check

    run.run("announcement signatures", signatures("announcement_env", "announcement"))
    run.run("transcript signatures", signatures("transcript_env", "transcript"))

    def rules_match() -> str:
        if rules_digest(rules) != state["announcement"].rules_digest:
            raise DigestMismatchError(
                _(
                    "the rules differ from the announced rules (rules digest {digest}…,"
                    " announced {announced}…)"
                ).format(
                    digest=rules_digest(rules).hex()[:16],
                    announced=state["announcement"].rules_digest.hex()[:16],
                ),
                code="verify.rules-mismatch",
            )
        return _("rules digest {digest}").format(digest=state["announcement"].rules_digest.hex())

    run.run("rules", rules_match)

    def records_match() -> str:
        notice: Announcement = state["announcement"]
        # One pass counts, commits and parses; the count, then the root, then
        # the parse decide in that order, as if each had read the whole file.
        count, root, table = _read_records(rules.draw_id, records)
        if count != notice.records_count:
            raise InputRootMismatchError(
                _("{count} public records, the announcement committed to {announced}").format(
                    count=count, announced=notice.records_count
                )
            )
        if root != notice.records_root:
            raise InputRootMismatchError(
                _(
                    "the public records do not match the announced input root (computed"
                    " {root}…, announced {announced}…): a record was changed after the"
                    " announcement"
                ).format(root=root.hex()[:16], announced=notice.records_root.hex()[:16])
            )
        state["table"] = table()
        return _("{count} records under input root {root}").format(count=count, root=root.hex())

    run.run("public records", records_match)

    def bound() -> str:
        tx: Transcript = state["transcript"]
        digest = document_digest(state["announcement_env"])
        if tx.announcement_digest != digest:
            raise DigestMismatchError(
                _(
                    "the transcript names a different announcement ({named}… instead of {digest}…)"
                ).format(named=tx.announcement_digest.hex()[:16], digest=digest.hex()[:16]),
                code="verify.other-announcement",
            )
        notice: Announcement = state["announcement"]
        if (tx.rules_digest, tx.records_root, tx.records_count) != (
            notice.rules_digest,
            notice.records_root,
            notice.records_count,
        ):
            raise DigestMismatchError(
                _("the transcript's rules or records differ from the announcement's"),
                code="verify.transcript-inputs",
            )
        return _("the transcript names announcement {digest}").format(digest=digest.hex())

    run.run("announcement binding", bound)

    def ceremony() -> str:
        tx: Transcript = state["transcript"]
        notice: Announcement = state["announcement"]
        if tx.ceremony.plan != notice.seed_plan:
            raise CeremonyError(
                _("the ceremony's seed plan is not the announced plan"),
                code="ceremony.plan-mismatch",
            )
        if tx.ceremony.announcement_digest != tx.announcement_digest:
            raise CeremonyError(
                _("the ceremony was opened on a different announcement"),
                code="verify.other-announcement",
            )
        window = notice.window
        notice.seed_plan.check_schedule(reveal_deadline=window.deadline, draw_at=window.draw)
        tx.ceremony.verify(reveal_deadline=window.deadline)
        record = tx.ceremony
        if record.opened_at < window.frozen:
            raise ScheduleError(
                _("reveals were opened before the list was frozen"),
                code="ceremony.opened-before-freeze",
                field="ceremony.opened_at",
            )
        defaults = [c.party for c in tx.ceremony.contributions if c.secret is None]
        if defaults:
            return _(
                "{count} contributions match their commitments; in default (fallback used):"
                " {parties}; seed {seed}"
            ).format(
                count=len(tx.ceremony.contributions),
                parties=", ".join(defaults),
                seed=tx.seed.hex(),
            )
        return _("{count} contributions match their commitments; seed {seed}").format(
            count=len(tx.ceremony.contributions), seed=tx.seed.hex()
        )

    run.run("seed ceremony", ceremony)

    def created() -> str:
        tx: Transcript = state["transcript"]
        window: TimeWindow = state["announcement"].window
        at = _instant(tx.created)
        if at < _instant(window.draw_at):
            raise TimeWindowError(
                _(
                    "the transcript was created at {created}, before the announced draw time"
                    " {draw_at}"
                ).format(created=tx.created, draw_at=window.draw_at),
                code="verify.created-before-draw",
            )
        record = tx.ceremony
        steps = [record.opened_at, *(c.at for c in record.contributions)]
        steps += [v.at for v in record.sources]
        if at < max(steps):
            raise TimeWindowError(
                _(
                    "the transcript was created at {created}, before the last step of its"
                    " ceremony at {step}"
                ).format(created=tx.created, step=format_time(max(steps), like=at)),
                code="verify.created-before-ceremony",
            )
        return _("created {created}, not before the announced draw time {draw_at}").format(
            created=local_time(tx.created, rules.time_zone),
            draw_at=local_time(window.draw_at, rules.time_zone),
        )

    run.run("transcript time", created)

    def results_file() -> str:
        tx: Transcript = state["transcript"]
        if results is None:
            return _("no results file given; the re-run is compared by root")
        count, root = _lines_root(line_chunks(results), result_leaf(rules.draw_id, b""))
        if count != tx.results_count:
            raise DigestMismatchError(
                _("{count} result lines, the transcript committed to {committed}").format(
                    count=count, committed=tx.results_count
                ),
                code="verify.results-count",
            )
        state["results_file_root"] = root
        if root != tx.results_root:
            raise DigestMismatchError(
                _(
                    "the results file does not match the transcript's results root ({root}…"
                    " instead of {committed}…)"
                ).format(root=root.hex()[:16], committed=tx.results_root.hex()[:16]),
                code="verify.results-root",
            )
        return _("{count} result lines under results root {root}").format(
            count=count, root=root.hex()
        )

    run.run("results file", results_file)

    def replay() -> str:
        tx: Transcript = state["transcript"]
        if "table" not in state:
            raise VerificationError(
                _("cannot re-run: the public records did not verify"),
                code="verify.records-unverified",
            )
        outcome = draw(rules, state["table"], tx.seed)
        # The re-run's lines are made a chunk at a time and compared with the
        # published file's as they come; neither file is ever held whole.
        same = results is not None and _same_lines(result_line_chunks(outcome), results)
        if same and "results_file_root" in state:
            # Byte for byte the published file, whose root was just computed.
            count, root = len(outcome), state["results_file_root"]
        else:
            count, root = _lines_root(result_line_chunks(outcome), result_leaf(rules.draw_id, b""))
        if root != tx.results_root or count != tx.results_count:
            raise _replay_difference(outcome, results, root, tx)
        if results is not None and not same:
            # The signed root is right but the published file is not: name the child.
            raise _replay_difference(outcome, results, root, tx)
        summaries = tuple(s.to_json() for s in outcome.summaries)
        if summaries != tuple(dict(k) for k in tx.kindergartens):
            raise ReplayMismatchError(_("per-kindergarten summaries differ from the re-run"))
        if len(outcome.unplaced) != tx.unplaced:
            raise ReplayMismatchError(
                _("transcript says {said} unplaced, re-run gives {found}").format(
                    said=tx.unplaced, found=len(outcome.unplaced)
                )
            )
        placed = sum(s.placed for s in outcome.summaries)
        state["outcome"] = outcome
        return _(
            "re-ran the draw with {software}: {count} outcomes identical ({placed} seats"
            " taken, {unplaced} unplaced)"
        ).format(
            software=SOFTWARE,
            count=count,
            placed=placed,
            unplaced=len(outcome.unplaced),
        )

    run.run("re-run", replay)

    if log is not None:

        def operator_log() -> str:
            tx: Transcript = state["transcript"]
            return check_log(bytes(log), tx.log, draw_id=tx.draw_id)

        run.run("operator log", operator_log)

    tx_round = state["transcript"].round if "transcript" in state else None
    marked = state["transcript"].rehearsal if "transcript" in state else None
    ok = all(c.passed for c in run.checks)
    report = VerificationReport(
        checks=tuple(run.checks),
        signatures=signers,
        round=tx_round,
        rehearsal=marked,
        digests={1: document_digest(state["transcript_env"])} if ok else {},
    )
    return report, (state["table"], state["outcome"]) if ok else None


def _rehearsal_mark(notice: Announcement, tx: Transcript, expected: bool) -> str:
    """The documents' rehearsal mark, agreeing with each other and with what was asked.

    Raises:
        RehearsalError: if announcement and transcript disagree, or a rehearsal
            is checked as a real draw, or a real draw as a rehearsal.
    """
    if tx.rehearsal != notice.rehearsal:
        raise RehearsalError(
            _(
                "the transcript is marked rehearsal: {transcript} and its announcement"
                " rehearsal: {announcement}; a rehearsal's transcript is always a rehearsal's"
            ).format(
                transcript=str(tx.rehearsal).lower(), announcement=str(notice.rehearsal).lower()
            )
        )
    if notice.rehearsal and not expected:
        raise RehearsalError(
            _(
                "{mark}: the announcement and the transcript are marked rehearsal: true"
                " (signed): this is a practice draw on a throw-away seed, never a real draw;"
                " check it as a rehearsal with --rehearsal (rehearsal=True), or verify the real"
                " draw's files"
            ).format(mark=REHEARSAL_MARK)
        )
    if expected and not notice.rehearsal:
        raise RehearsalError(
            _(
                "checked as a rehearsal, but the announcement and the transcript are marked"
                " rehearsal: false: this is a real draw; verify it without --rehearsal"
            )
        )
    if notice.rehearsal:
        return _(
            "{mark}: marked rehearsal: true and checked as a rehearsal, never a real draw"
        ).format(mark=REHEARSAL_MARK)
    return _("a real draw (marked rehearsal: false)")


def _instant(text: str) -> datetime:
    """A time already checked by :func:`_check_time`, as an instant."""
    return datetime.fromisoformat(text)


def _read_records(
    draw_id: str, records: Sequence[bytes] | LineSource
) -> tuple[int, bytes, Callable[[], ApplicantTable]]:
    """The records' count, input root and table, read in one pass, a chunk at a time.

    The table is returned as a function that raises the parse's error, if
    there was one: it is the last of the three to decide.
    """
    commitment = MerkleAccumulator(prefix=record_leaf(draw_id, b""))
    reader = RecordReader()
    failure: Exception | None = None
    for chunk in line_chunks(records):
        commitment.add(chunk)
        if failure is None:
            try:
                reader.add(chunk)
            except Exception as exc:  # raised once the count and root are known to be right
                failure = exc

    def table() -> ApplicantTable:
        if failure is not None:
            raise failure
        return reader.table()

    return commitment.count, commitment.root(), table


def _lines_root(chunks: Iterable[Sequence[bytes]], prefix: bytes) -> tuple[int, bytes]:
    """How many lines, and their Merkle root (leaves ``prefix || line``)."""
    commitment = MerkleAccumulator(prefix=prefix)
    for chunk in chunks:
        commitment.add(chunk)
    return commitment.count, commitment.root()


def _same_lines(mine: Iterable[Sequence[bytes]], theirs: Sequence[bytes] | LineSource) -> bool:
    """True if the published lines are ``mine``, byte for byte, compared a chunk at a time."""
    given = itertools.chain.from_iterable(line_chunks(theirs))
    for chunk in mine:
        if list(itertools.islice(given, len(chunk))) != list(chunk):
            return False
    return next(given, None) is None


def _line_at(lines: Sequence[bytes] | LineSource, index: int) -> bytes:
    if not isinstance(lines, LineSource):
        return lines[index]
    for chunk in lines.chunks(CHUNK_LINES):
        if index < len(chunk):
            return chunk[index]
        index -= len(chunk)
    raise IndexError(index)


def _key(registration_number: str) -> bytes:
    return hashlib.sha256(registration_number.encode("utf-8", "surrogatepass")).digest()


def _first_difference(
    mine: Callable[[], Iterable[Sequence[bytes]]],
    registration: Callable[[int], str],
    theirs: Sequence[bytes] | LineSource,
    read: Callable[[bytes], str],
) -> tuple[bytes, bytes | None] | None:
    """The first of ``mine``'s lines whose child's published line differs, and that line.

    ``mine()`` gives the re-computed lines in order, chunk by chunk (it is
    called twice), ``registration(i)`` the child of the i-th, and ``read``
    the child of a published line (raising :class:`InputError` for a line
    that does not read, which is skipped). A child's published line is the
    last readable line with their registration number; ``None`` stands for
    a child with none, and the whole answer is ``None`` if every child's is
    theirs. Two canonical lines hold the same content exactly when they are
    the same bytes, so each published line is kept as the SHA-256 digests of
    its registration number and of its bytes, and only a line that differs
    from the re-computed line at its place is read: the difference is found
    in a province's files without holding them.
    """
    keys, digests, places = bytearray(), bytearray(), array("q")

    def keep(line: bytes, place: int, reg: str | None) -> None:
        if reg is None:
            try:
                reg = read(line)
            except InputError:
                return
        keys.extend(_key(reg))
        digests.extend(hashlib.sha256(line).digest())
        places.append(place)

    given = itertools.chain.from_iterable(line_chunks(theirs))
    place = 0
    for chunk in mine():
        lines = list(itertools.islice(given, len(chunk)))
        for ours, line in zip(chunk, lines, strict=False):
            keep(line, place, registration(place) if line == ours else None)
            place += 1
        if len(lines) < len(chunk):
            break
    for line in given:
        keep(line, place, None)
        place += 1
    # Each registration number's last line: the first of the reversed keys.
    flipped = np.frombuffer(keys, "S32")[::-1]
    known, first = np.unique(flipped, return_index=True)
    last = flipped.size - 1 - first
    their_digests = np.frombuffer(digests, "S32")[last]
    their_places = np.frombuffer(places, np.int64)[last]
    place = 0
    for chunk in mine():
        wanted = np.array([_key(registration(place + i)) for i in range(len(chunk))], "S32")
        mine_digests = np.array([hashlib.sha256(line).digest() for line in chunk], "S32")
        at = np.searchsorted(known, wanted)
        found = np.zeros(len(chunk), np.bool_)
        inside = np.flatnonzero(at < known.size)
        found[inside] = known[at[inside]] == wanted[inside]
        same = np.zeros(len(chunk), np.bool_)
        same[found] = their_digests[at[found]] == mine_digests[found]
        if not same.all():
            index = int(np.argmin(same))
            if not found[index]:
                return chunk[index], None
            return chunk[index], _line_at(theirs, int(their_places[at[index]]))
        place += len(chunk)
    return None


def _replay_difference(
    outcome: Outcome,
    results: Sequence[bytes] | LineSource | None,
    root: bytes,
    tx: Transcript,
) -> ReplayMismatchError:
    """Name the first child, in draw order, whose published result differs from the re-run."""
    if results is None:
        return ReplayMismatchError(
            _(
                "re-running the draw gives results root {root}…, the transcript commits to"
                " {committed}…"
            ).format(root=root.hex()[:16], committed=tx.results_root.hex()[:16])
        )
    regs, order = outcome.registration_numbers, outcome.draw_order
    found = _first_difference(
        lambda: result_line_chunks(outcome),
        lambda place: regs[order[place]],
        results,
        lambda line: str(parse_result_line(line)["registration_number"]),
    )
    if found is None:
        return ReplayMismatchError(_("the published results list an applicant the re-run does not"))
    line, theirs = found
    mine = parse_result_line(line)
    reg = mine["registration_number"]
    if theirs is None:
        return ReplayMismatchError(
            _("applicant {registration} is missing from the published results").format(
                registration=reg
            )
        )
    return ReplayMismatchError(
        _("applicant {registration} {published}, re-run gives {rerun}").format(
            registration=reg, published=_describe(parse_result_line(theirs)), rerun=_describe(mine)
        )
    )


def _describe(result: Mapping[str, Any]) -> str:
    """A result line in words: where the child is, waitlists, lottery number."""
    if result.get("placed"):
        text = _("placed at {kindergarten}").format(kindergarten=result["placed"])
    elif result.get("wins"):
        text = _("winning at {kindergartens}").format(
            kindergartens=", ".join(w["kindergarten"] for w in result["wins"])
        )
    else:
        text = _("unplaced")
    waitlist = result.get("waitlist") or []
    if waitlist:
        text = _("{result} (waitlist {places})").format(
            result=text,
            places=", ".join(
                _("{kindergarten} #{position}").format(
                    kindergarten=w["kindergarten"], position=w["position"]
                )
                for w in waitlist
            ),
        )
    return _("{result} with lottery number {ticket}…").format(
        result=text, ticket=str(result.get("ticket"))[:16]
    )


def verify_transcript(
    transcript: Envelope | bytes,
    *,
    announcement: Envelope | bytes,
    rules: DrawRules,
    records: Sequence[bytes] | LineSource,
    policy: TrustPolicy,
    results: Sequence[bytes] | LineSource | None = None,
    log: bytes | None = None,
    rehearsal: bool = False,
) -> VerificationReport:
    """As :func:`check_transcript`, but raise the first failure's precise error.

    Raises:
        MalformedDocumentError, WrongDrawError, RehearsalError,
        SignatureThresholdError, DigestMismatchError, InputRootMismatchError,
        RevealMismatchError, SeedMismatchError, ReplayMismatchError,
        LogChainError: whichever check failed first.
    """
    report = check_transcript(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
        log=log,
        rehearsal=rehearsal,
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
            raise fields.error(
                "rounds",
                _("the rounds must be 2, 3, … in order, none missing"),
                code="document.rounds-order",
            )
        fields.done()
        return cls(draw_id, *record, *result, rounds=rounds)


def _path_nodes(part: Fields) -> list[bytes]:
    nodes = part.strings("path")
    for index, node in enumerate(nodes):
        if len(node) != 64 or node.strip("0123456789abcdef"):
            raise part.error(
                f"path[{index}]",
                _("expected 64 lower-case hexadecimal digits"),
                node,
                code="document.not-hex",
            )
    return [bytes.fromhex(n) for n in nodes]


def _lines(value: object, field: str) -> list[bytes]:
    """A sequence of byte lines (public record or result lines)."""
    lines = check_items(value, field, what=_("a sequence of lines (bytes)"))
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
            _("not a public record line"),
            code="records.not-a-record",
            field=f"records[{index}]",
            hint=_("give records.jsonl lines"),
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
            registration_numbers,
            "registration_numbers",
            what=_("a sequence of registration numbers"),
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
                _("this record has no result line"),
                code="proof.no-result",
                field="registration_number",
                value=reg,
                hint=_("give the result lines of the same draw"),
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
            _("no record for this registration number"),
            code="proof.no-record",
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
        lines = [s.line() for s in self.steps]
        if self.ok and self.result is not None:
            lines.append(_("result: {result}").format(result=_describe(self.result)))
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
    rehearsal: bool = False,
) -> ParentReport:
    """A parent's whole check, step by step; never raises.

    From the receipt (registration number and salt) and the child's document
    number and name: the identity commitment in the record is theirs; the
    record is in the announced input root; the lottery number is the HMAC of
    the seed; the result line is under the results root; and the
    announcement and transcript carry the signatures ``policy`` requires (a
    policy the parent pinned, never one that came with these files). A
    rehearsal's documents fail, unless checked as one with ``rehearsal``.
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
            raise DigestMismatchError(
                _("the transcript names a different announcement"),
                code="verify.other-announcement",
            )
        if proof.draw_id != state["a"].draw_id or state["t"].draw_id != state["a"].draw_id:
            raise WrongDrawError(
                _("the proof, announcement and transcript are for different draws")
            )
        kind = _rehearsal_mark(state["a"], state["t"], rehearsal)
        return _("announcement and transcript of draw {draw_id!r}; {kind}").format(
            draw_id=state["a"].draw_id, kind=kind
        )

    run.run("documents", documents, essential=True)

    def signed() -> str:
        policy.verify(state["a_env"], document=document_title("announcement"))
        policy.verify(state["t_env"], document=document_title("transcript"))
        return _("announcement: {announcement}; transcript: {transcript}").format(
            announcement=policy.describe(state["a_env"]),
            transcript=policy.describe(state["t_env"]),
        )

    run.run("signatures", signed)

    def identity() -> str:
        table = parse_record_lines([proof.record_line])
        state["record"] = table
        if table.registration_numbers[0] != registration_number:
            raise InputError(
                _("the proof is for another registration number"),
                code="proof.other-registration",
                field="registration_number",
                value=table.registration_numbers[0],
            )
        if table.identities is None:
            raise VerificationError(
                _("the record carries no identity commitment"), code="proof.no-identity"
            )
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
                _(
                    "the record's identity commitment does not match this document number,"
                    " name and receipt"
                ),
                code="proof.identity-mismatch",
            )
        return _("the record's identity commitment matches the receipt, number and name")

    run.run("identity", identity)

    def in_input() -> str:
        notice: Announcement = state["a"]
        leaf = record_leaf(proof.draw_id, proof.record_line)
        if proof.record_count != notice.records_count or not verify_inclusion(
            leaf, proof.record_index, proof.record_count, proof.record_path, notice.records_root
        ):
            raise InputRootMismatchError(_("the record is not under the announced input root"))
        return _("record {number} of {count} is under the announced input root").format(
            number=proof.record_index + 1, count=proof.record_count
        )

    run.run("record in frozen list", in_input)

    def lottery_number() -> str:
        tx: Transcript = state["t"]
        result = parse_result_line(proof.result_line)
        state["result"] = result
        if result["registration_number"] != registration_number:
            raise InputError(
                _("the result line is for another registration number"),
                code="proof.other-registration",
                field="registration_number",
                value=result["registration_number"],
            )
        own = ticket(tx.seed, proof.draw_id, registration_number).hex()
        if result["ticket"] == own:
            return _("lottery number {ticket} = HMAC-SHA256(seed, registration number)").format(
                ticket=own
            )
        record: ApplicantTable = state["record"]
        assert record.groups is not None
        if record.groups[0] >= 0:
            group_id = record.group_ids[int(record.groups[0])]
            shared = group_ticket(tx.seed, proof.draw_id, group_id).hex()
            if result["ticket"] == shared:
                return _(
                    "lottery number {ticket} = HMAC-SHA256(seed, multiples group {group!r}),"
                    " shared by the bundled siblings"
                ).format(ticket=shared, group=group_id)
        raise VerificationError(
            _(
                "the published lottery number {published}… is not HMAC-SHA256(seed, child)"
                " = {ticket}…"
            ).format(published=result["ticket"][:16], ticket=own[:16]),
            code="proof.ticket-mismatch",
        )

    run.run("lottery number", lottery_number)

    def in_results() -> str:
        tx: Transcript = state["t"]
        leaf = result_leaf(proof.draw_id, proof.result_line)
        if proof.result_count != tx.results_count or not verify_inclusion(
            leaf, proof.result_index, proof.result_count, proof.result_path, tx.results_root
        ):
            raise DigestMismatchError(
                _("the result is not under the transcript's results root"),
                code="verify.results-root",
            )
        return _("result {number} of {count} is under the results root").format(
            number=proof.result_index + 1, count=proof.result_count
        )

    run.run("result in transcript", in_results)
    steps = tuple(run.checks)
    ok = all(s.passed for s in steps)
    return ParentReport(steps=steps, result=state.get("result") if ok else None)


def verify_parent_proof(proof: ParentProof, **kwargs: Any) -> ParentReport:
    """As :func:`check_parent_proof`, raising the first failed step's error."""
    report = check_parent_proof(proof, **kwargs)
    report.raise_for_failure()
    return report
