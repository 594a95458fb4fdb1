"""The operator log: what alloc did in a draw folder, one hash-chained line per command.

Every command that writes files in a draw folder appends one entry to
``operator-log.jsonl`` in the same all-or-nothing transaction as its files
(:mod:`alloc.storage`), so the entry exists exactly when the files do. An
entry says when (the clock of :mod:`alloc.clock`), which command with which
options, the SHA-256 of every file it wrote, and the hash of the entry before
it (spec section 9.6)::

    {"at": "2026-07-23T15:10:00+08:00", "command": "alloc ceremony reveal",
     "draw_id": "2026-example-district", "index": 9,
     "options": {"--party": "bureau", "--secret": {"file": "secrets/bureau.secret",
                 "sha256": null}},
     "previous": "<64 hex>", "removed": [], "software": "alloc 0.1.0", "spec": 2,
     "type": "log-entry", "wrote": [{"path": "ceremony.json", "sha256": "<64 hex>"}]}

Personal data never enters the log: options are recorded from an allow-list
(:func:`option_values`), anything else only as given (``null``), and files
by name and digest. The transcript signs the log's head (its count and the
hash of its last entry) when the draw runs, so a notary shown the log can
check that none of the entries before the draw was edited, removed or
reordered (:func:`check_log`). This module is pure: the command line reads
and writes the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from alloc._version import __version__
from alloc.canonical import SPEC_VERSION, Tag, canonical_json, check_identifier, tagged_hash
from alloc.clock import format_time, parse_time
from alloc.errors import InputError, LogChainError, MalformedDocumentError
from alloc.i18n import _
from alloc.strictjson import Fields, parse_json

__all__ = [
    "EMPTY_HEAD",
    "LOG_NAME",
    "FileDigest",
    "LogEntry",
    "LogHead",
    "OperatorLog",
    "OptionValue",
    "check_log",
    "describe",
    "entry_digest",
    "parse_log",
]

#: The log's file name in the draw folder.
LOG_NAME: Final = "operator-log.jsonl"
#: The head of a log with no entries, and the ``previous`` of its first entry.
EMPTY_HEAD: Final = bytes(32)
_SOFTWARE: Final = f"alloc {__version__}"


@dataclass(frozen=True)
class FileDigest:
    """A file by its path and the SHA-256 of its content (``None``: not recorded)."""

    path: str
    sha256: bytes | None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": None if self.sha256 is None else self.sha256.hex()}


#: What an option is recorded as: its value, a file (``{"file", "sha256"}``), or
#: ``None`` for a value that is personal data or a secret (given, never recorded).
OptionValue = str | int | bool | None | tuple[str, ...] | FileDigest


def _option_json(value: OptionValue) -> Any:
    if isinstance(value, FileDigest):
        return {"file": value.path, "sha256": None if value.sha256 is None else value.sha256.hex()}
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True)
class LogHead:
    """How many entries a log has, and the hash of its last (:data:`EMPTY_HEAD` if none).

    The transcript carries the head of the log as it was when the draw ran
    (spec 9.3), so the entries up to it are signed.
    """

    count: int
    head: bytes = EMPTY_HEAD

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise InputError(
                _("a log's count is a whole number ≥ 0"), code="log.count", field="log.count"
            )
        if not isinstance(self.head, bytes) or len(self.head) != 32:
            raise InputError(_("a log's head is 32 bytes"), code="log.head", field="log.head")
        if (self.count == 0) != (self.head == EMPTY_HEAD):
            raise InputError(
                _("an empty log has the all-zero head, and only an empty log has it"),
                code="log.head",
                field="log.head",
                value=self.head.hex(),
            )

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "head": self.head.hex()}

    @classmethod
    def from_fields(cls, fields: Fields) -> LogHead:
        """Read ``{"count", "head"}`` strictly.

        Raises:
            MalformedDocumentError: for a missing, unknown or mistyped key, or a
                head that does not fit the count.
        """
        count = fields.integer("count", minimum=0)
        head = fields.hex("head", size=32)
        fields.done()
        try:
            return cls(count, head)
        except InputError as exc:
            raise fields.error("head", exc.problem, head.hex()) from exc


@dataclass(frozen=True)
class LogEntry:
    """One command's line in the operator log (spec 9.6)."""

    index: int
    draw_id: str | None
    at: str
    command: str
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    wrote: tuple[FileDigest, ...] = ()
    removed: tuple[str, ...] = ()
    previous: bytes = EMPTY_HEAD
    software: str = _SOFTWARE

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "log-entry",
            "spec": SPEC_VERSION,
            "index": self.index,
            "draw_id": self.draw_id,
            "at": self.at,
            "command": self.command,
            "options": {name: _option_json(v) for name, v in self.options.items()},
            "wrote": [f.to_json() for f in self.wrote],
            "removed": list(self.removed),
            "previous": self.previous.hex(),
            "software": self.software,
        }

    def line(self) -> bytes:
        """The entry's line in the file, without its final newline: JCS of the entry."""
        return canonical_json(self.to_json())

    def digest(self) -> bytes:
        """SHA-256(tagged_message("alloc/v1/log-entry", line)): what the next entry names."""
        return entry_digest(self.line())

    def describe(self) -> str:
        """One line for people: when, what, and which files it wrote."""
        shown = []
        # Positional arguments (no leading --) first, as they were typed.
        for name, value in sorted(self.options.items(), key=lambda o: o[0].startswith("--")):
            if not name.startswith("--") and isinstance(value, FileDigest | str):
                shown.append(value.path if isinstance(value, FileDigest) else value)
            elif value is None:
                shown.append(_("{option} (not recorded)").format(option=name))
            elif value is True:
                shown.append(name)
            elif isinstance(value, FileDigest):
                shown.append(f"{name} {value.path}")
            elif isinstance(value, tuple):
                shown += [f"{name} {item}" for item in value]
            elif value is not False:
                shown.append(f"{name} {value}")
        typed = " ".join([self.command, *shown])
        files = ", ".join(f.path for f in self.wrote)
        if self.removed:
            did = _("wrote {files}; removed {removed}").format(
                files=files or _("nothing"), removed=", ".join(self.removed)
            )
        else:
            did = _("wrote {files}").format(files=files) if files else _("wrote nothing")
        return f"{self.at}  {typed}  ({did})"

    @classmethod
    def from_line(cls, line: bytes, *, document: str, row: int) -> LogEntry:
        """Read one line strictly: exactly the keys of spec 9.6, in canonical form.

        Raises:
            MalformedDocumentError: naming the document, the line and the reason.
        """
        try:
            data = parse_json(line, document=document)
            fields = Fields.of(data, document=document)
            entry = _read_entry(fields)
            fields.done()
        except MalformedDocumentError as exc:
            raise MalformedDocumentError(
                exc.problem,
                code=exc.code,
                source=document,
                field=exc.field,
                value=exc.value,
                row=row,
            ) from exc
        if entry.line() != line:
            raise MalformedDocumentError(
                _("not in the one form alloc writes (RFC 8785 canonical JSON)"),
                code="log.not-canonical",
                source=document,
                row=row,
                hint=_("the log was edited; restore it from a copy exactly as alloc wrote it"),
            )
        return entry


