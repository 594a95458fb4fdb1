"""Lottery numbers ("tickets"): HMAC-SHA256 of the seed over a tagged message.

A child's ticket is ``HMAC-SHA256(seed, "alloc/v1/ticket" 0x00 draw_id 0x00
registration_number)``. A parent can recompute it in three lines of any
language; it depends on nothing but the seed, the draw id and the child's own
registration number, so no file's row order can change it. Lower tickets win,
comparing all 256 bits as a big-endian unsigned integer (spec section 5).

The column functions return an ``(n, 32)`` ``uint8`` array and cost one HMAC
per row: the key's inner and outer SHA-256 states and the common message
prefix are hashed once and copied per row, which gives byte-identical results
to :func:`hmac.new` at about a third of the cost.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from alloc._check import check_items
from alloc.canonical import (
    Tag,
    check_identifier,
    joined_ascii_identifiers,
    tagged_message,
)
from alloc.errors import DuplicateError, InputError
from alloc.i18n import _
from alloc.seed import parse_seed

__all__ = [
    "TICKET_SIZE",
    "group_kindergarten_ticket",
    "group_ticket",
    "group_tickets",
    "kindergarten_ticket",
    "kindergarten_tickets",
    "ticket",
    "ticket_order",
    "ticket_ranks",
    "tickets",
]

TICKET_SIZE = 32
_BLOCK = 64  # SHA-256 block size, for the HMAC pads


def ticket(seed: bytes | str, draw_id: str, registration_number: str) -> bytes:
    """A child's 32-byte lottery number.

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed.
    """
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    check_identifier(registration_number, "registration_number")
    message = tagged_message(Tag.TICKET, draw_id, registration_number)
    return hmac.new(seed, message, hashlib.sha256).digest()


def kindergarten_ticket(
    seed: bytes | str, draw_id: str, registration_number: str, kindergarten_id: str
) -> bytes:
    """A child's lottery number at one kindergarten (one number per child per kindergarten).

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed.
    """
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    check_identifier(registration_number, "registration_number")
    check_identifier(kindergarten_id, "kindergarten_id")
    message = tagged_message(Tag.TICKET_KINDERGARTEN, draw_id, registration_number, kindergarten_id)
    return hmac.new(seed, message, hashlib.sha256).digest()


def group_ticket(seed: bytes | str, draw_id: str, group_id: str) -> bytes:
    """The one lottery number of a bundled multiples group (twins, triplets).

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed.
    """
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    check_identifier(group_id, "group_id")
    message = tagged_message(Tag.TICKET_GROUP, draw_id, group_id)
    return hmac.new(seed, message, hashlib.sha256).digest()


def group_kindergarten_ticket(
    seed: bytes | str, draw_id: str, group_id: str, kindergarten_id: str
) -> bytes:
    """A bundled group's lottery number at one kindergarten.

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed.
    """
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    check_identifier(group_id, "group_id")
    check_identifier(kindergarten_id, "kindergarten_id")
    message = tagged_message(Tag.TICKET_GROUP_KINDERGARTEN, draw_id, group_id, kindergarten_id)
    return hmac.new(seed, message, hashlib.sha256).digest()


def _hmac_column(seed: bytes, prefix: bytes, suffixes: Sequence[bytes]) -> npt.NDArray[np.uint8]:
    """HMAC-SHA256(seed, prefix || suffix) for every suffix, as an (n, 32) array."""
    key = seed.ljust(_BLOCK, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner.update(prefix)
    inner_copy = inner.copy
    outer_copy = outer.copy
    digests: list[bytes] = []
    append = digests.append
    for suffix in suffixes:
        h = inner_copy()
        h.update(suffix)
        o = outer_copy()
        o.update(h.digest())
        append(o.digest())
    return np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(len(suffixes), TICKET_SIZE)


def _encode_column(values: Sequence[str], field: str) -> list[bytes]:
    """UTF-8 encode a column, validating each value as an identifier.

    The common case, a column of plain printable ASCII, is checked in a few
    passes over one joined string instead of per value.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        # Raises for text.
        check_items(values, field, what=_("a sequence of {field} values").format(field=field))
        values = list(values)  # any other iterable, e.g. a generator or a numpy array
    joined = joined_ascii_identifiers(values)
    if joined is not None:
        return joined.encode("ascii").split(b"\x01")
    encoded = []
    for row, value in enumerate(values, start=1):
        try:
            encoded.append(check_identifier(value, field).encode("utf-8"))
        except InputError as exc:
            raise exc.at(row=row) from exc
    return encoded


