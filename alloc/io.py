"""Files in and out: registration exports, rules, signed documents, result lists.

This is the only module besides the command line that touches files; the rest
of alloc is pure. It reads what a district bureau actually gets from its
registration system -- CSV in UTF-8, UTF-8 with a BOM or GBK, or Excel
``.xlsx``, with Chinese column headers, full-width digits, stray spaces and
blank trailing rows -- and turns it into the engine's
:class:`~alloc.model.ApplicantTable` and the bureau's private
:class:`~alloc.registry.Registry`, or reports *every* problem in one go, each
naming the file, the row as the spreadsheet shows it (header = row 1), the
column and the value, and saying how to fix it.

Every file alloc writes is written atomically (a temporary file in the same
directory, flushed to disk, then renamed into place) and never replaces an
existing file unless asked to with ``force=True`` (``--force``); inside
:func:`alloc.storage.transaction` a whole command's files appear together or
not at all.

Column headers
--------------

Headers are matched after NFKC, ignoring case, spaces, ``_``, ``-`` and a
leading ``*`` (the "required" mark of many templates); a header written
``中文 (English)`` matches on either part. :data:`APPLICANT_COLUMNS` and
:data:`KINDERGARTEN_COLUMNS` list the names; unknown columns are ignored (and
listed in :attr:`ApplicantImport.ignored_columns`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import errno
import io
import json
import math
import os
import re
import secrets
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from alloc import storage
from alloc.canonical import canonical_json, check_identifier
from alloc.draw import ApplicantOutcome, Outcome
from alloc.errors import AllocError, InputError
from alloc.identity import (
    DocumentType,
    PrivateIdentity,
    format_salt,
    mask_document_number,
    mask_name,
    new_salt,
    normalise_document_number,
    normalise_name,
    parse_salt,
)
from alloc.model import (
    MAX_CHOICES,
    ApplicantTable,
    DrawRules,
    Kindergarten,
    Mechanism,
    SeatBlock,
)
from alloc.progress import Progress, Task, tracked
from alloc.registry import Registration, Registry, attach_identities
from alloc.rounds import Answer, Response
from alloc.signing import Envelope, TrustPolicy
from alloc.strictjson import parse_json

if TYPE_CHECKING:
    import pandas as pd

# pandas and openpyxl are imported where they are used: most commands never
# read a spreadsheet, and the two cost most of a second at start-up.


def get_column_letter(index: int) -> str:
    """Excel's column letter for a 1-based column index (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


__all__ = [
    "ANSWERS",
    "APPLICANT_COLUMNS",
    "DOCUMENT_TYPES",
    "KINDERGARTEN_COLUMNS",
    "RESPONSE_COLUMNS",
    "ROUND_CHOICE_COLUMNS",
    "ApplicantImport",
    "CellError",
    "Column",
    "OutputError",
    "OutputExistsError",
    "SpreadsheetError",
    "check_against_rules",
    "read_applicants",
    "read_envelope",
    "read_json",
    "read_kindergartens",
    "read_lines",
    "read_policy",
    "read_responses",
    "read_round_choices",
    "read_rules",
    "read_table",
    "write_applicants",
    "write_bytes",
    "write_json",
    "write_lines",
    "write_notice_lists",
    "write_private_results",
    "write_receipts",
    "write_rules",
    "write_unplaced",
    "write_waitlists",
]

StrPath = str | os.PathLike[str]

# --- the header map -------------------------------------------------------------

#: Applicant columns: field -> accepted headers (English name first). ``choice_N``
#: stands for the numbered choice columns: ``choice_1``, ``志愿1``, ``第1志愿`` and
#: ``第一志愿`` (up to 32) all mean the first choice. Required: registration_number,
#: name, document_number and at least ``choice_1``. Without ``salt`` alloc makes
#: new receipt salts (the bureau then prints receipts).
APPLICANT_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "registration_number": ("registration_number", "报名编号", "报名号", "登记号", "登记编号"),
    "name": ("name", "姓名", "幼儿姓名", "儿童姓名"),
    "document_type": ("document_type", "证件类型"),
    "document_number": ("document_number", "身份证号", "身份证号码", "证件号码", "证件号"),
    "choice_N": ("choice_N", "志愿N", "第N志愿", "第一志愿 … 第十志愿"),
    "tier": ("tier", "类别", "批次", "优先类别"),
    "group": ("group", "多胞胎编号", "多胞胎组号"),
    "salt": ("salt", "receipt_salt", "回执校验码"),
    "guardian_contact": ("guardian_contact", "联系电话", "监护人电话"),
    "facts": ("facts", "优先条件"),
    "owner_at": ("owner_at", "业主幼儿园"),
    "staff_at": ("staff_at", "教职工子女幼儿园"),
}

#: Kindergarten columns. Required: id, and seats or both classes and class_size.
KINDERGARTEN_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "id": ("id", "幼儿园编号", "编号"),
    "name": ("name", "幼儿园名称", "名称"),
    "seats": ("seats", "学位数", "招生计划"),
    "classes": ("classes", "班数"),
    "class_size": ("class_size", "班额"),
    "blocks": ("blocks", "预留学位"),
}

#: Values of the document-type column (NFKC, case and spaces ignored). An empty
#: cell, or no such column, means a resident identity number. Every 18-character
#: GB 11643 number is ``resident-id``; any other document is ``passport``
#: (checked as letters and digits).
DOCUMENT_TYPES: Final[Mapping[str, DocumentType]] = {
    "resident-id": DocumentType.RESIDENT_ID,
    "居民身份证": DocumentType.RESIDENT_ID,
    "身份证": DocumentType.RESIDENT_ID,
    "港澳居民居住证": DocumentType.RESIDENT_ID,
    "台湾居民居住证": DocumentType.RESIDENT_ID,
    "港澳台居民居住证": DocumentType.RESIDENT_ID,
    "外国人永久居留身份证": DocumentType.RESIDENT_ID,
    "passport": DocumentType.PASSPORT,
    "护照": DocumentType.PASSPORT,
    "港澳居民来往内地通行证": DocumentType.PASSPORT,
    "台湾居民来往大陆通行证": DocumentType.PASSPORT,
}

_REQUIRED_APPLICANT: Final = ("registration_number", "name", "document_number")
# Fields whose Excel number cells are taken as text: whole numbers below 10**15
# are exact in Excel, so "20260001" or a kindergarten id 3 survive. Identity
# numbers and salts never do: an 18-digit number keeps only 15 digits in
# Excel and, one time in eleven, the mangled number still passes the check digit.
_NUMBER_OK: Final = frozenset(
    {
        "registration_number",
        "tier",
        "group",
        "guardian_contact",
        "owner_at",
        "staff_at",
        "id",
        "seats",
        "classes",
        "class_size",
        "kindergarten",
    }
)
_CHINESE_DIGITS: Final = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CHOICE_RES: Final = (
    re.compile(r"(?:choice|志愿)([0-9]+)(?:幼儿园)?"),
    re.compile(r"第([0-9]+|[一二三四五六七八九十]+)志愿(?:幼儿园)?"),
)
_HEADER_DROP: Final = frozenset("_-*")
# Excel displays long numbers like 4.40105E+17; a CSV saved from Excel keeps
# exactly that text, and the digits are gone.
_SCIENTIFIC_RE: Final = re.compile(r"[0-9](?:\.[0-9]+)?[eE][+-][0-9]+")
_LIST_SEPARATORS_RE: Final = re.compile(r"[;,、\n]+")
_MAX_LISTED: Final = 50
_HEADER_SEARCH_ROWS: Final = 10


def _header_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not (c.isspace() or c in _HEADER_DROP))


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        high = _CHINESE_DIGITS.get(tens, -1) if tens else 1
        low = _CHINESE_DIGITS.get(ones, -1) if ones else 0
        return None if high < 1 or low < 0 else high * 10 + low
    return _CHINESE_DIGITS.get(text) if len(text) == 1 else None


def _alias_index(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for name, aliases in columns.items():
        if name != "choice_N":
            for alias in aliases:
                index[_header_key(alias)] = name
    return index


_APPLICANT_INDEX: Final = _alias_index(APPLICANT_COLUMNS)
_KINDERGARTEN_INDEX: Final = _alias_index(KINDERGARTEN_COLUMNS)

#: Columns of a responses file (spec 11.1): who answered what, for which seat.
RESPONSE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "registration_number": APPLICANT_COLUMNS["registration_number"],
    "answer": ("answer", "回复", "确认结果", "确认情况", "是否确认"),
    "kindergarten": ("kindergarten", "幼儿园", "幼儿园编号", "确认幼儿园", "学位幼儿园"),
}
#: The values of the answer column (NFKC, case and spaces ignored).
ANSWERS: Final[Mapping[str, Answer]] = {
    "confirm": Answer.CONFIRM,
    "确认": Answer.CONFIRM,
    "确认入园": Answer.CONFIRM,
    "withdraw": Answer.WITHDRAW,
    "确认并退出候补": Answer.WITHDRAW,
    "退出候补": Answer.WITHDRAW,
    "decline": Answer.DECLINE,
    "放弃": Answer.DECLINE,
    "放弃学位": Answer.DECLINE,
}
#: Columns of a second-round choices file (spec 11.5): the child and its new choices.
ROUND_CHOICE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "registration_number": APPLICANT_COLUMNS["registration_number"],
    "choice_N": APPLICANT_COLUMNS["choice_N"],
}
_RESPONSE_INDEX: Final = _alias_index(RESPONSE_COLUMNS)
_ROUND_CHOICE_INDEX: Final = _alias_index(ROUND_CHOICE_COLUMNS)


