"""Line-per-child public files: applicant records and results (spec section 8).

Each line is the RFC 8785 canonical JSON of one child's record or result, and
each line is one Merkle leaf. Signed documents commit to these files by root
and count, so a million-child draw signs a few kilobytes and a parent's proof
is one line and a logarithmic path.

Lines are produced by formatting a fixed schema directly (the keys are written
in RFC 8785 order and identifiers need no escaping beyond ``"`` and ``\\``),
which is many times faster than a general canonicaliser; the tests check every
line against ``rfc8785`` byte for byte.
"""

from __future__ import annotations

import gc
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import accumulate, islice, repeat
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from alloc._check import check_instance
from alloc.canonical import (
    Tag,
    canonical_json,
    check_identifier,
    joined_ascii_identifiers,
    tagged_message,
)
from alloc.draw import Outcome
from alloc.errors import InputError
from alloc.i18n import _
from alloc.merkle import MerkleTree, merkle_root
from alloc.model import Applicant, ApplicantTable
from alloc.strictjson import Fields, parse_json

__all__ = [
    "CHUNK_LINES",
    "LineSource",
    "RecordReader",
    "line_chunks",
    "parse_record_lines",
    "parse_result_line",
    "record_leaf",
    "record_lines",
    "records_root",
    "result_leaf",
    "result_line_chunks",
    "result_lines",
    "results_root",
    "whole_lines",
]


def _quote(text: str) -> str:
    if '"' in text or "\\" in text:
        return json.dumps(text, ensure_ascii=False)
    return f'"{text}"'


def _quote_or_null(text: str | None) -> str:
    return "null" if text is None else _quote(text)


# --- column-wise line assembly ---------------------------------------------------
#
# A million lines cannot afford a Python expression per field per line. Lines
# are assembled column by column instead: every part of a line is either the
# same for all lines (a constant), one of a few texts chosen per line by an
# integer code (kindergartens, tiers, placements), or built for all lines at
# once as a fixed-width numpy block (registration number, lottery number,
# identity commitment). Each line is then one ``b"".join`` of three or four
# parts; the few lines that differ from their code's text (a waitlist entry,
# a child moved by a merge) are patched one by one.


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made.

    Nothing built here can form a reference cycle; without the pause the
    collector would traverse every million-entry list again and again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Lines:
    """Lines built from parts: constant bytes, or a list with one bytes per line."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.parts: list[bytes | list[bytes]] = []

    def add(self, part: bytes | list[bytes]) -> None:
        if isinstance(part, bytes) and self.parts and isinstance(self.parts[-1], bytes):
            self.parts[-1] += part
        else:
            self.parts.append(part)

    def build(self) -> list[bytes]:
        if self.count == 0:
            return []
        columns = [repeat(p, self.count) if isinstance(p, bytes) else p for p in self.parts]
        return list(map(b"".join, zip(*columns, strict=False)))


def _vocabulary(texts: Sequence[bytes], codes: npt.NDArray[np.integer[Any]]) -> list[bytes]:
    """``texts[code]`` per line; code -1 picks the last entry of ``texts``."""
    table = np.empty(len(texts), dtype=object)
    table[:] = texts
    return table[codes].tolist()  # type: ignore[no-any-return]


def _hex(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """An (n, k) byte array as (n, 2k) lower-case ASCII hex digits."""
    n, k = data.shape
    text = np.ascontiguousarray(data).tobytes().hex().encode("ascii")
    return np.frombuffer(text, np.uint8).reshape(n, 2 * k)


def _block_rows(parts: Sequence[bytes | npt.NDArray[np.uint8]], count: int) -> list[bytes]:
    """The rows of a fixed-width block of constants and (count, w) byte arrays.

    A row's trailing NUL bytes are dropped (the fixed-width string view does
    that), which is how a block ends in a part of varying width; everywhere
    else the block is text, which never ends in NUL.
    """
    widths = [len(p) if isinstance(p, bytes) else p.shape[1] for p in parts]
    width = sum(widths)
    if count == 0:
        return []
    if width == 0:
        return [b""] * count
    # The constants are laid down for every row in one contiguous copy of a
    # template row: writing each narrow constant down its column is a strided
    # pass over the whole block per constant (about a quarter of the cost).
    template = np.zeros(width, np.uint8)
    starts = list(accumulate(widths[:-1], initial=0))
    for part, at, w in zip(parts, starts, widths, strict=True):
        if isinstance(part, bytes):
            template[at : at + w] = np.frombuffer(part, np.uint8)
    block = np.empty((count, width), np.uint8)
    block[:] = template
    for part, at, w in zip(parts, starts, widths, strict=True):
        if not isinstance(part, bytes):
            block[:, at : at + w] = part
    return block.view(f"S{width}").reshape(count).tolist()


def _fixed_width(values: Sequence[str]) -> npt.NDArray[np.uint8] | None:
    """Values as an (n, w) byte array, if all are ASCII of one length needing no escapes."""
    count = len(values)
    try:
        text = "\n".join(values)
    except TypeError:
        return None
    if not count or not text.isascii() or '"' in text or "\\" in text:
        return None
    width, rest = divmod(len(text) + 1, count)
    if rest or width < 2 or text.count("\n") != count - 1:
        return None
    grid = np.frombuffer((text + "\n").encode("ascii"), np.uint8).reshape(count, width)
    if not (grid[:, -1] == ord("\n")).all():
        return None
    return grid[:, :-1]


def _quoted(values: Sequence[str]) -> list[bytes]:
    """Each value as a JSON string (escaped exactly as :func:`_quote` does)."""
    try:
        text = "\n".join(values)
    except TypeError:
        text = '"'
    if '"' in text or "\\" in text or text.count("\n") != len(values) - 1:
        return [_quote(v).encode("utf-8") for v in values]
    return ('"' + text.replace("\n", '"\n"') + '"').encode("utf-8").split(b"\n")


def _left_aligned(codes: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """Codes with each row's -1 gaps moved to the end, keeping the order of the rest."""
    out = codes.astype(np.int64)
    valid = out >= 0
    if out.shape[1] > 1 and (valid[:, 1:] & ~valid[:, :-1]).any():
        order = np.argsort(~valid, axis=1, kind="stable")
        out = np.take_along_axis(out, order, axis=1)
    return out


