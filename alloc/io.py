"""Files in and out: registration exports, rules, signed documents, result lists.

This is the only module besides the command line that touches files; the rest
of alloc is pure. It reads what a district bureau actually gets from its
registration system -- CSV in UTF-8, UTF-8 with a BOM or GBK, or Excel
``.xlsx`` with hidden and instruction sheets, Chinese column headers,
full-width digits, stray spaces, apostrophes, totals rows and blank trailing
rows -- and turns it into the engine's :class:`~alloc.model.ApplicantTable`
and the bureau's private :class:`~alloc.registry.Registry`, or reports
*every* problem in one go (the checks against the rules included), each
naming the file, the sheet, the row as the spreadsheet shows it (header =
row 1), the column and the value, and saying how to fix it.
:mod:`alloc.sheets` does the reading of bytes within limits; the checks of a
million rows are done column by column (:mod:`alloc.columns`) wherever a
value is in its common form, and by the per-row definition
(``_parse_row``) everywhere else.

Every file alloc writes is written atomically (a temporary file in the same
directory, flushed to disk, then renamed into place) and never replaces an
existing file unless asked to with ``force=True`` (``--force``); inside
:func:`alloc.storage.transaction` a whole command's files appear together or
not at all.

Column headers
--------------

Headers are matched after NFKC, ignoring case, spaces, ``_``, ``-`` and a
leading ``*`` (the "required" mark of many templates); a header written
``中文 (English)`` matches on either part; any applicant header about twins
(胞胎, 二胎, 同胞) is the multiples group. :data:`APPLICANT_COLUMNS` and
:data:`KINDERGARTEN_COLUMNS` list the names; unknown columns are ignored and
listed in :attr:`ApplicantImport.ignored`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import hashlib
import io
import json
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from alloc import columns as columns_fast
from alloc import notices, sheets, storage
from alloc.canonical import canonical_json, check_identifier
from alloc.draw import ApplicantOutcome, Outcome
from alloc.errors import AllocError, InputError, join_location, with_hint, with_location
from alloc.i18n import N_, _, ngettext, pgettext
from alloc.identity import (
    DocumentType,
    format_salt,
    mask_identity,
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
from alloc.notices import NoticeHeading, PublishedLists, PublishedTable
from alloc.progress import Progress, Task, advance, tracked
from alloc.registry import Registration, Registry, carry_salts
from alloc.rounds import Answer, Response
from alloc.sheets import (
    DEFAULT_LIMITS,
    Sheet,
    SheetInfo,
    SpreadsheetLimits,
    Workbook,
    column_letter,
    load_csv,
)
from alloc.signing import Envelope, TrustPolicy
from alloc.strictjson import parse_json

if TYPE_CHECKING:
    import pandas as pd

    from alloc.report import ReportPages

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
    "DEFAULT_LIMITS",
    "DOCUMENT_TYPES",
    "KINDERGARTEN_COLUMNS",
    "RESPONSE_COLUMNS",
    "ROUND_CHOICE_COLUMNS",
    "ApplicantImport",
    "CellError",
    "Column",
    "FileDigest",
    "LineFile",
    "OutputError",
    "OutputExistsError",
    "SpreadsheetError",
    "SpreadsheetLimits",
    "check_against_rules",
    "notice_file_name",
    "read_applicants",
    "read_bytes",
    "read_envelope",
    "read_json",
    "read_kindergartens",
    "read_lines",
    "read_policy",
    "read_published_lists",
    "read_responses",
    "read_round_choices",
    "read_rules",
    "read_table",
    "recording_reads",
    "tier_labels_from",
    "write_applicants",
    "write_bytes",
    "write_json",
    "write_lines",
    "write_notice_lists",
    "write_private_results",
    "write_receipts",
    "write_report",
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
    "registration_number": (
        "registration_number",
        "报名编号",
        "报名号",
        "报名序号",
        "报名流水号",
        "登记号",
        "登记编号",
        "申请编号",
        "申请号",
    ),
    "name": ("name", "姓名", "幼儿姓名", "儿童姓名", "学生姓名", "孩子姓名", "幼儿名字"),
    "document_type": ("document_type", "证件类型", "证件种类", "身份证件类型", "幼儿证件类型"),
    "document_number": (
        "document_number",
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证件号",
        "身份证件号码",
        "幼儿身份证号",
        "幼儿身份证号码",
        "儿童身份证号",
        "儿童身份证号码",
        "幼儿证件号码",
    ),
    "choice_N": ("choice_N", "志愿N", "第N志愿", "第一志愿 … 第十志愿", "志愿一", "志愿幼儿园N"),
    "tier": (
        "tier",
        "类别",
        "批次",
        "优先类别",
        "户籍类别",
        "户籍类型",
        "入学类别",
        "招生类别",
        "报名类别",
        "录取类别",
        "人员类别",
    ),
    "group": (
        "group",
        "多胞胎编号",
        "多胞胎组号",
        "双胞胎编号",
        "双胞胎组号",
        "多胞胎",
        "双胞胎",
        "二胎/双胞胎",
        "双胞胎/多胞胎",
        "同胞编号",
        "… any header with 胞胎",
    ),
    "salt": ("salt", "receipt_salt", "回执校验码"),
    "guardian_contact": (
        "guardian_contact",
        "联系电话",
        "监护人电话",
        "联系方式",
        "手机号",
        "手机号码",
        "家长电话",
        "家长手机",
        "家长联系电话",
        "监护人联系电话",
    ),
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
    re.compile(r"(?:choice|志愿)([0-9]+|[一二三四五六七八九十]+)(?:幼儿园)?"),
    re.compile(r"志愿幼儿园([0-9]+|[一二三四五六七八九十]+)"),
    re.compile(r"第([0-9]+|[一二三四五六七八九十]+)志愿(?:幼儿园|园)?"),
)
# Exports name the multiples column in many ways (双胞胎编号, 二胎/双胞胎,
# 多胞胎); any header about twins or triplets is read as the group, so twins
# are never drawn apart because their column went unrecognised.
_MULTIPLES_RE: Final = re.compile(r".*(?:胞胎|二胎|同胞).*")
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
        tens, _ten, ones = text.partition("十")
        high = _CHINESE_DIGITS.get(tens, -1) if tens else 1
        low = _CHINESE_DIGITS.get(ones, -1) if ones else 0
        return None if high < 1 or low < 0 else high * 10 + low
    return _CHINESE_DIGITS.get(text) if len(text) == 1 else None


def _alias_index(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for name, aliases in columns.items():
        if name != "choice_N":
            for alias in aliases:
                if not alias.startswith("…"):
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
    if choices and _MULTIPLES_RE.fullmatch(key):
        return "group"
    return None


# --- errors -----------------------------------------------------------------------


class CellError(InputError):
    """One problem at a row and column of a spreadsheet.

    ``field`` is alloc's name for the column (``document_number``),
    ``header`` the header as written in the file, ``column`` its letter as
    Excel shows it (``C``) and ``sheet`` the workbook sheet (None for CSV);
    :meth:`describe` leaves out the file and sheet, for lists of problems.
    """

    code = "import.cell"
    field_is_column = True


class SpreadsheetError(InputError):
    """A file has problems; ``problems`` holds every one of them, in row order.

    The message lists the first 50. Nothing from the file is used until all
    are fixed.
    """

    code = "import.problems"
    specific = True
    problems: tuple[InputError, ...]

    def __init__(
        self, problems: Sequence[InputError], *, source: str, sheet: str | None = None
    ) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        count = len(self.problems)
        super().__init__(
            ngettext("{count} problem", "{count} problems", count).format(count=count),
            source=source,
            sheet=sheet,
            row=first.row if first is not None else None,
            field=first.field if first is not None else None,
            hint=_("nothing was imported; fix every row listed and read the file again"),
        )

    @classmethod
    def of(
        cls, problems: Sequence[InputError], *, source: StrPath, sheet: str | None = None
    ) -> SpreadsheetError:
        """The problems (e.g. from :func:`check_against_rules`) as one error, in row order."""
        return cls(sorted(problems, key=lambda p: p.row or 0), source=str(source), sheet=sheet)

    def _render(self) -> str:
        parts = [self.source] if self.source is not None else []
        if self.sheet is not None:
            parts.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        summary = with_hint(with_location(join_location(parts), self.problem), self.hint)
        head = _("{summary}:").format(summary=summary)
        lines = [head]
        for problem in self.problems[:_MAX_LISTED]:
            text = (
                problem.describe(with_source=False)
                if isinstance(problem, CellError)
                else str(problem)
            )
            lines.append(f"  {text}")
        if len(self.problems) > _MAX_LISTED:
            more = len(self.problems) - _MAX_LISTED
            lines.append("  " + _("... and {count} more").format(count=more))
        return "\n".join(lines)


class OutputError(AllocError):
    """A file could not be written; names the path and the reason."""

    code = "output.failed"

    def __init__(
        self, problem: str, *, path: StrPath, hint: str | None = None, code: str | None = None
    ) -> None:
        self.problem = problem
        self.path = Path(path)
        self.hint = hint
        super().__init__(with_hint(with_location(str(self.path), problem), hint), code=code)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data.update(problem=self.problem, source=str(self.path))
        if self.hint is not None:
            data["hint"] = self.hint
        return data


class OutputExistsError(OutputError):
    """The output file already exists and ``force`` was not given."""

    code = "output.exists"
    specific = True

    def __init__(self, path: StrPath) -> None:
        super().__init__(
            _("already exists; alloc never overwrites a file unless told to"),
            path=path,
            hint=_("use --force (force=True) to replace it, or choose another name"),
        )


# --- reading bytes ------------------------------------------------------------------


@dataclass(frozen=True)
class FileDigest:
    """A file alloc read: its path as given, its size in bytes and the SHA-256 of those bytes."""

    path: str
    size: int
    sha256: bytes


_READS: ContextVar[list[FileDigest] | None] = ContextVar("alloc_reads", default=None)


@contextlib.contextmanager
def recording_reads() -> Iterator[list[FileDigest]]:
    """Record every file this module reads inside the block, with the hash of the bytes read.

    A certificate of verification lists exactly the bytes that were checked,
    not a second reading of the files that could differ. Never raises.
    """
    reads: list[FileDigest] = []
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def read_bytes(path: StrPath) -> bytes:
    """A whole file's bytes (inside a transaction, what it wrote there); recorded by
    :func:`recording_reads`.

    Raises:
        InputError: if the file is missing or is a directory.
        StorageError: if the file system refuses the read.
    """
    return _read_bytes(path)


def _read_bytes(path: StrPath) -> bytes:
    source = str(path)
    txn = storage.active_transaction()
    staged = txn.staged(path) if txn is not None else None
    try:
        data = (staged or Path(path)).read_bytes()
    except FileNotFoundError:
        raise InputError(
            _("file not found"),
            code="file.not-found",
            source=source,
            hint=_("check the path and the file name"),
        ) from None
    except IsADirectoryError:
        raise InputError(
            _("is a directory, not a file"), code="file.not-a-file", source=source
        ) from None
    except OSError as exc:
        raise storage.os_error(exc, path=source, action="read") from exc
    reads = _READS.get()
    if reads is not None:
        reads.append(FileDigest(source, len(data), hashlib.sha256(data).digest()))
    return data


def read_lines(path: StrPath) -> list[bytes]:
    """The lines of a line-per-child file (records.jsonl, results.jsonl), without newlines.

    Every line must end with exactly ``\\n``: a missing final newline means a
    truncated file, and CRLF or a BOM means the file was re-saved by an editor;
    either would change the Merkle root, so they are refused, not repaired.
    :class:`LineFile` reads such a file without holding it whole. Recorded by
    :func:`recording_reads`.

    Raises:
        InputError: naming the file and the 1-based line at fault.
    """
    reads = _READS.get()
    lines: list[bytes] = []
    for block in _line_blocks(path, None if reads is None else reads.append):
        lines += block
    return lines


#: Bytes read from a line-per-child file at a time.
_LINE_BLOCK = 1 << 24


def _line_blocks(
    path: StrPath, whole: Callable[[FileDigest], None] | None = None
) -> Iterator[list[bytes]]:
    """The file's lines a block of bytes at a time, each checked as :func:`read_lines` says.

    The first line at fault is named whatever the block size: the start and
    the end of the file are checked before any line, as when the whole file
    was read at once. With ``whole``, the bytes read are hashed, and
    ``whole`` is given their digest once the file has been read to its end
    (also when a line is refused: the rest is hashed first, so the digest is
    the whole file's); a reading the caller stops early gives none.
    """
    source = str(path)
    txn = storage.active_transaction()
    staged = txn.staged(path) if txn is not None else None
    digest = hashlib.sha256() if whole is not None else None
    size = 0

    def read(handle: Any) -> bytes:
        nonlocal size
        block: bytes = handle.read(_LINE_BLOCK)
        if digest is not None:
            digest.update(block)
        size += len(block)
        return block

    def done() -> None:
        if whole is not None and digest is not None:
            whole(FileDigest(source, size, digest.digest()))

    try:
        with open(staged or Path(path), "rb") as handle:
            try:
                head = handle.read(len(codecs.BOM_UTF8))
                if not head:
                    done()
                    return
                if head == codecs.BOM_UTF8:
                    raise InputError(
                        _("starts with a byte-order mark (BOM)"),
                        code="lines.bom",
                        source=source,
                        row=1,
                        hint=_(
                            "the file was re-saved by an editor; use the file exactly as"
                            " alloc wrote it"
                        ),
                    )
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.seek(0)
                    count = sum(b.count(b"\n") for b in iter(lambda: read(handle), b""))
                    raise _no_final_newline(source, count + 1)
                handle.seek(0)
                row, carry = 1, b""
                while block := read(handle):
                    data = carry + block
                    end = data.rfind(b"\n") + 1
                    if not end:
                        carry = data
                        continue
                    data, carry = data[: end - 1], data[end:]
                    lines = data.split(b"\n")
                    _check_lines(lines, data, row, source)
                    yield lines
                    row += len(lines)
                if carry:  # the file grew while it was read
                    raise _no_final_newline(source, row)
                done()
            except InputError:
                # A refused file is still listed with the digest of all its bytes.
                if digest is not None:
                    handle.seek(0)
                    digest, size = hashlib.sha256(), 0
                    while read(handle):
                        pass
                    done()
                raise
    except FileNotFoundError:
        raise InputError(
            _("file not found"),
            code="file.not-found",
            source=source,
            hint=_("check the path and the file name"),
        ) from None
    except IsADirectoryError:
        raise InputError(
            _("is a directory, not a file"), code="file.not-a-file", source=source
        ) from None
    except OSError as exc:
        raise storage.os_error(exc, path=source, action="read") from exc


def _no_final_newline(source: str, row: int) -> InputError:
    return InputError(
        _("the last line has no newline: the file is truncated or was edited"),
        code="lines.truncated",
        source=source,
        row=row,
        hint=_("download or copy the file again"),
    )


def _check_lines(lines: list[bytes], data: bytes, row: int, source: str) -> None:
    """Refuse the first of ``lines`` (``data`` split, line ``row`` on) holding a CR or nothing."""
    bad = []
    if (carriage := data.find(b"\r")) >= 0:
        bad.append(data.count(b"\n", 0, carriage))
    if b"" in lines:
        bad.append(lines.index(b""))
    if not bad:
        return
    line = lines[min(bad)]
    if not line:
        raise InputError(
            _("empty line"),
            code="lines.empty-line",
            source=source,
            row=row + min(bad),
            hint=_("every line holds one record; the file was edited"),
        )
    raise InputError(
        _("line ends with CRLF (Windows line endings)")
        if line.endswith(b"\r")
        else _("line contains a carriage return"),
        code="lines.crlf" if line.endswith(b"\r") else "lines.carriage-return",
        source=source,
        row=row + min(bad),
        hint=_(
            "the file was converted by an editor or a transfer in text mode;"
            " convert it back (dos2unix) or copy it again in binary mode"
        ),
    )


class LineFile:
    """A line-per-child file (records.jsonl, results.jsonl) read chunk by chunk, never whole.

    Each reading (:meth:`chunks`) checks every line as :func:`read_lines`
    does, so a verifier holds one chunk of a file at a time
    (:class:`alloc.records.LineSource`); the file is read again for each
    reading. A file that changes after it was opened is refused. Inside
    :func:`recording_reads` every reading to the end is recorded with the
    SHA-256 of the bytes it read, and a reading whose bytes differ from an
    earlier one's is refused.

    Raises:
        InputError: if the file cannot be read.
    """

    __slots__ = ("_count", "_digest", "_path", "_stamp")

    def __init__(self, path: StrPath) -> None:
        self._path = path
        self._stamp = self._stat()
        self._count: int | None = None
        self._digest: bytes | None = None

    @property
    def path(self) -> Path:
        return Path(self._path)

    def __repr__(self) -> str:
        return f"LineFile({str(self._path)!r})"

    def _stat(self) -> tuple[int, int]:
        txn = storage.active_transaction()
        staged = txn.staged(self._path) if txn is not None else None
        try:
            found = (staged or Path(self._path)).stat()
        except FileNotFoundError:
            raise InputError(
                _("file not found"),
                code="file.not-found",
                source=str(self._path),
                hint=_("check the path and the file name"),
            ) from None
        except OSError as exc:
            raise storage.os_error(exc, path=str(self._path), action="read") from exc
        return found.st_size, found.st_mtime_ns

    def _changed(self) -> InputError:
        return InputError(
            _("the file changed while alloc was reading it"),
            code="file.changed-while-read",
            source=str(self._path),
            hint=_("check it again once nothing is writing to it"),
        )

    def chunks(self, size: int) -> Iterator[list[bytes]]:
        """The lines, ``size`` at a time (the last chunk may be shorter).

        Raises:
            InputError: naming the file and the 1-based line at fault, or if
                the file changed since it was opened.
        """
        if size < 1:
            raise InputError(
                _("a chunk holds at least one line"), code="chunk.size", field="size", value=size
            )
        if self._stat() != self._stamp:
            raise self._changed()
        reads = _READS.get()
        pending: list[bytes] = []
        seen = 0
        for block in _line_blocks(self._path, None if reads is None else self._recorder(reads)):
            pending += block
            while len(pending) >= size:
                chunk = pending[:size]
                del pending[:size]
                seen += size
                yield chunk
        if pending:
            seen += len(pending)
            yield pending
        if self._stat() != self._stamp or self._count not in (None, seen):
            raise self._changed()
        self._count = seen

    def _recorder(self, reads: list[FileDigest]) -> Callable[[FileDigest], None]:
        def record(found: FileDigest) -> None:
            if self._digest not in (None, found.sha256):
                raise self._changed()
            self._digest = found.sha256
            reads.append(found)

        return record


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
            _("is not UTF-8 text"),
            code="json.not-utf8",
            source=source,
            hint=_("save it as UTF-8"),
        ) from exc

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise InputError(
                    _("key appears twice in one object"),
                    code="json.duplicate-key",
                    field=key,
                    source=source,
                    hint=_("delete one of them"),
                )
            result[key] = value
        return result

    def no_constant(name: str) -> Any:
        raise InputError(
            _("{name} is not allowed in JSON").format(name=name),
            code="json.not-json-value",
            source=source,
        )

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            _("not valid JSON: {reason} at column {column}").format(
                reason=exc.msg, column=exc.colno
            ),
            code="json.syntax",
            source=source,
            row=exc.lineno,
            hint=_("check for a missing comma, quote or bracket on or just before that line"),
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
            _("the directory {directory!r} does not exist").format(directory=str(directory)),
            code="output.no-directory",
            path=target,
            hint=_("create it first or choose another path"),
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
                _("a line contains a newline or carriage return"),
                code="output.line-break",
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
            raise InputError(
                _("cannot be written as JSON ({reason})").format(reason=exc),
                code="output.not-json",
                source=str(path),
            ) from exc
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

# Cell kinds other than text (see alloc.sheets), per (spreadsheet row, column index).
_NUMBER: Final = sheets.NUMBER
_BIG_NUMBER: Final = sheets.BIG_NUMBER
_DATE: Final = sheets.DATE
_BOOL: Final = sheets.BOOL
_ERROR: Final = sheets.ERROR
_FORMULA: Final = sheets.FORMULA


@dataclass(frozen=True)
class _TableKind:
    """What a file must hold to be this kind of table, for choosing a workbook's sheet.

    ``what`` is a message id (``N_``), translated where it is shown.
    """

    what: str
    index: Mapping[str, str]
    choices: bool
    complete: Callable[[frozenset[str]], bool]


def _applicant_complete(fields: frozenset[str]) -> bool:
    return {*_REQUIRED_APPLICANT, "choice_1"} <= fields


def _kindergarten_complete(fields: frozenset[str]) -> bool:
    return "id" in fields and ("seats" in fields or {"classes", "class_size"} <= fields)


def _header_fields(
    rows: Sequence[tuple[int, tuple[str, ...]]], index: Mapping[str, str], *, choices: bool
) -> frozenset[str]:
    """The fields named by the row (among the first few) naming the most."""
    best: frozenset[str] = frozenset()
    for _row, cells in rows[:_HEADER_SEARCH_ROWS]:
        found = frozenset(
            name
            for c in cells
            if c and (name := _match_header(c, index, choices=choices)) is not None
        )
        if len(found) > len(best):
            best = found
    return best


def _sheet_list(book: Workbook) -> str:
    shown = []
    for info in book.sheets:
        tags = []
        if info.position == book.active:
            tags.append(_("active"))
        if not info.visible:
            tags.append(_("hidden"))
        if not info.is_worksheet:
            tags.append(_("not a table"))
        shown.append(
            _("{sheet!r} ({tags})").format(sheet=info.name, tags=", ".join(tags))
            if tags
            else repr(info.name)
        )
    return ", ".join(shown)


def _choose_sheet(
    book: Workbook, sheet: str | None, kind: _TableKind | None
) -> tuple[SheetInfo, tuple[str, ...]]:
    """The sheet to read, and notes on the sheets not read.

    A sheet named by ``sheet`` is read whatever its state. Otherwise, for a
    kind of table, the one visible sheet holding its columns is read; two such
    sheets are refused as ambiguous, and a hidden sheet (often last year's
    list) is never read unasked. Without a kind, the active sheet if visible.
    """
    source = book.source
    sheets_are = _("its sheets are {sheets}")
    if sheet is not None:
        info = book.sheet(sheet)
        if info is None:
            raise InputError(
                _("the workbook has no such sheet"),
                code="import.no-such-sheet",
                source=source,
                field="sheet",
                value=sheet,
                hint=sheets_are.format(sheets=_sheet_list(book)),
            )
        if not info.is_worksheet:
            raise InputError(
                _("sheet {sheet!r} is a chart or macro sheet, not a table").format(sheet=sheet),
                code="import.not-a-table",
                source=source,
                hint=sheets_are.format(sheets=_sheet_list(book)),
            )
        asked = (
            ()
            if info.visible
            else (_("sheet {sheet!r} is hidden in Excel; read as asked").format(sheet=sheet),)
        )
        return info, asked
    tables = [s for s in book.sheets if s.is_worksheet]
    visible = [s for s in tables if s.visible]
    active = book.sheets[book.active]
    if kind is None:
        if active.visible and active.is_worksheet:
            return active, ()
        if len(visible) == 1:
            return visible[0], ()
        raise InputError(
            _(
                "the workbook's active sheet is not a visible table, so which sheet to read"
                " is not clear"
            ),
            code="import.sheet-unclear",
            source=source,
            hint=_("give the sheet's name (--sheet); its sheets are {sheets}").format(
                sheets=_sheet_list(book)
            ),
        )
    fields = {
        s.position: _header_fields(
            book.preview(s, _HEADER_SEARCH_ROWS), kind.index, choices=kind.choices
        )
        for s in tables
    }
    complete = [s for s in tables if kind.complete(fields[s.position])]
    shown = [s for s in complete if s.visible]
    what = _(kind.what)
    if len(shown) > 1:
        names = pgettext("joining names", " and ").join(repr(s.name) for s in shown)
        raise InputError(
            _(
                "sheets {sheets} both hold {what} columns; alloc will not guess which list to read"
            ).format(sheets=names, what=what),
            code="import.sheets-ambiguous",
            source=source,
            field="sheet",
            hint=_(
                "give the sheet's name (--sheet NAME), or delete the sheet that is not this"
                " year's list; its sheets are {sheets}"
            ).format(sheets=_sheet_list(book)),
        )
    if not shown and complete:
        hidden = complete[0]
        raise InputError(
            _(
                "the only sheet with {what} columns, {sheet!r}, is hidden in Excel;"
                " alloc never reads a hidden sheet unasked (it is often last year's list)"
            ).format(what=what, sheet=hidden.name),
            code="import.hidden-sheet",
            source=source,
            field="sheet",
            hint=_(
                "if it is this year's list, unhide it or give --sheet {sheet!r};"
                " its sheets are {sheets}"
            ).format(sheet=hidden.name, sheets=_sheet_list(book)),
        )
    if shown:
        chosen = shown[0]
    elif visible:
        # No sheet has every required column: read the visible sheet naming
        # the most (the active one on a tie), so the missing ones are named.
        chosen = max(
            visible,
            key=lambda s: (len(fields[s.position]), s.position == book.active, -s.position),
        )
    else:
        raise InputError(
            _("the workbook has no visible sheet with a table"),
            code="import.no-visible-sheet",
            source=source,
            hint=_(
                "unhide the sheet with the list, or give --sheet; its sheets are {sheets}"
            ).format(sheets=_sheet_list(book)),
        )
    notes: list[str] = []
    if len(book.sheets) > 1:
        if not shown:
            notes.append(
                _("no sheet has every {what} column; sheet {sheet!r} names the most").format(
                    what=what, sheet=chosen.name
                )
            )
        elif chosen.position != book.active:
            notes.append(
                _(
                    "read sheet {sheet!r}, the only sheet with {what} columns"
                    " (Excel opens on {active!r})"
                ).format(sheet=chosen.name, what=what, active=active.name)
            )
        for other in book.sheets:
            if other.position == chosen.position:
                continue
            if not other.visible:
                notes.append(_("hidden sheet {sheet!r} was not read").format(sheet=other.name))
            elif other.is_worksheet:
                notes.append(
                    _("sheet {sheet!r} was not read: it has no {what} columns").format(
                        sheet=other.name, what=what
                    )
                )
            else:
                notes.append(
                    _("sheet {sheet!r} was not read: it is not a table").format(sheet=other.name)
                )
    return chosen, tuple(notes)


def _load(
    path: StrPath,
    *,
    sheet: str | None,
    limits: SpreadsheetLimits,
    kind: _TableKind | None = None,
) -> tuple[Sheet, tuple[str, ...]]:
    """The table in a .csv or .xlsx file, and notes on what was not read."""
    source = str(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise InputError(
                _("a CSV file has no sheets"),
                code="import.csv-has-no-sheets",
                source=source,
                field="sheet",
                value=sheet,
                hint=_("a sheet is named only for an .xlsx workbook; leave it out"),
            )
        return load_csv(source, limits=limits), ()
    if suffix == ".xlsx":
        with Workbook(source, limits=limits) as book:
            info, notes = _choose_sheet(book, sheet, kind)
            return book.read(info), notes
    if suffix == ".xls":
        raise InputError(
            _("old Excel .xls workbooks cannot be read"),
            code="import.xls",
            source=source,
            hint=_("open it in Excel and save as .xlsx or as CSV UTF-8"),
        )
    raise InputError(
        _("unknown file type"),
        code="import.unknown-file-type",
        source=source,
        value=suffix or None,
        hint=_("give a .csv or .xlsx file"),
    )


@dataclass(frozen=True, eq=False)
class _Grid:
    """A sheet split at its header row: the body's cells by column index."""

    sheet: Sheet
    header_row: int
    headers: tuple[str, ...]
    rows: npt.NDArray[np.int64]
    body: Mapping[int, npt.NDArray[np.object_]]
    problems: tuple[CellError, ...]

    @property
    def source(self) -> str:
        return self.sheet.source

    @property
    def name(self) -> str | None:
        return self.sheet.name

    def letter(self, index: int) -> str:
        return column_letter(index)

    def column(self, index: int) -> npt.NDArray[np.object_]:
        """The body's cells in column ``index`` (``""`` where empty)."""
        found = self.body.get(index)
        return found if found is not None else np.full(len(self.rows), "", dtype=object)

    def cells(self, position: int) -> tuple[str, ...]:
        """The ``position``-th body row, padded to the header's width."""
        return tuple(
            str(self.body[i][position]) if i in self.body else "" for i in range(len(self.headers))
        )

    def without(self, positions: Sequence[int]) -> _Grid:
        """The grid without the body rows at ``positions``."""
        keep = np.ones(len(self.rows), bool)
        keep[list(positions)] = False
        return replace(self, rows=self.rows[keep], body={i: c[keep] for i, c in self.body.items()})

    def error(self, problem: str, *, code: str, **where: Any) -> CellError:
        return CellError(problem, code=code, source=self.source, sheet=self.name, **where)


def _grid(sheet: Sheet, header_at: int = 0) -> _Grid:
    """Split ``sheet`` at its ``header_at``-th non-blank row; rows above it are dropped."""
    if not len(sheet):
        raise InputError(
            _("the file is empty"),
            code="import.empty",
            source=sheet.source,
            sheet=sheet.name,
            hint=_("check the file"),
        )
    header_row = int(sheet.rows[header_at])
    headers = [unicodedata.normalize("NFKC", h).strip() for h in sheet.row(header_at)]
    body = {}
    for index, cells in sheet.columns.items():
        below = cells[header_at + 1 :]
        if (below != "").any():
            body[index] = below
    width = max(
        max((i + 1 for i, h in enumerate(headers) if h), default=0),
        max(body, default=-1) + 1,
    )
    headers += [""] * (width - len(headers))
    # Data under a blank header: named by its letter, so nothing is lost.
    names = tuple(
        h or _("column {column}").format(column=column_letter(i))
        for i, h in enumerate(headers[:width])
    )
    problems = []
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            problems.append(
                CellError(
                    _("the header appears twice (also column {column})").format(
                        column=column_letter(seen[name])
                    ),
                    code="import.duplicate-header",
                    source=sheet.source,
                    sheet=sheet.name,
                    row=header_row,
                    column=column_letter(index),
                    header=name,
                    value=name,
                    hint=_("rename or delete one of the two columns"),
                )
            )
        seen.setdefault(name, index)
    return _Grid(sheet, header_row, names, sheet.rows[header_at + 1 :], body, tuple(problems))


def read_table(
    path: StrPath, *, sheet: str | None = None, limits: SpreadsheetLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """A CSV or .xlsx file as a DataFrame of strings.

    The first non-blank row is the header (names NFKC-normalised and
    stripped); fully blank rows are dropped; every cell is cleaned text
    (:func:`alloc.sheets.clean_cell`), ``""`` when empty. The index holds
    each row's number as the spreadsheet shows it (header = 1), for
    messages. CSV is decoded as :func:`alloc.sheets.decode_text` says; of a
    workbook the active sheet is read, or ``sheet``. Excel number cells
    become their digits (``0001`` if the cell's format pads with zeros),
    dates ISO 8601. ``attrs`` holds ``source``, ``encoding`` and ``sheet``.

    Raises:
        InputError: if the file is missing, of an unknown type, undecodable,
            beyond ``limits``, or its sheet is not clear.
        SpreadsheetError: listing duplicate headers, Excel error cells
            (``#N/A``) and numbers of 16 or more digits (Excel keeps 15).
    """
    loaded, _notes = _load(path, sheet=sheet, limits=limits)
    grid = _grid(loaded)
    problems = list(grid.problems)
    positions = {int(n): i for i, n in enumerate(grid.rows)}
    for (row, index), kind in sorted(loaded.kinds.items()):
        if row in positions and index < len(grid.headers) and kind in {_BIG_NUMBER, _ERROR}:
            text = str(grid.column(index)[positions[row]])
            problems.append(_kind_problem(grid, row, index, kind, text, None))
    if problems:
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    import pandas as pd  # noqa: PLC0415 - see the note at the imports

    frame = pd.DataFrame(
        {name: grid.column(index) for index, name in enumerate(grid.headers)},
        index=pd.Index(grid.rows.tolist(), name="row"),
        dtype=str,
    )
    frame.attrs["source"] = grid.source
    frame.attrs["encoding"] = loaded.encoding
    frame.attrs["sheet"] = loaded.name
    return frame


#: Cells Excel made other than text: the problem, how to fix it, the error code.
_KIND_PROBLEMS: Final = {
    _BIG_NUMBER: (
        N_(
            "Excel stored this as a number and keeps only 15 significant digits,"
            " so the last digits are lost"
        ),
        N_(
            "format the column as Text (文本) and type the numbers again,"
            " or export the file from the registration system again"
        ),
        "import.excel-long-number",
    ),
    _ERROR: (
        N_("the cell holds an Excel error, not a value"),
        N_("fix the formula or type the value"),
        "import.excel-error",
    ),
    _DATE: (
        N_("Excel turned this cell into a date or time"),
        N_("format the column as Text (文本) and type the value again"),
        "import.excel-date",
    ),
    _BOOL: (
        N_("the cell holds TRUE/FALSE, not text"),
        N_("type the value as text"),
        "import.excel-boolean",
    ),
    _NUMBER: (
        N_("Excel stored this as a number, which can lose leading zeros and digits"),
        N_("format the column as Text (文本) and type the value again"),
        "import.excel-number",
    ),
    _FORMULA: (
        N_("the cell holds a formula whose value was never saved"),
        N_("open the file in Excel or WPS and save it again, or type the value"),
        "import.excel-formula",
    ),
}


def _kind_problem(
    grid: _Grid, row: int, index: int, kind: str, text: str, field_name: str | None
) -> CellError:
    problem, hint, code = _KIND_PROBLEMS[kind]
    return grid.error(
        _(problem),
        code=code,
        row=row,
        column=grid.letter(index),
        header=grid.headers[index],
        field=field_name,
        value=text or None,
        hint=_(hint),
    )


# --- columns ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a spreadsheet: alloc's field name (or None), the header, its letter."""

    field: str
    header: str
    letter: str
    index: int


def _columns(
    grid: _Grid, index: Mapping[str, str], *, choices: bool
) -> tuple[dict[str, Column], list[Column], list[CellError]]:
    """Map fields to columns; columns with unknown headers are returned as ignored."""
    found: dict[str, Column] = {}
    ignored = []
    problems = []
    for position, header in enumerate(grid.headers):
        name = _match_header(header, index, choices=choices)
        if name is None:
            ignored.append(Column("", header, grid.letter(position), position))
            continue
        column = Column(name, header, grid.letter(position), position)
        if name in found:
            other = found[name]
            problems.append(
                grid.error(
                    _(
                        "two columns give {field}: column {first} {first_header!r}"
                        " and column {second} {second_header!r}"
                    ).format(
                        field=name,
                        first=other.letter,
                        first_header=other.header,
                        second=column.letter,
                        second_header=column.header,
                    ),
                    code="import.duplicate-column",
                    row=grid.header_row,
                    column=column.letter,
                    header=header,
                    field=name,
                    hint=_("delete or rename one of them"),
                )
            )
            continue
        found[name] = column
    return found, ignored, problems


def _missing_column(
    grid: _Grid, name: str, aliases: Sequence[str], notes: Sequence[str] = ()
) -> CellError:
    shown = ", ".join(grid.headers) or _("none")
    hint = _("add a column headed {headers}; the header row has: {found}").format(
        headers=pgettext("alternatives", " or ").join(aliases), found=shown
    )
    if grid.sheet.encoding == "gb18030":
        hint = _(
            "{hint} (read as GB18030; if these look garbled, save the file as CSV UTF-8)"
        ).format(hint=hint)
    if grid.name is not None and notes:
        hint = with_hint(hint, pgettext("list of notes", "; ").join(notes))
    return grid.error(
        _("required column is missing"),
        code="import.missing-column",
        row=grid.header_row,
        field=name,
        hint=hint,
    )


def _find_header(sheet: Sheet, index: Mapping[str, str], *, choices: bool) -> int:
    """The non-blank row (among the first few) that looks most like the header.

    Exports often carry a title row (“2026年秋季幼儿园报名名单”) above the
    header; the header is the row naming the most known columns.
    """
    best, best_count = 0, 0
    for position in range(min(len(sheet), _HEADER_SEARCH_ROWS)):
        count = sum(
            1 for c in sheet.row(position) if c and _match_header(c, index, choices=choices)
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
    ``receipts_generated`` says the file had no salt column: salts came from
    the previous registry where it had them (``previous``) and were made
    afresh for the registration numbers in ``new_salts``, for which the
    bureau must print receipts (:attr:`Registration.receipt`) before the
    list is frozen. ``reissued`` lists those whose previous salt belonged to
    another document number (the old receipt no longer matches).
    ``columns`` lists the recognised columns, ``ignored`` (and, as headers,
    ``ignored_columns``) the ones alloc did not use; ``sheet`` is the
    workbook sheet read and ``notes`` says what else was not read and what
    was mapped (kindergarten names, tier labels).
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
    sheet: str | None = None
    ignored: tuple[Column, ...] = ()
    notes: tuple[str, ...] = ()
    new_salts: tuple[str, ...] = ()
    reissued: tuple[str, ...] = ()
    #: The rules the values were mapped and checked against, if any.
    rules_checked: bool = False

    def column(self, name: str) -> Column | None:
        """The column read for field ``name``, if the file had one."""
        return next((c for c in self.columns if c.field == name), None)

    @property
    def where(self) -> str:
        """The file, and the sheet if it has one, for messages (in the current language)."""
        if self.sheet is None:
            return self.source
        return _("{source}, sheet {sheet!r}").format(source=self.source, sheet=self.sheet)


@dataclass(slots=True)
class _Row:
    """One applicant row as parsed by the per-row definition."""

    row: int
    registration_number: str | None = None
    name: str | None = None
    document_type: DocumentType | None = None
    document_number: str | None = None
    choices: list[str] = field(default_factory=list)
    #: The choice column (1-based) each of ``choices`` came from.
    choice_at: list[int] = field(default_factory=list)
    tier: str | None = None
    group: str | None = None
    salt: bytes | None = None
    contact: str | None = None
    facts: dict[tuple[str, str], str] = field(default_factory=dict)


_REPLACEMENT: Final = "\ufffd"
#: What a name holds when a character was lost: the replacement character, or
#: a question mark written by a program saving in an encoding without it.
_LOST_IN_NAMES: Final = ("\ufffd", "?", "\uff1f")
#: Values of a multiples column that say "is a twin" without saying with whom.
_YES_NO: Final = frozenset(
    {"是", "否", "有", "无", "√", "×", "y", "n", "yes", "no", "true", "false"}
)


_GROUP_HINT: Final = N_(
    "give twins and triplets one shared id (e.g. the first sibling's registration"
    " number) and leave the cell empty for other children"
)


def _is_yes_no(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().casefold() in _YES_NO


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
        self,
        name: str,
        problem: str,
        value: object = None,
        hint: str | None = None,
        *,
        code: str,
    ) -> None:
        column = self.columns.get(name)
        self.problems.append(
            self.grid.error(
                problem,
                code=code,
                row=self.row,
                column=column.letter if column else None,
                header=column.header if column else None,
                field=name,
                value=value,
                hint=hint,
            )
        )

    def located(self, name: str, exc: InputError) -> None:
        self.problem(name, exc.problem, exc.value, exc.hint, code=exc.code)

    def raw(self, name: str) -> str:
        """The cell's text; "" if empty, if there is no such column, or if the cell
        is refused (reported once): Excel made it other than text, or it holds the
        replacement character U+FFFD."""
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
        if _REPLACEMENT in text:
            if name not in self.refused:
                self.refused.add(name)
                self.problem(
                    name,
                    _(
                        "holds the replacement character U+FFFD (�): a character was lost when"
                        " the file was saved or converted"
                    ),
                    text,
                    _("export the file again as UTF-8 (CSV UTF-8 or .xlsx) and check this cell"),
                    code="import.replacement-character",
                )
            return ""
        return text

    def empty(self, name: str) -> bool:
        """True if the cell is truly empty (not refused)."""
        return not self.raw(name) and name not in self.refused

    def code(self, name: str) -> str | None:
        """An identifier cell: NFKC (full-width to ASCII), stripped, checked."""
        value, error = _code_value(self.raw(name), name)
        if error is not None:
            self.located(name, error)
        return value


def _code_value(text: str, name: str) -> tuple[str | None, InputError | None]:
    """An identifier cell's value, or the error it gives (never both)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return None, None
    try:
        return check_identifier(value, name), None
    except InputError as exc:
        return None, exc


def _number_ok(name: str) -> bool:
    return name in _NUMBER_OK or name.startswith("choice_")


def _document_type_value(text: str) -> DocumentType | None:
    """The document type a cell names (empty: resident id), or None if unknown."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).casefold()
    if not key:
        return DocumentType.RESIDENT_ID
    for label, kind in DOCUMENT_TYPES.items():
        if key == label.casefold():
            return kind
    return None


def _document_type(cells: _Cells) -> DocumentType | None:
    text = unicodedata.normalize("NFKC", cells.raw("document_type"))
    kind = _document_type_value(text)
    if kind is None:
        cells.problem(
            "document_type",
            _("unknown document type"),
            text,
            _("use one of {allowed}").format(allowed=", ".join(DOCUMENT_TYPES)),
            code="id-number.unknown-type",
        )
    return kind


def _split_list(text: str) -> list[str]:
    items = _LIST_SEPARATORS_RE.split(unicodedata.normalize("NFKC", text))
    return [item.strip() for item in items if item.strip()]


#: A problem with a fact cell: problem, value, hint, error code.
_FactProblem = tuple[str, object, "str | None", str]


def _fact_pairs(name: str, text: str) -> tuple[list[tuple[str, str]], list[_FactProblem]]:
    """The (fact, kindergarten) pairs a facts, owner_at or staff_at cell gives."""
    pairs = []
    problems: list[_FactProblem] = []
    if name == "facts":
        for item in _split_list(text):
            fact, at, kindergarten = (part.strip() for part in item.partition("@"))
            if not at or not fact or not kindergarten or "@" in kindergarten:
                problems.append(
                    (
                        _("priority fact {fact!r} is not written fact@kindergarten").format(
                            fact=item
                        ),
                        text,
                        _("write facts like owner@K03; staff@K09 (separate several with ;)"),
                        "import.fact-form",
                    )
                )
                continue
            try:
                pairs.append((check_identifier(fact, name), check_identifier(kindergarten, name)))
            except InputError as exc:
                problems.append((exc.problem, exc.value, exc.hint, exc.code))
        return pairs, problems
    fact = "owner" if name == "owner_at" else "staff"
    for kindergarten in _split_list(text):
        try:
            pairs.append((fact, check_identifier(kindergarten, name)))
        except InputError as exc:
            problems.append((exc.problem, exc.value, exc.hint, exc.code))
    return pairs, problems


_FACT_FIELDS: Final = ("facts", "owner_at", "staff_at")


def _facts(cells: _Cells, record: _Row) -> None:
    for name in _FACT_FIELDS:
        pairs, problems = _fact_pairs(name, cells.raw(name))
        for problem, value, hint, code in problems:
            cells.problem(name, problem, value, hint, code=code)
        for key in pairs:
            record.facts.setdefault(key, name)


def _looks_scientific(cells: _Cells, name: str, text: str) -> bool:
    if _SCIENTIFIC_RE.fullmatch(unicodedata.normalize("NFKC", text).strip()):
        cells.problem(
            name,
            _("the number was saved in Excel's scientific notation, so its digits are lost"),
            text,
            _(
                "format the column as Text (文本) in Excel and type the numbers again,"
                " or export the file from the registration system again"
            ),
            code="import.scientific-notation",
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

    def region_error(self, number: str) -> InputError | None:
        """The region check's error for a valid resident number (cached by region and year)."""
        key = number[:10]
        if key not in self.regions:
            try:
                normalise_document_number(DocumentType.RESIDENT_ID, number, check_region=True)
                self.regions[key] = None
            except InputError as exc:
                self.regions[key] = exc
        return self.regions[key]

    def normalise(self, kind: DocumentType, raw: str) -> str:
        """Raises: InputError as :func:`normalise_document_number`."""
        number = normalise_document_number(kind, raw, check_region=False)
        if not self.check_region or kind is not DocumentType.RESIDENT_ID:
            return number
        error = self.region_error(number)
        if error is not None:
            raise InputError(
                error.problem, code=error.code, field=error.field, value=raw, hint=error.hint
            )
        return number


def _parse_row(
    cells: _Cells, choice_count: int, with_salt: bool, numbers: _Numbers, has_type: bool
) -> _Row:
    """One row by the per-row definition: its values, and its problems in ``cells``."""
    record = _Row(row=cells.row)
    # A missing required column is reported once, not as an empty cell per row.
    present = cells.columns
    reg_text = cells.raw("registration_number")
    if "registration_number" not in present:
        pass
    elif not _looks_scientific(cells, "registration_number", reg_text):
        record.registration_number = cells.code("registration_number")
        if record.registration_number is None and cells.empty("registration_number"):
            cells.problem(
                "registration_number",
                _("registration number is empty"),
                hint=_("every child needs the registration number printed on the receipt"),
                code="import.registration-number-empty",
            )

    name_text = cells.raw("name")
    if "name" not in present:
        pass
    elif cells.empty("name"):
        cells.problem(
            "name",
            _("name is empty"),
            hint=_("give the child's name as registered"),
            code="name.empty",
        )
    elif any(mark in name_text for mark in _LOST_IN_NAMES):
        cells.problem(
            "name",
            _(
                "name contains '?', which is what a character becomes when the file was saved"
                " in an encoding that lacks it (林? for 林䶮); no name contains a question mark"
            ),
            name_text,
            _(
                "export the file again as UTF-8 (CSV UTF-8 or .xlsx) so rare characters"
                " survive, and check the name against the registration"
            ),
            code="name.lost-character",
        )
    elif name_text:
        try:
            record.name = normalise_name(name_text)
        except InputError as exc:
            cells.located("name", exc)

    record.document_type = _document_type(cells)
    number_text = cells.raw("document_number")
    if "document_number" not in present:
        pass
    elif cells.empty("document_number"):
        cells.problem(
            "document_number",
            _("document number is empty"),
            hint=_("give the number on the child's identity document"),
            code="id-number.empty",
        )
    elif (
        number_text
        and not _looks_scientific(cells, "document_number", number_text)
        and record.document_type is not None
    ):
        try:
            record.document_number = numbers.normalise(record.document_type, number_text)
        except InputError as exc:
            hint = exc.hint
            if not has_type and record.document_type is DocumentType.RESIDENT_ID:
                other = _(
                    "if it is not a resident identity number, add a 证件类型"
                    " (document_type) column, e.g. 护照"
                )
                hint = with_hint(hint, other) if hint else other
            cells.problem("document_number", exc.problem, exc.value, hint, code=exc.code)

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
            # A cell refused for what it holds is reported already, not as a gap.
            if gap is None and name not in cells.refused:
                gap = number
            continue
        if gap is not None:
            cells.problem(
                name,
                _("choice {number} is given but choice {gap} is empty").format(
                    number=number, gap=gap
                ),
                choice,
                _("list choices from the first column on, without empty cells in between"),
                code="import.choice-gap",
            )
            gap = None
        if choice in seen_at:
            cells.problem(
                name,
                _("lists the same kindergarten as choice {number}").format(number=seen_at[choice]),
                choice,
                _("each kindergarten may appear once in a child's choices"),
                code="import.choice-repeated",
            )
            continue
        seen_at[choice] = number
        record.choices.append(choice)
        record.choice_at.append(number)
    if not record.choices and choice_count and not choice_problems(cells):
        cells.problem(
            "choice_1",
            _("lists no kindergarten"),
            hint=_("give at least one choice"),
            code="import.no-choice",
        )

    record.tier = cells.code("tier")
    group_text = cells.raw("group")
    if group_text and _is_yes_no(group_text):
        cells.problem(
            "group",
            _("says yes or no, not which siblings belong together"),
            group_text,
            _(_GROUP_HINT),
            code="import.group-yes-no",
        )
    else:
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
                _("receipt salt is empty"),
                hint=_(
                    "fill in every row's salt from its receipt, or delete the whole"
                    " column to keep the salts alloc has (or make new receipts)"
                ),
                code="salt.empty",
            )
        elif salt_text:
            try:
                record.salt = parse_salt(salt_text)
            except InputError as exc:
                cells.located("salt", exc)
    return record


# --- applicants, column by column ------------------------------------------------------


@dataclass(eq=False)
class _Values:
    """Every row's parsed values (None where empty or refused), column by column."""

    rows: npt.NDArray[np.int64]
    regs: npt.NDArray[np.object_]
    names: npt.NDArray[np.object_]
    kinds: npt.NDArray[np.object_]
    numbers: npt.NDArray[np.object_]
    #: (n, choice columns): the value of choice j+1, or None.
    choices: npt.NDArray[np.object_]
    tiers: npt.NDArray[np.object_]
    groups: npt.NDArray[np.object_]
    contacts: npt.NDArray[np.object_]
    salts: npt.NDArray[np.uint8]
    salt_given: npt.NDArray[np.bool_]
    #: (position, fact, kindergarten, field it came from), positions ascending.
    facts: list[tuple[int, str, str, str]]
    #: Positions of rows whose tier cell had a problem.
    tier_failed: frozenset[int] = frozenset()


def _factorized(
    cells: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    import pandas as pd  # noqa: PLC0415 - see the note at the imports

    codes, found = pd.factorize(cells, use_na_sentinel=False)
    uniques = np.empty(len(found), dtype=object)
    uniques[:] = [
        None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        for value in found
    ]
    return np.asarray(codes, np.int64), uniques


def _per_value(
    cells: npt.NDArray[np.object_], evaluate: Callable[[str], tuple[object, bool]]
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """``evaluate`` once per distinct cell: every row's value, whether it is clean,
    and a code per row that is equal exactly when the values are."""
    codes, uniques = _factorized(cells)
    results = [evaluate(str(u)) for u in uniques]
    values = np.empty(len(results), dtype=object)
    values[:] = [r[0] for r in results]
    clean = np.array([r[1] for r in results], bool)
    same: dict[object, int] = {}
    value_codes = np.array([same.setdefault(r[0], len(same)) for r in results], np.int64)
    return values[codes], clean[codes], value_codes[codes]


def _clean_code(name: str) -> Callable[[str], tuple[object, bool]]:
    def evaluate(text: str) -> tuple[object, bool]:
        if _REPLACEMENT in text:
            return None, False
        value, error = _code_value(text, name)
        return value, error is None

    return evaluate


def _scientific(cells: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    joined = "".join(cells)
    if "e" not in joined and "E" not in joined:
        return np.zeros(len(cells), bool)
    return np.fromiter(
        (("e" in c or "E" in c) and _SCIENTIFIC_RE.fullmatch(c) is not None for c in cells),
        bool,
        len(cells),
    )


def _fast_rows(
    grid: _Grid,
    columns: Mapping[str, Column],
    choice_count: int,
    with_salt: bool,
    numbers: _Numbers,
) -> tuple[npt.NDArray[np.bool_], _Values]:
    """Which rows are in every field's common form, with their values.

    A row is "fast" only if :func:`_parse_row` would give it exactly these
    values and no problem; every other row is left to :func:`_parse_row`.
    """
    n = len(grid.rows)
    fast = np.ones(n, bool)

    def column(name: str) -> npt.NDArray[np.object_]:
        found = columns.get(name)
        return grid.column(found.index) if found else np.full(n, "", dtype=object)

    # Cells Excel stored as other than text, in a column alloc reads.
    used = {c.index for c in columns.values()}
    if grid.sheet.kinds:
        positions = {int(r): i for i, r in enumerate(grid.rows)}
        for row, index in grid.sheet.kinds:
            if index in used and row in positions:
                fast[positions[row]] = False

    regs = column("registration_number")
    fast &= columns_fast.ascii_identifiers(regs) & ~_scientific(regs)

    names = column("name")
    fast &= columns_fast.han_names(names)

    if "document_type" in columns:
        kinds, clean, _codes = _per_value(
            column("document_type"),
            lambda t: (
                k := _document_type_value(t),
                k is DocumentType.RESIDENT_ID and _REPLACEMENT not in t,
            ),
        )
        # Only resident numbers have a column shortcut; other documents go by row.
        fast &= clean
    else:
        kinds = np.full(n, DocumentType.RESIDENT_ID, dtype=object)
    resident, normalised, regions = columns_fast.resident_ids(column("document_number"))
    fast &= resident
    if numbers.check_region:
        # The region check depends only on the region code and birth year.
        keys, first, codes = np.unique(
            np.where(fast, regions, -1), return_index=True, return_inverse=True
        )
        good = np.array(
            [
                key >= 0 and numbers.region_error(normalised[at]) is None
                for key, at in zip(keys.tolist(), first.tolist(), strict=True)
            ],
            bool,
        )
        fast &= good[codes.reshape(-1)]
    document_numbers = np.empty(n, dtype=object)
    document_numbers[:] = normalised

    width = max(choice_count, 1)
    choices = np.full((n, width), None, dtype=object)
    if choice_count:
        raw = np.empty((n, choice_count), dtype=object)
        for j in range(choice_count):
            raw[:, j] = column(f"choice_{j + 1}")
        flat_values, flat_clean, flat_codes = _per_value(raw.reshape(-1), _clean_code("choice"))
        values = flat_values.reshape(n, choice_count)
        fast &= flat_clean.reshape(n, choice_count).all(axis=1)
        present = values != None  # noqa: E711 - elementwise
        fast &= present[:, 0]
        for j in range(1, choice_count):
            fast &= ~(present[:, j] & ~present[:, j - 1])
        codes = flat_codes.reshape(n, choice_count)
        for i in range(choice_count):
            for j in range(i + 1, choice_count):
                fast &= ~(present[:, i] & present[:, j] & (codes[:, i] == codes[:, j]))
        choices[:, :choice_count] = values

    tiers, clean, _codes = _per_value(column("tier"), _clean_code("tier"))
    fast &= clean

    def group_value(text: str) -> tuple[object, bool]:
        value, ok = _clean_code("group")(text)
        return value, ok and not (text and _is_yes_no(text))

    groups, clean, _codes = _per_value(column("group"), group_value)
    fast &= clean

    facts: list[tuple[int, str, str, str]] = []
    for name in _FACT_FIELDS:
        if name not in columns:
            continue
        cells = column(name)
        filled = np.flatnonzero(cells != "")
        pairs_of: dict[str, list[tuple[str, str]] | None] = {}
        for position in filled.tolist():
            text = str(cells[position])
            if text not in pairs_of:
                pairs, problems = _fact_pairs(name, text)
                pairs_of[text] = None if problems or _REPLACEMENT in text else pairs
            found = pairs_of[text]
            if found is None:
                fast[position] = False
            else:
                facts.extend((position, fact, kg, name) for fact, kg in found)

    # One fact from two columns counts once, from the first (as per row).
    seen_facts: set[tuple[int, str, str]] = set()
    unique_facts = []
    for item in sorted(facts, key=lambda f: f[0]):
        if item[:3] not in seen_facts:
            seen_facts.add(item[:3])
            unique_facts.append(item)
    facts = unique_facts

    contacts_raw = column("guardian_contact")
    contacts = np.empty(n, dtype=object)
    contacts[:] = [c or None for c in contacts_raw.tolist()]
    if not "".join(contacts_raw).isascii():
        fast &= np.fromiter((c.isascii() for c in contacts_raw), bool, n)
    fast &= ~_scientific(contacts_raw)

    if with_salt:
        salt_ok, salts = columns_fast.receipt_salts(column("salt"))
        fast &= salt_ok
    else:
        salts = np.zeros((n, 16), np.uint8)
    values_ = _Values(
        rows=grid.rows,
        regs=regs.copy(),
        names=names.copy(),
        kinds=kinds,
        numbers=document_numbers,
        choices=choices,
        tiers=tiers,
        groups=groups,
        contacts=contacts,
        salts=salts,
        salt_given=np.full(n, with_salt),
        facts=facts,
    )
    return fast, values_


def _merge_rows(
    values: _Values, records: Mapping[int, _Row], problems: Sequence[CellError]
) -> None:
    """Put the per-row definition's values for the slow rows into ``values``."""
    slow_facts: list[tuple[int, str, str, str]] = []
    for position, record in records.items():
        values.regs[position] = record.registration_number
        values.names[position] = record.name
        values.kinds[position] = record.document_type
        values.numbers[position] = record.document_number
        values.choices[position, :] = None
        for number, choice in zip(record.choice_at, record.choices, strict=True):
            values.choices[position, number - 1] = choice
        values.tiers[position] = record.tier
        values.groups[position] = record.group
        values.contacts[position] = record.contact
        values.salt_given[position] = record.salt is not None
        if record.salt is not None:
            values.salts[position] = np.frombuffer(record.salt, np.uint8)
        slow_facts.extend(
            (position, fact, kg, origin) for (fact, kg), origin in record.facts.items()
        )
    if records:
        values.facts = sorted(
            [f for f in values.facts if f[0] not in records] + slow_facts,
            key=lambda f: f[0],
        )
    by_row = {int(r): i for i, r in enumerate(values.rows)} if records else {}
    values.tier_failed = frozenset(
        by_row[p.row] for p in problems if p.field == "tier" and p.row in by_row
    )


def _kind_values(kinds: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Each row's document type as its value (None where unknown), without a per-row hash."""
    found = np.full(len(kinds), DocumentType.RESIDENT_ID.value, dtype=object)
    for position in np.flatnonzero(kinds != DocumentType.RESIDENT_ID).tolist():
        kind = kinds[position]
        found[position] = kind.value if isinstance(kind, DocumentType) else None
    return found


def _duplicates(
    values: _Values, grid: _Grid, columns: Mapping[str, Column], problems: list[CellError]
) -> None:
    """Registration numbers and document numbers that appear twice, later row named."""
    import pandas as pd  # noqa: PLC0415 - see the note at the imports

    def report(name: str, problem: str, value: str, row: int, hint: str, code: str) -> None:
        column = columns[name]
        problems.append(
            grid.error(
                problem,
                code=code,
                row=row,
                column=column.letter,
                header=column.header,
                field=name,
                value=value,
                hint=hint,
            )
        )

    rows = values.rows.tolist()
    regs = pd.Series(values.regs)
    twice = np.flatnonzero(regs.notna().to_numpy() & regs.duplicated(keep=False).to_numpy())
    first: dict[str, int] = {}
    for position in twice.tolist():
        reg = values.regs[position]
        if reg in first:
            report(
                "registration_number",
                _("registration number appears twice: rows {first} and {second}").format(
                    first=rows[first[reg]], second=rows[position]
                ),
                reg,
                rows[position],
                _("each child registers once; correct or delete one of the rows"),
                "import.duplicate-registration",
            )
        else:
            first[reg] = position
    kinds = _kind_values(values.kinds)
    known = (kinds != None) & (values.numbers != None)  # noqa: E711 - elementwise
    keys = pd.DataFrame({"kind": kinds, "number": values.numbers})
    twice = np.flatnonzero(known & keys.duplicated(keep=False).to_numpy())
    seen: dict[tuple[str, str], int] = {}
    for position in twice.tolist():
        key = (str(kinds[position]), str(values.numbers[position]))
        if key in seen:
            other = seen[key]
            report(
                "document_number",
                _(
                    "the same document number is registered twice: rows {first}"
                    " ({first_registration}) and {second} ({second_registration})"
                ).format(
                    first=rows[other],
                    first_registration=values.regs[other],
                    second=rows[position],
                    second_registration=values.regs[position],
                ),
                values.numbers[position],
                rows[position],
                _("a child registers once; merge or withdraw one registration"),
                "import.duplicate-document",
            )
        else:
            seen[key] = position


# --- totals rows, hidden rows, merged cells --------------------------------------------

_TOTALS_RE: Final = re.compile(r"(合计|总计|小计|共计|合計|總計|小計|共計|总数|總數)")
_WHOLE_NUMBER_RE: Final = re.compile(r"[0-9][0-9,]*")


def _totals_rows(
    grid: _Grid, columns: Mapping[str, Column]
) -> tuple[_Grid, list[str], list[CellError]]:
    """The grid without totals rows (合计, 总计, 小计 …), notes on them and problems.

    A totals row is one with no name and no document number whose first
    non-empty cell starts with a totals word. It is not an applicant, so it
    is not read; if it is the last row and holds one whole number, that
    number must be the count of rows above it (a short count means rows are
    missing: a filter, or a copy that stopped short).
    """
    n = len(grid.rows)
    if not n:
        return grid, [], []
    empty = np.ones(n, bool)
    for name in ("name", "document_number"):
        if name in columns:
            empty &= grid.column(columns[name].index) == ""
    candidates = np.flatnonzero(empty).tolist()
    found: list[tuple[int, str, list[int]]] = []
    for position in candidates:
        cells = [c for c in grid.cells(position) if c]
        if not cells:
            continue
        label = unicodedata.normalize("NFKC", cells[0]).replace(" ", "")
        match = _TOTALS_RE.match(label)
        if match is None:
            continue
        numbers = [
            int(m.group().replace(",", ""))
            for c in cells
            for m in _WHOLE_NUMBER_RE.finditer(unicodedata.normalize("NFKC", c))
        ]
        found.append((position, match.group(), numbers))
    if not found:
        return grid, [], []
    notes = []
    problems = []
    applicants = n - len(found)
    for position, label, numbers in found:
        row = int(grid.rows[position])
        last = position == n - 1
        if last and len(found) == 1 and len(numbers) == 1:
            if numbers[0] != applicants:
                problems.append(
                    grid.error(
                        _(
                            "the totals row ({label}) says {total:,} but there are"
                            " {count:,} applicant rows"
                        ).format(label=label, total=numbers[0], count=applicants),
                        code="import.totals-mismatch",
                        row=row,
                        value=numbers[0],
                        hint=_(
                            "rows may be missing (a filter, a copy that stopped short) or"
                            " doubled; check the list, or delete the totals row"
                        ),
                    )
                )
            else:
                notes.append(
                    _(
                        "row {row} is a totals row ({label} {total:,}, which matches the"
                        " rows read) and was not read as an applicant"
                    ).format(row=row, label=label, total=numbers[0])
                )
        else:
            notes.append(
                _("row {row} is a totals row ({label}) and was not read as an applicant").format(
                    row=row, label=label
                )
            )
    return grid.without([item[0] for item in found]), notes, problems


def _layout_problems(grid: _Grid, columns: Mapping[str, Column]) -> list[CellError]:
    """Hidden rows and merged cells among the applicant rows."""
    problems = []
    body = set(grid.rows.tolist())
    for row in sorted(grid.sheet.hidden_rows & body):
        problems.append(
            grid.error(
                _(
                    "the row is hidden in Excel (hidden, or filtered out); alloc does not read"
                    " hidden rows unasked, nor leave them out silently"
                ),
                code="import.hidden-row",
                row=row,
                hint=_(
                    "unhide it (or clear the filter) and keep it if the child registered,"
                    " or delete the row"
                ),
            )
        )
    used = {c.index for c in columns.values()}
    for first_row, first_col, last_row, last_col in grid.sheet.merged:
        rows = set(range(first_row, last_row + 1)) & body
        cols = set(range(first_col, last_col + 1)) & used
        if rows and cols and (last_row > first_row or last_col > first_col):
            problems.append(
                grid.error(
                    _("cells {cells} are merged: only the first holds a value").format(
                        cells=f"{column_letter(first_col)}{first_row}:"
                        f"{column_letter(last_col)}{last_row}"
                    ),
                    code="import.merged-cells",
                    row=min(rows),
                    column=column_letter(min(cols)),
                    hint=_(
                        "unmerge them and fill in every row (twins each need their own row"
                        " with the same choices)"
                    ),
                )
            )
    return problems


# --- the rules: kindergarten names and tier labels -------------------------------------


def _label_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def tier_labels_from(pairs: Iterable[str]) -> dict[str, str]:
    """``LABEL=TIER`` texts (``本地户籍=local``) as a mapping, as ``--tier-label`` gives them.

    Raises:
        InputError: naming the text that is not ``LABEL=TIER``.
    """
    labels: dict[str, str] = {}
    for text in pairs:
        label, equals, tier = text.partition("=")
        if not equals or not label.strip() or not tier.strip():
            raise InputError(
                _("a tier label is written LABEL=TIER"),
                code="import.tier-label-form",
                field="tier_label",
                value=text,
                hint=_("for example --tier-label 本地户籍=local"),
            )
        labels[label.strip()] = tier.strip()
    return labels


def _check_tier_labels(labels: Mapping[str, str], rules: DrawRules | None) -> dict[str, str]:
    """The labels by :func:`_label_key`, checked against the rules' tiers.

    Raises:
        InputError: if a label maps to an undeclared tier, two labels are the
            same after normalising, or a label is another tier's id.
    """
    keyed: dict[str, str] = {}
    declared = set(rules.tiers) if rules is not None else None
    for label, tier in labels.items():
        if declared is not None and tier not in declared:
            raise InputError(
                _("a tier label maps to a tier the rules do not declare"),
                code="import.tier-label-undeclared",
                field="tier_label",
                value=f"{label}={tier}",
                hint=_("the rules' tiers are {tiers}").format(
                    tiers=", ".join(rules.tiers) if rules else ""
                ),
            )
        if declared is not None and label in declared and label != tier:
            raise InputError(
                _("a tier label is another tier's id"),
                code="import.tier-label-is-tier",
                field="tier_label",
                value=f"{label}={tier}",
                hint=_("a tier id always means itself; choose another label"),
            )
        key = _label_key(label)
        if key in keyed and keyed[key] != tier:
            raise InputError(
                _("two tier labels differ only in spacing, case or width"),
                code="import.tier-label-twice",
                field="tier_label",
                value=label,
                hint=_("give each label once"),
            )
        keyed[key] = tier
    return keyed


def _suggest(value: str, rules: DrawRules) -> str:
    ids = [k.id for k in rules.kindergartens]
    for kg in rules.kindergartens:
        if kg.id.casefold() == value.casefold():
            return _("did you mean {id!r}? ids are case-sensitive").format(id=kg.id)
        if kg.name and _label_key(kg.name) == _label_key(value):
            return _(
                "that is the name of {id!r}; write kindergarten ids, or read the file"
                " with the rules (alloc validate and freeze do), which reads names as ids"
            ).format(id=kg.id)
    shown = ", ".join(ids[:10])
    if len(ids) > 10:
        shown = _("{first}, … ({count} in all)").format(first=shown, count=len(ids))
    return _("use a kindergarten id or name from the rules: {ids}").format(ids=shown)


class _Kindergartens:
    """Resolves a cell to a kindergarten id: an id as it is, or a name in the rules."""

    def __init__(self, rules: DrawRules, *, map_names: bool = True) -> None:
        self.rules = rules
        self.ids = {k.id for k in rules.kindergartens}
        self.names: dict[str, list[str]] = {}
        for kg in rules.kindergartens if map_names else ():
            if kg.name:
                self.names.setdefault(_label_key(kg.name), []).append(kg.id)

    def resolve(self, value: str) -> tuple[str | None, list[str]]:
        """(the id, []) if ``value`` is an id or a unique name; else (None, the ids it names)."""
        if value in self.ids:
            return value, []
        named = self.names.get(_label_key(value), [])
        if len(named) == 1:
            return named[0], []
        return None, named


#: Makes the problem of a row: (position, field, problem, value, hint, code).
_Locate = Callable[[int, str, str, object, str, str], CellError]
#: Makes the problem of a whole column: (field, problem, hint, code).
_Header = Callable[[str, str, str, str], CellError]


@dataclass(eq=False)
class _Checked:
    """Values mapped to the rules' ids, with notes on what was mapped."""

    choices: npt.NDArray[np.object_]
    tiers: npt.NDArray[np.object_]
    facts: list[tuple[int, str, str, str]]
    notes: list[str]


def _rule_problems(
    values: _Values,
    rules: DrawRules | None,
    tier_labels: Mapping[str, str],
    locate: _Locate,
    *,
    has_tier_column: bool,
    header: _Header,
    map_names: bool = True,
) -> tuple[list[CellError], _Checked]:
    """Map kindergarten names and tier labels, and check every row against the rules.

    ``locate(position, field, problem, value, hint, code)`` makes a row's
    problem; ``header(field, problem, hint, code)`` one about a whole column.
    Rows with other problems are checked too, so a file is fixed in one round.
    """
    problems: list[CellError] = []
    notes: list[str] = []
    choices = values.choices.copy()
    tiers = values.tiers.copy()
    facts = list(values.facts)

    # Tier labels apply with or without rules.
    keyed = _check_tier_labels(tier_labels, rules)
    declared = set(rules.tiers) if rules is not None else set()
    if keyed:
        codes, uniques = _factorized(tiers)
        labelled = np.empty(len(uniques), dtype=object)
        count = 0
        for at, value in enumerate(uniques.tolist()):
            if value is None or value in declared:
                labelled[at] = value
                continue
            target = keyed.get(_label_key(value))
            labelled[at] = target if target is not None else value
            if target is not None:
                count += int((codes == at).sum())
        tiers = labelled[codes]
        if count:
            notes.append(
                _("{count:,} tier cells gave a declared label; read as its tier id").format(
                    count=count
                )
            )

    if rules is None:
        return problems, _Checked(choices, tiers, facts, notes)

    kindergartens = _Kindergartens(rules, map_names=map_names)
    if choices.size:
        codes, uniques = _factorized(choices.reshape(-1))
        resolved = [
            (None, []) if u is None else kindergartens.resolve(str(u)) for u in uniques.tolist()
        ]
        ids = np.empty(len(resolved), dtype=object)
        ids[:] = [r[0] for r in resolved]
        by_name = [
            u is not None and r[0] is not None and r[0] != u
            for u, r in zip(uniques.tolist(), resolved, strict=True)
        ]
        bad = [
            u is not None and r[0] is None for u, r in zip(uniques.tolist(), resolved, strict=True)
        ]
        named = int(np.isin(codes, np.flatnonzero(by_name)).sum()) if any(by_name) else 0
        if named:
            notes.append(
                _("{count:,} choice cells named a kindergarten by its name; read as its id").format(
                    count=named
                )
            )
        width = choices.shape[1]
        if any(bad):
            for flat in np.flatnonzero(np.isin(codes, np.flatnonzero(bad))).tolist():
                position, j = divmod(flat, width)
                value = str(choices[position, j])
                named = resolved[codes[flat]][1]
                problems.append(
                    locate(
                        position,
                        f"choice_{j + 1}",
                        _(
                            "choice names {count} kindergartens of the rules ({ids}),"
                            " whose names are the same"
                        ).format(count=len(named), ids=", ".join(named))
                        if named
                        else _("choice names a kindergarten the rules do not have"),
                        value,
                        _("write the kindergarten's id instead of its name")
                        if named
                        else _suggest(value, rules),
                        "rules.kindergarten-name-ambiguous"
                        if named
                        else "rules.unknown-kindergarten",
                    )
                )
        mapped = ids[codes].reshape(choices.shape)
        # Two cells naming one kindergarten, once names are read as ids.
        if any(by_name):
            id_codes, _uniques = _factorized(mapped.reshape(-1))
            id_codes = id_codes.reshape(mapped.shape)
            present = mapped != None  # noqa: E711 - elementwise
            for j in range(1, width):
                for i in range(j):
                    same = np.flatnonzero(
                        present[:, i] & present[:, j] & (id_codes[:, i] == id_codes[:, j])
                    )
                    for position in same.tolist():
                        if mapped[position, i] is None:
                            continue
                        problems.append(
                            locate(
                                position,
                                f"choice_{j + 1}",
                                _("names the same kindergarten ({id}) as choice {number}").format(
                                    id=mapped[position, j], number=i + 1
                                ),
                                choices[position, j],
                                _("each kindergarten may appear once in a child's choices"),
                                "import.choice-repeated",
                            )
                        )
                        mapped[position, j] = None
        choices = mapped

    used_facts = {b.fact for k in rules.kindergartens for b in k.blocks}
    used_facts |= {p.fact for p in rules.phases if p.fact is not None}
    checked_facts = []
    for position, fact, kindergarten, origin in facts:
        kg_id, names = kindergartens.resolve(kindergarten)
        if kg_id is None:
            problems.append(
                locate(
                    position,
                    origin,
                    _(
                        "priority fact names {count} kindergartens of the rules ({ids}),"
                        " whose names are the same"
                    ).format(count=len(names), ids=", ".join(names))
                    if names
                    else _("priority fact at a kindergarten the rules do not have"),
                    f"{fact}@{kindergarten}",
                    _("write the kindergarten's id instead of its name")
                    if names
                    else _suggest(kindergarten, rules),
                    "rules.kindergarten-name-ambiguous" if names else "rules.unknown-kindergarten",
                )
            )
        else:
            checked_facts.append((position, fact, kg_id, origin))
        if fact not in used_facts:
            problems.append(
                locate(
                    position,
                    origin,
                    _(
                        "no seat block or phase in the rules uses the fact {fact!r},"
                        " so it gives no priority"
                    ).format(fact=fact),
                    f"{fact}@{kindergarten}",
                    _("facts the rules use: {facts}").format(
                        facts=", ".join(sorted(used_facts)) or _("none")
                    ),
                    "rules.fact-unused",
                )
            )
    facts = checked_facts

    if rules.tiers and not has_tier_column:
        problems.append(
            header(
                "tier",
                _("the rules rank applicants by tier but the file has no tier column"),
                _("add a column headed 类别 (tier) with one of {tiers}").format(
                    tiers=", ".join(rules.tiers)
                ),
                "rules.no-tier-column",
            )
        )
    else:
        codes, uniques = _factorized(tiers)
        for at, tier in enumerate(uniques.tolist()):
            if tier is None:
                if not rules.tiers:
                    continue
                positions = [
                    p for p in np.flatnonzero(codes == at).tolist() if p not in values.tier_failed
                ]
                for position in positions:
                    problems.append(
                        locate(
                            position,
                            "tier",
                            _("tier is empty but the rules rank applicants by tier"),
                            None,
                            _("use one of {allowed}").format(allowed=", ".join(rules.tiers)),
                            "rules.tier-empty",
                        )
                    )
            elif tier not in declared:
                for position in np.flatnonzero(codes == at).tolist():
                    problems.append(
                        locate(
                            position,
                            "tier",
                            _("tier is not declared in the rules")
                            if rules.tiers
                            else _("the rules declare no tiers, but this row has one"),
                            tier,
                            _(
                                "use one of {allowed}, or declare the label:"
                                " --tier-label {tier}=TIER"
                            ).format(allowed=", ".join(rules.tiers), tier=tier)
                            if rules.tiers
                            else _("declare the tiers in the rules or leave the column empty"),
                            "rules.tier-undeclared" if rules.tiers else "rules.no-tiers",
                        )
                    )

    # Multiples: more than one member, and the same choices.
    groups = values.groups
    members: dict[str, list[int]] = {}
    for position in np.flatnonzero(groups != None).tolist():  # noqa: E711 - elementwise
        members.setdefault(str(groups[position]), []).append(position)
    for group_id, positions in members.items():
        if len(positions) == 1:
            problems.append(
                locate(
                    positions[0],
                    "group",
                    _("is the only member of its multiples group"),
                    group_id,
                    _("register every sibling with the same group id, or clear the group"),
                    "rules.lone-multiple",
                )
            )
            continue
        first = positions[0]
        expected = [c for c in choices[first].tolist() if c is not None]
        for position in positions[1:]:
            listed = [c for c in choices[position].tolist() if c is not None]
            if listed != expected:
                problems.append(
                    locate(
                        position,
                        "group",
                        _(
                            "lists different choices ({listed}) from its sibling on"
                            " row {row} ({expected})"
                        ).format(
                            listed=", ".join(listed),
                            row=values.rows[first],
                            expected=", ".join(expected),
                        ),
                        group_id,
                        _("siblings in a multiples group must list identical choices"),
                        "rules.multiples-choices-differ",
                    )
                )
    return problems, _Checked(choices, tiers, facts, notes)


# --- building the table and the registry ---------------------------------------------


def _first_seen(
    values: Sequence[object] | npt.NDArray[Any],
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Codes into the distinct values in order of first appearance (None: -1)."""
    codes, uniques = _factorized(np.asarray(values, dtype=object))
    names = uniques.tolist()
    if None in names:
        empty = names.index(None)
        codes = np.where(codes == empty, -1, codes - (codes > empty))
        names.pop(empty)
    return codes.astype(np.int32), tuple(str(v) for v in names)


def _build_table(values: _Values, checked: _Checked) -> tuple[ApplicantTable, tuple[str, ...]]:
    """The engine's table, coded in order of first appearance row by row."""
    n = len(values.rows)
    choices = checked.choices
    present = choices != None  # noqa: E711 - elementwise
    counts = present.sum(axis=1)
    width = max(1, int(counts.max()) if n else 1)
    # Kindergartens are numbered as the per-row reading met them: each row's
    # choices, then its facts sorted by (fact, kindergarten).
    facts = sorted(checked.facts)
    order_rows = np.concatenate(
        [np.repeat(np.arange(n), counts), np.array([f[0] for f in facts], np.int64)]
    )
    order_keys = np.concatenate([np.nonzero(present)[1], choices.shape[1] + np.arange(len(facts))])
    met = (
        np.concatenate([choices[present], np.array([f[2] for f in facts], dtype=object)])
        if n
        else np.array([], dtype=object)
    )
    order = np.lexsort((order_keys, order_rows))
    codes, kindergarten_ids = _first_seen(met[order])
    coded = np.empty(len(met), np.int32)
    coded[order] = codes
    table_choices = np.full((n, width), -1, np.int32)
    chosen = coded[: int(present.sum())]
    rows_of = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    columns_of = np.arange(len(rows_of)) - np.repeat(starts, counts)
    table_choices[rows_of, columns_of] = chosen
    fact_kgs = coded[int(present.sum()) :]
    fact_codes, fact_names = _first_seen([f[1] for f in facts])
    tier_codes, tier_names = _first_seen(checked.tiers)
    group_codes, group_ids = _first_seen(values.groups)
    table = ApplicantTable(
        registration_numbers=tuple(values.regs.tolist()),
        kindergarten_ids=kindergarten_ids,
        choices=table_choices,
        tier_names=tier_names,
        tiers=tier_codes,
        group_ids=group_ids,
        groups=group_codes,
        fact_names=fact_names,
        fact_rows=np.asarray([f[0] for f in facts], np.int32),
        fact_codes=fact_codes,
        fact_kindergartens=fact_kgs.astype(np.int32),
        source_rows=values.rows,
    )
    return table, tuple(f[3] for f in facts)


_APPLICANTS: Final = _TableKind(
    what=N_("applicant"), index=_APPLICANT_INDEX, choices=True, complete=_applicant_complete
)


def read_applicants(
    path: StrPath,
    *,
    draw_id: str,
    sheet: str | None = None,
    check_region: bool = True,
    rules: DrawRules | None = None,
    tier_labels: Mapping[str, str] | None = None,
    previous: Mapping[str, Registration] | None = None,
    limits: SpreadsheetLimits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ApplicantImport:
    """Read a registration export (CSV or .xlsx) into the public table and private registry.

    Identifier cells (registration number, choices, tier, group, facts) are
    NFKC-normalised and stripped, so full-width ``Ｋ０３`` is ``K03``; names
    and document numbers are normalised by :mod:`alloc.identity`. A title row
    above the header is skipped, and so are totals rows (合计, 总计; a count
    in the last one must match). Of a workbook, the one visible sheet with
    applicant columns is read, or ``sheet``. ``check_region`` also checks
    resident numbers' region codes against python-stdnum's table (turn it
    off only for a genuine number the table does not know yet).

    With ``rules``, choices and facts may name a kindergarten by its name in
    the rules (read as its id), tiers may be given by a label in
    ``tier_labels`` (``{"本地户籍": "local"}``), and every row is checked
    against the rules in the same pass (what :func:`check_against_rules`
    does), rows that have other problems included.

    Without a salt column, a registration number whose salt is in
    ``previous`` (the private registry of an earlier freeze) keeps it if its
    document type and number are unchanged (a corrected name keeps its
    receipt); anyone else gets a fresh salt, listed in ``new_salts``. With a
    salt column, a salt that differs from ``previous`` for the same
    document is a problem. ``progress`` hears how many rows are read: the
    rows checked column-wise at once, then each row read alone
    (:mod:`alloc.progress`).

    Raises:
        InputError: if the file is missing, of an unknown type, undecodable,
            beyond ``limits``, or its sheet is not clear; if ``draw_id`` is
            not an identifier or a tier label is not declared in the rules.
        SpreadsheetError: listing every problem found, in row order:
            missing or doubled columns, and per row an empty or repeated
            registration number, an empty, invalid or damaged name (``?``,
            U+FFFD), a bad or repeated document number, an unknown document
            type, a kindergarten listed twice, a gap in the choices,
            malformed facts or salts, cells Excel turned into numbers or
            dates, hidden rows, merged cells and, with ``rules``,
            kindergartens and tiers the rules do not know.
    """
    check_identifier(draw_id, "draw_id")
    labels = dict(tier_labels or {})
    _check_tier_labels(labels, rules)
    loaded, sheet_notes = _load(path, sheet=sheet, limits=limits, kind=_APPLICANTS)
    if not len(loaded):
        raise InputError(
            _("the file is empty"),
            code="import.empty",
            source=loaded.source,
            sheet=loaded.name,
            hint=_("check the file"),
        )
    grid = _grid(loaded, _find_header(loaded, _APPLICANT_INDEX, choices=True))
    columns, ignored, problems = _columns(grid, _APPLICANT_INDEX, choices=True)
    # Headers repeated among the columns alloc ignores (two 备注 columns) do
    # not matter; repeated known ones are reported by _columns.
    for name in _REQUIRED_APPLICANT:
        if name not in columns:
            problems.append(_missing_column(grid, name, APPLICANT_COLUMNS[name], sheet_notes))
    choice_numbers = sorted(int(n.split("_")[1]) for n in columns if n.startswith("choice_"))
    if not choice_numbers:
        problems.append(
            _missing_column(grid, "choice_1", ("志愿1", "第一志愿", "choice_1"), sheet_notes)
        )
    elif choice_numbers != list(range(1, len(choice_numbers) + 1)):
        missing = min(set(range(1, choice_numbers[-1] + 1)) - set(choice_numbers))
        problems.append(
            _missing_column(grid, f"choice_{missing}", (f"志愿{missing}", f"choice_{missing}"))
        )
        choice_numbers = list(range(1, missing))
    if not any(name in columns for name in _REQUIRED_APPLICANT):
        # Not an applicant list at all (or unreadable headers): row problems
        # would only be noise.
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    if not len(grid.rows):
        if problems:
            raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
        raise InputError(
            _("the file has a header but no applicant rows"),
            code="import.no-rows",
            source=grid.source,
            sheet=grid.name,
            row=grid.header_row,
            hint=_("check that this is the right file and sheet"),
        )
    grid, notes, totals_problems = _totals_rows(grid, columns)
    problems += totals_problems
    problems += _layout_problems(grid, columns)

    parse_columns = dict(columns)
    group = columns.get("group")
    if group is not None:
        filled = {str(v) for v in set(grid.column(group.index).tolist()) if v}
        if filled and all(_is_yes_no(v) for v in filled):
            problems.append(
                grid.error(
                    _("the multiples column says yes or no, not which siblings belong together"),
                    code="import.group-yes-no-column",
                    row=grid.header_row,
                    column=group.letter,
                    header=group.header,
                    field="group",
                    hint=_(_GROUP_HINT),
                )
            )
            del parse_columns["group"]

    with_salt = "salt" in columns
    numbers = _Numbers(check_region=check_region)
    has_type = "document_type" in columns
    total = len(grid.rows)
    advance(progress, Task.READ_SPREADSHEET, 0, total)
    fast, values = _fast_rows(grid, parse_columns, len(choice_numbers), with_salt, numbers)
    slow = np.flatnonzero(~fast).tolist()
    advance(progress, Task.READ_SPREADSHEET, total - len(slow), total)
    records = {}
    row_problems: list[CellError] = []
    for done, position in enumerate(slow, start=total - len(slow) + 1):
        if done == total or not done % 1000:
            advance(progress, Task.READ_SPREADSHEET, done, total)
        records[position] = _parse_row(
            _Cells(
                grid, parse_columns, int(grid.rows[position]), grid.cells(position), row_problems
            ),
            len(choice_numbers),
            with_salt,
            numbers,
            has_type,
        )
    _merge_rows(values, records, row_problems)
    problems += row_problems
    if all(name in columns for name in _REQUIRED_APPLICANT):
        _duplicates(values, grid, columns, problems)

    def locate(
        position: int, name: str, problem: str, value: object, hint: str, code: str
    ) -> CellError:
        column = columns.get(name)
        return grid.error(
            problem,
            code=code,
            row=int(values.rows[position]),
            column=column.letter if column else None,
            header=column.header if column else None,
            field=name,
            value=value,
            hint=hint,
        )

    def header(name: str, problem: str, hint: str, code: str) -> CellError:
        return grid.error(problem, code=code, row=grid.header_row, field=name, hint=hint)

    rule_problems, checked = _rule_problems(
        values, rules, labels, locate, has_tier_column="tier" in columns, header=header
    )
    problems += rule_problems
    notes += checked.notes

    salts, kept, reissued = (values.salts, np.ones(len(grid.rows), bool), np.zeros(0, np.int64))
    if previous is not None or not with_salt:
        salts, kept, reissued, salt_problems = _salts(values, previous, with_salt, locate)
        problems += salt_problems
    if problems:
        order = {c.letter: c.index for c in columns.values()}
        problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)

    registry = Registry._from_normalised(
        registration_numbers=values.regs.tolist(),
        names=values.names.tolist(),
        document_types=values.kinds.tolist(),
        document_numbers=values.numbers.tolist(),
        guardian_contacts=values.contacts.tolist(),
        salts=salts,
    )
    table, fact_fields = _build_table(values, checked)
    identities = columns_fast.identity_commitments(
        draw_id,
        values.regs.tolist(),
        _kind_values(values.kinds).tolist(),
        values.numbers.tolist(),
        values.names.tolist(),
        salts.tobytes(),
    )
    table = replace(table, identities=identities)
    regs = values.regs
    return ApplicantImport(
        table=table,
        registry=registry,
        receipts_generated=not with_salt,
        source=grid.source,
        encoding=loaded.encoding,
        columns=tuple(sorted(columns.values(), key=lambda c: c.index)),
        ignored_columns=tuple(c.header for c in ignored),
        fact_fields=fact_fields,
        sheet=loaded.name,
        ignored=tuple(ignored),
        notes=(*sheet_notes, *notes),
        new_salts=tuple(regs[~kept].tolist()) if not with_salt else (),
        reissued=tuple(regs[reissued].tolist()),
        rules_checked=rules is not None,
    )


def _salts(
    values: _Values,
    previous: Mapping[str, Registration] | None,
    with_salt: bool,
    locate: _Locate,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_], npt.NDArray[np.int64], list[CellError]]:
    """Every row's salt, which rows kept an earlier one, which lost one, and problems."""
    n = len(values.rows)
    kinds = _kind_values(values.kinds).tolist()
    found = carry_salts(previous or {}, values.regs.tolist(), kinds, values.numbers.tolist())
    if not with_salt:
        return found.salts, found.kept, np.flatnonzero(found.reissued), []
    problems = []
    given = values.salts
    differs = found.kept & values.salt_given & (given != found.salts).any(axis=1)
    for position in np.flatnonzero(differs).tolist():
        problems.append(
            locate(
                position,
                "salt",
                _(
                    "the receipt salt differs from the one kept in the private registry"
                    " (printed on this child's receipt)"
                ),
                None,
                _(
                    "correct the export's salt, or delete the salt column to keep the"
                    " registry's salts"
                ),
                "salt.differs-from-registry",
            )
        )
    return given, np.ones(n, bool), np.zeros(0, np.int64), problems


def check_against_rules(import_: ApplicantImport, rules: DrawRules) -> list[InputError]:
    """Every row whose values the rules do not know, in row order; never raises.

    Reports choices and facts naming an unknown kindergarten, tiers the rules
    do not declare (or a missing tier when they declare some), fact names no
    seat block or phase uses (they would silently give no priority),
    multiples groups with one member, and siblings whose choices differ.
    :func:`read_applicants` with ``rules`` does the same in its one pass
    (and maps kindergarten names to ids first).
    """
    table = import_.table
    assert table.tiers is not None
    assert table.groups is not None
    n = len(table)
    ids = np.array([*table.kindergarten_ids, None], dtype=object)
    choices = ids[table.choices] if n else np.full((0, 1), None, dtype=object)
    tiers = np.array([*table.tier_names, None], dtype=object)[table.tiers]
    groups = np.array([*table.group_ids, None], dtype=object)[table.groups]
    facts = [
        (
            row,
            table.fact_names[code],
            table.kindergarten_ids[kg],
            import_.fact_fields[at] if at < len(import_.fact_fields) else "facts",
        )
        for at, (row, code, kg) in enumerate(
            zip(
                table.fact_rows.tolist(),
                table.fact_codes.tolist(),
                table.fact_kindergartens.tolist(),
                strict=True,
            )
        )
    ]
    rows = table.source_rows if table.source_rows is not None else np.zeros(n, np.int64)
    values = _Values(
        rows=rows,
        regs=np.array(table.registration_numbers, dtype=object),
        names=np.full(n, None, dtype=object),
        kinds=np.full(n, None, dtype=object),
        numbers=np.full(n, None, dtype=object),
        choices=choices,
        tiers=tiers,
        groups=groups,
        contacts=np.full(n, None, dtype=object),
        salts=np.zeros((n, 16), np.uint8),
        salt_given=np.zeros(n, bool),
        facts=sorted(facts, key=lambda f: f[0]),
    )

    def locate(
        position: int, name: str, problem: str, value: object, hint: str, code: str
    ) -> CellError:
        column = import_.column(name)
        return CellError(
            problem,
            code=code,
            source=import_.source,
            sheet=import_.sheet,
            row=table.row_label(position),
            column=column.letter if column else None,
            header=column.header if column else None,
            field=name,
            value=value,
            hint=hint,
        )

    def header(name: str, problem: str, hint: str, code: str) -> CellError:
        return CellError(
            problem, code=code, source=import_.source, sheet=import_.sheet, field=name, hint=hint
        )

    problems, _checked = _rule_problems(
        values,
        rules,
        {},
        locate,
        has_tier_column=import_.column("tier") is not None or not import_.columns,
        header=header,
        map_names=import_.rules_checked,
    )
    problems.sort(key=lambda p: p.row or 0)
    return list(problems)


# --- kindergartens ------------------------------------------------------------------

_BLOCK_RE: Final = re.compile(r"(?P<name>[^=@]+?)\s*=\s*(?P<seats>[0-9]+)\s*@\s*(?P<fact>[^=@]+)")


def _count(cells: _Cells, name: str) -> int | None:
    text = unicodedata.normalize("NFKC", cells.raw(name)).strip()
    if not text:
        return None
    if not re.fullmatch("[0-9]+", text) or int(text) <= 0:
        cells.problem(name, _("must be a positive whole number"), text, code="import.not-positive")
        return None
    return int(text)


_KINDERGARTENS: Final = _TableKind(
    what=N_("kindergarten"),
    index=_KINDERGARTEN_INDEX,
    choices=False,
    complete=_kindergarten_complete,
)


def read_kindergartens(
    path: StrPath, *, sheet: str | None = None, limits: SpreadsheetLimits = DEFAULT_LIMITS
) -> tuple[Kindergarten, ...]:
    """Kindergartens from a CSV or .xlsx table, in file order.

    Columns (see :data:`KINDERGARTEN_COLUMNS`): id, name, seats or classes and
    class_size, and blocks written ``owners=12@owner; staff=5@staff``
    (block=seats@fact, in precedence order).

    Of a workbook, the one visible sheet with kindergarten columns is read,
    or ``sheet``.

    Raises:
        InputError: if the file is missing, of an unknown type, undecodable,
            beyond ``limits``, or its sheet is not clear.
        SpreadsheetError: listing every bad row: missing or repeated id,
            seats missing, not a positive number or disagreeing with classes ×
            class size, malformed blocks, blocks beyond capacity.
    """
    loaded, notes = _load(path, sheet=sheet, limits=limits, kind=_KINDERGARTENS)
    if not len(loaded):
        raise InputError(
            _("the file is empty"),
            code="import.empty",
            source=loaded.source,
            sheet=loaded.name,
            hint=_("check the file"),
        )
    grid = _grid(loaded, _find_header(loaded, _KINDERGARTEN_INDEX, choices=False))
    columns, _ignored, problems = _columns(grid, _KINDERGARTEN_INDEX, choices=False)
    if "id" not in columns:
        problems.append(_missing_column(grid, "id", KINDERGARTEN_COLUMNS["id"], notes))
    if "seats" not in columns and not {"classes", "class_size"} <= set(columns):
        problems.append(
            _missing_column(
                grid, "seats", (*KINDERGARTEN_COLUMNS["seats"], _("班数 and 班额")), notes
            )
        )
    if problems:
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)

    result = []
    first: dict[str, int] = {}
    for position, number in enumerate(grid.rows.tolist()):
        row = int(number)
        reader = _Cells(grid, columns, row, grid.cells(position), problems)
        before = len(problems)
        kg_id = reader.code("id")
        if kg_id is None and reader.empty("id"):
            reader.problem("id", _("kindergarten id is empty"), code="import.kindergarten-id-empty")
        elif kg_id is not None:
            if kg_id in first:
                reader.problem(
                    "id",
                    _("kindergarten id appears twice: rows {first} and {second}").format(
                        first=first[kg_id], second=row
                    ),
                    kg_id,
                    _("each kindergarten is listed once"),
                    code="import.duplicate-kindergarten",
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
                    _(
                        "seats {seats} differ from classes × class size"
                        " = {classes} × {class_size} = {product}"
                    ).format(
                        seats=seats,
                        classes=classes,
                        class_size=class_size,
                        product=classes * class_size,
                    ),
                    seats,
                    _("correct one of the three, or leave seats empty"),
                    code="import.seats-mismatch",
                )
            seats = classes * class_size
        elif seats is None and len(problems) == before:
            reader.problem(
                "seats",
                _("seats are missing"),
                hint=_("give seats (学位数), or classes (班数) and class size (班额)"),
                code="import.seats-missing",
            )
        blocks = []
        blocks_text = reader.raw("blocks")
        for item in _split_list(blocks_text):
            found = _BLOCK_RE.fullmatch(item)
            if found is None:
                reader.problem(
                    "blocks",
                    _("seat block {block!r} is not written name=seats@fact").format(block=item),
                    blocks_text,
                    _("write blocks like owners=12@owner; staff=5@staff"),
                    code="import.block-form",
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
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    if not result:
        raise InputError(
            _("the file has a header but no kindergarten rows"),
            code="import.no-rows",
            source=grid.source,
            sheet=grid.name,
        )
    return tuple(result)


# --- later rounds -------------------------------------------------------------------


def read_responses(
    path: StrPath, *, sheet: str | None = None, limits: SpreadsheetLimits = DEFAULT_LIMITS
) -> tuple[Response, ...]:
    """The families' answers from a CSV or .xlsx table (spec 11.1).

    Columns (see :data:`RESPONSE_COLUMNS`): registration number, answer
    (``confirm``/确认, ``withdraw``/退出候补, ``decline``/放弃, see
    :data:`ANSWERS`) and the kindergarten of the seat kept (empty for a
    decline, and for a withdrawal by a child without a seat).

    Raises:
        InputError: if the file is missing, of an unknown type, undecodable or
            beyond ``limits``.
        SpreadsheetError: listing every bad row: a missing column, an empty or
            repeated registration number, an unknown answer, a kindergarten
            where none belongs or none where one does.
    """
    grid, columns, problems = _round_grid(path, sheet, limits, _RESPONSE_INDEX, RESPONSE_COLUMNS)
    out: list[Response] = []
    first: dict[str, int] = {}
    for position, number in enumerate(grid.rows.tolist()):
        row = int(number)
        reader = _Cells(grid, columns, row, grid.cells(position), problems)
        reg = _round_registration(reader, row, first)
        text = "".join(unicodedata.normalize("NFKC", reader.raw("answer")).split()).casefold()
        answer = ANSWERS.get(text)
        if answer is None:
            reader.problem(
                "answer",
                _("unknown answer"),
                reader.raw("answer"),
                _("write confirm (确认), withdraw (退出候补) or decline (放弃)"),
                code="import.unknown-answer",
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
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    return tuple(out)


def read_round_choices(
    path: StrPath, *, sheet: str | None = None, limits: SpreadsheetLimits = DEFAULT_LIMITS
) -> dict[str, tuple[str, ...]]:
    """Second-round choices from a CSV or .xlsx table: registration number -> choices.

    Columns: registration number and the numbered choices, as in a
    registration export (志愿1, 志愿2, …).

    Raises:
        InputError: if the file is missing, of an unknown type, undecodable or
            beyond ``limits``.
        SpreadsheetError: listing every bad row (an empty or repeated
            registration number, no choice, a gap, a kindergarten twice).
    """
    grid, columns, problems = _round_grid(
        path, sheet, limits, _ROUND_CHOICE_INDEX, ROUND_CHOICE_COLUMNS, choices=True
    )
    if not any(name.startswith("choice_") for name in columns):
        problems.append(_missing_column(grid, "choice_1", APPLICANT_COLUMNS["choice_N"]))
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    numbers = sorted(int(n.removeprefix("choice_")) for n in columns if n.startswith("choice_"))
    out: dict[str, tuple[str, ...]] = {}
    first: dict[str, int] = {}
    for position, number in enumerate(grid.rows.tolist()):
        row = int(number)
        reader = _Cells(grid, columns, row, grid.cells(position), problems)
        reg = _round_registration(reader, row, first)
        picked = [reader.code(f"choice_{n}") for n in numbers]
        while picked and picked[-1] is None:
            picked.pop()
        if not picked:
            reader.problem(
                "choice_1",
                _("lists no kindergarten"),
                hint=_("give at least one choice"),
                code="import.no-choice",
            )
        elif None in picked:
            reader.problem(
                "choices",
                _("a gap in the choices"),
                hint=_("list choices from the first column on, without empty cells in between"),
                code="import.choice-gap",
            )
        elif len(set(picked)) != len(picked):
            reader.problem(
                "choices",
                _("a kindergarten is listed twice"),
                hint=_("each kindergarten may appear once in a child's choices"),
                code="import.choice-repeated",
            )
        elif reg is not None:
            out[reg] = tuple(p for p in picked if p is not None)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    return out


def _round_grid(
    path: StrPath,
    sheet: str | None,
    limits: SpreadsheetLimits,
    index: Mapping[str, str],
    names: Mapping[str, tuple[str, ...]],
    *,
    choices: bool = False,
) -> tuple[_Grid, dict[str, Column], list[CellError]]:
    loaded, notes = _load(path, sheet=sheet, limits=limits)
    if not len(loaded):
        raise InputError(
            _("the file is empty"),
            code="import.empty",
            source=loaded.where,
            hint=_("check the file"),
        )
    grid = _grid(loaded, _find_header(loaded, index, choices=choices))
    columns, _ignored, problems = _columns(grid, index, choices=choices)
    problems = [*grid.problems, *problems]
    for name, aliases in names.items():
        if name not in ("choice_N", "kindergarten") and name not in columns:
            problems.append(_missing_column(grid, name, aliases, notes))
    if problems:
        raise SpreadsheetError(problems, source=grid.source, sheet=grid.name)
    return grid, columns, problems


def _round_registration(reader: _Cells, row: int, first: dict[str, int]) -> str | None:
    reg = reader.code("registration_number")
    if reg is None:
        if reader.empty("registration_number"):
            reader.problem(
                "registration_number",
                _("registration number is empty"),
                hint=_("every child needs the registration number printed on the receipt"),
                code="import.registration-number-empty",
            )
        return None
    if reg in first:
        reader.problem(
            "registration_number",
            _("registration number appears twice: rows {first} and {second}").format(
                first=first[reg], second=row
            ),
            reg,
            _("give each child one row"),
            code="import.duplicate-registration",
        )
        return None
    first[reg] = row
    return reg


# --- result files -------------------------------------------------------------------


def _heading(chinese: str, english: str) -> str:
    return f"{chinese} ({english})"


_RANK: Final = notices.RANK
_REG: Final = notices.REGISTRATION
_TICKET: Final = notices.TICKET
_MASKED_NAME: Final = notices.MASKED_NAME
_MASKED_NUMBER: Final = notices.MASKED_NUMBER
_BLOCK: Final = notices.BLOCK
_WAITLISTS: Final = _heading("候补", "waitlist positions")
_DOCUMENT_LABELS: Final = {DocumentType.RESIDENT_ID: "居民身份证", DocumentType.PASSPORT: "护照"}
_YES: Final = "是"
_NO: Final = "否"
# A leading apostrophe is quoted too: reading drops one (Excel's text mark).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "'")


def _csv_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[object]], banner: str | None = None
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if banner:
        writer.writerow([banner])
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


#: Paper size 9 is A4 in the Office Open XML page setup.
_A4: Final = 9


def _xlsx_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    titles: Sequence[str] = (),
    sheet_title: str | None = None,
    banner: str | None = None,
) -> bytes:
    """A one-sheet workbook; with ``titles``, laid out to print as a notice board.

    Title rows go above the header, with a blank row between; the titles and
    the header repeat on every printed page, which is A4 landscape, the
    columns fitted to the page width, numbered "第 N 页 / 共 M 页"; the header
    stays frozen on screen. ``banner`` (a rehearsal's mark) is the first row
    of all, above the titles.
    """
    import openpyxl  # noqa: PLC0415 - see the note at the imports
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: PLC0415

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    above = [*([banner] if banner else []), *titles]
    header_row = len(above) + 2 if above else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if titles:
        sheet.print_title_rows = f"1:{header_row}"
        sheet.page_setup.paperSize = _A4
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页 (page &P of &N)"
    underline = Border(bottom=Side(style="thin"))
    shade = PatternFill("solid", fgColor="FFE8ECF2")

    def cells(values: Sequence[object], *, font: Any = None, header: bool = False) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
            if isinstance(value, str):
                # Strings stay text: never a formula, never a number that
                # Excel would cut to 15 digits.
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            if header:
                cell.border = underline
                cell.fill = shade
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            out.append(cell)
        return out

    if banner:
        sheet.append(cells([banner], font=Font(bold=True, size=14, color="FFA4141A")))
    for number, title in enumerate(titles):
        sheet.append(cells([title], font=Font(bold=True, size=14 if number == 0 else 11)))
    if above:
        sheet.append([])
    sheet.append(cells(headers, font=Font(bold=True), header=True))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table_bytes(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    titles: Sequence[str] = (),
    sheet_title: str | None = None,
    banner: str | None = None,
) -> bytes:
    """A table as CSV or .xlsx by the path's suffix; ``titles`` print above an .xlsx table.

    ``banner`` (a rehearsal's mark) is a row above everything else, in either format.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_bytes(headers, rows, banner)
    if suffix == ".xlsx":
        return _xlsx_bytes(headers, rows, titles=titles, sheet_title=sheet_title, banner=banner)
    raise InputError(
        _("unknown output file type"),
        code="output.unknown-type",
        source=str(path),
        value=suffix or None,
        hint=_("use .csv or .xlsx"),
    )


def _registration(registry: Mapping[str, Registration], reg: str) -> Registration:
    entry = registry.get(reg)
    if entry is None:
        raise InputError(
            _("the outcome has an applicant the registry does not know"),
            code="output.unknown-applicant",
            field="registration_number",
            value=reg,
            hint=_("use the registry read with these applicants"),
        )
    return entry


def _masks(entry: Registration) -> tuple[str, str]:
    return mask_identity(entry.identity)


def _waitlist_text(result: ApplicantOutcome) -> str:
    return "; ".join(f"{kg} #{position}" for kg, position in result.waitlist)


def write_private_results(
    path: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
    banner: str | None = None,
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
    return write_bytes(
        target, _table_bytes(target, headers, rows, banner=banner), force=force, mode=0o600
    )


def _ranked(outcome: Outcome) -> dict[str, tuple[int, ApplicantOutcome]]:
    return {r.registration_number: (rank, r) for rank, r in enumerate(outcome, start=1)}


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
    heading: NoticeHeading | None = None,
    banner: str | None = None,
) -> list[Path]:
    """One notice-board list per kindergarten, ``notice-<id>.csv`` (or ``.xlsx``).

    Each lists the children placed there (under the independent lottery:
    winning there) in draw order, then its waitlist in order, with masked
    names (张**) and document numbers (**************1234) only
    (:func:`alloc.notices.notice_rows`). With ``heading`` an .xlsx list
    has title rows (the draw, the kindergarten, the draw time) and prints
    on A4 (:func:`_xlsx_bytes`). ``banner``, if given, is a row above
    everything else in either format (a rehearsal's mark). The directory is
    created if missing. No file is written if any exists (without ``force``).

    Raises:
        InputError: for an unknown suffix, kindergarten ids that give the same
            file name, or a child missing from ``registry``.
        OutputExistsError: if a list exists and ``force`` is false.
        StorageError: if the file system refuses a write (disk full, permission).
    """
    folder = Path(directory)
    if suffix.lower() not in {".csv", ".xlsx"}:
        raise InputError(
            _("unknown output file type"),
            code="output.unknown-type",
            value=suffix,
            hint=_("use .csv or .xlsx"),
        )
    targets: dict[Path, str] = {}
    for kg in outcome.rules.kindergartens:
        target = folder / notice_file_name(kg.id, suffix)
        if target in targets:
            raise InputError(
                _("kindergartens {first!r} and {second!r} give the same file name").format(
                    first=targets[target], second=kg.id
                ),
                code="output.same-file-name",
                field="kindergarten.id",
                value=target.name,
            )
        targets[target] = kg.id
        if not force and storage.will_exist(target):
            raise OutputExistsError(target)
    ranks = notices.draw_ranks(outcome)
    independent = outcome.rules.mechanism is Mechanism.INDEPENDENT
    contents = []
    for target, kg_id in tracked(list(targets.items()), progress, Task.NOTICE_LISTS):
        rows = [
            notices.with_masks(
                notices.NOTICE_HEADERS, row, _masks(_registration(registry, str(row[3])))
            )
            for row in notices.notice_rows(outcome, kg_id, ranks=ranks)
        ]
        titles = (
            heading.notice_titles(outcome.rules.kindergarten(kg_id), independent=independent)
            if heading is not None
            else ()
        )
        data = _table_bytes(
            target,
            notices.NOTICE_HEADERS,
            rows,
            titles=titles,
            sheet_title="公示名单",
            banner=banner,
        )
        contents.append((target, data))
    folder.mkdir(parents=True, exist_ok=True)
    return [write_bytes(target, data, force=force) for target, data in contents]


def notice_file_name(kindergarten_id: str, suffix: str) -> str:
    """The file name of a kindergarten's notice list: ``notice-<id>.csv``, made file-safe."""
    return f"notice-{_file_stem(kindergarten_id)}{suffix.lower()}"


def write_waitlists(
    path: StrPath,
    outcome: Outcome,
    registry: Mapping[str, Registration],
    *,
    force: bool = False,
    heading: NoticeHeading | None = None,
    banner: str | None = None,
) -> Path:
    """Every kindergarten's waitlist in one file (.csv or .xlsx), masked.

    Rows by kindergarten in rules order, then waitlist position
    (:func:`alloc.notices.waitlist_rows`); with ``heading`` an .xlsx file
    has title rows and prints on A4, as the notice lists. ``banner``, if
    given, is a row above everything else (a rehearsal's mark).

    Raises:
        InputError: for an unknown file type or a child missing from ``registry``.
        OutputExistsError: if ``path`` exists and ``force`` is false.
        StorageError: if the file system refuses the write (disk full, permission).
    """
    target = Path(path)
    rows = [
        notices.with_masks(
            notices.WAITLIST_HEADERS, row, _masks(_registration(registry, str(row[3])))
        )
        for row in notices.waitlist_rows(outcome)
    ]
    titles = heading.waitlist_titles() if heading is not None else ()
    data = _table_bytes(
        target,
        notices.WAITLIST_HEADERS,
        rows,
        titles=titles,
        sheet_title="候补名单",
        banner=banner,
    )
    return write_bytes(target, data, force=force)


def read_published_lists(directory: StrPath, rules: DrawRules) -> PublishedLists:
    """The notice lists and waitlists of a publish folder, as ``alloc publish`` lays them out.

    ``notice/notice-<id>.csv`` or ``.xlsx`` per kindergarten and
    ``waitlists.csv`` or ``.xlsx``, each read within the spreadsheet limits
    (:mod:`alloc.sheets`); inside a transaction the files it wrote are read.

    Raises:
        InputError: if the folder is missing or a list cannot be read (naming it).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(
            _("is not a folder"),
            code="file.not-a-folder",
            source=str(folder),
            hint=_("give the folder `alloc publish` wrote"),
        )
    by_name = {
        notice_file_name(kg.id, suffix): kg.id
        for kg in rules.kindergartens
        for suffix in (".csv", ".xlsx")
    }
    found: dict[str, list[PublishedTable]] = {}
    unexpected = []
    notice_folder = folder / "notice"
    names = sorted(
        {p.name for p in notice_folder.iterdir() if not storage.is_internal_name(p.name)}
        if notice_folder.is_dir()
        else set()
    )
    txn = storage.active_transaction()
    if txn is not None:
        names = sorted(
            set(names) | {n for n in by_name if txn.staged(notice_folder / n) is not None}
        )
    for name in names:
        path = notice_folder / name
        if name not in by_name:
            if name.startswith("notice-"):
                unexpected.append(str(path))
            continue
        found.setdefault(by_name[name], []).append(_published_table(path))
    waitlists = [
        _published_table(folder / f"waitlists{suffix}")
        for suffix in (".csv", ".xlsx")
        if storage.will_exist(folder / f"waitlists{suffix}")
    ]
    return PublishedLists(
        notices={kg: tuple(tables) for kg, tables in found.items()},
        missing=tuple(kg.id for kg in rules.kindergartens if kg.id not in found),
        unexpected=tuple(unexpected),
        waitlists=tuple(waitlists),
    )


_REPORT_PAGE: Final = re.compile(r"(kg|unplaced)-[0-9]+\.html")
_REPORT_SHARD: Final = re.compile(r"s[0-9]+\.js")


def write_report(folder: StrPath, pages: ReportPages, *, force: bool = False) -> Path:
    """Write a report's pages (:func:`alloc.report.render_report`) to ``folder``, made if missing.

    Returns the path of its ``index.html``. With ``force``, pages and search
    files of an earlier report that this one does not have are deleted (they
    would only mislead). Atomic like every write; in a transaction, all or none.

    Raises:
        InputError: if ``folder`` names an .html file (the report is a folder of pages).
        OutputExistsError: if a page exists and ``force`` is false.
        StorageError: if the file system refuses a write.
    """
    target = Path(folder)
    if target.suffix.lower() in {".html", ".htm"}:
        raise InputError(
            _(
                "the report is a folder of pages (index.html, one page per kindergarten and the"
                " search index), not one file"
            ),
            code="output.report-is-a-folder",
            field="--out",
            value=str(target),
            hint=_("give a folder, e.g. --out {folder}").format(folder=target.with_suffix("")),
        )
    if not force:
        for name in pages.files:
            if storage.will_exist(target / name):
                raise OutputExistsError(target / name)
    (target / "search").mkdir(parents=True, exist_ok=True)
    for name, text in pages.files.items():
        write_bytes(target / name, text.encode("utf-8"), force=force)
    txn = storage.active_transaction()
    for directory, pattern in ((target, _REPORT_PAGE), (target / "search", _REPORT_SHARD)):
        for stale in directory.iterdir() if force else ():
            name = stale.relative_to(target).as_posix()
            if pattern.fullmatch(stale.name) and name not in pages.files:
                if txn is not None:
                    txn.remove(stale)
                else:
                    stale.unlink()
    return target / "index.html"


def _published_table(path: Path) -> PublishedTable:
    """One published list: every non-blank row of a CSV or of a workbook's active sheet."""
    txn = storage.active_transaction()
    staged = txn.staged(path) if txn is not None else None
    actual = staged or path
    if _READS.get() is not None:
        _read_bytes(path)  # for the record of files checked; the reader below reads it again
    if path.suffix.lower() == ".csv":
        sheet = load_csv(actual)
    else:
        with Workbook(actual) as book:
            sheet = book.read(book.sheets[book.active])
    rows = tuple((int(number), sheet.row(i)) for i, number in enumerate(sheet.rows))
    return PublishedTable(name=str(path), rows=rows)


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
    new: frozenset[str] | None = None,
    force: bool = False,
) -> Path:
    """The receipts to print for parents (.csv or .xlsx), one row per child.

    Each row: registration number, masked name and document number (to hand
    the right slip to the right family) and the receipt salt, which the parent
    needs to check their child's record. With ``new`` (the registration
    numbers whose salts were made in this freeze), a last column says which
    receipts are new and must be printed; the others were printed before and
    still hold. Owner-readable only.

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
    if new is not None:
        headers.append(_heading("新回执", "new receipt"))
    rows = []
    for reg in sorted(registry):
        entry = registry[reg]
        name, number = _masks(entry)
        row: list[object] = [reg, name, number, format_salt(entry.salt)]
        if new is not None:
            row.append(_YES if reg in new else _NO)
        rows.append(row)
    return write_bytes(target, _table_bytes(target, headers, rows), force=force, mode=0o600)
