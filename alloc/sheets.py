"""Reading spreadsheet files safely: text encodings, CSV, and .xlsx within limits.

This is the lowest layer of the import (:mod:`alloc.io` matches headers and
checks values on top of it). It turns a file into a :class:`Sheet`: the
non-blank rows' spreadsheet row numbers and, per column, the cells as
cleaned text, plus what Excel knew about a cell that text alone does not
say (a number, a date, an error, a hidden row, a merged range).

Three things decide how it is written.

* **Text is decoded only when the encoding is certain.** UTF-8 (with or
  without a BOM) is self-checking. Anything else is read as GB18030 (a
  superset of GBK and GB2312) only if nearly all of its Chinese characters
  are common simplified ones; Big5 and Shift-JIS files would otherwise be
  "read" as GB18030 into plausible-looking nonsense (陳大文 becomes 闖湮恅),
  and every commitment would be computed over it. Such files are refused
  with the way to save them as UTF-8.
* **Every size is bounded before it is paid for** (:class:`SpreadsheetLimits`):
  file size, rows, columns, cell length, sheets, and the unpacked size of
  each part of a workbook. A workbook is a zip file; Python's ``zipfile``
  never unpacks more than a member's declared size, so checking the declared
  sizes bounds memory and time, and a zip bomb is refused before anything is
  unpacked.
* **A workbook is streamed, not loaded.** openpyxl pads each row to its last
  cell, so one formatted empty cell in column XFD makes every row 16,384
  cells: a 370 KB workbook of 18,000 rows took 36 s and 2.3 GB that way. The
  reader here keeps only non-empty cells, in one pass over the sheet's XML.

CSV is parsed by pandas' C tokenizer (about five times faster than the
``csv`` module at a million rows, and it shares repeated strings); a file
with double quotes is first checked with the ``csv`` module in strict mode,
because pandas silently reads ``"ab"c`` as ``abc``. Row numbers are CSV
records, which is what a spreadsheet shows.
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final
from xml.etree import ElementTree

import numpy as np
import numpy.typing as npt
from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException

from alloc.errors import InputError
from alloc.i18n import N_, _

__all__ = [
    "DEFAULT_LIMITS",
    "ENCODING_NAMES",
    "Sheet",
    "SheetInfo",
    "SheetState",
    "SpreadsheetLimits",
    "Workbook",
    "clean_cell",
    "column_letter",
    "decode_text",
    "load_csv",
]

# --- limits -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadsheetLimits:
    """How much of a spreadsheet alloc will read; anything beyond is refused, not cut.

    The defaults take a province's registration export (a 10,000,000-row CSV
    is 1.3 GB) and anything Excel itself can hold, and refuse what only a
    damaged or hostile file holds.
    """

    #: Largest CSV file.
    max_csv_bytes: int = 4 * 1024**3
    #: Largest .xlsx file (Excel's own files of a million rows are about 60 MB).
    max_xlsx_bytes: int = 256 * 1024**2
    #: Most rows (records) in a file; Excel stops at 1,048,576.
    max_rows: int = 12_000_000
    #: Most columns holding data; a registration export has a few dozen.
    max_columns: int = 1024
    #: Longest cell, in characters: Excel's own limit.
    max_cell_chars: int = 32_767
    #: Most sheets in a workbook.
    max_sheets: int = 256
    #: Largest unpacked part of a workbook (one sheet's XML, the shared strings).
    max_part_bytes: int = 2 * 1024**3
    #: Largest unpacked size of all the parts alloc reads from a workbook.
    max_unpacked_bytes: int = 3 * 1024**3
    #: Most cells, empty or not, in the sheet read (bounds the time of one pass).
    max_cells: int = 200_000_000


DEFAULT_LIMITS: Final = SpreadsheetLimits()


#: How an encoding is named to a person.
ENCODING_NAMES: Final = {
    "utf-8": "UTF-8",
    "utf-8-sig": N_("UTF-8 with BOM"),
    "gb18030": "GB18030 (GBK)",
}


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return _("{count} bytes").format(count=count)


# --- cells --------------------------------------------------------------------------

# Kinds of cell other than text, per (spreadsheet row, column index), so a
# column can refuse a number or a date that Excel made of what was typed.
NUMBER: Final = "number"
BIG_NUMBER: Final = "big-number"
DATE: Final = "date"
BOOL: Final = "bool"
ERROR: Final = "error"
FORMULA: Final = "formula"

_EDGE_JUNK: Final = "\u200b\ufeff"


def clean_cell(text: str) -> str:
    """A cell as alloc reads it: stripped, and without Excel's text mark.

    White space and the zero-width space and BOM that copied text carries are
    stripped from both ends. A leading apostrophe is how Excel and many
    exports mark "keep this as text" (``'440105…``); it is never part of the
    value, so one is dropped (alloc writes one before a cell that starts with
    ``=``, ``+``, ``-``, ``@`` or an apostrophe, so its own files read back
    exactly).
    """
    text = text.strip().strip(_EDGE_JUNK).strip()
    if text.startswith("'"):
        text = text[1:].strip().strip(_EDGE_JUNK).strip()
    return text


# A column needs clean_cell only if some cell starts or ends with white
# space, a zero-width space or BOM, or starts with an apostrophe. NUL
# separates the cells (decoded CSV text never holds one); each pattern
# starts with it, so the search skips ahead at C speed, and cell ends are
# found as cell starts in the reversed text.
_DIRTY_START: Final = re.compile(r"\x00[\s\u200b\ufeff']")
_DIRTY_END: Final = re.compile(r"\x00[\s\u200b\ufeff]")
_ANY_DIRT: Final = re.compile(r"[\s\u200b\ufeff']")


_HEAD_ROWS: Final = 64


def _clean_column(cells: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    # The first rows (titles, the header) often hold spaces: they are
    # cleaned cell by cell, and the rest only if some cell needs it.
    head = [clean_cell(c) for c in cells[:_HEAD_ROWS]]
    rest = cells[_HEAD_ROWS:]
    if len(rest):
        # A cheap look for anything that could need cleaning anywhere in a
        # cell first (an ID number column has no space, apostrophe or control).
        whole = "".join(rest)
        if whole.isascii():
            maybe = " " in whole or "'" in whole or not whole.isprintable()
        else:
            maybe = _ANY_DIRT.search(whole) is not None
        del whole
        if maybe:
            joined = "\x00" + "\x00".join(rest) + "\x00"
            if _DIRTY_START.search(joined) or _DIRTY_END.search(joined[::-1]):
                rest = np.array([clean_cell(c) for c in rest], dtype=object)
    cleaned = np.empty(len(cells), dtype=object)
    cleaned[: len(head)] = head
    cleaned[len(head) :] = rest
    return cleaned


def column_letter(index: int) -> str:
    """Excel's letters for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True, eq=False)
class Sheet:
    """The non-blank rows of one table, column by column, as cleaned text.

    ``rows`` holds each non-blank row's number as the spreadsheet shows it
    (the first row is 1); ``columns`` maps a 0-based column index to its
    cells, aligned with ``rows`` (``""`` where empty). Only columns with a
    non-empty cell are present. ``kinds`` marks cells Excel stored as other
    than text, keyed by (row number, column index); ``hidden_rows`` and
    ``merged`` (ranges as (first row, first column, last row, last column))
    are what an .xlsx hides or joins. ``name`` is the sheet's name (None for
    CSV) and ``encoding`` the text encoding a CSV was read with.
    """

    source: str
    name: str | None
    encoding: str | None
    rows: npt.NDArray[np.int64]
    columns: Mapping[int, npt.NDArray[np.object_]]
    kinds: Mapping[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        """One more than the last column index holding data."""
        return max(self.columns, default=-1) + 1

    def row(self, position: int) -> tuple[str, ...]:
        """The ``position``-th non-blank row's cells, padded to :attr:`width`."""
        return tuple(
            str(self.columns[i][position]) if i in self.columns else "" for i in range(self.width)
        )

    @property
    def where(self) -> str:
        """The file, and the sheet if it has one, for messages (in the current language)."""
        if self.name is None:
            return self.source
        return _("{source}, sheet {sheet!r}").format(source=self.source, sheet=self.name)


def _drop_blank(
    numbers: npt.NDArray[np.int64],
    columns: dict[int, npt.NDArray[np.object_]],
    source: str,
    limits: SpreadsheetLimits,
    *,
    check_lengths: bool = True,
) -> tuple[npt.NDArray[np.int64], dict[int, npt.NDArray[np.object_]]]:
    """Only the rows with a non-empty cell, and only the columns with one."""
    keep = np.zeros(len(numbers), bool)
    for index, cells in list(columns.items()):
        if check_lengths and len(cells) and max(map(len, cells)) > limits.max_cell_chars:
            lengths = np.fromiter(map(len, cells), np.int64, len(cells))
            at = int(np.flatnonzero(lengths > limits.max_cell_chars)[0])
            raise InputError(
                _(
                    "a cell holds {count:,} characters, more than the {maximum:,}"
                    " a spreadsheet cell can"
                ).format(count=int(lengths[at]), maximum=limits.max_cell_chars),
                code="import.cell-too-long",
                source=source,
                row=int(numbers[at]),
                column=column_letter(index),
                hint=_("the file is damaged or is not a registration export"),
            )
        filled = cells != ""
        if not filled.any():
            del columns[index]
            continue
        keep |= filled
    if keep.all():
        return numbers, columns
    return numbers[keep], {i: c[keep] for i, c in columns.items()}


# --- decoding text ------------------------------------------------------------------

#: At least this share of a non-UTF-8 file's non-ASCII characters must be in
#: GB2312 (the 6,763 common simplified characters and the usual full-width
#: symbols) for it to be read as GB18030. Real GBK exports score above 0.97;
#: Big5 text read as GB18030 scores about 0.55 and Shift-JIS about 0.
GB_COMMON_SHARE: Final = 0.9
_SAMPLE_WINDOWS: Final = 64
_SAMPLE_CHARS: Final = 16_384

_RESAVE_HINT: Final = N_(
    "open it in Excel or WPS and save it as 'CSV UTF-8 (逗号分隔)', or as .xlsx"
)


def _sample(text: str) -> str:
    """Up to a million characters from evenly spaced places in ``text``."""
    if len(text) <= _SAMPLE_WINDOWS * _SAMPLE_CHARS:
        return text
    step = len(text) // _SAMPLE_WINDOWS
    return "".join(text[i : i + _SAMPLE_CHARS] for i in range(0, len(text), step))


def _common_share(text: str, common: Callable[[str], bool]) -> float:
    counts = collections.Counter(_sample(text))
    total = sum(n for c, n in counts.items() if not c.isascii())
    if not total:
        return 1.0
    return sum(n for c, n in counts.items() if not c.isascii() and common(c)) / total


def _encodes(char: str, codec: str) -> bytes | None:
    try:
        return char.encode(codec)
    except UnicodeEncodeError:
        return None


def _in_gb2312(char: str) -> bool:
    # GB2312's rows as GBK encodes them: symbols (0xA1-0xA9; GBK maps 0xA1A4
    # to the middle dot U+00B7, Python's GB2312 codec does not) and the
    # 6,763 hanzi (0xB0-0xF7).
    code = _encodes(char, "gbk")
    return (
        code is not None
        and len(code) == 2
        and (code[0] <= 0xA9 or 0xB0 <= code[0] <= 0xF7)
        and code[0] >= 0xA1
    )


def _common_big5(char: str) -> bool:
    # Big5 symbols (0xA140-0xA3BF) and the 5,401 frequent characters (0xA440-0xC67E).
    code = _encodes(char, "big5")
    return code is not None and len(code) == 2 and 0xA1 <= code[0] <= 0xC6


def _common_shift_jis(char: str) -> bool:
    if "\u3040" <= char <= "\u30ff" or "\uff61" <= char <= "\uff9f":
        return True  # kana
    code = _encodes(char, "cp932")
    # JIS symbols (0x81-0x84) and the 2,965 level-1 kanji (0x889F-0x9872).
    return code is not None and len(code) == 2 and (code[0] <= 0x84 or 0x88 <= code[0] <= 0x98)


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was read with.

    UTF-8 with or without a BOM first (``"utf-8"``, ``"utf-8-sig"``).
    Otherwise GB18030 (``"gb18030"``; GBK and GB2312 are subsets) only if
    at least 90% of the non-ASCII characters are in GB2312.

    Raises:
        InputError: for a workbook or binary file named .csv, UTF-16 text,
            Big5 or Shift-JIS text (saying which), or text in no encoding
            alloc can be sure of; each says how to save the file as UTF-8.
    """
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            _("is an Excel workbook (.xlsx), not CSV text"),
            code="import.xlsx-named-csv",
            source=source,
            hint=_("rename it to end in .xlsx"),
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            _("is an old Excel .xls workbook (or a password-protected one), not CSV text"),
            code="import.xls",
            source=source,
            hint=_("open it in Excel and save as .xlsx or as CSV UTF-8"),
        )
    if b"\x00" in data:
        # CSV text never holds NUL; UTF-16 ("Unicode text") does on every
        # ASCII character, and would otherwise decode as nonsense.
        raise InputError(
            _("contains NUL bytes: it is UTF-16 ('Unicode text') or not a text file"),
            code="import.utf16",
            source=source,
            hint=_("open it in Excel and save as 'CSV UTF-8 (comma delimited)'"),
        )
    if data.startswith(codecs.BOM_UTF8):
        text = _try(data[len(codecs.BOM_UTF8) :], "utf-8")
        if text is None:
            raise InputError(
                _("starts with a UTF-8 byte-order mark but is not UTF-8 text"),
                code="import.bom-not-utf8",
                source=source,
                hint=_(_RESAVE_HINT),
            )
        return text, "utf-8-sig"
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    # GB18030 lacks the one GBK byte 0x80 (the euro sign of code page 936).
    text = _try(data, "gb18030") or _try(data, "gbk")
    if text is not None and _common_share(text, _in_gb2312) >= GB_COMMON_SHARE:
        return text, "gb18030"
    for codec, label, common in (
        ("big5hkscs", N_("Big5 (Traditional Chinese, Taiwan or Hong Kong)"), _common_big5),
        ("cp932", N_("Shift-JIS (Japanese)"), _common_shift_jis),
    ):
        other = _try(data, codec)
        if other is not None and _common_share(other, common) >= GB_COMMON_SHARE:
            raise InputError(
                _(
                    "is {encoding} text; read as GB18030 its Chinese would be garbled"
                    " (陳大文 would read as 闖湮恅), so it is not read"
                ).format(encoding=_(label)),
                code="import.encoding-big5"
                if codec == "big5hkscs"
                else "import.encoding-shift-jis",
                source=source,
                hint=_(_RESAVE_HINT),
            )
    raise InputError(
        _(
            "is not UTF-8, and not clearly GBK/GB18030 either: too many of its characters"
            " would be rare ones, which is what text in another encoding looks like"
        ),
        code="import.encoding-unknown",
        source=source,
        hint=_(_RESAVE_HINT),
    )


# --- CSV ----------------------------------------------------------------------------

_FIELDS_RE: Final = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_FIELD_LIMIT_RE: Final = re.compile(r"field larger than field limit")
#: A line and its ending, split where ``io.StringIO(text, newline="")`` splits.
_LINE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _check_quoting(text: str, delimiter: str, source: str) -> None:
    """Refuse malformed quoting the way ``csv.reader(strict=True)`` does."""
    lines = (m.group() for m in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    record = 0
    try:
        for record, _row in enumerate(reader, start=1):  # noqa: B007 - record counts rows
            pass
    except csv.Error as exc:
        if _FIELD_LIMIT_RE.search(str(exc)):
            raise InputError(
                _("a quoted cell is longer than 131,072 characters"),
                code="import.quoted-cell-too-long",
                source=source,
                row=record + 1,
                hint=_("the file is damaged, or a quote is missing on or before this row"),
            ) from exc
        raise InputError(
            _("is not well-formed CSV ({reason})").format(reason=exc),
            code="import.malformed-csv",
            source=source,
            row=record + 1,
            hint=_("check for an unmatched double quote on or before this row"),
        ) from exc


def load_csv(path: str | Path, *, limits: SpreadsheetLimits = DEFAULT_LIMITS) -> Sheet:
    """A CSV file as a :class:`Sheet` (see :func:`decode_text` for encodings).

    Tab-separated text is recognised by a first line with tabs and no comma.

    Raises:
        InputError: if the file cannot be read or decoded, is malformed, or
            exceeds ``limits``.
    """
    source = str(path)
    data = _read_limited(Path(path), source, limits.max_csv_bytes, "CSV")
    text, encoding = decode_text(data, source)
    records = data.count(b"\n") + data.count(b"\r")
    if records > 2 * limits.max_rows + 1:  # \r\n counts twice
        raise InputError(
            _("has more than {maximum:,} rows").format(maximum=limits.max_rows),
            code="import.too-many-rows",
            source=source,
            hint=_("split the file, or check that it is a registration export"),
        )
    end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=len(text))
    first_line = text[:end]
    # Some systems export tab-separated text under a .csv name.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    if '"' in text:
        _check_quoting(text, delimiter, source)
    # pandas' tokenizer is the fast path; the csv module is the definition it
    # must agree with, and reads what pandas does not take: lone CR line ends
    # (old Mac files, which pandas mis-tokenizes) and anything pandas refuses.
    found = (
        None
        if _LONE_CR.search(text)
        else _pandas_columns(data, text, encoding, delimiter, limits, source)
    )
    # No cell is longer than the longest line, unless a quoted cell spans lines.
    check_lengths = '"' in text or _longest_line(data) > limits.max_cell_chars
    del data
    if found is None:
        found = _csv_module_columns(text, delimiter, source, limits)
    del text
    count, columns = found
    if count > limits.max_rows:
        raise InputError(
            _("has more than {maximum:,} rows").format(maximum=limits.max_rows),
            code="import.too-many-rows",
            source=source,
            hint=_("split the file, or check that it is a registration export"),
        )
    numbers = np.arange(1, count + 1, dtype=np.int64)
    numbers, columns = _drop_blank(numbers, columns, source, limits, check_lengths=check_lengths)
    return Sheet(source=source, name=None, encoding=encoding, rows=numbers, columns=columns)


_LONE_CR: Final = re.compile(r"\r(?!\n)")


def _longest_line(data: bytes) -> int:
    """The longest line of ``data`` in bytes (at least its length in characters)."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n"))
    bounds = np.concatenate(([-1], ends, [len(data)]))
    return int(np.diff(bounds).max()) if len(bounds) > 1 else len(data)