def _list_parts(
    lines: _Lines, opening: bytes, codes: npt.NDArray[np.int64], items: Sequence[bytes]
) -> None:
    """Add ``opening`` and the comma-separated JSON list elements ``items[code]`` of each row.

    Rows list their elements first (-1 codes only at the end). If every item
    has the same length, the whole list is one fixed-width block per row,
    NUL-padded where a row has fewer elements.
    """
    count, most = codes.shape
    while most > 1 and not (codes[:, most - 1] >= 0).any():
        most -= 1
    widths = {len(t) for t in items}
    if len(widths) == 1 and not any(b"\0" in t for t in items):
        (w,) = widths
        first = np.zeros((len(items) + 1, w), np.uint8)
        later = np.zeros((len(items) + 1, w + 1), np.uint8)
        if items:
            first[:-1] = np.frombuffer(b"".join(items), np.uint8).reshape(-1, w)
            later[:-1, 0] = ord(",")
            later[:-1, 1:] = first[:-1]
        parts: list[bytes | npt.NDArray[np.uint8]] = [opening]
        parts += [(first if c == 0 else later)[codes[:, c]] for c in range(most)]
        lines.add(_block_rows(parts, count))
        return
    lines.add(opening)
    first_texts = [*items, b""]
    later_texts = [*(b"," + t for t in items), b""]
    for c in range(most):
        lines.add(_vocabulary(first_texts if c == 0 else later_texts, codes[:, c]))


def record_leaf(draw_id: str, line: bytes) -> bytes:
    """The Merkle leaf of a record line: tagged_message("alloc/v1/record", draw_id, line)."""
    return tagged_message(Tag.RECORD, draw_id, line)


def result_leaf(draw_id: str, line: bytes) -> bytes:
    """The Merkle leaf of a result line: tagged_message("alloc/v1/result", draw_id, line)."""
    return tagged_message(Tag.RESULT, draw_id, line)


def record_order(table: ApplicantTable) -> list[int]:
    """Rows in canonical record order: ascending registration number (code points)."""
    regs = table.registration_numbers
    return sorted(range(len(regs)), key=regs.__getitem__)


def _record_order(table: ApplicantTable) -> npt.NDArray[np.int64] | None:
    """:func:`record_order` as an array, or None if the rows are already in order."""
    regs = table.registration_numbers
    if all(map(operator.lt, regs, regs[1:])):
        return None
    return np.asarray(record_order(table), dtype=np.int64)