def entry_digest(line: bytes) -> bytes:
    """The hash of a log line (JCS of an entry, without its newline), spec 9.6."""
    return tagged_hash(Tag.LOG_ENTRY, line)


def _read_entry(fields: Fields) -> LogEntry:
    kind = fields.string("type")
    if kind != "log-entry":
        raise fields.error("type", _("not an operator log entry"), kind, code="log.not-an-entry")
    spec = fields.value("spec")
    if spec != SPEC_VERSION or isinstance(spec, bool):
        raise fields.error(
            "spec",
            _("written for spec version {found!r}, not {spec}").format(
                found=spec, spec=SPEC_VERSION
            ),
            spec,
            code="document.spec-version",
        )
    draw_id = fields.optional_string("draw_id")
    if draw_id is not None:
        try:
            check_identifier(draw_id, "draw_id")
        except InputError as exc:
            raise fields.error("draw_id", exc.problem, draw_id) from exc
    at = fields.string("at")
    try:
        parse_time(at, field="at")
    except InputError as exc:
        raise fields.error("at", exc.problem, at) from exc
    options: dict[str, OptionValue] = {}
    given = fields.object("options")
    for name in sorted(given.data):
        options[name] = _read_option(given, name)
    given.done()
    wrote = []
    for item in fields.objects("wrote"):
        wrote.append(FileDigest(item.string("path"), item.hex("sha256", size=32)))
        item.done()
    removed = tuple(fields.strings("removed"))
    for key, paths in (("wrote", [f.path for f in wrote]), ("removed", list(removed))):
        for before, after in itertools.pairwise(paths):
            if not before < after:
                raise fields.error(
                    key, _("paths must be sorted, each once"), after, code="log.paths-order"
                )
    return LogEntry(
        index=fields.integer("index", minimum=1),
        draw_id=draw_id,
        at=at,
        command=fields.string("command"),
        options=options,
        wrote=tuple(wrote),
        removed=removed,
        previous=fields.hex("previous", size=32),
        software=fields.string("software"),
    )


