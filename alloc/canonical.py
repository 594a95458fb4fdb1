"""Canonical bytes: RFC 8785 JSON, domain-separation tags and identifiers.

Everything that is hashed or signed in alloc goes through this module, so the
rules in ``docs/spec.md`` sections 2 and 3 live in one place.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Final

import rfc8785

from alloc.errors import InputError, WrongTypeError
from alloc.i18n import _

__all__ = [
    "MAX_IDENTIFIER_LENGTH",
    "SPEC_VERSION",
    "Tag",
    "canonical_json",
    "check_identifier",
    "joined_ascii_identifiers",
    "tagged_hash",
    "tagged_message",
]

SPEC_VERSION: Final = 2
MAX_IDENTIFIER_LENGTH: Final = 128


class Tag:
    """Domain-separation tags (spec section 3). Each is ASCII and ends no field."""

    COMMITMENT: Final = "alloc/v1/commitment"
    SEED: Final = "alloc/v1/seed"
    TICKET: Final = "alloc/v1/ticket"
    TICKET_KINDERGARTEN: Final = "alloc/v1/ticket-kindergarten"
    TICKET_GROUP: Final = "alloc/v1/ticket-group"
    TICKET_GROUP_KINDERGARTEN: Final = "alloc/v1/ticket-group-kindergarten"
    RECORD: Final = "alloc/v1/record"
    RESULT: Final = "alloc/v1/result"
    RESPONSE: Final = "alloc/v1/response"
    STANDING: Final = "alloc/v1/standing"
    RULES: Final = "alloc/v1/rules"
    ANNOUNCEMENT: Final = "alloc/v1/announcement"
    TRANSCRIPT: Final = "alloc/v1/transcript"
    ROUND_ANNOUNCEMENT: Final = "alloc/v1/round-announcement"
    ROUND_TRANSCRIPT: Final = "alloc/v1/round-transcript"
    IDENTITY: Final = "alloc/v1/identity"
    LOOKUP_ENTRY: Final = "alloc/v1/lookup-entry"
    LOG_ENTRY: Final = "alloc/v1/log-entry"
    #: HKDF ``info`` labels (spec 10.7), not message tags.
    LOOKUP_ENTRY_ID: Final = "alloc/v1/lookup-entry-id"
    LOOKUP_ENTRY_KEY: Final = "alloc/v1/lookup-entry-key"
    PROOF_FILE: Final = "alloc/v1/proof-file"


def canonical_json(value: object) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of ``value``.

    Only ``str``, ``int`` (within ±2**53), ``bool``, ``None``, lists/tuples and
    string-keyed mappings are allowed: signed documents never carry floats.

    Raises:
        InputError: if ``value`` holds a float, a non-string key or another type,
            or an integer outside the I-JSON range.
    """
    _check_json(value, "$")
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except rfc8785.CanonicalizationError as exc:
        raise InputError(
            _("value cannot be canonicalised"),
            code="canonical.unencodable",
            value=value,
            hint=str(exc),
        ) from exc


def _check_json(value: object, path: str) -> None:
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_encodable(value, path)
        return
    if isinstance(value, int):
        if not -(2**53) + 1 <= value <= 2**53 - 1:
            raise InputError(
                _("integer outside the I-JSON range ±(2**53-1)"),
                code="canonical.integer-range",
                field=path,
                value=value,
                hint=_("encode large numbers as strings"),
            )
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(
                    _("object key is not a string"),
                    code="canonical.key-not-text",
                    field=path,
                    value=key,
                )
            _check_encodable(key, path)
            _check_json(item, f"{path}.{key}")
        return
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    raise InputError(
        _("type {type} is not allowed in a canonical document").format(type=type(value).__name__),
        code="canonical.type",
        field=path,
        value=value,
        hint=_("use str, int, bool, None, list or dict (floats are never signed)"),
    )