def _fact_middles(
    table: ApplicantTable,
    position: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int32],
    kg_q: Sequence[str],
) -> list[bytes]:
    """Each record's text from ``],"facts":[`` to ``,"identity":``, by output position.

    Most records hold no fact and share one text per group code; a record with
    one fact and no group shares one text per (fact, kindergarten); the few
    others are written one by one, facts sorted by (fact, kindergarten).
    """
    group_q = [_quote(g).encode("utf-8") for g in table.group_ids]

    def middle(facts: bytes, group: int) -> bytes:
        return (
            b'],"facts":['
            + facts
            + b'],"group":'
            + (group_q[group] if group >= 0 else b"null")
            + b',"identity":'
        )

    mids = _vocabulary([*(middle(b"", g) for g in range(len(group_q))), middle(b"", -1)], groups)
    if not table.fact_rows.size:
        return mids
    nk = max(len(table.kindergarten_ids), 1)
    pair = table.fact_codes.astype(np.int64) * nk + table.fact_kindergartens
    pairs, inverse = np.unique(pair, return_inverse=True)
    names = [
        (table.fact_names[int(p) // nk], table.kindergarten_ids[int(p) % nk])
        for p in pairs.tolist()
    ]
    rank = np.empty(len(names), np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    texts = [
        ('{"fact":' + _quote(f) + ',"kindergarten":' + kg_q[int(p) % nk] + "}").encode("utf-8")
        for (f, _), p in zip(names, pairs.tolist(), strict=True)
    ]
    where = position[table.fact_rows]
    held = np.bincount(where, minlength=len(mids))
    alone = (held[where] == 1) & (groups[where] < 0)
    singles = np.empty(len(texts), dtype=object)
    singles[:] = [middle(t, -1) for t in texts]
    for at, text in zip(where[alone].tolist(), singles[inverse[alone]].tolist(), strict=True):
        mids[at] = text
    rest = np.flatnonzero(~alone)
    order = rest[np.lexsort((rank[inverse[rest]], where[rest]))]
    entries: dict[int, list[bytes]] = {}
    for at, code in zip(where[order].tolist(), inverse[order].tolist(), strict=True):
        entries.setdefault(at, []).append(texts[code])
    for at, items in entries.items():
        mids[at] = middle(b",".join(items), int(groups[at]))
    return mids


def record_lines(table: ApplicantTable | Iterable[Applicant]) -> list[bytes]:
    """Every applicant's public record line, in ascending registration number.

    ``table`` is an :class:`ApplicantTable` or a list of :class:`Applicant`.

    Raises:
        InputError: if an identity commitment is not 32 bytes (a
            WrongTypeError if ``table`` holds something else than applicants).
    """
    if not isinstance(table, ApplicantTable):
        table = ApplicantTable.from_applicants(table)
    n = len(table)
    identities = table.identities
    if identities is not None and identities.shape != (n, 32):
        raise InputError(
            _("identity commitments must be 32 bytes each"),
            code="table.identity-size",
            field="identity",
            value=identities.shape,
        )
    if n == 0:
        return []
    assert table.tiers is not None
    assert table.groups is not None
    with _bulk():
        order = _record_order(table)
        fixed_regs = _fixed_width(table.registration_numbers)
        if order is None:
            position = np.arange(n, dtype=np.int64)
            choices, tiers, groups = table.choices, table.tiers, table.groups
        else:
            position = np.empty(n, np.int64)
            position[order] = np.arange(n, dtype=np.int64)
            choices, tiers, groups = table.choices[order], table.tiers[order], table.groups[order]
            identities = None if identities is None else identities[order]
            fixed_regs = None if fixed_regs is None else fixed_regs[order]
        left = _left_aligned(choices)
        kg_q = [_quote(k).encode("utf-8") for k in table.kindergarten_ids]
        tier_texts = [(_quote(t) + "}").encode("utf-8") for t in table.tier_names] + [b"null}"]
        identity_digits = None if identities is None else _hex(identities)
        out = np.empty(n, dtype=object)
        rest = np.arange(n, dtype=np.int64)

        # Most records hold no fact and no group, list kindergartens whose ids
        # have one length, and have registration numbers of one length: all
        # such records with the same number of choices and the same tier are
        # laid out alike, and are written as one fixed-width block.
        widths = {len(q) for q in kg_q}
        if fixed_regs is not None and len(widths) == 1:
            (width,) = widths
            first = np.frombuffer(b"".join(kg_q) + bytes(width), np.uint8).reshape(-1, width)
            later = np.zeros((len(kg_q) + 1, width + 1), np.uint8)
            later[:, 0] = ord(",")
            later[:, 1:] = first
            alike = groups < 0
            alike[position[table.fact_rows]] = False
            simple = np.flatnonzero(alike)
            listed = (left[simple] >= 0).sum(axis=1)
            for rows in _layouts(listed, tiers[simple].astype(np.int64) + 1):
                at = simple[rows]
                parts: list[bytes | npt.NDArray[np.uint8]] = [b'{"choices":[']
                for c in range(int(listed[rows[0]])):
                    parts.append((later if c else first)[left[at, c]])
                parts.append(b'],"facts":[],"group":null,"identity":')
                if identity_digits is None:
                    parts.append(b"null")
                else:
                    parts += [b'"', identity_digits[at], b'"']
                parts += [b',"registration_number":"', fixed_regs[at], b'","tier":']
                parts.append(tier_texts[int(tiers[at[0]])])
                out[at] = _objects(_block_rows(parts, at.size))
            rest = np.flatnonzero(~alike)

        if rest.size:
            lines = _Lines(rest.size)
            _list_parts(lines, b'{"choices":[', left[rest], kg_q)
            mids = _objects(_fact_middles(table, position, groups, [q.decode() for q in kg_q]))
            lines.add(mids[rest].tolist())
            head: list[bytes | npt.NDArray[np.uint8]] = (
                [b'"', identity_digits[rest], b'","registration_number":']
                if identity_digits is not None
                else [b'null,"registration_number":']
            )
            if fixed_regs is not None:
                lines.add(_block_rows([*head, b'"', fixed_regs[rest], b'","tier":'], rest.size))
            else:
                regs = table.registration_numbers
                if order is not None:
                    regs = tuple(map(regs.__getitem__, order.tolist()))
                if rest.size < n:
                    regs = tuple(map(regs.__getitem__, rest.tolist()))
                lines.add(
                    _block_rows(head, rest.size) if identity_digits is not None else bytes(head[0])
                )
                lines.add(_quoted(regs))
                lines.add(b',"tier":')
            lines.add(_vocabulary(tier_texts, tiers[rest]))
            out[rest] = _objects(lines.build())
        return out.tolist()


def records_root(draw_id: str, lines: Iterable[bytes]) -> bytes:
    """The Merkle root over record lines (RFC 9162, leaves from :func:`record_leaf`)."""
    return merkle_root(lines, prefix=record_leaf(draw_id, b""))


#: Chunks this long are parsed by the vectorised reader (below it, pandas'
#: import would cost more than it saves).
_FAST_PARSE_MIN = 4096

#: Lines read at a time: a file is parsed chunk by chunk, so what is held at
#: once besides the table is one chunk's lines and working arrays.
CHUNK_LINES = 1 << 17


@runtime_checkable
class LineSource(Protocol):
    """A line-per-child file that can be read chunk by chunk, as often as needed.

    :class:`alloc.io.LineFile` is one: the verifier reads records and results
    through it without ever holding a whole file.
    """

    def chunks(self, size: int) -> Iterator[list[bytes]]:
        """The lines in order, ``size`` at a time (the last chunk may be shorter)."""
        ...


def line_chunks(
    lines: Iterable[bytes] | LineSource, size: int | None = None
) -> Iterator[list[bytes]]:
    """``lines`` (a list, any iterable of lines, or a :class:`LineSource`), ``size`` at a time.

    ``size`` is :data:`CHUNK_LINES` unless given.

    Raises:
        InputError: if a :class:`LineSource` cannot be read.
    """
    size = CHUNK_LINES if size is None else size
    if isinstance(lines, LineSource):
        yield from lines.chunks(size)
    elif isinstance(lines, list):
        for at in range(0, len(lines), size):
            yield lines[at : at + size]
    else:
        source = iter(lines)
        while chunk := list(islice(source, size)):
            yield chunk


def whole_lines(lines: Sequence[bytes] | LineSource) -> Sequence[bytes]:
    """``lines`` as a sequence: a :class:`LineSource` read whole, a sequence as it is.

    For the operator's steps that need every line at hand (a Merkle tree to
    cut proofs from, the next round's computation); verifying never does.

    Raises:
        InputError: if a :class:`LineSource` cannot be read.
    """
    if isinstance(lines, LineSource):
        return [line for chunk in lines.chunks(CHUNK_LINES) for line in chunk]
    return lines


def parse_record_lines(lines: Iterable[bytes] | LineSource) -> ApplicantTable:
    """Read public record lines back into an :class:`ApplicantTable`.

    Every line must be canonical: re-encoding it must give the same bytes, so
    a record file has exactly one byte form and one root. The lines are read
    :data:`CHUNK_LINES` at a time by a :class:`RecordReader`.

    Raises:
        InputError: naming the 1-based line at fault.
    """
    reader = RecordReader()
    for chunk in line_chunks(lines):
        reader.add(chunk)
    return reader.table()


class RecordReader:
    """Public record lines, given chunk by chunk, read into one :class:`ApplicantTable`.

    A large chunk is read column-wise: every field of every line is located
    at once, the chunk's table is built, and its lines are written again with
    :func:`record_lines` and compared byte for byte with the input. Equal
    bytes prove both that the lines are canonical and that they were read
    right; on any difference (and for small chunks) the chunk is read line
    by line, which names the first line at fault. Each chunk's table is then
    folded into the file's, its names numbered in order of first appearance
    in the file, so the table is the same however the file is cut. What is
    checked across lines (ascending registration numbers, identity
    commitments on all records or none) is checked across chunks too.
    """

    def __init__(self) -> None:
        self._rows = 0
        self._fast = False  # once pandas is loaded, small chunks are read column-wise too
        self._last: str | None = None
        self._identity: bool | None = None
        self._regs: list[str] = []
        self._names: dict[str, dict[str, int]] = {
            key: {} for key in ("kindergartens", "tiers", "groups", "facts")
        }
        self._columns = {
            "choices": _Rows(np.int32, width=1, fill=-1),
            "tiers": _Rows(np.int32),
            "groups": _Rows(np.int32),
            "fact_rows": _Rows(np.int32),
            "fact_codes": _Rows(np.int32),
            "fact_kindergartens": _Rows(np.int32),
            "identities": _Rows(np.uint8, width=32),
        }

    def __len__(self) -> int:
        return self._rows

    def add(self, lines: Sequence[bytes]) -> None:
        """Read the next ``lines`` of the file.

        Raises:
            InputError: naming the 1-based line of the file at fault.
        """
        lines = lines if isinstance(lines, list) else list(lines)
        if not lines:
            return
        table = None
        if self._fast or len(lines) >= _FAST_PARSE_MIN:
            self._fast = True
            with _bulk():
                table = _parse_records_fast(lines)
            if table is not None and not self._follows(table):
                table = None
        if table is None:
            table = _parse_records_slowly(
                lines, first_row=self._rows + 1, after=self._last, with_identity=self._identity
            )
        self._fold(table)

    def _follows(self, table: ApplicantTable) -> bool:
        """True if the chunk's first line may follow the lines read before."""
        first = table.registration_numbers[0]
        if self._last is not None and not self._last < first:
            return False
        return self._identity is None or self._identity == (table.identities is not None)

    def _codes(self, key: str, names: Sequence[str]) -> npt.NDArray[np.int32]:
        """The file's code of each of a chunk's names, and -1 for code -1."""
        index = self._names[key]
        codes = [index.setdefault(name, len(index)) for name in names]
        return np.asarray([*codes, -1], np.int32)

    def _fold(self, table: ApplicantTable) -> None:
        assert table.tiers is not None
        assert table.groups is not None
        kgs = self._codes("kindergartens", table.kindergarten_ids)
        columns = self._columns
        columns["choices"].append(kgs[table.choices])
        columns["tiers"].append(self._codes("tiers", table.tier_names)[table.tiers])
        columns["groups"].append(self._codes("groups", table.group_ids)[table.groups])
        columns["fact_rows"].append(table.fact_rows + np.int32(self._rows))
        columns["fact_codes"].append(self._codes("facts", table.fact_names)[table.fact_codes])
        columns["fact_kindergartens"].append(kgs[table.fact_kindergartens])
        if table.identities is not None:
            columns["identities"].append(table.identities)
        self._regs += table.registration_numbers
        self._rows += len(table)
        self._last = table.registration_numbers[-1]
        self._identity = table.identities is not None

    def table(self) -> ApplicantTable:
        """The table of every line added; the reader lets go of its parts."""
        columns = {key: rows.take() for key, rows in self._columns.items()}
        regs = tuple(self._regs)
        self._regs.clear()
        names = {key: tuple(index) for key, index in self._names.items()}
        return ApplicantTable(
            registration_numbers=regs,
            kindergarten_ids=names["kindergartens"],
            choices=columns["choices"],
            tier_names=names["tiers"],
            tiers=columns["tiers"],
            group_ids=names["groups"],
            groups=columns["groups"],
            fact_names=names["facts"],
            fact_rows=columns["fact_rows"],
            fact_codes=columns["fact_codes"],
            fact_kindergartens=columns["fact_kindergartens"],
            identities=columns["identities"] if self._identity else None,
        )


class _Rows:
    """A column's rows, added chunk by chunk to one buffer that doubles as it fills.

    Each chunk's rows are copied in at once, so no chunk's array outlives the
    chunk: thousands of chunk-sized arrays kept alive among the chunks'
    working arrays would keep the memory freed around them from going back
    to the system (most of a gigabyte at ten million records). A block of
    ``width`` values per row grows wider when a chunk's rows are wider, the
    new places holding ``fill``.
    """

    def __init__(self, dtype: type[np.generic], *, width: int | None = None, fill: int = 0) -> None:
        self.width, self.fill, self.size = width, fill, 0
        self.data: npt.NDArray[Any] = np.empty((0,) if width is None else (0, width), dtype)

    def append(self, rows: npt.NDArray[Any]) -> None:
        need = self.size + len(rows)
        width = None if self.width is None else max(self.width, rows.shape[1])
        if need > len(self.data) or width != self.width:
            capacity = max(need, 2 * len(self.data))
            grown = np.empty((capacity,) if width is None else (capacity, width), self.data.dtype)
            if width is None:
                grown[: self.size] = self.data[: self.size]
            else:
                grown[: self.size, : self.width] = self.data[: self.size]
                grown[: self.size, self.width :] = self.fill
            self.data, self.width = grown, width
        if width is None:
            self.data[self.size : need] = rows
        else:
            self.data[self.size : need, : rows.shape[1]] = rows
            self.data[self.size : need, rows.shape[1] :] = self.fill
        self.size = need

    def take(self) -> npt.NDArray[Any]:
        """The rows (the buffer's untouched tail is never paged in); the column is emptied."""
        rows = self.data[: self.size]
        self.data, self.size = np.empty((0, *self.data.shape[1:]), self.data.dtype), 0
        return rows


def _strings(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> list[str]:
    """The UTF-8 strings at ``data[starts[i] : starts[i] + lengths[i]]`` (none holds a newline)."""
    out: list[str] = []
    step = 1 << 18  # bounds the index arrays to a few megabytes
    for at in range(0, starts.size, step):
        first, size = starts[at : at + step], lengths[at : at + step] + 1
        ends = np.cumsum(size)
        index = np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - size - first, size)
        picked = data[index]
        picked[ends - 1] = ord("\n")
        out += picked[:-1].tobytes().decode("utf-8").split("\n")
    return out


def _spans_fit(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> bool:
    """True if every span lies inside the text (a damaged line can put one anywhere)."""
    if not starts.size:
        return True
    return bool(
        (starts >= 0).all() and (lengths >= 0).all() and (starts + lengths).max() <= data.size - 8
    )


def _windows(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Every 8-byte window of ``data`` as a big-endian integer (``data`` ends in 8 spare bytes)."""
    return np.ndarray(shape=(data.size - 7,), dtype=">u8", buffer=data, strides=(1,))


def _words(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.uint64]]:
    """Each string as big-endian 8-byte words, zero past its end (at least one word)."""
    windows = _windows(data)
    count = max(1, -(-int(lengths.max()) // 8)) if lengths.size else 1
    out = []
    for word in range(count):
        left = np.clip(lengths - 8 * word, 0, 8).astype(np.uint64)
        # Keep the ``left`` leading bytes of each window (a shift by 64 is undefined).
        keep = np.where(left > 0, ~np.uint64(0) << (np.uint64(64) - 8 * left) % np.uint64(64), 0)
        # A string shorter than this word reads no bytes of it; clip its window into range.
        at = np.minimum(starts + 8 * word, windows.size - 1)
        out.append(windows[at].astype(np.uint64) & keep.astype(np.uint64))
    return out


def _numbered(words: Sequence[npt.NDArray[np.uint64]]) -> npt.NDArray[np.int64]:
    """Codes of equal rows of ``words``, numbered in order of first appearance."""
    import pandas as pd  # noqa: PLC0415 - a dependency, imported only for large files

    if len(words) == 1:
        return pd.factorize(words[0])[0].astype(np.int64)
    codes: npt.NDArray[np.int64] | None = None
    for column in words:
        part = pd.factorize(column)[0].astype(np.uint64)
        if codes is not None:
            part |= codes.astype(np.uint64) << np.uint64(32)
        codes = pd.factorize(part)[0].astype(np.int64)
    assert codes is not None
    return codes


def _first_of(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The index of each code's first appearance (codes numbered by first appearance)."""
    first = np.full(int(codes.max()) + 1 if codes.size else 0, -1, np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    return first


class _Vocabulary:
    """One field's strings across the chunks of a file, numbered once all are read.

    A string is kept as its packed 8-byte words, which hold all its bytes, so
    the distinct strings are read back from the words themselves. (No string
    here holds a NUL byte: the reader refuses control characters.)
    """

    def __init__(self) -> None:
        self.parts: list[list[npt.NDArray[np.uint64]]] = []

    def add(
        self,
        data: npt.NDArray[np.uint8],
        starts: npt.NDArray[np.int64],
        lengths: npt.NDArray[np.int64],
    ) -> bool:
        """Add the strings; False (nothing added) if a span lies outside the text."""
        if not _spans_fit(data, starts, lengths):
            return False
        self.parts.append(_words(data, starts, lengths))
        return True

    def codes(self) -> tuple[npt.NDArray[np.int64], list[str]] | None:
        """Codes in order of first appearance and the strings; None if one is not UTF-8."""
        width = max((len(p) for p in self.parts), default=1)
        columns = [
            np.concatenate(
                [p[i] if i < len(p) else np.zeros(p[0].size, np.uint64) for p in self.parts]
            )
            for i in range(width)
        ]
        if not columns[0].size:
            return np.zeros(0, np.int64), []
        codes = _numbered(columns)
        first = _first_of(codes)
        packed = np.stack([c[first] for c in columns], axis=1).astype(">u8")
        try:
            names = [
                row.rstrip(b"\0").decode("utf-8")
                for row in packed.view(f"S{8 * width}")[:, 0].tolist()
            ]
        except UnicodeDecodeError:
            return None
        return codes, names


def _plain_identifiers(values: Sequence[str]) -> bool:
    """True if every value is an identifier (spec section 2.1); False, never an error."""
    if not values or joined_ascii_identifiers(values) is not None:
        return True
    try:
        for value in values:
            check_identifier(value, "identifier")
    except InputError:
        return False
    return True


# Key names of a record line, by their place among the line's keys.
_KEY_LENGTHS = {"choices": 7, "facts": 5, "fact": 4, "kindergarten": 12, "group": 5}
_KEY_LENGTHS.update({"identity": 8, "registration_number": 19, "tier": 4})


def _key_opening(
    closing: npt.NDArray[np.int64],
    first_key: npt.NDArray[np.int64],
    keys: npt.NDArray[np.int64],
    offset: int,
    name: str,
    *,
    from_end: bool,
) -> npt.NDArray[np.int64]:
    """Per line, the opening quote of the key ``offset`` from the end (or the start)."""
    index = first_key + (keys - offset if from_end else offset)
    return closing[index] - _KEY_LENGTHS[name] - 1  # type: ignore[no-any-return]


def _string_value(
    data: npt.NDArray[np.uint8],
    opening: npt.NDArray[np.int64],
    name: str,
    stop: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Which lines hold a string for the key (not null), and where the string's text lies."""
    begin = opening + _KEY_LENGTHS[name] + 4  # past '"name":"'
    quoted = data[begin - 1] == ord('"')
    return quoted, begin[quoted], (stop - begin)[quoted]


def _parse_records_fast(lines: list[bytes]) -> ApplicantTable | None:
    """The table the lines hold, if they are exactly what :func:`record_lines` writes.

    Without escapes (no backslash anywhere), a string never holds a quote, so
    a quote followed by a colon ends a key and nothing else. Every line has
    the keys choices, facts, (fact, kindergarten) per fact, group, identity,
    registration_number and tier, in that order, so the keys' positions say
    where every value lies. The file is read in chunks of lines, so the
    working arrays stay small. Anything unexpected returns None, and writing
    the table again catches whatever this reading got wrong.
    """
    n = len(lines)
    regs: list[str] = []
    kgs, fact_names = _Vocabulary(), _Vocabulary()
    tier_names, group_ids = _Vocabulary(), _Vocabulary()
    in_choice: list[npt.NDArray[np.bool_]] = []
    choice_rows: list[npt.NDArray[np.int64]] = []
    tier_rows: list[npt.NDArray[np.int64]] = []
    group_rows: list[npt.NDArray[np.int64]] = []
    fact_rows: list[npt.NDArray[np.int64]] = []
    identities: list[bytes] = []
    without = 0  # chunks without identity commitments
    step = 1 << 16
    for at in range(0, n, step):
        part = lines[at : at + step]
        count = len(part)
        try:
            buffer = b"\n".join([*part, bytes(8)])  # 8 spare bytes for the word windows
        except TypeError:
            return None
        if b"\\" in buffer:
            return None
        data = np.frombuffer(buffer, np.uint8)
        text = data[:-8]
        ends = np.flatnonzero(text == ord("\n"))
        if ends.size != count or np.count_nonzero(text < 0x20) != count:
            return None  # a newline or another control character within a line
        # The closing quote of every key, and how many keys each line has.
        closing = np.flatnonzero((text[:-1] == ord('"')) & (text[1:] == ord(":")))
        keys = np.diff(np.searchsorted(closing, ends), prepend=0)
        if keys.min() < 6 or ((keys - 6) % 2).any():
            return None
        first_key = np.cumsum(keys) - keys

        def key(offset: int, name: str, *, from_end: bool = True) -> npt.NDArray[np.int64]:
            return _key_opening(closing, first_key, keys, offset, name, from_end=from_end)  # noqa: B023

        choices_at = key(0, "choices", from_end=False)
        facts_at = key(1, "facts", from_end=False)
        group_at = key(4, "group")
        identity_at = key(3, "identity")
        reg_at = key(2, "registration_number")
        tier_at = key(1, "tier")

        # Registration number: up to '","tier"'.
        quoted, begin, length = _string_value(data, reg_at, "registration_number", tier_at - 2)
        if not quoted.all() or not _spans_fit(data, begin, length):
            return None
        try:
            regs += _strings(data, begin, length)
        except UnicodeDecodeError:
            return None
        # Tier: up to '"}' at the end of the line; group: up to '","identity"'.
        for vocabulary, rows, opening, name, stop in (
            (tier_names, tier_rows, tier_at, "tier", ends - 2),
            (group_ids, group_rows, group_at, "group", identity_at - 2),
        ):
            quoted, begin, length = _string_value(data, opening, name, stop)
            if not vocabulary.add(data, begin, length):
                return None
            rows.append(np.flatnonzero(quoted) + at)
        # Identity commitment: 64 hex digits or null.
        quoted, begin, length = _string_value(data, identity_at, "identity", reg_at - 2)
        if quoted.any():
            if not quoted.all() or (length != 64).any():
                return None
            windows = _windows(data)
            digits = np.empty((count, 8), np.dtype(">u8"))
            for word in range(8):
                digits[:, word] = windows[begin + 8 * word]
            try:
                identities.append(bytes.fromhex(digits.tobytes().decode("ascii")))
            except ValueError:
                return None
        else:
            without += 1
        if identities and without:
            return None  # some records carry an identity commitment and some do not

        # Choices: the strings between '"choices":[' and '],"facts"'.
        inner = choices_at + len('"choices":[')
        size = facts_at - 2 - inner
        if size.min() < 0:
            return None
        quotes = np.flatnonzero(text == ord('"'))
        low = np.searchsorted(quotes, inner)
        listed = np.searchsorted(quotes, inner + size) - low
        if (listed % 2).any():
            return None
        listed //= 2
        row = np.repeat(np.arange(count), listed)
        index = 2 * (np.arange(row.size) - np.repeat(np.cumsum(listed) - listed, listed))
        index += np.repeat(low, listed)
        choice_begin = quotes[index] + 1
        choice_length = quotes[index + 1] - choice_begin
        # Facts: "fact" and "kindergarten" keys between the facts and group keys.
        ordinal = np.arange(closing.size) - np.repeat(first_key, keys)
        in_facts = (ordinal >= 2) & (ordinal < np.repeat(keys, keys) - 4)
        fact_keys = np.flatnonzero(in_facts & (ordinal % 2 == 0))
        kg_keys = fact_keys + 1
        fact_begin = closing[fact_keys] + 3
        fact_length = closing[kg_keys] - _KEY_LENGTHS["kindergarten"] - 1 - 2 - fact_begin
        kg_begin = closing[kg_keys] + 3
        # A kindergarten ends 4 bytes before the next key ('"}],"group"' or '"},{"fact"').
        next_is_fact = in_facts[kg_keys + 1]
        next_opening = closing[kg_keys + 1] - np.where(next_is_fact, 4, 5) - 1
        kg_length = next_opening - 4 - kg_begin
        fact_line = np.searchsorted(ends, closing[fact_keys])
        # Kindergartens in order of appearance: each line's choices, then its facts.
        kg_line = np.concatenate((row, fact_line))
        kg_is_choice = np.r_[np.ones(row.size, np.bool_), np.zeros(fact_line.size, np.bool_)]
        order = np.argsort(kg_line, kind="stable")
        if not kgs.add(
            data,
            np.concatenate((choice_begin, kg_begin))[order],
            np.concatenate((choice_length, kg_length))[order],
        ) or not fact_names.add(data, fact_begin, fact_length):
            return None
        in_choice.append(kg_is_choice[order])
        choice_rows.append(row + at)
        fact_rows.append(fact_line + at)

    if not all(map(operator.lt, regs, regs[1:])) or not _plain_identifiers(regs):
        return None
    kg_numbers = kgs.codes()
    if kg_numbers is None or not _plain_identifiers(kg_numbers[1]):
        return None
    kg_codes, kg_ids = kg_numbers
    chosen = np.concatenate(in_choice)
    choice_line = np.concatenate(choice_rows)
    listed = np.bincount(choice_line, minlength=n)
    matrix = np.full((n, max(int(listed.max()), 1)), -1, np.int32)
    column = np.arange(choice_line.size) - np.repeat(np.cumsum(listed) - listed, listed)
    matrix[choice_line, column] = kg_codes[chosen]

    numbered = [v.codes() for v in (tier_names, group_ids, fact_names)]
    if any(v is None for v in numbered):
        return None
    (tier_codes, tier_list), (group_codes, group_list), (fact_codes, fact_list) = numbered  # type: ignore[misc]
    tiers = np.full(n, -1, np.int32)
    tiers[np.concatenate(tier_rows)] = tier_codes
    groups = np.full(n, -1, np.int32)
    groups[np.concatenate(group_rows)] = group_codes
    table = ApplicantTable(
        registration_numbers=tuple(regs),
        kindergarten_ids=tuple(kg_ids),
        choices=matrix,
        tier_names=tuple(tier_list),
        tiers=tiers,
        group_ids=tuple(group_list),
        groups=groups,
        fact_names=tuple(fact_list),
        fact_rows=np.concatenate(fact_rows).astype(np.int32),
        fact_codes=fact_codes.astype(np.int32),
        fact_kindergartens=kg_codes[~chosen].astype(np.int32),
        identities=(
            np.frombuffer(b"".join(identities), np.uint8).reshape(n, 32).copy()
            if identities
            else None
        ),
    )
    if record_lines(table) != lines:
        return None
    return table


def _parse_records_slowly(
    lines: Sequence[bytes],
    *,
    first_row: int = 1,
    after: str | None = None,
    with_identity: bool | None = None,
) -> ApplicantTable:
    """Line by line with :mod:`json`, naming the first line that is not canonical.

    The lines are a file's from line ``first_row`` on; ``after`` is the
    registration number on the line before, and ``with_identity`` whether the
    lines before carry identity commitments (None: there are none before).
    """
    regs: list[str] = []
    kg_index: dict[str, int] = {}
    tier_index: dict[str, int] = {}
    group_index: dict[str, int] = {}
    fact_index: dict[str, int] = {}
    choice_rows: list[list[int]] = []
    tiers: list[int] = []
    groups: list[int] = []
    identities: list[bytes] = []
    fact_rows: list[int] = []
    fact_codes: list[int] = []
    fact_kgs: list[int] = []
    expected = with_identity
    previous = after
    for number, line in enumerate(lines, start=first_row):
        try:
            fields = Fields.of(parse_json(line, document="records"), document="records")
            reg = check_identifier(fields.string("registration_number"), "registration_number")
            choices = [check_identifier(c, "choices") for c in fields.strings("choices")]
            tier = fields.optional_string("tier")
            group = fields.optional_string("group")
            identity_bytes = fields.optional_hex("identity", size=32)
            identity = None if identity_bytes is None else identity_bytes.hex()
            held = fields.each("facts", _fact)
            fields.done()
            if canonical_json(fields.data) != line:
                raise InputError(
                    _("record line is not in RFC 8785 canonical form"),
                    code="lines.not-canonical",
                    hint=_("lines must be exactly as alloc writes them"),
                )
        except (ValueError, TypeError) as exc:
            problem = (
                exc
                if isinstance(exc, InputError)
                else InputError(
                    _("malformed record line ({error})").format(error=exc),
                    code="records.malformed-line",
                    value=line[:80],
                )
            )
            raise problem.at(row=number, source="records") from exc
        if previous is not None and reg <= previous:
            raise InputError(
                _("records are not in ascending registration-number order"),
                code="lines.unordered",
                value=reg,
                row=number,
                source="records",
            )
        previous = reg
        regs.append(reg)
        choice_rows.append([kg_index.setdefault(c, len(kg_index)) for c in choices])
        tiers.append(-1 if tier is None else tier_index.setdefault(tier, len(tier_index)))
        groups.append(-1 if group is None else group_index.setdefault(group, len(group_index)))
        if expected is not None and (identity is not None) != expected:
            raise InputError(
                _("some records carry an identity commitment and some do not"),
                code="table.identities-partial",
                field="identity",
                row=number,
                source="records",
            )
        expected = identity is not None
        if identity is not None:
            identities.append(bytes.fromhex(identity))
        for fact, kg in held:
            fact_rows.append(len(regs) - 1)
            fact_codes.append(fact_index.setdefault(fact, len(fact_index)))
            fact_kgs.append(kg_index.setdefault(kg, len(kg_index)))
    width = max((len(c) for c in choice_rows), default=1) or 1
    matrix = np.full((len(regs), width), -1, np.int32)
    for row, chosen in enumerate(choice_rows):
        matrix[row, : len(chosen)] = chosen
    identity_array: npt.NDArray[np.uint8] | None = None
    if identities:
        identity_array = np.frombuffer(b"".join(identities), np.uint8).reshape(-1, 32).copy()
    return ApplicantTable(
        registration_numbers=tuple(regs),
        kindergarten_ids=tuple(kg_index),
        choices=matrix,
        tier_names=tuple(tier_index),
        tiers=np.asarray(tiers, np.int32),
        group_ids=tuple(group_index),
        groups=np.asarray(groups, np.int32),
        fact_names=tuple(fact_index),
        fact_rows=np.asarray(fact_rows, np.int32),
        fact_codes=np.asarray(fact_codes, np.int32),
        fact_kindergartens=np.asarray(fact_kgs, np.int32),
        identities=identity_array,
    )


def _placement_codes(
    kg: npt.NDArray[np.int64],
    block: npt.NDArray[np.int64],
    phase: npt.NDArray[np.int64],
    widest: int,
    phases: int,
) -> npt.NDArray[np.int64]:
    """One dense code per (kindergarten, block, phase); -1 kindergarten means none."""
    placed = kg >= 0
    code = (np.where(placed, kg + 1, 0) * (widest + 1) + np.where(placed, block, 0)) * (
        phases + 1
    ) + np.where(placed & (phase >= 0), phase + 1, 0)
    return code.astype(np.int64)


def _layouts(*keys: npt.NDArray[np.int64]) -> Iterator[npt.NDArray[np.int64]]:
    """The row indices of each distinct combination of ``keys`` (one layout each)."""
    if not keys[0].size:
        return
    combined = np.zeros(keys[0].size, np.int64)
    for key in keys:
        combined = combined * (int(key.max()) + 1 if key.size else 1) + key
    order = np.argsort(combined, kind="stable")
    bounds = np.flatnonzero(np.r_[True, combined[order][1:] != combined[order][:-1], True])
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        yield order[start:stop]


def _objects(items: list[bytes]) -> npt.NDArray[Any]:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _choice_ticket_column(
    tickets: npt.NDArray[np.uint8], present: npt.NDArray[np.bool_], *, first: bool
) -> list[bytes]:
    """One JSON list element per line: the quoted hex ticket, or nothing if absent."""
    comma = 0 if first else 1
    block = np.zeros((len(tickets), 66 + comma), np.uint8)
    if comma:
        block[present, 0] = ord(",")
    block[present, comma] = ord('"')
    block[present, comma + 1 : comma + 65] = _hex(np.ascontiguousarray(tickets[present]))
    block[present, comma + 65] = ord('"')
    if not len(tickets):
        return []
    # Absent elements are all NUL bytes, which the string view drops.
    return block.view(f"S{block.shape[1]}").reshape(len(tickets)).tolist()


def result_lines(outcome: Outcome) -> list[bytes]:
    """Every child's result line, in draw order (spec section 8.2).

    Raises:
        WrongTypeError: if ``outcome`` is not an Outcome of :func:`alloc.draw`.
    """
    check_instance(outcome, Outcome, "outcome")
    with _bulk():
        return _ResultLines(outcome).lines(0, len(outcome))


def result_line_chunks(outcome: Outcome, size: int | None = None) -> Iterator[list[bytes]]:
    """The lines of :func:`result_lines`, ``size`` at a time (:data:`CHUNK_LINES` unless given).

    Only one chunk of lines exists at a time, so a verifier can compare a
    province's results with the published file without holding either.

    Raises:
        WrongTypeError: if ``outcome`` is not an Outcome of :func:`alloc.draw`.
    """
    check_instance(outcome, Outcome, "outcome")
    size = CHUNK_LINES if size is None else size
    if size < 1:
        raise InputError(
            _("a chunk holds at least one line"), code="chunk.size", field="size", value=size
        )
    return _result_line_chunks(outcome, size)


def _result_line_chunks(outcome: Outcome, size: int) -> Iterator[list[bytes]]:
    with _bulk():
        writer = _ResultLines(outcome)
    for start in range(0, len(outcome), size):
        with _bulk():
            chunk = writer.lines(start, min(start + size, len(outcome)))
        yield chunk


class _PlacementTexts:
    """``text(kg, block, phase)`` per placement code, each made the first time it is used."""

    def __init__(self, widest: int, phases: int, text: Callable[[int, int, int], bytes]) -> None:
        self.widest, self.phases, self.text = widest, phases, text
        self.table = np.empty(0, dtype=object)
        self.made = np.zeros(0, np.bool_)

    def take(self, codes: npt.NDArray[np.int64]) -> list[bytes]:
        """The text of each code."""
        if not codes.size:
            return []
        used = np.bincount(codes)
        if used.size > self.table.size:
            table = np.empty(used.size, dtype=object)
            table[: self.table.size] = self.table
            made = np.zeros(used.size, np.bool_)
            made[: self.made.size] = self.made
            self.table, self.made = table, made
        new = np.flatnonzero((used > 0) & ~self.made[: used.size])
        for code in new.tolist():
            rest, phase = divmod(code, self.phases + 1)
            kg, block = divmod(rest, self.widest + 1)
            self.table[code] = self.text(kg - 1, block, phase - 1)
        self.made[new] = True
        return self.table[codes].tolist()  # type: ignore[no-any-return]


class _ResultLines:
    """Result lines of an outcome for any range of the draw order.

    The texts shared by many lines (placements, wins) are made once and
    reused by every range, so writing the lines in chunks costs what writing
    them at once does.
    """

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        rules = outcome.rules
        kgs = rules.kindergartens
        n = len(outcome)
        self.kg_q = kg_q = [_quote(k.id) for k in kgs]
        self.block_q = block_q = [[_quote(b.name) for b in k.blocks] + ['"open"'] for k in kgs]
        self.phase_q = phase_q = [_quote(p.name) for p in rules.phases]
        self.widest = widest = max((len(k.blocks) for k in kgs), default=0) + 1
        self.phases = phases = len(rules.phases)
        self.order = order = outcome.draw_order.astype(np.int64)
        self.fixed_regs = _fixed_width(outcome.registration_numbers)
        self.starts = _PlacementTexts(
            widest, phases, lambda kg, b, p: self.head(kg, b) + self.middle(kg, p)
        )
        self.heads = _PlacementTexts(widest, phases, lambda kg, b, p: self.head(kg, b))
        self.middles = _PlacementTexts(widest, phases, lambda kg, b, p: self.middle(kg, p))
        self.wins: dict[tuple[bool, bool], _PlacementTexts] = {}

        def win(kg: int, b: int, p: int, *, first: bool, last: bool) -> bytes:
            opening = b'],"wins":[' if first else b""
            after = b"]}" if last else b""
            if kg < 0:
                return opening + after
            text = (
                '{"block":'
                + block_q[kg][b]
                + ',"kindergarten":'
                + kg_q[kg]
                + ',"phase":'
                + (phase_q[p] if p >= 0 else "null")
                + "}"
            )
            return opening + (b"" if first else b",") + text.encode("utf-8") + after

        for first in (False, True):
            for last in (False, True):
                self.wins[first, last] = _PlacementTexts(
                    widest, phases, partial(win, first=first, last=last)
                )

        # Waitlists hold at most waitlist_length units per kindergarten: few lines.
        position = np.empty(n, np.int64)
        position[order] = np.arange(n, dtype=np.int64)
        self.waiting: dict[int, list[bytes]] = {}
        for kg, (rows, positions) in enumerate(
            zip(outcome.waitlist_rows, outcome.waitlist_positions, strict=True)
        ):
            prefix = b'{"kindergarten":' + kg_q[kg].encode("utf-8") + b',"position":'
            for at, pos in zip(position[rows].tolist(), positions.tolist(), strict=True):
                self.waiting.setdefault(at, []).append(prefix + str(pos).encode("ascii") + b"}")
        self.waiting_at = np.asarray(sorted(self.waiting), np.int64)

    def head(self, kg: int, b: int) -> bytes:
        text = '{"block":' + (self.block_q[kg][b] if kg >= 0 else "null") + ',"choice_tickets":['
        return text.encode("utf-8")

    def middle(self, kg: int, p: int, moved_kg: int = -1, over: bool = False) -> bytes:
        return (
            '],"moved_from":'
            + (self.kg_q[moved_kg] if moved_kg >= 0 else "null")
            + ',"over_capacity":'
            + ("true" if over else "false")
            + ',"phase":'
            + (self.phase_q[p] if kg >= 0 and p >= 0 else "null")
            + ',"placed":'
            + (self.kg_q[kg] if kg >= 0 else "null")
            + ',"registration_number":'
        ).encode("utf-8")

    def lines(self, start: int, stop: int) -> list[bytes]:
        """The lines of the children at draw positions ``start`` to ``stop``."""
        outcome = self.outcome
        order = self.order[start:stop]
        n = order.size
        if n == 0:
            return []
        widest, phases = self.widest, self.phases
        placed = outcome.placed[order].astype(np.int64)
        block = outcome.block[order].astype(np.int64)
        phase = outcome.phase[order].astype(np.int64)
        over = outcome.over_capacity[order]
        moved = outcome.moved_from[order].astype(np.int64)

        lines = _Lines(n)
        codes = _placement_codes(placed, block, phase, widest, phases)
        rare = np.flatnonzero(over | (moved >= 0)).tolist()
        tickets = outcome.choice_tickets
        if tickets is None:
            # One shared text for everything before the registration number; the
            # rare line over capacity or moved by a merge is written on its own.
            starts = self.starts.take(codes)
            for at in rare:
                kg = int(placed[at])
                starts[at] = self.head(kg, int(block[at])) + self.middle(
                    kg, int(phase[at]), int(moved[at]), bool(over[at])
                )
            lines.add(starts)
        else:
            lines.add(self.heads.take(codes))
            counts = (outcome.choice_kindergartens[order] >= 0).sum(axis=1)
            chosen = tickets[order]
            for c in range(tickets.shape[1]):
                present = counts > c
                if not present.any():
                    break
                lines.add(_choice_ticket_column(chosen[:, c], present, first=c == 0))
            middles = self.middles.take(codes)
            for at in rare:
                kg = int(placed[at])
                middles[at] = self.middle(kg, int(phase[at]), int(moved[at]), bool(over[at]))
            lines.add(middles)

        ticket_digits = _hex(outcome.tickets[order])
        if self.fixed_regs is not None:
            lines.add(
                _block_rows(
                    [
                        b'"',
                        self.fixed_regs[order],
                        b'","ticket":"',
                        ticket_digits,
                        b'","waitlist":[',
                    ],
                    n,
                )
            )
        else:
            regs = outcome.registration_numbers
            lines.add(_quoted(tuple(map(regs.__getitem__, order.tolist()))))
            lines.add(_block_rows([b',"ticket":"', ticket_digits, b'","waitlist":['], n))

        # Wins, in the order each child listed them: at most one but under the
        # independent lottery.
        first_win = outcome.win_indptr[order]
        counts = outcome.win_indptr[order + 1] - first_win
        columns = []
        most = max(int(counts.max()), 1)
        for c in range(most):
            has = counts > c
            column_codes = np.zeros(n, np.int64)
            won = first_win[has] + c
            column_codes[has] = _placement_codes(
                outcome.win_kindergartens[won].astype(np.int64),
                outcome.win_blocks[won].astype(np.int64),
                outcome.win_phases[won].astype(np.int64),
                widest,
                phases,
            )
            columns.append(self.wins[c == 0, c == most - 1].take(column_codes))

        tail = columns[0]
        low, high = np.searchsorted(self.waiting_at, [start, stop])
        for at in self.waiting_at[low:high].tolist():
            tail[at - start] = b",".join(self.waiting[at]) + tail[at - start]
        for column in columns:
            lines.add(column)
        return lines.build()


def results_root(draw_id: str, lines: Iterable[bytes]) -> bytes:
    """The Merkle root over result lines (RFC 9162, leaves from :func:`result_leaf`)."""
    return merkle_root(lines, prefix=result_leaf(draw_id, b""))


def records_tree(draw_id: str, lines: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree over record lines, to cut parents' inclusion proofs from."""
    return MerkleTree(lines, prefix=record_leaf(draw_id, b""))


def results_tree(draw_id: str, lines: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree over result lines."""
    return MerkleTree(lines, prefix=result_leaf(draw_id, b""))


def _fact(item: Fields) -> tuple[str, str]:
    return item.string("fact"), item.string("kindergarten")


def parse_result_line(line: bytes) -> dict[str, Any]:
    """Decode one result line, strictly (spec sections 2.4 and 8.2).

    Raises:
        MalformedDocumentError: naming the key path, for malformed JSON, an
            unknown or missing key or a wrong type.
        InputError: if the line is not in canonical form.
    """
    document = _("result line")
    fields = Fields.of(parse_json(line, document=document), document=document)
    fields.optional_string("block")
    for index, value in enumerate(fields.strings("choice_tickets")):
        if len(value) != 64 or value.strip("0123456789abcdef"):
            raise fields.error(
                f"choice_tickets[{index}]",
                _("expected 64 lower-case hexadecimal digits"),
                value,
                code="document.not-hex",
            )
    fields.optional_string("moved_from")
    fields.boolean("over_capacity")
    fields.optional_string("phase")
    fields.optional_string("placed")
    fields.string("registration_number")
    fields.hex("ticket", size=32)
    fields.each("waitlist", lambda w: (w.string("kindergarten"), w.integer("position", minimum=1)))
    fields.each(
        "wins", lambda w: (w.string("block"), w.string("kindergarten"), w.optional_string("phase"))
    )
    fields.done()
    data = dict(fields.data)
    if canonical_json(data) != line:
        raise InputError(
            _("result line is not in RFC 8785 canonical form"),
            code="lines.not-canonical",
            value=line[:80],
        )
    return data