def _read_option(given: Fields, name: str) -> OptionValue:
    value = given.value(name)
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, list):
        return tuple(given.strings(name))
    item = given.object(name)
    path = item.string("file")
    digest = item.optional_hex("sha256", size=32)
    item.done()
    return FileDigest(path, digest)


@dataclass(frozen=True)
class OperatorLog:
    """A whole operator log, its chain checked (:func:`parse_log`)."""

    entries: tuple[LogEntry, ...] = ()

    @property
    def head(self) -> LogHead:
        """The head of the whole log."""
        return self.head_at(len(self.entries))

    def head_at(self, count: int) -> LogHead:
        """The head of the log's first ``count`` entries.

        Raises:
            InputError: if the log has fewer entries.
        """
        if not 0 <= count <= len(self.entries):
            raise InputError(
                _("the log has {count} entries").format(count=len(self.entries)),
                code="log.count",
                value=count,
            )
        if count == 0:
            return LogHead(0)
        return LogHead(count, self.entries[count - 1].digest())

    @property
    def draw_id(self) -> str | None:
        """The draw the log belongs to: its entries' draw id once the folder had rules."""
        return next((e.draw_id for e in self.entries if e.draw_id is not None), None)

    def next_entry(
        self,
        *,
        at: datetime,
        command: str,
        options: Mapping[str, OptionValue],
        wrote: Iterable[FileDigest],
        removed: Iterable[str] = (),
        draw_id: str | None,
        like: datetime | None = None,
    ) -> LogEntry:
        """The entry that continues this log (times written in the offset of ``like``).

        Raises:
            InputError: if the log already belongs to another draw.
        """
        if draw_id is not None and self.draw_id not in (None, draw_id):
            raise InputError(
                _(
                    "this folder's operator log belongs to draw {draw_id!r}: a draw folder"
                    " holds one draw"
                ).format(draw_id=self.draw_id),
                code="log.other-draw",
                field="draw_id",
                value=draw_id,
                hint=_("start the other draw in a folder of its own"),
            )
        return LogEntry(
            index=len(self.entries) + 1,
            draw_id=draw_id,
            at=format_time(at, like=like),
            command=command,
            options=dict(sorted(options.items())),
            wrote=tuple(sorted(wrote, key=lambda f: f.path)),
            removed=tuple(sorted(set(removed))),
            previous=self.head.head,
        )