def _check_encodable(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            _("text is not valid Unicode (lone surrogate from a bad decode?)"),
            code="text.not-unicode",
            field=path,
            value=text,
            hint=_("re-read the source file with the right encoding"),
        ) from exc


def check_identifier(value: object, field: str) -> str:
    """Validate an identifier (draw id, registration number, kindergarten id, ...).

    An identifier is a non-empty ``str`` of at most 128 characters, in Unicode
    NFC, without control or format characters (so never a NUL, which separates
    fields in tagged messages) and without surrounding whitespace. ``bytes``
    are accepted only if they are valid UTF-8.

    Raises:
        InputError: naming ``field`` and the value at fault.
    """
    if (
        type(value) is str
        and value.isascii()
        and value.isprintable()  # printable ASCII: no controls, and space the only white space
        and 0 < len(value) <= MAX_IDENTIFIER_LENGTH
        and value[0] != " "
        and value[-1] != " "
    ):
        return value  # the common case; every rule below holds for it
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                _("not valid UTF-8"),
                code="identifier.not-utf8",
                field=field,
                value=raw,
                hint=_("decode the source with its real encoding (GBK?) first"),
            ) from exc
    if not isinstance(value, str):
        # The type only: a stray object (a dict of a child's details, say) is never echoed.
        raise WrongTypeError(
            _("must be text, got {type}").format(type=type(value).__name__),
            code="identifier.wrong-type",
            field=field,
        )
    if not value:
        raise InputError(_("must not be empty"), code="identifier.empty", field=field, value=value)
    _check_encodable(value, field)
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise InputError(
            _("longer than {maximum} characters").format(maximum=MAX_IDENTIFIER_LENGTH),
            code="identifier.too-long",
            field=field,
            value=value,
        )
    if value != value.strip():
        raise InputError(
            _("has leading or trailing whitespace"),
            code="identifier.whitespace",
            field=field,
            value=value,
            hint=_("strip it"),
        )
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            raise InputError(
                _("contains the control or format character U+{code_point:04X}").format(
                    code_point=ord(char)
                ),
                code="identifier.control-character",
                field=field,
                value=value,
            )
    if unicodedata.normalize("NFC", value) != value:
        raise InputError(
            _("is not in Unicode NFC form"),
            code="identifier.not-nfc",
            field=field,
            value=value,
            hint=_("normalise it with NFC before use"),
        )
    return value


def joined_ascii_identifiers(values: Sequence[object]) -> str | None:
    """``values`` joined by U+0001 if every one is a printable-ASCII identifier, else None.

    A shortcut for a column of a million identifiers, checked in a few passes
    over one string; None means only that the values must be checked one by
    one with :func:`check_identifier`. Never raises.
    """
    try:
        joined = "\x01".join(values)  # type: ignore[arg-type]
    except TypeError:
        return None  # not all text
    if (
        joined
        and joined.isascii()
        and joined.replace("\x01", "").isprintable()
        and joined.count("\x01") == len(values) - 1  # no value holds the separator itself
        and max(map(len, values)) <= MAX_IDENTIFIER_LENGTH  # type: ignore[arg-type]
        and min(map(len, values)) > 0  # type: ignore[arg-type]
        and " \x01" not in joined
        and "\x01 " not in joined
        and joined[0] != " "
        and joined[-1] != " "
    ):
        return joined
    return None


def tagged_message(tag: str, *fields: str | bytes) -> bytes:
    """Return ``tag || 0x00 || field1 || 0x00 || field2 ...`` (spec section 3.1).

    Text fields are UTF-8 encoded. Only the last field may contain NUL bytes,
    which is why binary values always come last.
    """
    parts = [tag.encode("ascii")]
    for item in fields:
        parts.append(item.encode("utf-8") if isinstance(item, str) else item)
    return b"\x00".join(parts)


def tagged_hash(tag: str, *fields: str | bytes) -> bytes:
    """SHA-256 of :func:`tagged_message`."""
    return hashlib.sha256(tagged_message(tag, *fields)).digest()