def _pandas_columns(
    data: bytes, text: str, encoding: str, delimiter: str, limits: SpreadsheetLimits, source: str
) -> tuple[int, dict[int, npt.NDArray[np.object_]]] | None:
    """Rows and cleaned columns by pandas' C tokenizer, or None to use the csv module."""
    import pandas as pd  # noqa: PLC0415 - most commands never read a spreadsheet

    # pandas reads UTF-8 bytes natively; other encodings were decoded already.
    if encoding == "utf-8":
        payload = data
    elif encoding == "utf-8-sig":
        payload = data[len(codecs.BOM_UTF8) :]
    else:
        payload = text.encode("utf-8")
    if not payload:
        return 0, {}
    width = max((line.count(delimiter) + 1 for line in text[:65536].splitlines()), default=1)
    for _attempt in range(8):
        if width > limits.max_columns:
            raise InputError(
                _("has a row with more than {maximum:,} cells").format(maximum=limits.max_columns),
                code="import.too-many-columns",
                source=source,
                hint=_("check that it is a registration export"),
            )
        try:
            frame = pd.read_csv(
                io.BytesIO(payload),
                sep=delimiter,
                header=None,
                names=range(width),
                index_col=False,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                encoding="utf-8",
                quotechar='"',
                doublequote=True,
            )
        except pd.errors.ParserError as exc:
            found = _FIELDS_RE.search(str(exc))
            if found is None:
                return None
            width = max(2 * width, int(found.group(3)))
            continue
        columns = {}
        for index in range(width):
            columns[index] = _clean_column(frame[index].to_numpy(dtype=object))
            del frame[index]
        return len(frame), columns
    return None