def _match_header(text: str, index: Mapping[str, str], *, choices: bool) -> str | None:
    """The field a header names, or None."""
    key = _header_key(text)
    candidates = [key]
    # "报名编号 (registration number)": either part may be the known one.
    inner = re.fullmatch(r"(.*?)\((.*)\)", key)
    if inner:
        candidates += [inner.group(1), inner.group(2)]
    for candidate in candidates:
        if candidate in index:
            return index[candidate]
        if choices:
            for pattern in _CHOICE_RES:
                found = pattern.fullmatch(candidate)
                number = _chinese_number(found.group(1)) if found else None
                if number is not None and 1 <= number <= MAX_CHOICES:
                    return f"choice_{number}"
    return None


# --- errors -----------------------------------------------------------------------


class CellError(InputError):
    """One problem at a row and column of a spreadsheet.

    ``field`` is alloc's name for the column (``document_number``),
    ``header`` the header as written in the file and ``column`` its letter as
    Excel shows it (``C``).
    """

    def __init__(
        self,
        problem: str,
        *,
        field: str | None = None,
        value: object = None,
        row: int | None = None,
        source: str | None = None,
        hint: str | None = None,
        column: str | None = None,
        header: str | None = None,
    ) -> None:
        self.column = column
        self.header = header
        super().__init__(problem, field=field, value=value, row=row, source=source, hint=hint)

    def describe(self, *, with_source: bool = True) -> str:
        """The message, optionally without the file name (for lists of problems)."""
        where = []
        if with_source and self.source is not None:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None or self.field is not None:
            parts = ["column"]
            if self.column is not None:
                parts.append(self.column)
            if self.header is not None and self.header != self.field:
                parts.append(self.header)
                if self.field is not None:
                    parts.append(f"({self.field})")
            elif self.field is not None:
                parts.append(self.field)
            where.append(" ".join(parts))
        text = self.problem + self.value_text()
        if where:
            text = ", ".join(where) + ": " + text
        if self.hint:
            text += f"; {self.hint}"
        return text

    def _render(self) -> str:
        return self.describe()


class SpreadsheetError(InputError):
    """A file has problems; ``problems`` holds every one of them, in row order.

    The message lists the first 50. Nothing from the file is used until all
    are fixed.
    """

    problems: tuple[InputError, ...]

    def __init__(self, problems: Sequence[InputError], *, source: str) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(
            f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}",
            source=source,
            row=first.row if first is not None else None,
            field=first.field if first is not None else None,
            hint="nothing was imported; fix every row listed and read the file again",
        )

    @classmethod
    def of(cls, problems: Sequence[InputError], *, source: StrPath) -> SpreadsheetError:
        """The problems (e.g. from :func:`check_against_rules`) as one error, in row order."""
        return cls(sorted(problems, key=lambda p: p.row or 0), source=str(source))

    def _render(self) -> str:
        head = f"{self.source}: {self.problem}; {self.hint}:"
        lines = [head]
        for problem in self.problems[:_MAX_LISTED]:
            text = (
                problem.describe(with_source=False)
                if isinstance(problem, CellError)
                else str(problem)
            )
            lines.append(f"  {text}")
        if len(self.problems) > _MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - _MAX_LISTED} more")
        return "\n".join(lines)


class OutputError(AllocError):
    """A file could not be written; names the path and the reason."""

    def __init__(self, problem: str, *, path: StrPath, hint: str | None = None) -> None:
        self.problem = problem
        self.path = Path(path)
        self.hint = hint
        text = f"{self.path}: {problem}"
        if hint:
            text += f"; {hint}"
        super().__init__(text)


class OutputExistsError(OutputError):
    """The output file already exists and ``force`` was not given."""

    def __init__(self, path: StrPath) -> None:
        super().__init__(
            "already exists; alloc never overwrites a file unless told to",
            path=path,
            hint="use --force (force=True) to replace it, or choose another name",
        )


# --- reading bytes ------------------------------------------------------------------


def _read_bytes(path: StrPath) -> bytes:
    source = str(path)
    txn = storage.active_transaction()
    staged = txn.staged(path) if txn is not None else None
    try:
        return (staged or Path(path)).read_bytes()
    except FileNotFoundError:
        raise InputError(
            "file not found", source=source, hint="check the path and the file name"
        ) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except OSError as exc:
        raise storage.os_error(exc, path=source, action="read") from exc


def read_lines(path: StrPath) -> list[bytes]:
    """The lines of a line-per-child file (records.jsonl, results.jsonl), without newlines.

    Every line must end with exactly ``\\n``: a missing final newline means a
    truncated file, and CRLF or a BOM means the file was re-saved by an editor;
    either would change the Merkle root, so they are refused, not repaired.

    Raises:
        InputError: naming the file and the 1-based line at fault.
    """
    source = str(path)
    data = _read_bytes(path)
    if not data:
        return []
    if data.startswith(codecs.BOM_UTF8):
        raise InputError(
            "starts with a byte-order mark (BOM)",
            source=source,
            row=1,
            hint="the file was re-saved by an editor; use the file exactly as alloc wrote it",
        )
    if not data.endswith(b"\n"):
        raise InputError(
            "the last line has no newline: the file is truncated or was edited",
            source=source,
            row=data.count(b"\n") + 1,
            hint="download or copy the file again",
        )
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, start=1):
        if b"\r" in line:
            raise InputError(
                "line ends with CRLF (Windows line endings)"
                if line.endswith(b"\r")
                else "line contains a carriage return",
                source=source,
                row=number,
                hint="the file was converted by an editor or a transfer in text mode;"
                " convert it back (dos2unix) or copy it again in binary mode",
            )
        if not line:
            raise InputError(
                "empty line",
                source=source,
                row=number,
                hint="every line holds one record; the file was edited",
            )
    return lines


def read_json(path: StrPath) -> Any:
    """A JSON document (rules, trust policy, lookup parameters).

    Duplicate keys and NaN/Infinity are refused: a silently dropped key could
    change a rule. A UTF-8 BOM is tolerated (Windows Notepad writes one).

    Raises:
        InputError: naming the file, and the line and column of a syntax error.
    """
    source = str(path)
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "is not UTF-8 text",
            source=source,
            hint="save it as UTF-8",
        ) from exc

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise InputError(
                    "key appears twice in one object",
                    field=key,
                    source=source,
                    hint="delete one of them",
                )
            result[key] = value
        return result

    def no_constant(name: str) -> Any:
        raise InputError(f"{name} is not allowed in JSON", source=source)

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at column {exc.colno}",
            source=source,
            row=exc.lineno,
            hint="check for a missing comma, quote or bracket on or just before that line",
        ) from exc


def read_rules(path: StrPath) -> DrawRules:
    """The draw rules from a JSON file, read strictly (:meth:`DrawRules.from_json`).

    Raises:
        MalformedDocumentError: naming the file, the key path and the reason,
            for malformed JSON, an unknown or missing key or a wrong type.
        RulesError: naming the file and the field, for a value the rules do
            not allow.
    """
    source = str(path)
    data = parse_json(_read_bytes(path), document=source)
    try:
        return DrawRules.from_json(data, document=source)
    except InputError as exc:
        raise exc.at(source=source) from exc


def read_policy(path: StrPath) -> TrustPolicy:
    """A trust policy file, read strictly (:meth:`TrustPolicy.from_bytes`).

    Raises:
        MalformedDocumentError: naming the file, the key path and the reason.
        TrustError: if the policy lacks a role or gives one key two roles.
    """
    source = str(path)
    try:
        return TrustPolicy.from_bytes(_read_bytes(path), document=source)
    except InputError as exc:
        raise exc.at(source=source) from exc


def read_envelope(path: StrPath, expected_type: str) -> Envelope:
    """A signed file (announcement, transcript) in its one canonical byte form.

    Raises:
        MalformedDocumentError: naming the file, if it is not canonical, not
            an envelope or not of ``expected_type``.
        InputError: if the file cannot be read.
    """
    data = _read_bytes(path)
    try:
        return Envelope.from_bytes(data, expected_type=expected_type, document=str(path))
    except InputError as exc:
        raise exc.at(source=str(path)) from exc


# --- writing bytes ------------------------------------------------------------------