def tickets(
    seed: bytes | str, draw_id: str, registration_numbers: Sequence[str]
) -> npt.NDArray[np.uint8]:
    """Lottery numbers for a whole column, as an ``(n, 32)`` ``uint8`` array.

    Row ``i`` equals ``ticket(seed, draw_id, registration_numbers[i])``.

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed
            (the error names the 1-based row).
    """
    return _column_tickets(Tag.TICKET, seed, draw_id, registration_numbers, "registration_number")


def group_tickets(
    seed: bytes | str, draw_id: str, group_ids: Sequence[str]
) -> npt.NDArray[np.uint8]:
    """Bundled groups' lottery numbers for a column of group ids, as an ``(n, 32)`` array.

    Row ``i`` equals ``group_ticket(seed, draw_id, group_ids[i])``.

    Raises:
        InputError: if the seed is neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed
            (the error names the 1-based row).
    """
    return _column_tickets(Tag.TICKET_GROUP, seed, draw_id, group_ids, "group_id")


def _column_tickets(
    tag: str, seed: bytes | str, draw_id: str, values: Sequence[str], field: str
) -> npt.NDArray[np.uint8]:
    """HMAC-SHA256(seed, tag 0x00 draw_id 0x00 value) for a column of one identifier."""
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    suffixes = _encode_column(values, field)
    return _hmac_column(seed, tagged_message(tag, draw_id) + b"\x00", suffixes)


def kindergarten_tickets(
    seed: bytes | str,
    draw_id: str,
    registration_numbers: Sequence[str],
    kindergarten_ids: Sequence[str],
    *,
    group: bool = False,
) -> npt.NDArray[np.uint8]:
    """Per-(child, kindergarten) lottery numbers for paired columns.

    With ``group=True`` the first column holds multiples group ids and the
    group variant is computed.

    Raises:
        InputError: if the columns differ in length, the seed is
            neither 32 bytes nor 64 lower-case hex digits,
            or an identifier is malformed.
    """
    seed = parse_seed(seed)
    check_identifier(draw_id, "draw_id")
    if len(registration_numbers) != len(kindergarten_ids):
        raise InputError(
            _("columns differ in length"),
            code="tickets.column-lengths",
            field="kindergarten_ids",
            value=(len(registration_numbers), len(kindergarten_ids)),
        )
    tag = Tag.TICKET_GROUP_KINDERGARTEN if group else Tag.TICKET_KINDERGARTEN
    first = _encode_column(registration_numbers, "group_id" if group else "registration_number")
    second = _encode_column(kindergarten_ids, "kindergarten_id")
    suffixes = [a + b"\x00" + b for a, b in zip(first, second, strict=True)]
    return _hmac_column(seed, tagged_message(tag, draw_id) + b"\x00", suffixes)


def _words(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """View (n, 32) big-endian tickets as (n, 4) native uint64 words, most significant first."""
    if keys.ndim != 2 or keys.shape[1] != TICKET_SIZE or keys.dtype != np.uint8:
        raise InputError(
            _("tickets must be an (n, 32) uint8 array"),
            code="tickets.array-shape",
            field="tickets",
            value=keys.shape,
        )
    return np.ascontiguousarray(keys).view(">u8").astype(np.uint64)


def ticket_order(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Indices that sort tickets lowest first, comparing all 256 bits.

    Sorting by the top 64 bits decides all but astronomically rare ties; tied
    runs are then ordered by the remaining words, so the order is exact.

    Raises:
        DuplicateError: if two tickets are identical in all 256 bits (only
            possible if the same input was given twice).
    """
    words = _words(keys)
    order = np.argsort(words[:, 0], kind="stable")
    top = words[order, 0]
    tied = np.flatnonzero(top[1:] == top[:-1])
    if tied.size:
        starts = np.unique(tied)
        for start in starts:
            if start > 0 and top[start - 1] == top[start]:
                continue
            end = start + 1
            while end < len(top) and top[end] == top[start]:
                end += 1
            run = order[start:end]
            sub = np.lexsort(words[run, ::-1].T)
            order[start:end] = run[sub]
        full = words[order]
        same = np.all(full[1:] == full[:-1], axis=1)
        if same.any():
            at = int(np.flatnonzero(same)[0])
            raise DuplicateError(
                _("two rows have the identical 256-bit ticket"),
                code="tickets.identical",
                field="tickets",
                value=(int(order[at]), int(order[at + 1])),
                hint=_("the same registration number was given twice"),
            )
    return order


def ticket_ranks(keys: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Each ticket's 0-based rank (0 = lowest = first drawn).

    Raises:
        DuplicateError: as :func:`ticket_order`.
    """
    order = ticket_order(keys)
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order), dtype=np.int64)
    return ranks