def parse_log(data: bytes, *, document: str = LOG_NAME) -> OperatorLog:
    """Read an operator log strictly and check its chain (spec 9.6).

    Raises:
        MalformedDocumentError: naming the line, for bytes that are not
            canonical entry lines each ending in one newline.
        LogChainError: naming the line, for an entry out of place: numbered
            wrongly (one removed or moved), not naming the hash of the entry
            before it (one edited, removed or moved), or of another draw.
    """
    if not data:
        return OperatorLog()
    if not data.endswith(b"\n"):
        raise MalformedDocumentError(
            _("the last line has no newline: the log is truncated or was edited"),
            code="log.truncated",
            source=document,
            row=data.count(b"\n") + 1,
        )
    entries: list[LogEntry] = []
    head = EMPTY_HEAD
    draw_id: str | None = None
    for row, line in enumerate(data[:-1].split(b"\n"), start=1):
        entry = LogEntry.from_line(line, document=document, row=row)
        if entry.index != row:
            raise LogChainError(
                _(
                    "{file}, line {row}: the entry is numbered {index}: an entry was removed,"
                    " added or moved"
                ).format(file=document, row=row, index=entry.index)
            )
        if entry.previous != head:
            raise LogChainError(
                _(
                    "{file}, line {row}: the entry does not name the hash of the entry before"
                    " it: that entry was edited, removed or moved"
                ).format(file=document, row=row)
            )
        if entry.draw_id is None and draw_id is not None:
            raise LogChainError(
                _(
                    "{file}, line {row}: an entry without a draw id after entries of draw"
                    " {draw_id!r}"
                ).format(file=document, row=row, draw_id=draw_id)
            )
        if entry.draw_id is not None and draw_id not in (None, entry.draw_id):
            raise LogChainError(
                _(
                    "{file}, line {row}: an entry of draw {other!r} in the log of draw {draw_id!r}"
                ).format(file=document, row=row, other=entry.draw_id, draw_id=draw_id)
            )
        draw_id = entry.draw_id or draw_id
        head = entry_digest(line)
        entries.append(entry)
    return OperatorLog(tuple(entries))


def check_log(
    data: bytes, committed: LogHead | None, *, draw_id: str, document: str = LOG_NAME
) -> str:
    """Check a log against the head a transcript commits to; returns what was checked.

    Raises:
        MalformedDocumentError, LogChainError: as :func:`parse_log`, or if the
            transcript commits to no log, the log is shorter than the committed
            count, its entry at that count is not the committed head, or it is
            of another draw.
    """
    log = parse_log(data, document=document)
    if committed is None:
        raise LogChainError(
            _(
                "the transcript commits to no operator log (it was made without one), so no"
                " log can be checked against it"
            )
        )
    if log.draw_id not in (None, draw_id):
        raise LogChainError(
            _("the operator log is of draw {other!r}, not {draw_id!r}").format(
                other=log.draw_id, draw_id=draw_id
            )
        )
    if len(log.entries) < committed.count:
        raise LogChainError(
            _(
                "the operator log has {count} entries; the transcript commits to the first"
                " {committed}: entries were removed"
            ).format(count=len(log.entries), committed=committed.count)
        )
    if log.head_at(committed.count) != committed:
        raise LogChainError(
            _(
                "entry {count} of the operator log is not the one the transcript commits to:"
                " the log was changed before the draw"
            ).format(count=committed.count)
        )
    later = len(log.entries) - committed.count
    text = _(
        "{count} entries chained; the first {committed} (up to the draw) are the ones the"
        " signed transcript commits to, head {head}"
    ).format(count=len(log.entries), committed=committed.count, head=committed.head.hex())
    if later:
        text = _("{checked}; {later} more chained after them, which no signature covers").format(
            checked=text, later=later
        )
    return text


def describe(log: OperatorLog, committed: LogHead | None = None) -> Sequence[str]:
    """The log for people, one line per entry, marking where the transcript's head is."""
    lines = []
    for entry in log.entries:
        lines.append(f"{entry.index:>4}  {entry.describe()}")
        if committed is not None and entry.index == committed.count:
            lines.append("      " + _("── the signed transcript commits to the entries above ──"))
    return lines