def _publish(temporary: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, target)
        return
    # A hard link fails if the target exists, atomically, so a file created
    # by someone else since our check is never clobbered.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise OutputExistsError(target) from None
    except OSError as exc:
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}:
            raise
        # File systems without hard links (FAT, some network shares): check,
        # then rename; only a writer racing us within microseconds could lose.
        if os.path.lexists(target):
            raise OutputExistsError(target) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def write_bytes(
    path: StrPath,
    data: bytes,
    *,
    force: bool = False,
    mode: int | None = None,
    replace_signed: bool = False,
) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path.

    The bytes go to a temporary file in the same directory, are flushed to
    disk, and the file is then moved into place, so a crash leaves either the
    old file or the new one, never half of one; on failure the temporary file
    is removed. Inside :func:`alloc.storage.transaction` the move waits until
    the transaction commits, so a command's files appear all together or not
    at all. ``mode`` sets the new file's permission bits, less the umask
    (default 0o666, as for any new file; use 0o600 for private files).

    A signed announcement or transcript is never replaced silently, not even
    with ``force``: only by the same document with more signatures, or with
    ``replace_signed`` (or the transaction's), which keeps the old file as
    ``NAME.replaced-SHA256.EXT``.

    Raises:
        OutputExistsError: if ``path`` exists and ``force`` is false.
        OutputError: if the directory is missing.
        SignedDocumentError: if ``path`` holds a signed document (see above).
        StorageError: if the file system refuses the write (disk full, permission,
            read-only), naming the path.
    """
    target = Path(path)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    txn = storage.active_transaction()
    if not force and storage.will_exist(target):
        raise OutputExistsError(target)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(
            f"the directory {str(directory)!r} does not exist",
            path=target,
            hint="create it first or choose another path",
        )
    if force:
        backup = storage.signed_backup(
            target, bytes(data), replace_signed=replace_signed or bool(txn and txn.replace_signed)
        )
        if backup is not None and not storage.will_exist(backup[0]):
            write_bytes(backup[0], backup[1])
    if txn is not None:
        return txn.stage(target, bytes(data), mode=mode)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    temporary = directory / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(temporary, flags, 0o666 if mode is None else mode)
    except OSError as exc:
        raise storage.os_error(exc, path=target) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _publish(temporary, target, force=force)
    except OutputError:
        temporary.unlink(missing_ok=True)
        raise
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise storage.os_error(exc, path=target) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    storage.fsync_directory(directory)
    return target


def write_lines(path: StrPath, lines: Iterable[bytes], *, force: bool = False) -> Path:
    """Write a line-per-child file: each line followed by ``\\n`` (atomic).

    Raises:
        InputError: if a line contains a newline or carriage return.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    chunks = []
    for number, line in enumerate(lines, start=1):
        if b"\n" in line or b"\r" in line:
            raise InputError(
                "a line contains a newline or carriage return",
                row=number,
                source=str(path),
                value=line[:80],
            )
        chunks.append(line)
        chunks.append(b"\n")
    return write_bytes(path, b"".join(chunks), force=force)


def write_json(path: StrPath, data: Any, *, force: bool = False, canonical: bool = False) -> Path:
    """Write a JSON document (atomic): indented UTF-8, or RFC 8785 with ``canonical``.

    Either way the file ends with one newline and holds no NaN or Infinity.

    Raises:
        InputError: if ``data`` is not JSON (or, canonical, holds floats).
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    if canonical:
        payload = canonical_json(data) + b"\n"
    else:
        try:
            text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InputError(f"cannot be written as JSON ({exc})", source=str(path)) from exc
        payload = text.encode("utf-8") + b"\n"
    return write_bytes(path, payload, force=force)


def write_rules(path: StrPath, rules: DrawRules, *, force: bool = False) -> Path:
    """Write the rules as their canonical bytes (RFC 8785 and a newline, spec 9.2).

    Raises:
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    return write_json(path, rules.to_json(), force=force, canonical=True)


# --- reading spreadsheets -----------------------------------------------------------

# Cell kinds other than text, remembered per (spreadsheet row, column index)
# so a column can refuse a number or a date that Excel made of its text.
_NUMBER: Final = "number"
_BIG_NUMBER: Final = "big-number"
_DATE: Final = "date"
_BOOL: Final = "bool"
_ERROR: Final = "error"


@dataclass(frozen=True)
class _Sheet:
    """The non-blank rows of a file as text, with their spreadsheet row numbers."""

    source: str
    encoding: str | None
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    kinds: Mapping[tuple[int, int], str]


def _clean(text: str) -> str:
    return text.strip().strip("\u200b\ufeff").strip()


def _unquote(text: str) -> str:
    # alloc writes a cell starting with = + - @ as '= (see _csv_bytes) so
    # Excel does not run it as a formula; reading undoes exactly that.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "is an Excel workbook (.xlsx), not CSV text",
            source=source,
            hint="rename it to end in .xlsx",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "is an old Excel .xls workbook (or a password-protected one), not CSV text",
            source=source,
            hint="open it in Excel and save as .xlsx or as CSV UTF-8",
        )
    if b"\x00" in data:
        # CSV text never holds NUL; UTF-16 ("Unicode text") does on every
        # ASCII character, and would otherwise decode as nonsense.
        raise InputError(
            "contains NUL bytes: it is UTF-16 ('Unicode text') or not a text file",
            source=source,
            hint="open it in Excel and save as 'CSV UTF-8 (comma delimited)'",
        )
    # utf-8-sig reads UTF-8 with and without a BOM, so a separate "utf-8"
    # attempt could never succeed where it failed. UTF-8 goes first: GBK text
    # is practically never valid UTF-8, while ASCII is the same in both.
    # GB18030 is a superset of GBK and GB2312; "gbk" catches the one GBK byte
    # (0x80, the euro sign in Windows code page 936) that GB18030 lacks.
    for codec in ("utf-8-sig", "gb18030", "gbk"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
            return text, "utf-8"
        return text, codec
    raise InputError(
        "cannot be decoded as UTF-8 (with or without BOM), GB18030 or GBK",
        source=source,
        hint="open it in Excel or a text editor and save it as 'CSV UTF-8'",
    )


#: A line and its ending, split where ``io.StringIO(text, newline="")`` splits.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _load_csv(text: str, encoding: str, source: str) -> _Sheet:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    # Some systems export tab-separated text under a .csv name.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    rows = []
    record = 0
    # Lines are cut from the text itself rather than read through io.StringIO,
    # which would hold a second copy at four bytes a character (half a
    # gigabyte for a million-row export).
    lines = (m.group() for m in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        for record, cells in enumerate(reader, start=1):
            cleaned = tuple(_unquote(_clean(c)) for c in cells)
            if any(cleaned):
                rows.append((record, cleaned))
    except csv.Error as exc:
        raise InputError(
            f"is not well-formed CSV ({exc})",
            source=source,
            row=record + 1,
            hint="check for an unmatched double quote on or before this row",
        ) from exc
    return _Sheet(source=source, encoding=encoding, rows=tuple(rows), kinds={})


def _excel_text(cell: Any) -> tuple[str, str | None]:
    """A cell as the text its column is read from, and its kind if not text."""
    value = cell.value
    if value is None:
        return "", None
    if isinstance(value, str):
        if cell.data_type == "e":
            return value, _ERROR
        return _clean(value), None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), _BOOL
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat(), _DATE
    if isinstance(value, datetime.timedelta):
        return str(value), _DATE
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return str(value), _ERROR
        # Excel keeps 15 significant digits; anything from 10**15 up may have
        # lost its last digits already (an identity number always has).
        if abs(number) >= 1e15:
            return repr(value), _BIG_NUMBER
        if number.is_integer():
            digits = str(int(number))
            fmt = getattr(cell, "number_format", "") or ""
            # A "000000" number format shows leading zeros; the text the user
            # sees is the zero-padded form.
            if re.fullmatch("0+", fmt):
                digits = digits.zfill(len(fmt))
            return digits, _NUMBER
        return repr(number), _NUMBER
    return _clean(str(value)), None


def _load_xlsx(data: bytes, source: str, sheet: str | None) -> _Sheet:
    # openpyxl directly rather than pandas.read_excel: pandas turns a number
    # cell into text without saying it was a number, so an identity number
    # Excel cut to 15 digits would arrive looking like an ordinary one.
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style" and similar are noise here.
            warnings.simplefilter("ignore")
            import openpyxl  # noqa: PLC0415 - see the note at the imports

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(
            "is not a readable Excel .xlsx workbook",
            source=source,
            hint="old .xls and password-protected workbooks cannot be read:"
            " open it in Excel and save as .xlsx or as CSV UTF-8",
        ) from exc
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise InputError(
                "the workbook has no such sheet",
                source=source,
                field="sheet",
                value=sheet,
                hint=f"sheets: {', '.join(book.sheetnames)}",
            )
        if not hasattr(worksheet, "iter_rows"):
            raise InputError("the first sheet is a chart, not a table", source=source)
        # The stored dimensions may be wrong (some writers leave "A1"); reset
        # them so every cell is read.
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()
        rows = []
        kinds: dict[tuple[int, int], str] = {}
        for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
            texts = []
            for index, cell in enumerate(cells):
                text, kind = _excel_text(cell)
                texts.append(text)
                if kind is not None and text:
                    kinds[(number, index)] = kind
            if any(texts):
                rows.append((number, tuple(texts)))
    finally:
        book.close()
    return _Sheet(source=source, encoding=None, rows=tuple(rows), kinds=kinds)


def _load(path: StrPath, sheet: str | None = None) -> _Sheet:
    source = str(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        # The bytes are dropped as soon as they are decoded.
        return _load_csv(*_decode(_read_bytes(path), source), source)
    if suffix == ".xlsx":
        return _load_xlsx(_read_bytes(path), source, sheet)
    if suffix == ".xls":
        raise InputError(
            "old Excel .xls workbooks cannot be read",
            source=source,
            hint="open it in Excel and save as .xlsx or as CSV UTF-8",
        )
    raise InputError(
        "unknown file type",
        source=source,
        value=suffix or None,
        hint="give a .csv or .xlsx file",
    )


@dataclass(frozen=True)
class _Grid:
    """A sheet split at its header row; cells padded to the header's width."""

    sheet: _Sheet
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    problems: tuple[CellError, ...]

    def letter(self, index: int) -> str:
        return str(get_column_letter(index + 1))


def _grid(sheet: _Sheet, header_at: int = 0) -> _Grid:
    """Split ``sheet`` at its ``header_at``-th non-blank row; rows above it are dropped."""
    if not sheet.rows:
        raise InputError("the file is empty", source=sheet.source, hint="check the file")
    header_row, raw = sheet.rows[header_at]
    headers = [unicodedata.normalize("NFKC", h).strip() for h in raw]
    width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    body = sheet.rows[header_at + 1 :]
    problems = []
    # Data under a blank header: named by its letter, so nothing is lost.
    for _, cells in body:
        for index, text in enumerate(cells):
            if text and (index >= width or not headers[index]):
                width = max(width, index + 1)
                headers += [""] * (width - len(headers))
    names = tuple(h or f"column {get_column_letter(i + 1)}" for i, h in enumerate(headers[:width]))
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            problems.append(
                CellError(
                    f"the header appears twice (also column {get_column_letter(seen[name] + 1)})",
                    source=sheet.source,
                    row=header_row,
                    column=get_column_letter(index + 1),
                    header=name,
                    value=name,
                    hint="rename or delete one of the two columns",
                )
            )
        seen.setdefault(name, index)
    rows = tuple(
        (number, tuple(cells[:width]) + ("",) * (width - len(cells))) for number, cells in body
    )
    return _Grid(sheet, header_row, names, rows, tuple(problems))


def read_table(path: StrPath, *, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or .xlsx file as a DataFrame of strings.

    The first non-blank row is the header (names NFKC-normalised and
    stripped); fully blank rows are dropped; every cell is stripped text,
    ``""`` when empty. The index holds each row's number as the spreadsheet
    shows it (header = 1), for messages. CSV is read as UTF-8 (with or
    without BOM), then GB18030/GBK; Excel number cells become their digits
    (``0001`` if the cell's format pads with zeros), dates ISO 8601.

    Raises:
        InputError: if the file is missing, of an unknown type or undecodable.
        SpreadsheetError: listing duplicate headers, Excel error cells
            (``#N/A``) and numbers of 16 or more digits (Excel keeps 15).
    """
    grid = _grid(_load(path, sheet))
    problems = list(grid.problems)
    by_row = dict(grid.rows)
    for (row, index), kind in sorted(grid.sheet.kinds.items()):
        if row in by_row and index < len(grid.headers) and kind in {_BIG_NUMBER, _ERROR}:
            problems.append(_kind_problem(grid, row, index, kind, by_row[row][index], None))
    if problems:
        raise SpreadsheetError(problems, source=grid.sheet.source)
    columns = {
        name: [cells[index] for _, cells in grid.rows] for index, name in enumerate(grid.headers)
    }
    import pandas as pd  # noqa: PLC0415 - see the note at the imports

    frame = pd.DataFrame(columns, index=pd.Index([n for n, _ in grid.rows], name="row"), dtype=str)
    frame.attrs["source"] = grid.sheet.source
    frame.attrs["encoding"] = grid.sheet.encoding
    return frame


_KIND_PROBLEMS: Final = {
    _BIG_NUMBER: (
        "Excel stored this as a number and keeps only 15 significant digits,"
        " so the last digits are lost",
        "format the column as Text (文本) and type the numbers again,"
        " or export the file from the registration system again",
    ),
    _ERROR: ("the cell holds an Excel error, not a value", "fix the formula or type the value"),
    _DATE: (
        "Excel turned this cell into a date or time",
        "format the column as Text (文本) and type the value again",
    ),
    _BOOL: ("the cell holds TRUE/FALSE, not text", "type the value as text"),
    _NUMBER: (
        "Excel stored this as a number, which can lose leading zeros and digits",
        "format the column as Text (文本) and type the value again",
    ),
}


def _kind_problem(
    grid: _Grid, row: int, index: int, kind: str, text: str, field_name: str | None
) -> CellError:
    problem, hint = _KIND_PROBLEMS[kind]
    return CellError(
        problem,
        source=grid.sheet.source,
        row=row,
        column=grid.letter(index),
        header=grid.headers[index],
        field=field_name,
        value=text,
        hint=hint,
    )


# --- columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A recognised column: alloc's field name, the header as written, its letter."""

    field: str
    header: str
    letter: str
    index: int


def _columns(
    grid: _Grid, index: Mapping[str, str], *, choices: bool
) -> tuple[dict[str, Column], list[str], list[CellError]]:
    """Map fields to columns; unknown headers are returned as ignored."""
    found: dict[str, Column] = {}
    ignored = []
    problems = []
    for position, header in enumerate(grid.headers):
        name = _match_header(header, index, choices=choices)
        if name is None:
            ignored.append(header)
            continue
        column = Column(name, header, grid.letter(position), position)
        if name in found:
            other = found[name]
            problems.append(
                CellError(
                    f"two columns give {name}: column {other.letter} {other.header!r}"
                    f" and column {column.letter} {column.header!r}",
                    source=grid.sheet.source,
                    row=grid.header_row,
                    column=column.letter,
                    header=header,
                    field=name,
                    hint="delete or rename one of them",
                )
            )
            continue
        found[name] = column
    return found, ignored, problems


def _missing_column(grid: _Grid, name: str, aliases: Sequence[str]) -> CellError:
    shown = ", ".join(grid.headers) or "none"
    hint = f"add a column headed {' or '.join(aliases)}; the header row has: {shown}"
    if grid.sheet.encoding in {"gb18030", "gbk"}:
        hint += (
            f" (read as {grid.sheet.encoding}; if these look garbled, save the file as CSV UTF-8)"
        )
    return CellError(
        "required column is missing",
        source=grid.sheet.source,
        row=grid.header_row,
        field=name,
        hint=hint,
    )


def _find_header(sheet: _Sheet, index: Mapping[str, str], *, choices: bool) -> int:
    """The non-blank row (among the first few) that looks most like the header.

    Exports often carry a title row (“2026年秋季幼儿园报名名单”) above the
    header; the header is the row naming the most known columns.
    """
    best, best_count = 0, 0
    for position, (_, cells) in enumerate(sheet.rows[:_HEADER_SEARCH_ROWS]):
        count = sum(
            1
            for c in cells
            if c and _match_header(unicodedata.normalize("NFKC", c), index, choices=choices)
        )
        if count > best_count:
            best, best_count = position, count
    return best


# --- applicants ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ApplicantImport:
    """Applicants read from a registration export.

    ``table`` is the public side (its ``source_rows`` hold spreadsheet rows and
    its identity commitments are filled in), ``registry`` the private side.
    ``receipts_generated`` says the file had no salt column and fresh salts
    were made: the bureau must print receipts (:attr:`Registration.receipt`)
    before the list is frozen. ``columns`` lists the recognised columns and
    ``ignored_columns`` the headers alloc did not use.
    """

    table: ApplicantTable
    registry: Registry
    receipts_generated: bool
    source: str = ""
    encoding: str | None = None
    columns: tuple[Column, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    #: The field ("facts", "owner_at", "staff_at") each of ``table``'s facts came from.
    fact_fields: tuple[str, ...] = field(default=(), repr=False)

    def column(self, name: str) -> Column | None:
        """The column read for field ``name``, if the file had one."""
        return next((c for c in self.columns if c.field == name), None)


@dataclass(slots=True)  # a million of these live at once during an import
class _Row:
    """One applicant row as parsed (mutable only while reading)."""

    row: int
    registration_number: str | None = None
    name: str | None = None
    document_type: DocumentType | None = None
    document_number: str | None = None
    choices: list[str] = field(default_factory=list)
    tier: str | None = None
    group: str | None = None
    salt: bytes | None = None
    contact: str | None = None
    facts: dict[tuple[str, str], str] = field(default_factory=dict)


class _Cells:
    """Reads one row's cells by field, recording problems with their location."""

    def __init__(
        self,
        grid: _Grid,
        columns: Mapping[str, Column],
        row: int,
        cells: tuple[str, ...],
        problems: list[CellError],
    ) -> None:
        self.grid = grid
        self.columns = columns
        self.row = row
        self.cells = cells
        self.problems = problems
        self.refused: set[str] = set()

    def problem(
        self, name: str, problem: str, value: object = None, hint: str | None = None
    ) -> None:
        column = self.columns.get(name)
        self.problems.append(
            CellError(
                problem,
                source=self.grid.sheet.source,
                row=self.row,
                column=column.letter if column else None,
                header=column.header if column else None,
                field=name,
                value=value,
                hint=hint,
            )
        )

    def located(self, name: str, exc: InputError) -> None:
        self.problem(name, exc.problem, exc.value, exc.hint)

    def raw(self, name: str) -> str:
        """The cell's stripped text; "" if empty, if there is no such column, or if
        Excel made the cell something other than text (reported once)."""
        column = self.columns.get(name)
        if column is None:
            return ""
        text = self.cells[column.index]
        kind = self.grid.sheet.kinds.get((self.row, column.index))
        if kind is not None and not (kind == _NUMBER and _number_ok(name)):
            if name not in self.refused:
                self.refused.add(name)
                self.problems.append(
                    _kind_problem(self.grid, self.row, column.index, kind, text, name)
                )
            return ""
        return text

    def empty(self, name: str) -> bool:
        """True if the cell is truly empty (not refused for its Excel type)."""
        return not self.raw(name) and name not in self.refused

    def code(self, name: str) -> str | None:
        """An identifier cell: NFKC (full-width to ASCII), stripped, checked."""
        text = unicodedata.normalize("NFKC", self.raw(name)).strip()
        if not text:
            return None
        try:
            return check_identifier(text, name)
        except InputError as exc:
            self.located(name, exc)
            return None


def _number_ok(name: str) -> bool:
    return name in _NUMBER_OK or name.startswith("choice_")


def _document_type(cells: _Cells) -> DocumentType | None:
    text = unicodedata.normalize("NFKC", cells.raw("document_type"))
    if not text:
        return DocumentType.RESIDENT_ID
    key = "".join(text.split()).casefold()
    for label, kind in DOCUMENT_TYPES.items():
        if key == label.casefold():
            return kind
    cells.problem(
        "document_type",
        "unknown document type",
        text,
        "use one of " + ", ".join(DOCUMENT_TYPES),
    )
    return None


def _split_list(text: str) -> list[str]:
    items = _LIST_SEPARATORS_RE.split(unicodedata.normalize("NFKC", text))
    return [item.strip() for item in items if item.strip()]


def _facts(cells: _Cells, record: _Row) -> None:
    text = cells.raw("facts")
    for item in _split_list(text):
        name, at, kindergarten = (part.strip() for part in item.partition("@"))
        if not at or not name or not kindergarten or "@" in kindergarten:
            cells.problem(
                "facts",
                f"priority fact {item!r} is not written fact@kindergarten",
                text,
                "write facts like owner@K03; staff@K09 (separate several with ;)",
            )
            continue
        try:
            key = (check_identifier(name, "facts"), check_identifier(kindergarten, "facts"))
        except InputError as exc:
            cells.located("facts", exc)
            continue
        record.facts.setdefault(key, "facts")
    for name, fact in (("owner_at", "owner"), ("staff_at", "staff")):
        for kindergarten in _split_list(cells.raw(name)):
            try:
                key = (fact, check_identifier(kindergarten, name))
            except InputError as exc:
                cells.located(name, exc)
                continue
            record.facts.setdefault(key, name)


def _looks_scientific(cells: _Cells, name: str, text: str) -> bool:
    if _SCIENTIFIC_RE.fullmatch(unicodedata.normalize("NFKC", text).strip()):
        cells.problem(
            name,
            "the number was saved in Excel's scientific notation, so its digits are lost",
            text,
            "format the column as Text (文本) in Excel and type the numbers again,"
            " or export the file from the registration system again",
        )
        return True
    return False


class _Numbers:
    """Document-number checks, with the region check done once per region and year.

    The region check looks the code up in python-stdnum's table for the birth
    year, which costs far more than everything else about a row; a district
    has a few hundred (region, year) pairs among many thousand children.
    """

    def __init__(self, *, check_region: bool) -> None:
        self.check_region = check_region
        self.regions: dict[str, InputError | None] = {}

    def normalise(self, kind: DocumentType, raw: str) -> str:
        """Raises: InputError as :func:`normalise_document_number`."""
        number = normalise_document_number(kind, raw, check_region=False)
        if not self.check_region or kind is not DocumentType.RESIDENT_ID:
            return number
        key = number[:10]
        if key not in self.regions:
            try:
                normalise_document_number(kind, number, check_region=True)
                self.regions[key] = None
            except InputError as exc:
                self.regions[key] = exc
        error = self.regions[key]
        if error is not None:
            raise InputError(error.problem, field=error.field, value=raw, hint=error.hint)
        return number


def _parse_row(
    cells: _Cells, choice_count: int, with_salt: bool, numbers: _Numbers, has_type: bool
) -> _Row:
    record = _Row(row=cells.row)
    reg_text = cells.raw("registration_number")
    if not _looks_scientific(cells, "registration_number", reg_text):
        record.registration_number = cells.code("registration_number")
        if record.registration_number is None and cells.empty("registration_number"):
            cells.problem(
                "registration_number",
                "registration number is empty",
                hint="every child needs the registration number printed on the receipt",
            )

    name_text = cells.raw("name")
    if cells.empty("name"):
        cells.problem("name", "name is empty", hint="give the child's name as registered")
    elif name_text:
        try:
            record.name = normalise_name(name_text)
        except InputError as exc:
            cells.located("name", exc)

    record.document_type = _document_type(cells)
    number_text = cells.raw("document_number")
    if cells.empty("document_number"):
        cells.problem(
            "document_number",
            "document number is empty",
            hint="give the number on the child's identity document",
        )
    elif (
        number_text
        and not _looks_scientific(cells, "document_number", number_text)
        and record.document_type is not None
    ):
        try:
            record.document_number = numbers.normalise(record.document_type, number_text)
        except InputError as exc:
            hint = exc.hint or ""
            if not has_type and record.document_type is DocumentType.RESIDENT_ID:
                hint += (
                    "; if it is not a resident identity number, add a 证件类型"
                    " (document_type) column, e.g. 护照"
                )
            cells.problem("document_number", exc.problem, exc.value, hint.lstrip("; "))

    # Choices: in order, without gaps or repeats.
    before = len(cells.problems)

    def choice_problems(cells: _Cells) -> bool:
        return any((p.field or "").startswith("choice_") for p in cells.problems[before:])

    seen_at: dict[str, int] = {}
    gap: int | None = None
    for number in range(1, choice_count + 1):
        name = f"choice_{number}"
        choice = cells.code(name)
        if choice is None:
            if gap is None:
                gap = number
            continue
        if gap is not None:
            cells.problem(
                name,
                f"choice {number} is given but choice {gap} is empty",
                choice,
                "list choices from the first column on, without empty cells in between",
            )
            gap = None
        if choice in seen_at:
            cells.problem(
                name,
                f"lists the same kindergarten as choice {seen_at[choice]}",
                choice,
                "each kindergarten may appear once in a child's choices",
            )
            continue
        seen_at[choice] = number
        record.choices.append(choice)
    if not record.choices and choice_count and not choice_problems(cells):
        cells.problem("choice_1", "lists no kindergarten", hint="give at least one choice")

    record.tier = cells.code("tier")
    record.group = cells.code("group")
    _facts(cells, record)

    contact = cells.raw("guardian_contact")
    if contact and not _looks_scientific(cells, "guardian_contact", contact):
        record.contact = unicodedata.normalize("NFKC", contact).strip()

    if with_salt:
        salt_text = cells.raw("salt")
        if cells.empty("salt"):
            cells.problem(
                "salt",
                "receipt salt is empty",
                hint="fill in every row's salt from its receipt, or delete the whole"
                " column to make new receipts for everyone",
            )
        elif salt_text:
            try:
                record.salt = parse_salt(salt_text)
            except InputError as exc:
                cells.located("salt", exc)
    return record


def _duplicates(
    records: Sequence[_Row], source: str, columns: Mapping[str, Column], problems: list[CellError]
) -> None:
    def report(name: str, problem: str, value: str, row: int, hint: str) -> None:
        column = columns[name]
        problems.append(
            CellError(
                problem,
                source=source,
                row=row,
                column=column.letter,
                header=column.header,
                field=name,
                value=value,
                hint=hint,
            )
        )

    first_reg: dict[str, _Row] = {}
    first_doc: dict[tuple[DocumentType, str], _Row] = {}
    for record in records:
        reg = record.registration_number
        if reg is not None:
            if reg in first_reg:
                report(
                    "registration_number",
                    f"registration number appears twice: rows {first_reg[reg].row}"
                    f" and {record.row}",
                    reg,
                    record.row,
                    "each child registers once; correct or delete one of the rows",
                )
            else:
                first_reg[reg] = record
        if record.document_number is not None and record.document_type is not None:
            key = (record.document_type, record.document_number)
            if key in first_doc:
                other = first_doc[key]
                report(
                    "document_number",
                    f"the same document number is registered twice: rows {other.row}"
                    f" ({other.registration_number}) and {record.row}"
                    f" ({record.registration_number})",
                    record.document_number,
                    record.row,
                    "a child registers once; merge or withdraw one registration",
                )
            else:
                first_doc[key] = record


def _build_table(records: Sequence[_Row]) -> tuple[ApplicantTable, tuple[str, ...]]:
    kg_index: dict[str, int] = {}
    tier_index: dict[str, int] = {}
    group_index: dict[str, int] = {}
    fact_index: dict[str, int] = {}
    width = max((len(r.choices) for r in records), default=1) or 1
    choices = np.full((len(records), width), -1, np.int32)
    tiers = np.full(len(records), -1, np.int32)
    groups = np.full(len(records), -1, np.int32)
    fact_rows: list[int] = []
    fact_codes: list[int] = []
    fact_kgs: list[int] = []
    fact_fields: list[str] = []
    for position, record in enumerate(records):
        for column, choice in enumerate(record.choices):
            choices[position, column] = kg_index.setdefault(choice, len(kg_index))
        if record.tier is not None:
            tiers[position] = tier_index.setdefault(record.tier, len(tier_index))
        if record.group is not None:
            groups[position] = group_index.setdefault(record.group, len(group_index))
        for (fact, kindergarten), origin in sorted(record.facts.items()):
            fact_rows.append(position)
            fact_codes.append(fact_index.setdefault(fact, len(fact_index)))
            fact_kgs.append(kg_index.setdefault(kindergarten, len(kg_index)))
            fact_fields.append(origin)
    table = ApplicantTable(
        registration_numbers=tuple(r.registration_number or "" for r in records),
        kindergarten_ids=tuple(kg_index),
        choices=choices,
        tier_names=tuple(tier_index),
        tiers=tiers,
        group_ids=tuple(group_index),
        groups=groups,
        fact_names=tuple(fact_index),
        fact_rows=np.asarray(fact_rows, np.int32),
        fact_codes=np.asarray(fact_codes, np.int32),
        fact_kindergartens=np.asarray(fact_kgs, np.int32),
        source_rows=np.asarray([r.row for r in records], np.int64),
    )
    return table, tuple(fact_fields)


def read_applicants(
    path: StrPath,
    *,
    draw_id: str,
    sheet: str | None = None,
    check_region: bool = True,
    progress: Progress | None = None,
) -> ApplicantImport:
    """Read a registration export (CSV or .xlsx) into the public table and private registry.

    Identifier cells (registration number, choices, tier, group, facts) are
    NFKC-normalised and stripped, so full-width ``Ｋ０３`` is ``K03``; names
    and document numbers are normalised by :mod:`alloc.identity`. A title row
    above the header is skipped. Without a salt column, fresh salts are made
    (:func:`alloc.identity.new_salt`) and ``receipts_generated`` is set.
    ``check_region`` also checks resident numbers' region codes against
    python-stdnum's table (turn it off only for a genuine number the table
    does not know yet). Kindergarten ids and tiers are checked against the
    rules by :func:`check_against_rules` and by the draw itself. ``progress``
    hears how many rows are read (:mod:`alloc.progress`).

    Raises:
        InputError: if the file is missing, of an unknown type or undecodable,
            or ``draw_id`` is not an identifier.
        SpreadsheetError: listing every problem found: missing or doubled
            columns, and per row an empty or repeated registration number, an
            empty or invalid name, a bad or repeated document number, an
            unknown document type, a kindergarten listed twice, a gap in the
            choices, malformed facts or salts, and cells Excel turned into
            numbers or dates.
    """
    check_identifier(draw_id, "draw_id")
    sheet_data = _load(path, sheet)
    if not sheet_data.rows:
        raise InputError("the file is empty", source=sheet_data.source, hint="check the file")
    grid = _grid(sheet_data, _find_header(sheet_data, _APPLICANT_INDEX, choices=True))
    columns, ignored, problems = _columns(grid, _APPLICANT_INDEX, choices=True)
    # Headers repeated among the columns alloc ignores (two 备注 columns) do
    # not matter; repeated known ones are reported by _columns.
    for name in _REQUIRED_APPLICANT:
        if name not in columns:
            problems.append(_missing_column(grid, name, APPLICANT_COLUMNS[name]))
    choice_numbers = sorted(int(n.split("_")[1]) for n in columns if n.startswith("choice_"))
    if not choice_numbers:
        problems.append(_missing_column(grid, "choice_1", ("志愿1", "第一志愿", "choice_1")))
    elif choice_numbers != list(range(1, len(choice_numbers) + 1)):
        missing = min(set(range(1, choice_numbers[-1] + 1)) - set(choice_numbers))
        problems.append(
            _missing_column(grid, f"choice_{missing}", (f"志愿{missing}", f"choice_{missing}"))
        )
    if problems:
        raise SpreadsheetError(problems, source=grid.sheet.source)
    if not grid.rows:
        raise InputError(
            "the file has a header but no applicant rows",
            source=grid.sheet.source,
            row=grid.header_row,
            hint="check that this is the right file and sheet",
        )

    with_salt = "salt" in columns
    numbers = _Numbers(check_region=check_region)
    has_type = "document_type" in columns
    records = [
        _parse_row(
            _Cells(grid, columns, row, cells, problems),
            len(choice_numbers),
            with_salt,
            numbers,
            has_type,
        )
        for row, cells in tracked(grid.rows, progress, Task.READ_SPREADSHEET)
    ]
    source, encoding = grid.sheet.source, grid.sheet.encoding
    # Every cell is parsed: let the sheet's cells go before the registry and
    # the table are built (at a million rows they are about a gigabyte).
    del grid, sheet_data
    _duplicates(records, source, columns, problems)
    if problems:
        order = {c.letter: c.index for c in columns.values()}
        problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
        raise SpreadsheetError(problems, source=source)

    registrations = []
    for record in records:
        assert record.registration_number is not None
        assert record.name is not None
        assert record.document_type is not None
        assert record.document_number is not None
        # _parse_row normalised the name and number; do not do it twice.
        identity = PrivateIdentity._of_normalised(
            record.name, record.document_type, record.document_number, record.contact
        )
        registrations.append(
            Registration(
                registration_number=record.registration_number,
                identity=identity,
                salt=record.salt if record.salt is not None else new_salt(),
            )
        )
    registry = Registry(registrations)
    table, fact_fields = _build_table(records)
    table = attach_identities(table, registry, draw_id)
    ordered = tuple(sorted(columns.values(), key=lambda c: c.index))
    return ApplicantImport(
        table=table,
        registry=registry,
        receipts_generated=not with_salt,
        source=source,
        encoding=encoding,
        columns=ordered,
        ignored_columns=tuple(ignored),
        fact_fields=fact_fields,
    )


def _suggest(value: str, rules: DrawRules) -> str:
    ids = [k.id for k in rules.kindergartens]
    for kg in rules.kindergartens:
        if kg.id.casefold() == value.casefold():
            return f"did you mean {kg.id!r}? ids are case-sensitive"
        if kg.name and kg.name == value:
            return f"that is the name of {kg.id!r}; write kindergarten ids, not names"
    shown = ", ".join(ids[:10]) + (f", … ({len(ids)} in all)" if len(ids) > 10 else "")
    return f"use a kindergarten id from the rules: {shown}"


def check_against_rules(import_: ApplicantImport, rules: DrawRules) -> list[InputError]:
    """Every row whose values the rules do not know, in row order; never raises.

    Reports choices and facts naming an unknown kindergarten, tiers the rules
    do not declare (or a missing tier when they declare some), fact names no
    seat block or phase uses (they would silently give no priority),
    multiples groups with one member, and siblings whose choices differ.
    """
    table = import_.table
    source = import_.source
    problems: list[InputError] = []

    def add(row: int, name: str, problem: str, value: object, hint: str) -> None:
        column = import_.column(name)
        problems.append(
            CellError(
                problem,
                source=source,
                row=table.row_label(row),
                column=column.letter if column else None,
                header=column.header if column else None,
                field=name,
                value=value,
                hint=hint,
            )
        )

    known = {k.id for k in rules.kindergartens}
    unknown = [kg for kg in table.kindergarten_ids if kg not in known]
    if unknown:
        for row, chosen in enumerate(table.choices.tolist()):
            for position, code in enumerate(chosen):
                if code >= 0 and table.kindergarten_ids[code] not in known:
                    value = table.kindergarten_ids[code]
                    add(
                        row,
                        f"choice_{position + 1}",
                        "choice names a kindergarten the rules do not have",
                        value,
                        _suggest(value, rules),
                    )
    used_facts = {b.fact for k in rules.kindergartens for b in k.blocks}
    used_facts |= {p.fact for p in rules.phases if p.fact is not None}
    for at, (row, code, kg) in enumerate(
        zip(
            table.fact_rows.tolist(),
            table.fact_codes.tolist(),
            table.fact_kindergartens.tolist(),
            strict=True,
        )
    ):
        origin = import_.fact_fields[at] if at < len(import_.fact_fields) else "facts"
        fact, kindergarten = table.fact_names[code], table.kindergarten_ids[kg]
        if kindergarten not in known:
            add(
                row,
                origin,
                "priority fact at a kindergarten the rules do not have",
                f"{fact}@{kindergarten}",
                _suggest(kindergarten, rules),
            )
        if fact not in used_facts:
            add(
                row,
                origin,
                f"no seat block or phase in the rules uses the fact {fact!r},"
                " so it gives no priority",
                f"{fact}@{kindergarten}",
                "facts the rules use: " + (", ".join(sorted(used_facts)) or "none"),
            )
    assert table.tiers is not None
    assert table.groups is not None
    declared = set(rules.tiers)
    for row, code in enumerate(table.tiers.tolist()):
        tier = table.tier_names[code] if code >= 0 else None
        if rules.tiers and tier is None:
            add(
                row,
                "tier",
                "tier is empty but the rules rank applicants by tier",
                None,
                f"use one of {', '.join(rules.tiers)}",
            )
        elif tier is not None and tier not in declared:
            add(
                row,
                "tier",
                "tier is not declared in the rules"
                if rules.tiers
                else "the rules declare no tiers, but this row has one",
                tier,
                f"use one of {', '.join(rules.tiers)}"
                if rules.tiers
                else "declare the tiers in the rules or leave the column empty",
            )
    members: dict[int, list[int]] = {}
    for row, code in enumerate(table.groups.tolist()):
        if code >= 0:
            members.setdefault(code, []).append(row)
    for code, rows in members.items():
        group_id = table.group_ids[code]
        if len(rows) == 1:
            add(
                rows[0],
                "group",
                "is the only member of its multiples group",
                group_id,
                "register every sibling with the same group id, or clear the group",
            )
            continue
        first = rows[0]
        expected = [table.kindergarten_ids[c] for c in table.choices[first] if c >= 0]
        for row in rows[1:]:
            listed = [table.kindergarten_ids[c] for c in table.choices[row] if c >= 0]
            if listed != expected:
                add(
                    row,
                    "group",
                    f"lists different choices ({', '.join(listed)}) from its sibling on"
                    f" row {table.row_label(first)} ({', '.join(expected)})",
                    group_id,
                    "siblings in a multiples group must list identical choices",
                )
    problems.sort(key=lambda p: p.row or 0)
    return problems


# --- kindergartens ------------------------------------------------------------------

_BLOCK_RE: Final = re.compile(r"(?P<name>[^=@]+?)\s*=\s*(?P<seats>[0-9]+)\s*@\s*(?P<fact>[^=@]+)")


def _count(cells: _Cells, name: str) -> int | None:
    text = unicodedata.normalize("NFKC", cells.raw(name)).strip()
    if not text:
        return None
    if not re.fullmatch("[0-9]+", text) or int(text) <= 0:
        cells.problem(name, "must be a positive whole number", text)
        return None
    return int(text)


def read_kindergartens(path: StrPath, *, sheet: str | None = None) -> tuple[Kindergarten, ...]:
    """Kindergartens from a CSV or .xlsx table, in file order.

    Columns (see :data:`KINDERGARTEN_COLUMNS`): id, name, seats or classes and
    class_size, and blocks written ``owners=12@owner; staff=5@staff``
    (block=seats@fact, in precedence order).

    Raises:
        InputError: if the file is missing, of an unknown type or undecodable.
        SpreadsheetError: listing every bad row: missing or repeated id,
            seats missing, not a positive number or disagreeing with classes ×
            class size, malformed blocks, blocks beyond capacity.
    """
    sheet_data = _load(path, sheet)
    if not sheet_data.rows:
        raise InputError("the file is empty", source=sheet_data.source, hint="check the file")
    grid = _grid(sheet_data, _find_header(sheet_data, _KINDERGARTEN_INDEX, choices=False))
    columns, _, problems = _columns(grid, _KINDERGARTEN_INDEX, choices=False)
    if "id" not in columns:
        problems.append(_missing_column(grid, "id", KINDERGARTEN_COLUMNS["id"]))
    if "seats" not in columns and not {"classes", "class_size"} <= set(columns):
        problems.append(
            _missing_column(grid, "seats", (*KINDERGARTEN_COLUMNS["seats"], "班数 and 班额"))
        )
    if problems:
        raise SpreadsheetError(problems, source=grid.sheet.source)

    result = []
    first: dict[str, int] = {}
    for row, cells in grid.rows:
        reader = _Cells(grid, columns, row, cells, problems)
        before = len(problems)
        kg_id = reader.code("id")
        if kg_id is None and reader.empty("id"):
            reader.problem("id", "kindergarten id is empty")
        elif kg_id is not None:
            if kg_id in first:
                reader.problem(
                    "id",
                    f"kindergarten id appears twice: rows {first[kg_id]} and {row}",
                    kg_id,
                    "each kindergarten is listed once",
                )
            else:
                first[kg_id] = row
        name = unicodedata.normalize("NFC", reader.raw("name"))
        seats = _count(reader, "seats")
        classes = _count(reader, "classes")
        class_size = _count(reader, "class_size")
        if classes is not None and class_size is not None:
            if seats is not None and seats != classes * class_size:
                reader.problem(
                    "seats",
                    f"seats {seats} differ from classes × class size"
                    f" = {classes} × {class_size} = {classes * class_size}",
                    seats,
                    "correct one of the three, or leave seats empty",
                )
            seats = classes * class_size
        elif seats is None and len(problems) == before:
            reader.problem(
                "seats",
                "seats are missing",
                hint="give seats (学位数), or classes (班数) and class size (班额)",
            )
        blocks = []
        blocks_text = reader.raw("blocks")
        for item in _split_list(blocks_text):
            found = _BLOCK_RE.fullmatch(item)
            if found is None:
                reader.problem(
                    "blocks",
                    f"seat block {item!r} is not written name=seats@fact",
                    blocks_text,
                    "write blocks like owners=12@owner; staff=5@staff",
                )
                continue
            try:
                blocks.append(
                    SeatBlock(
                        name=found["name"].strip(),
                        seats=int(found["seats"]),
                        fact=found["fact"].strip(),
                    )
                )
            except InputError as exc:
                reader.located("blocks", exc)
        if len(problems) > before or kg_id is None or seats is None:
            continue
        try:
            result.append(Kindergarten(id=kg_id, name=name, seats=seats, blocks=tuple(blocks)))
        except InputError as exc:
            reader.located("blocks" if blocks else "seats", exc)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise SpreadsheetError(problems, source=grid.sheet.source)
    if not result:
        raise InputError("the file has a header but no kindergarten rows", source=grid.sheet.source)
    return tuple(result)


# --- later rounds -------------------------------------------------------------------


def read_responses(path: StrPath, *, sheet: str | None = None) -> tuple[Response, ...]:
    """The families' answers from a CSV or .xlsx table (spec 11.1).

    Columns (see :data:`RESPONSE_COLUMNS`): registration number, answer
    (``confirm``/确认, ``withdraw``/退出候补, ``decline``/放弃, see
    :data:`ANSWERS`) and the kindergarten of the seat kept (empty for a
    decline, and for a withdrawal by a child without a seat).

    Raises:
        InputError: if the file is missing, of an unknown type or undecodable.
        SpreadsheetError: listing every bad row: a missing column, an empty or
            repeated registration number, an unknown answer, a kindergarten
            where none belongs or none where one does.
    """
    grid, columns, problems = _round_grid(path, sheet, _RESPONSE_INDEX, RESPONSE_COLUMNS)
    out: list[Response] = []
    first: dict[str, int] = {}
    for row, cells in grid.rows:
        reader = _Cells(grid, columns, row, cells, problems)
        reg = _round_registration(reader, row, first)
        text = "".join(unicodedata.normalize("NFKC", reader.raw("answer")).split()).casefold()
        answer = ANSWERS.get(text)
        if answer is None:
            reader.problem(
                "answer",
                "unknown answer",
                reader.raw("answer"),
                "write confirm (确认), withdraw (退出候补) or decline (放弃)",
            )
        kindergarten = reader.code("kindergarten")
        if reg is None or answer is None:
            continue
        try:
            out.append(Response(reg, answer, kindergarten))
        except InputError as exc:
            reader.located("kindergarten", exc)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise SpreadsheetError(problems, source=grid.sheet.source)
    return tuple(out)


def read_round_choices(path: StrPath, *, sheet: str | None = None) -> dict[str, tuple[str, ...]]:
    """Second-round choices from a CSV or .xlsx table: registration number -> choices.

    Columns: registration number and the numbered choices, as in a
    registration export (志愿1, 志愿2, …).

    Raises:
        InputError: if the file is missing, of an unknown type or undecodable.
        SpreadsheetError: listing every bad row (an empty or repeated
            registration number, no choice, a gap, a kindergarten twice).
    """
    grid, columns, problems = _round_grid(
        path, sheet, _ROUND_CHOICE_INDEX, ROUND_CHOICE_COLUMNS, choices=True
    )
    if not any(name.startswith("choice_") for name in columns):
        problems.append(_missing_column(grid, "choice_1", APPLICANT_COLUMNS["choice_N"]))
        raise SpreadsheetError(problems, source=grid.sheet.source)
    numbers = sorted(int(n.removeprefix("choice_")) for n in columns if n.startswith("choice_"))
    out: dict[str, tuple[str, ...]] = {}
    first: dict[str, int] = {}
    for row, cells in grid.rows:
        reader = _Cells(grid, columns, row, cells, problems)
        reg = _round_registration(reader, row, first)
        picked = [reader.code(f"choice_{n}") for n in numbers]
        while picked and picked[-1] is None:
            picked.pop()
        if not picked:
            reader.problem("choice_1", "no choice given", hint="list at least one kindergarten")
        elif None in picked:
            reader.problem("choices", "a gap in the choices", hint="list choices without blanks")
        elif len(set(picked)) != len(picked):
            reader.problem("choices", "a kindergarten is listed twice", hint="list each once")
        elif reg is not None:
            out[reg] = tuple(p for p in picked if p is not None)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise SpreadsheetError(problems, source=grid.sheet.source)
    return out


def _round_grid(
    path: StrPath,
    sheet: str | None,
    index: Mapping[str, str],
    names: Mapping[str, tuple[str, ...]],
    *,
    choices: bool = False,
) -> tuple[_Grid, dict[str, Column], list[CellError]]:
    sheet_data = _load(path, sheet)
    if not sheet_data.rows:
        raise InputError("the file is empty", source=sheet_data.source, hint="check the file")
    grid = _grid(sheet_data, _find_header(sheet_data, index, choices=choices))
    columns, _, problems = _columns(grid, index, choices=choices)
    for name, aliases in names.items():
        if name != "choice_N" and name not in columns and name != "kindergarten":
            problems.append(_missing_column(grid, name, aliases))
    if problems:
        raise SpreadsheetError(problems, source=grid.sheet.source)
    return grid, columns, problems


def _round_registration(reader: _Cells, row: int, first: dict[str, int]) -> str | None:
    reg = reader.code("registration_number")
    if reg is None:
        if reader.empty("registration_number"):
            reader.problem("registration_number", "registration number is empty")
        return None
    if reg in first:
        reader.problem(
            "registration_number",
            f"registration number appears twice: rows {first[reg]} and {row}",
            reg,
            "give each child one row",
        )
        return None
    first[reg] = row
    return reg


# --- result files -------------------------------------------------------------------


def _heading(chinese: str, english: str) -> str:
    return f"{chinese} ({english})"


_RANK: Final = _heading("派位序号", "draw rank")
_REG: Final = _heading("报名编号", "registration number")
_TICKET: Final = _heading("随机号", "lottery number")
_KG_ID: Final = _heading("幼儿园编号", "kindergarten id")
_KG_NAME: Final = _heading("幼儿园名称", "kindergarten name")
_MASKED_NAME: Final = _heading("幼儿姓名", "name, masked")
_MASKED_NUMBER: Final = _heading("证件号码", "document number, masked")
_BLOCK: Final = _heading("学位类别", "seat block")
_WAIT_POSITION: Final = _heading("候补序号", "waitlist position")
_WAITLISTS: Final = _heading("候补", "waitlist positions")
_DOCUMENT_LABELS: Final = {DocumentType.RESIDENT_ID: "居民身份证", DocumentType.PASSPORT: "护照"}
_YES: Final = "是"
_NO: Final = "否"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        # A cell starting with = + - @ is a formula to Excel (CSV injection):
        # names and numbers come from parents' registrations, so quote them
        # the way OWASP recommends.
        writer.writerow(
            ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]
        )
    # UTF-8 with a BOM: without it Excel reads UTF-8 as the local code page
    # and shows Chinese as mojibake.
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    import openpyxl  # noqa: PLC0415 - see the note at the imports
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    sheet.freeze_panes = "A2"

    def cells(values: Sequence[object]) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
            if isinstance(value, str):
                # Strings stay text: never a formula, never a number that
                # Excel would cut to 15 digits.
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(headers))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table_bytes(path: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_bytes(headers, rows)
    if suffix == ".xlsx":
        return _xlsx_bytes(headers, rows)
    raise InputError(
        "unknown output file type", source=str(path), value=suffix or None, hint="use .csv or .xlsx"
    )


def _registration(registry: Mapping[str, Registration], reg: str) -> Registration:
    entry = registry.get(reg)
    if entry is None:
        raise InputError(
            "the outcome has an applicant the registry does not know",
            field="registration_number",
            value=reg,
            hint="use the registry read with these applicants",
        )
    return entry


def _masks(entry: Registration) -> tuple[str, str]:
    identity = entry.identity
    return (
        mask_name(identity.name),
        mask_document_number(identity.document_type, identity.document_number),
    )


def _waitlist_text(result: ApplicantOutcome) -> str:
    return "; ".join(f"{kg} #{position}" for kg, position in result.waitlist)


def write_private_results(
    path: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
) -> Path:
    """The bureau's full result list (.csv or .xlsx): one row per child in draw order.

    This is the only file alloc writes with names and document numbers; it is
    created readable by the owner only. Columns: draw rank, registration
    number, name, document type and number, guardian contact, lottery number
    (64 hex digits), placed kindergarten id and name, seat block, phase,
    kindergartens won (independent lottery), moved from (multiples merged),
    waitlist positions, over-capacity flag.

    Raises:
        InputError: for an unknown file type or a child missing from ``registry``.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    names = {k.id: k.name for k in outcome.rules.kindergartens}
    headers = [
        _RANK,
        _REG,
        _heading("幼儿姓名", "name"),
        _heading("证件类型", "document type"),
        _heading("证件号码", "document number"),
        _heading("联系电话", "guardian contact"),
        _TICKET,
        _heading("录取幼儿园编号", "placed kindergarten id"),
        _heading("录取幼儿园", "placed kindergarten"),
        _BLOCK,
        _heading("派位阶段", "phase"),
        _heading("中签幼儿园", "kindergartens won"),
        _heading("调整自", "moved from"),
        _WAITLISTS,
        _heading("超计划录取", "over capacity"),
    ]
    rows = []
    for rank, result in enumerate(outcome, start=1):
        entry = _registration(registry, result.registration_number)
        identity = entry.identity
        rows.append(
            [
                rank,
                result.registration_number,
                identity.name,
                _DOCUMENT_LABELS[identity.document_type],
                identity.document_number,
                identity.guardian_contact or "",
                result.ticket.hex(),
                result.placed or "",
                names.get(result.placed, "") if result.placed else "",
                result.block or "",
                result.phase or "",
                "; ".join(w.kindergarten for w in result.wins),
                result.moved_from or "",
                _waitlist_text(result),
                _YES if result.over_capacity else _NO,
            ]
        )
    return write_bytes(target, _table_bytes(target, headers, rows), force=force, mode=0o600)


def _ranked(outcome: Outcome) -> dict[str, tuple[int, ApplicantOutcome]]:
    return {r.registration_number: (rank, r) for rank, r in enumerate(outcome, start=1)}


def _block_at(result: ApplicantOutcome, kindergarten_id: str) -> str:
    if result.placed == kindergarten_id:
        return result.block or ""
    return next((w.block for w in result.wins if w.kindergarten == kindergarten_id), "")


_UNSAFE_FILE_CHARACTERS_RE: Final = re.compile(r"[^\w.-]")
_WINDOWS_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)


def _file_stem(kindergarten_id: str) -> str:
    stem = _UNSAFE_FILE_CHARACTERS_RE.sub("_", kindergarten_id).lstrip(".") or "_"
    return "_" + stem if stem.upper() in _WINDOWS_RESERVED else stem


def write_notice_lists(
    directory: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    suffix: str = ".csv",
    force: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """One notice-board list per kindergarten, ``notice-<id>.csv`` (or ``.xlsx``).

    Each lists the children placed there (under the independent lottery:
    winning there) in draw order, then its waitlist in order, with masked
    names (张*明) and document numbers (440105********1234) only. The
    directory is created if missing. No file is written if any exists
    (without ``force``).

    Raises:
        InputError: for an unknown suffix, kindergarten ids that give the same
            file name, or a child missing from ``registry``.
        OutputExistsError: if a list exists and ``force`` is false.
        StorageError: if the file system refuses a write (disk full, permission).
    """
    folder = Path(directory)
    if suffix.lower() not in {".csv", ".xlsx"}:
        raise InputError("unknown output file type", value=suffix, hint="use .csv or .xlsx")
    targets: dict[Path, str] = {}
    for kg in outcome.rules.kindergartens:
        target = folder / f"notice-{_file_stem(kg.id)}{suffix.lower()}"
        if target in targets:
            raise InputError(
                f"kindergartens {targets[target]!r} and {kg.id!r} give the same file name",
                field="kindergarten.id",
                value=target.name,
            )
        targets[target] = kg.id
        if not force and storage.will_exist(target):
            raise OutputExistsError(target)
    headers = [
        _heading("序号", "no."),
        _heading("结果", "result"),
        _WAIT_POSITION,
        _REG,
        _MASKED_NAME,
        _MASKED_NUMBER,
        _TICKET,
        _RANK,
        _BLOCK,
    ]
    ranked = _ranked(outcome)
    # Under the independent lottery a child may win at several kindergartens
    # and chooses one later, so the list shows wins, not placements.
    independent = outcome.rules.mechanism is Mechanism.INDEPENDENT
    admitted = _heading("中签", "won") if independent else _heading("录取", "placed")
    contents = []
    for target, kg_id in tracked(list(targets.items()), progress, Task.NOTICE_LISTS):
        rows: list[list[object]] = []
        for reg in outcome.placed_at(kg_id):
            rank, result = ranked[reg]
            name, number = _masks(_registration(registry, reg))
            rows.append(
                [
                    len(rows) + 1,
                    admitted,
                    "",
                    reg,
                    name,
                    number,
                    result.ticket.hex(),
                    rank,
                    _block_at(result, kg_id),
                ]
            )
        for reg, position in outcome.waitlist(kg_id):
            rank, result = ranked[reg]
            name, number = _masks(_registration(registry, reg))
            rows.append(
                [
                    len(rows) + 1,
                    _heading("候补", "waitlist"),
                    position,
                    reg,
                    name,
                    number,
                    result.ticket.hex(),
                    rank,
                    "",
                ]
            )
        contents.append((target, _table_bytes(target, headers, rows)))
    folder.mkdir(parents=True, exist_ok=True)
    return [write_bytes(target, data, force=force) for target, data in contents]


def write_waitlists(
    path: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
) -> Path:
    """Every kindergarten's waitlist in one file (.csv or .xlsx), masked.

    Rows by kindergarten in rules order, then waitlist position.

    Raises:
        InputError: for an unknown file type or a child missing from ``registry``.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    headers = [
        _KG_ID,
        _KG_NAME,
        _WAIT_POSITION,
        _REG,
        _MASKED_NAME,
        _MASKED_NUMBER,
        _TICKET,
        _RANK,
    ]
    ranked = _ranked(outcome)
    rows = []
    for kg in outcome.rules.kindergartens:
        for reg, position in outcome.waitlist(kg.id):
            rank, result = ranked[reg]
            name, number = _masks(_registration(registry, reg))
            rows.append([kg.id, kg.name, position, reg, name, number, result.ticket.hex(), rank])
    return write_bytes(target, _table_bytes(target, headers, rows), force=force)


def write_unplaced(
    path: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
) -> Path:
    """The children placed nowhere, in draw order (.csv or .xlsx), masked.

    Columns: draw rank, registration number, masked name and document
    number, lottery number, choices, waitlist positions.

    Raises:
        InputError: for an unknown file type or a child missing from ``registry``.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    headers = [
        _RANK,
        _REG,
        _MASKED_NAME,
        _MASKED_NUMBER,
        _TICKET,
        _heading("志愿", "choices"),
        _WAITLISTS,
    ]
    ranked = _ranked(outcome)
    kg_ids = [k.id for k in outcome.rules.kindergartens]
    rows = []
    for reg in outcome.unplaced:
        rank, result = ranked[reg]
        name, number = _masks(_registration(registry, reg))
        codes = outcome.choice_kindergartens[outcome.index(reg)].tolist()
        choices = "; ".join(kg_ids[c] for c in codes if c >= 0)
        rows.append([rank, reg, name, number, result.ticket.hex(), choices, _waitlist_text(result)])
    return write_bytes(target, _table_bytes(target, headers, rows), force=force)


def write_applicants(
    path: StrPath,
    table: ApplicantTable,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
) -> Path:
    """Write applicants (.csv or .xlsx) in the layout :func:`read_applicants` reads back.

    A private file (names, numbers and receipt salts; owner-readable only):
    reading it again gives the same records and identity commitments.

    Raises:
        InputError: for an unknown file type or an applicant missing from ``registry``.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    width = max(1, int((table.choices >= 0).sum(axis=1).max())) if len(table) else 1
    headers = [
        _heading("报名编号", "registration_number"),
        _heading("幼儿姓名", "name"),
        _heading("证件类型", "document_type"),
        _heading("证件号码", "document_number"),
        *(_heading(f"志愿{i}", f"choice_{i}") for i in range(1, width + 1)),
        _heading("类别", "tier"),
        _heading("多胞胎编号", "group"),
        _heading("优先条件", "facts"),
        _heading("联系电话", "guardian_contact"),
        _heading("回执校验码", "salt"),
    ]
    facts: dict[int, list[str]] = {}
    for row, code, kg in zip(
        table.fact_rows.tolist(),
        table.fact_codes.tolist(),
        table.fact_kindergartens.tolist(),
        strict=True,
    ):
        facts.setdefault(row, []).append(f"{table.fact_names[code]}@{table.kindergarten_ids[kg]}")
    assert table.tiers is not None
    assert table.groups is not None
    tiers = table.tiers.tolist()
    groups = table.groups.tolist()
    rows = []
    for row, reg in enumerate(table.registration_numbers):
        entry = _registration(registry, reg)
        identity = entry.identity
        chosen = [table.kindergarten_ids[c] for c in table.choices[row].tolist() if c >= 0]
        rows.append(
            [
                reg,
                identity.name,
                _DOCUMENT_LABELS[identity.document_type],
                identity.document_number,
                *chosen,
                *([""] * (width - len(chosen))),
                table.tier_names[tiers[row]] if tiers[row] >= 0 else "",
                table.group_ids[groups[row]] if groups[row] >= 0 else "",
                "; ".join(sorted(facts.get(row, ()))),
                identity.guardian_contact or "",
                format_salt(entry.salt),
            ]
        )
    return write_bytes(target, _table_bytes(target, headers, rows), force=force, mode=0o600)


def write_receipts(
    path: StrPath,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
) -> Path:
    """The receipts to print for parents (.csv or .xlsx), one row per child.

    Each row: registration number, masked name and document number (to hand
    the right slip to the right family) and the receipt salt, which the parent
    needs to check their child's record. Owner-readable only.

    Raises:
        InputError: for an unknown file type.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    headers = [
        _REG,
        _MASKED_NAME,
        _MASKED_NUMBER,
        _heading("回执校验码", "receipt salt"),
    ]
    rows = []
    for reg in sorted(registry):
        entry = registry[reg]
        name, number = _masks(entry)
        rows.append([reg, name, number, format_salt(entry.salt)])
    return write_bytes(target, _table_bytes(target, headers, rows), force=force, mode=0o600)