def _csv_module_columns(
    text: str, delimiter: str, source: str, limits: SpreadsheetLimits
) -> tuple[int, dict[int, npt.NDArray[np.object_]]]:
    """Rows and cleaned columns by the csv module (strict), the definition of a CSV row."""
    lines = (m.group() for m in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    cells: dict[int, list[str]] = {}
    count = 0
    try:
        for count, row in enumerate(reader, start=1):
            if len(row) > limits.max_columns:
                raise InputError(
                    _("has a row with more than {maximum:,} cells").format(
                        maximum=limits.max_columns
                    ),
                    code="import.too-many-columns",
                    source=source,
                    row=count,
                    hint=_("check that it is a registration export"),
                )
            for index, cell in enumerate(row):
                text_ = clean_cell(cell)
                if text_:
                    column = cells.get(index)
                    if column is None:
                        column = cells[index] = []
                    column.extend([""] * (count - 1 - len(column)))
                    column.append(text_)
    except csv.Error as exc:
        raise InputError(
            _("is not well-formed CSV ({reason})").format(reason=exc),
            code="import.malformed-csv",
            source=source,
            row=count + 1,
            hint=_("check for an unmatched double quote on or before this row"),
        ) from exc
    columns = {}
    for index, column in cells.items():
        column.extend([""] * (count - len(column)))
        columns[index] = np.array(column, dtype=object)
    return count, columns


def _read_limited(path: Path, source: str, limit: int, kind: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                _("is {size}, more than the {maximum} alloc reads as {kind}").format(
                    size=_size(size), maximum=_size(limit), kind=kind
                ),
                code="import.file-too-large",
                source=source,
                hint=_("check that this is the registration export; split a larger one"),
            )
        return path.read_bytes()
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
    except PermissionError:
        raise InputError(
            _("permission denied"),
            code="file.permission-denied",
            source=source,
            hint=_("check the file's permissions"),
        ) from None
    except OSError as exc:
        raise InputError(
            _("cannot be read ({reason})").format(reason=exc.strerror or exc),
            code="file.unreadable",
            source=source,
        ) from exc


# --- .xlsx --------------------------------------------------------------------------


#: What a damaged or crafted workbook raises while it is read.
_BROKEN: Final = (
    zipfile.BadZipFile,
    ElementTree.ParseError,
    DefusedXmlException,
    KeyError,
    ValueError,
    OSError,
    EOFError,
)


class SheetState:
    """Whether Excel shows a sheet (the ``state`` attribute of a workbook's sheet)."""

    VISIBLE: Final = "visible"
    HIDDEN: Final = "hidden"
    VERY_HIDDEN: Final = "veryHidden"


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of a workbook, as its tab bar would list it."""

    position: int
    name: str
    state: str
    is_worksheet: bool
    part: str | None

    @property
    def visible(self) -> bool:
        return self.state == SheetState.VISIBLE


_OFFICE_DOCUMENT: Final = "/officeDocument"
_DATE_FORMAT_IDS: Final = frozenset(
    # Excel's built-in date and time formats, the CJK ones (27-36, 50-58)
    # and the Thai ones (71-81) included.
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)]
)
_ESCAPE_RE: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF_RE: Final = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_EXCEL_MAX_ROW: Final = 1_048_576
_EXCEL_MAX_COLUMN: Final = 16_384


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _unescape(text: str) -> str:
    # OOXML writes characters XML cannot hold as _xHHHH_ (and a literal
    # "_x" as _x005F_x).
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def _rich_text(element: ElementTree.Element) -> str:
    """A shared or inline string: its ``t`` text and rich-text runs, not phonetic hints."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return _unescape("".join(parts))


class _Counted(io.RawIOBase):
    """A zip member's stream that refuses to yield more than its budget."""

    def __init__(self, raw: IO[bytes], budget: int, what: str, source: str) -> None:
        self.raw, self.left, self.what, self.source = raw, budget, what, source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.left -= len(data)
        if self.left < 0:
            raise InputError(
                _("unpacks to more than alloc reads ({part})").format(part=self.what),
                code="import.zip-bomb",
                source=self.source,
                hint=_("the workbook is damaged or a zip bomb"),
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class _Styles:
    dates: frozenset[int] = frozenset()
    padded: Mapping[int, int] = field(default_factory=dict)


class Workbook:
    """An .xlsx workbook opened for reading within :class:`SpreadsheetLimits`.

    ``sheets`` lists every sheet in tab order with its visibility; ``active``
    is the position of the sheet Excel opens on. Use as a context manager.

    Raises on construction:
        InputError: if the file is missing, too large, not a workbook (an
            old .xls, a password-protected file), damaged, or a zip bomb.
    """

    def __init__(self, path: str | Path, *, limits: SpreadsheetLimits = DEFAULT_LIMITS) -> None:
        self.source = str(path)
        self.limits = limits
        data = _read_limited(Path(path), self.source, limits.max_xlsx_bytes, ".xlsx")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise self._unreadable() from exc
        self._unpacked = 0
        self._strings: list[str] | None = None
        self._styles: _Styles | None = None
        try:
            self._open()
        except InputError:
            self._zip.close()
            raise
        except _BROKEN as exc:
            self._zip.close()
            raise self._unreadable(exc) from exc
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _unreadable(self, cause: BaseException | None = None) -> InputError:
        if isinstance(cause, DefusedXmlException):
            # Workbook parts never declare a DTD or entities; one can only be
            # there to make the XML parser expand them.
            return InputError(
                _("holds XML with a DTD or entity declarations, which no Excel file has"),
                code="import.xml-dtd",
                source=self.source,
                hint=_("the workbook is damaged or crafted; save it again from Excel or WPS"),
            )
        return InputError(
            _("is not a readable Excel .xlsx workbook"),
            code="import.not-xlsx",
            source=self.source,
            hint=_(
                "old .xls and password-protected workbooks cannot be read:"
                " open it in Excel and save as .xlsx or as CSV UTF-8"
            ),
        )

    # parts

    def _member(self, part: str) -> zipfile.ZipInfo:
        info = self._zip.getinfo(part)
        if info.file_size > self.limits.max_part_bytes:
            raise InputError(
                _("part {part} unpacks to {size}, more than the {maximum} alloc reads").format(
                    part=part, size=_size(info.file_size), maximum=_size(self.limits.max_part_bytes)
                ),
                code="import.zip-bomb",
                source=self.source,
                hint=_(
                    "the workbook is damaged or a zip bomb; if it is a genuine export,"
                    " save it as CSV UTF-8"
                ),
            )
        self._unpacked += info.file_size
        if self._unpacked > self.limits.max_unpacked_bytes:
            raise InputError(
                _("unpacks to more than the {maximum} alloc reads").format(
                    maximum=_size(self.limits.max_unpacked_bytes)
                ),
                code="import.zip-bomb",
                source=self.source,
                hint=_(
                    "the workbook is damaged or a zip bomb; if it is a genuine export,"
                    " save it as CSV UTF-8"
                ),
            )
        return info

    def _stream(self, part: str) -> IO[bytes]:
        info = self._member(part)
        raw = self._zip.open(info)
        return io.BufferedReader(_Counted(raw, info.file_size, part, self.source), 1 << 16)

    def _xml(self, part: str) -> ElementTree.Element:
        with self._stream(part) as stream:
            root = SafeTree.parse(stream, forbid_dtd=True).getroot()
        if root is None:
            raise self._unreadable()
        return root

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self._zip.NameToInfo:
            return {}
        found = {}
        for rel in self._xml(rels):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
        return found

    def _open(self) -> None:
        workbook_part = next(
            (p for t, p in self._relations("").values() if t.endswith(_OFFICE_DOCUMENT)),
            "xl/workbook.xml",
        )
        relations = self._relations(workbook_part)
        self._parts = {t.rpartition("/")[2]: p for t, p in relations.values()}
        root = self._xml(workbook_part)
        self.date1904 = False
        self.active = 0
        sheets: list[SheetInfo] = []
        for element in root.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                self.date1904 = element.get("date1904") in {"1", "true"}
            elif name == "workbookView" and element.get("activeTab"):
                self.active = int(element.get("activeTab", "0"))
            elif name == "sheet":
                rel = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, part = relations.get(rel, ("", None))
                sheets.append(
                    SheetInfo(
                        position=len(sheets),
                        name=element.get("name", ""),
                        state=element.get("state", SheetState.VISIBLE),
                        is_worksheet=kind.endswith("/worksheet") and part in self._zip.NameToInfo,
                        part=part,
                    )
                )
        if len(sheets) > self.limits.max_sheets:
            raise InputError(
                _("has {count} sheets, more than the {maximum} alloc reads").format(
                    count=len(sheets), maximum=self.limits.max_sheets
                ),
                code="import.too-many-sheets",
                source=self.source,
                hint=_("copy the applicant list into a workbook of its own"),
            )
        if not sheets:
            raise self._unreadable()
        self.sheets = tuple(sheets)
        if not 0 <= self.active < len(sheets):
            self.active = 0

    def sheet(self, name: str) -> SheetInfo | None:
        """The sheet of that name, if any."""
        return next((s for s in self.sheets if s.name == name), None)

    # shared strings and styles, read once

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            part = self._parts.get("sharedStrings")
            strings: list[str] = []
            if part is not None and part in self._zip.NameToInfo:
                with self._stream(part) as stream:
                    root = None
                    for event, element in SafeTree.iterparse(
                        stream, events=("start", "end"), forbid_dtd=True
                    ):
                        if event == "start":
                            if root is None:
                                root = element
                            continue
                        if _local(element.tag) == "si":
                            strings.append(_rich_text(element))
                            if root is not None:
                                root.clear()
            self._strings = strings
        return self._strings

    def _read_styles(self) -> _Styles:
        if self._styles is None:
            part = self._parts.get("styles")
            styles = _Styles()
            if part is not None and part in self._zip.NameToInfo:
                from openpyxl.styles.numbers import is_date_format  # noqa: PLC0415

                root = self._xml(part)
                formats = {}
                xfs: list[int] = []
                for element in root.iter():
                    name = _local(element.tag)
                    if name == "numFmt":
                        formats[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
                    elif name == "cellXfs":
                        xfs = [
                            int(xf.get("numFmtId", "0")) for xf in element if _local(xf.tag) == "xf"
                        ]
                dates = set()
                padded = {}
                for index, number_format in enumerate(xfs):
                    code = formats.get(number_format, "0" if number_format == 1 else "")
                    if number_format in _DATE_FORMAT_IDS or (code and is_date_format(code)):
                        dates.add(index)
                    elif re.fullmatch("0+", code):
                        padded[index] = len(code)
                styles = _Styles(frozenset(dates), padded)
            self._styles = styles
        return self._styles

    # rows

    def _cells(self, info: SheetInfo) -> Iterator[_XlsxRow]:
        """The sheet's rows that hold a value, with their cells; then one summary row."""
        if info.part is None or not info.is_worksheet:
            raise InputError(
                _("sheet {sheet!r} is a chart or macro sheet, not a table").format(sheet=info.name),
                code="import.not-a-table",
                source=self.source,
                hint=_("give the sheet that holds the list"),
            )
        try:
            strings = self._shared_strings()
            styles = self._read_styles()
            reader = _SheetReader(
                self.source, info.name, strings, styles, self.limits, self.date1904
            )
            with self._stream(info.part) as stream:
                yield from reader.rows(stream)
        except InputError:
            raise
        except _BROKEN as exc:
            raise self._unreadable(exc) from exc

    def preview(self, info: SheetInfo, count: int) -> list[tuple[int, tuple[str, ...]]]:
        """The first ``count`` non-blank rows (number, cells), for finding the header.

        Raises:
            InputError: as :meth:`read`.
        """
        rows = []
        for row in self._cells(info):
            if row.number < 0:
                break
            width = max(row.cells, default=-1) + 1
            rows.append((row.number, tuple(row.cells.get(i, "") for i in range(width))))
            if len(rows) >= count:
                break
        return rows

    def read(self, info: SheetInfo) -> Sheet:
        """The whole sheet.

        Raises:
            InputError: if the sheet is a chart, damaged, or exceeds the limits.
        """
        numbers: list[int] = []
        positions: dict[int, list[int]] = {}
        texts: dict[int, list[str]] = {}
        kinds: dict[tuple[int, int], str] = {}
        hidden: set[int] = set()
        merged: tuple[tuple[int, int, int, int], ...] = ()
        for row in self._cells(info):
            if row.number < 0:
                merged = row.merged
                break
            at = len(numbers)
            numbers.append(row.number)
            if row.hidden:
                hidden.add(row.number)
            for index, text in row.cells.items():
                positions.setdefault(index, []).append(at)
                texts.setdefault(index, []).append(text)
            for index, kind in row.kinds.items():
                kinds[(row.number, index)] = kind
        columns = {}
        for index in sorted(positions):
            cells = np.full(len(numbers), "", dtype=object)
            cells[np.asarray(positions[index], np.int64)] = texts[index]
            columns[index] = cells
        return Sheet(
            source=self.source,
            name=info.name,
            encoding=None,
            rows=np.asarray(numbers, np.int64),
            columns=columns,
            kinds=kinds,
            hidden_rows=frozenset(hidden),
            merged=merged,
        )


@dataclass
class _XlsxRow:
    """A row with a value (``number`` -1 ends the sheet and carries ``merged``)."""

    number: int
    cells: dict[int, str] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    hidden: bool = False
    merged: tuple[tuple[int, int, int, int], ...] = ()


class _SheetReader:
    """One pass over a worksheet's XML, keeping only cells with a value."""

    def __init__(
        self,
        source: str,
        sheet: str,
        strings: list[str],
        styles: _Styles,
        limits: SpreadsheetLimits,
        date1904: bool,
    ) -> None:
        self.source, self.sheet, self.strings, self.styles = source, sheet, strings, styles
        self.limits, self.date1904 = limits, date1904
        self.cell_count = 0
        self.letters: dict[str, int] = {}

    def error(
        self, problem: str, *, code: str, row: int | None = None, hint: str | None = None
    ) -> InputError:
        return InputError(
            problem, code=code, source=self.source, sheet=self.sheet, row=row, hint=hint
        )

    def rows(self, stream: IO[bytes]) -> Iterator[_XlsxRow]:
        parent = None
        number = 0
        merged: list[tuple[int, int, int, int]] = []
        for event, element in SafeTree.iterparse(stream, events=("start", "end"), forbid_dtd=True):
            name = _local(element.tag)
            if event == "start":
                if name == "sheetData":
                    parent = element
                continue
            if name == "row":
                given = element.get("r")
                number = int(given) if given else number + 1
                row = self.row(element, number)
                if parent is not None:
                    parent.clear()
                if row.cells or row.kinds:
                    yield row
            elif name == "mergeCell":
                found = self.range(element.get("ref", ""))
                if found is not None:
                    merged.append(found)
        yield _XlsxRow(number=-1, merged=tuple(merged))

    def range(self, ref: str) -> tuple[int, int, int, int] | None:
        corners = [_REF_RE.fullmatch(part) for part in ref.split(":")]
        if len(corners) != 2 or None in corners:
            return None
        a, b = corners
        assert a is not None
        assert b is not None
        return (
            int(a.group(2)),
            _column_index(a.group(1)),
            int(b.group(2)),
            _column_index(b.group(1)),
        )

    def column(self, ref: str | None, previous: int) -> int:
        if not ref:
            return previous + 1
        letters = ref.rstrip("0123456789")
        index = self.letters.get(letters)
        if index is None:
            if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
                raise self.error(
                    _("a cell reference {reference!r} is not valid").format(reference=ref),
                    code="import.bad-cell-reference",
                )
            index = self.letters[letters] = _column_index(letters)
        return index

    def row(self, element: ElementTree.Element, number: int) -> _XlsxRow:
        limits = self.limits
        row = _XlsxRow(number=number, hidden=element.get("hidden") in {"1", "true"})
        index = -1
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            self.cell_count += 1
            if self.cell_count > limits.max_cells:
                raise self.error(
                    _("has more than {maximum:,} cells (most of them empty)").format(
                        maximum=limits.max_cells
                    ),
                    code="import.too-many-cells",
                    hint=_("delete the empty formatted rows and columns, or save as CSV UTF-8"),
                )
            index = self.column(cell.get("r"), index)
            text, kind = self.value(cell)
            if not text and kind is None:
                continue
            if index >= limits.max_columns or index >= _EXCEL_MAX_COLUMN:
                raise self.error(
                    _(
                        "column {column} holds a value; alloc reads at most {maximum:,} columns"
                    ).format(column=column_letter(index), maximum=limits.max_columns),
                    code="import.too-many-columns",
                    row=number,
                    hint=_("delete what lies far to the right of the list"),
                )
            if number > min(limits.max_rows, _EXCEL_MAX_ROW) or number < 1:
                raise self.error(
                    _("has a value in row {row:,}; alloc reads at most {maximum:,} rows").format(
                        row=number, maximum=limits.max_rows
                    ),
                    code="import.too-many-rows",
                    hint=_("delete what lies far below the list"),
                )
            if len(text) > limits.max_cell_chars:
                raise self.error(
                    _(
                        "cell {cell} holds {count:,} characters, more than the {maximum:,}"
                        " a cell can"
                    ).format(
                        cell=f"{column_letter(index)}{number}",
                        count=len(text),
                        maximum=limits.max_cell_chars,
                    ),
                    code="import.cell-too-long",
                    row=number,
                )
            row.cells[index] = text
            if kind is not None:
                row.kinds[index] = kind
        return row

    def value(self, cell: ElementTree.Element) -> tuple[str, str | None]:
        """The cell's text and its kind if not text (as alloc.io reads it)."""
        kind = cell.get("t", "n")
        value = None
        formula = False
        inline = None
        for child in cell:
            name = _local(child.tag)
            if name == "v":
                value = child.text or ""
            elif name == "f":
                formula = True
            elif name == "is":
                inline = child
        if kind == "inlineStr":
            return ("", None) if inline is None else (clean_cell(_rich_text(inline)), None)
        if value is None:
            # A formula Excel never calculated (written by a program, not saved
            # by Excel) has no value to read.
            return ("", FORMULA) if formula else ("", None)
        if kind == "s":
            try:
                return clean_cell(self.strings[int(value)]), None
            except (ValueError, IndexError):
                raise self.error(
                    _("a cell refers to shared string {index!r}, which does not exist").format(
                        index=value
                    ),
                    code="import.not-xlsx",
                ) from None
        if kind == "str":
            return clean_cell(_unescape(value)), None
        if kind == "b":
            return ("TRUE" if value.strip() in {"1", "true"} else "FALSE"), BOOL
        if kind == "e":
            return value, ERROR
        if kind == "d":
            return value, DATE
        return self.number(value, cell.get("s"))

    def number(self, value: str, style: str | None) -> tuple[str, str | None]:
        text = value.strip()
        if not text:
            return "", None
        try:
            number: int | float = (
                float(text)
                if any(c in text for c in ".eE") or not text.lstrip("-").isdigit()
                else int(text)
            )
        except ValueError:
            return text, ERROR
        xf = int(style) if style and style.isdigit() else 0
        if xf in self.styles.dates:
            return self.date_text(float(number)), DATE
        if not math.isfinite(float(number)):
            return text, ERROR
        # Excel keeps 15 significant digits; anything from 10**15 up may have
        # lost its last digits already (an identity number always has).
        if abs(number) >= 1e15:
            return repr(number), BIG_NUMBER
        if float(number).is_integer():
            digits = str(int(number))
            # A "000000" number format shows leading zeros; the text the user
            # sees is the zero-padded form.
            width = self.styles.padded.get(xf)
            if width is not None:
                digits = digits.zfill(width)
            return digits, NUMBER
        return repr(float(number)), NUMBER

    def date_text(self, serial: float) -> str:
        from openpyxl.utils.datetime import (  # noqa: PLC0415
            CALENDAR_MAC_1904,
            CALENDAR_WINDOWS_1900,
            from_excel,
        )

        try:
            moment = from_excel(
                serial, CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            )
        except (ValueError, OverflowError, TypeError):
            return repr(serial)
        return str(moment.isoformat()) if moment is not None else repr(serial)
