"""Column-wise shortcuts for importing a million applicants.

Each function here decides, for a whole column at once, which cells are in
the *common form* of their field -- an 18-digit resident number with a
valid check character and date, a name of ideographs only, a receipt salt as
printed -- and gives their normalised values. It never decides that a cell
is wrong: a cell outside the common form is read by the per-cell definition
(:mod:`alloc.identity`, and :mod:`alloc.io` per row), which gives the value
or the exact error message. So the columns path accepts and refuses exactly
what the per-cell path does, which the tests check on generated messy data;
it only has to be right about the common form, where it is a few numpy
passes instead of a Python call per cell.

:func:`identity_commitments` hashes every row's commitment (spec 10.5) from
a SHA-256 state that already holds the shared prefix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from alloc.canonical import MAX_IDENTIFIER_LENGTH, Tag, joined_ascii_identifiers

__all__ = [
    "ascii_identifiers",
    "han_names",
    "identity_commitments",
    "receipt_salts",
    "resident_ids",
]

Mask = npt.NDArray[np.bool_]
#: A column of text cells: a list, or a numpy array of ``str`` objects.
Cells = Sequence[str] | npt.NDArray[np.object_]

_ID_WEIGHTS: Final = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], np.int64)
# ISO 7064 MOD 11-2: the check value that makes the weighted sum 1 mod 11,
# indexed by the sum of the first 17 digits mod 11 (10 is written X).
_CHECK_VALUE: Final = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], np.int64)
_DAYS: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)
_BASE32: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SALT_LAST: Final = "AEIMQUY4"
_SALT_GROUPS: Final = (4, 9, 14, 19, 24, 29)


def _lengths(cells: Cells) -> npt.NDArray[np.int64]:
    return np.fromiter(map(len, cells), np.int64, len(cells))


def _code_points(cells: Cells, width: int) -> npt.NDArray[np.uint32]:
    """``(n, width)`` code points; longer cells are cut (callers check lengths)."""
    if not len(cells):
        return np.zeros((0, width), np.uint32)
    return np.asarray(cells, dtype=f"<U{width}").view(np.uint32).reshape(len(cells), width)


def _ascii_block(cells: Cells, width: int) -> tuple[Mask, npt.NDArray[np.uint8]]:
    """Which cells are ``width`` ASCII characters, and their bytes as ``(n, width)``.

    Other cells' rows are zero. One ``join`` and ``encode`` for the column
    when every cell fits, which is the common case.
    """
    n = len(cells)
    fits = _lengths(cells) == width
    block = np.zeros((n, width), np.uint8)
    if not fits.any():
        return fits, block
    chosen = (
        list(cells) if fits.all() else [c for c, ok in zip(cells, fits.tolist(), strict=True) if ok]
    )
    joined = "".join(chosen)
    if not joined.isascii():
        plain = np.fromiter((c.isascii() for c in chosen), bool, len(chosen))
        where = np.flatnonzero(fits)
        fits[where[~plain]] = False
        chosen = [c for c, ok in zip(chosen, plain.tolist(), strict=True) if ok]
        joined = "".join(chosen)
    block[fits] = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(-1, width)
    return fits, block


def ascii_identifiers(cells: Cells) -> Mask:
    """Cells that :func:`alloc.canonical.check_identifier` accepts as they are.

    Printable ASCII, 1 to 128 characters, no space at either end: the
    identifier check's own fast case (NFKC leaves such text unchanged).
    """
    if len(cells) and joined_ascii_identifiers(list(cells)) is not None:
        return np.ones(len(cells), bool)
    return np.fromiter(
        (
            c.isascii()
            and c.isprintable()
            and 0 < len(c) <= MAX_IDENTIFIER_LENGTH
            and c[0] != " "
            and c[-1] != " "
            for c in cells
        ),
        bool,
        len(cells),
    )


def resident_ids(cells: Cells) -> tuple[Mask, list[str], npt.NDArray[np.int64]]:
    """Cells that are valid 18-character resident numbers as written, their forms,
    and their first ten digits (region code and birth year) as integers.

    The common form: 17 ASCII digits and a digit, ``X`` or ``x``; first digit
    1 to 7 (8 and 9 are residence permits, checked per cell); the MOD 11-2
    check character matches; the date of birth is a real date. The region
    code is not checked here. The normalised form upper-cases the ``x``.
    """
    fits, block = _ascii_block(cells, 18)
    points = block.astype(np.int16)
    digits = points - 48
    body_ok = ((digits[:, :17] >= 0) & (digits[:, :17] <= 9)).all(axis=1)
    last = points[:, 17].astype(np.int64)
    last_value = np.where(last == 88, 10, np.where(last == 120, 10, last - 48))
    last_ok = ((last_value >= 0) & (last_value <= 10)) & (
        (last < 58) | (last == 88) | (last == 120)
    )
    ok = fits & body_ok & last_ok & (digits[:, 0] >= 1) & (digits[:, 0] <= 7)
    safe = np.where(ok[:, None], digits[:, :17], 0).astype(np.int64)
    ok &= _CHECK_VALUE[(safe @ _ID_WEIGHTS) % 11] == np.where(ok, last_value, -1)
    year = safe[:, 6] * 1000 + safe[:, 7] * 100 + safe[:, 8] * 10 + safe[:, 9]
    month = safe[:, 10] * 10 + safe[:, 11]
    day = safe[:, 12] * 10 + safe[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    days = _DAYS[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    ok &= (year >= 1) & month_ok & (day >= 1) & (day <= days)
    values = [c.upper() if "x" in c else c for c in cells] if "x" in "".join(cells) else list(cells)
    regions = safe[:, :10] @ (10 ** np.arange(9, -1, -1, dtype=np.int64))
    return ok, values, np.where(ok, regions, -1)


def han_names(cells: Cells, width: int = 16) -> Mask:
    """Cells of 1 to ``width`` ideographs (U+3400-U+4DBF, U+4E00-U+9FFF) only.

    Such a name is its own normal form (spec 10.4): NFC and upper-casing
    leave it unchanged, it has no space, dot, control or asterisk.
    """
    lengths = _lengths(cells)
    points = _code_points(cells, width)
    inside = np.arange(width)[None, :] < lengths[:, None]
    han = ((points >= 0x4E00) & (points <= 0x9FFF)) | ((points >= 0x3400) & (points <= 0x4DBF))
    ok: Mask = (lengths >= 1) & (lengths <= width) & (han | ~inside).all(axis=1)
    return ok


def receipt_salts(cells: Cells) -> tuple[Mask, npt.NDArray[np.uint8]]:
    """Cells that are salts exactly as :func:`alloc.identity.format_salt` prints them.

    Returns the mask and an ``(n, 16)`` array of the salts (zero where not
    in that form). Any other spelling (lower case, spaces, 0 for O) is left
    to :func:`alloc.identity.parse_salt`.
    """
    n = len(cells)
    fits, points = _ascii_block(cells, 32)
    lookup = np.full(256, 255, np.uint8)
    for value, char in enumerate(_BASE32):
        lookup[ord(char)] = value
    hyphen = np.zeros(32, bool)
    hyphen[list(_SALT_GROUPS)] = True
    ok = fits & (points[:, hyphen] == ord("-")).all(axis=1)
    letters = points[:, ~hyphen]
    values = lookup[letters]
    ok &= (values != 255).all(axis=1)
    last_ok = np.zeros(256, bool)
    last_ok[[ord(c) for c in _SALT_LAST]] = True
    ok &= last_ok[letters[:, -1]]
    # 26 five-bit values are 130 bits: the salt's 128 and two zero bits.
    # Eight values make five bytes: three such blocks, then one last byte.
    fives = np.where(ok[:, None], values, 0)
    salts = np.empty((n, 16), np.uint8)
    for block in range(3):
        chunk = np.zeros(n, np.uint64)
        for i in range(8):
            chunk |= fives[:, 8 * block + i].astype(np.uint64) << np.uint64(35 - 5 * i)
        for byte in range(5):
            salts[:, 5 * block + byte] = (chunk >> np.uint64(32 - 8 * byte)) & np.uint64(255)
    salts[:, 15] = (fives[:, 24] << 3) | (fives[:, 25] >> 2)
    return ok, salts.reshape(n, 16)


def identity_commitments(
    draw_id: str,
    registration_numbers: Sequence[str],
    document_types: Sequence[str],
    document_numbers: Sequence[str],
    names: Sequence[str],
    salts: bytes,
) -> npt.NDArray[np.uint8]:
    """Every row's identity commitment (spec 10.5) as an ``(n, 32)`` array.

    The values must already be normalised and checked (as the import has
    done); ``salts`` holds the 16-byte salts back to back.
    """
    n = len(registration_numbers)
    head = hashlib.sha256(f"{Tag.IDENTITY}\0{draw_id}\0".encode())
    copy = head.copy
    # The text of every row encoded at once (U+0001 cannot occur in a
    # checked value), then one hash state copied per row.
    texts = (
        "\x01".join(
            f"{reg}\0{kind}\0{number}\0{name}\0"
            for reg, kind, number, name in zip(
                registration_numbers, document_types, document_numbers, names, strict=True
            )
        )
        .encode()
        .split(b"\x01")
        if n
        else []
    )
    digests: list[bytes] = []
    append = digests.append
    for row, text in enumerate(texts):
        state = copy()
        state.update(text)
        state.update(salts[16 * row : 16 * row + 16])
        append(state.digest())
    return np.frombuffer(b"".join(digests), np.uint8).reshape(n, 32)
