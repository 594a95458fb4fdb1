"""Result lookup for parents: by ID number and name on a server, by receipt from public files.

Two ways to answer "what is my child's result", with different trust:

* :class:`LookupIndex` is the bureau's own lookup by document number and
  name, built from the *private* registry. It answers on a rate-limited
  server (``examples/portal/``) or at the bureau's desk (``alloc lookup``),
  never from a downloadable file: ID numbers and names are guessable (a
  notice board's masks leave a few hundred to a few thousand candidates per
  child, spec section 10.6), so any public file that let a guess be tested
  offline would give children's identities away.
* The *public lookup index* (:func:`build_public_index`,
  :func:`public_lookup`) is a set of static files anyone may download. Each
  child's entry is found and opened only with keys derived from the 128-bit
  salt printed on the parent's receipt together with the registration
  number, document number and name (spec section 10.7), so the index offers
  no test of a guess to anyone without the receipt, and the receipt alone
  does not open it either.

Both answer "not found" identically for every kind of miss, and never show
more than the asking child's own result with masked display fields.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from alloc.audit import document_digest
from alloc.canonical import SPEC_VERSION, canonical_json
from alloc.draw import ApplicantOutcome, Outcome
from alloc.errors import DigestMismatchError, InputError, MalformedDocumentError, WrongDrawError
from alloc.i18n import _
from alloc.identity import (
    LOOKUP_ID_SIZE,
    DocumentType,
    LookupKeys,
    PrivateIdentity,
    Receipt,
    lookup_keys,
    mask_document_number,
    mask_name,
    normalise_document_number,
    normalise_name,
)
from alloc.registry import Registration
from alloc.signing import Envelope
from alloc.strictjson import Fields, parse_json

__all__ = [
    "INDEX_FILE",
    "MAX_SHARD_DIGITS",
    "NOT_FOUND",
    "SHARD_TARGET",
    "LookupAnswer",
    "LookupIndex",
    "build_public_index",
    "public_lookup",
    "shard_digits",
    "shard_file",
]

#: Each entry key encrypts exactly one message (spec 10.8), so a fixed nonce is safe.
_NONCE: Final = bytes(12)
#: The public index's header file, beside its shards.
INDEX_FILE: Final = "index.json"
#: Shards hold about this many entries at most, so a phone fetches a small file.
SHARD_TARGET: Final = 1024
#: 16**4 = 65,536 shards hold 67 million children within the target.
MAX_SHARD_DIGITS: Final = 4
_DIGEST_SIZE: Final = 32


@dataclass(frozen=True)
class LookupAnswer:
    """What a parent sees: their child's result with masked names, or "not found"."""

    found: bool
    registration_number: str | None = None
    masked_name: str | None = None
    masked_document_number: str | None = None
    result: Mapping[str, Any] | None = None

    @property
    def message(self) -> str:
        """The answer in words, in the current language (:mod:`alloc.i18n`)."""
        if not self.found or self.result is None:
            return _("not found: check the ID number and the name as registered")
        placed = self.result.get("placed")
        wins = self.result.get("wins") or []
        if placed:
            text = (
                _("placed at {kindergarten} {name}")
                .format(kindergarten=placed, name=self.result.get("placed_name", ""))
                .rstrip()
            )
        elif wins:
            text = _("won at {kindergartens}").format(
                kindergartens=", ".join(w["kindergarten"] for w in wins)
            )
        else:
            text = _("not placed")
        waitlist = self.result.get("waitlist") or []
        if waitlist:
            text = _("{result}; waitlist {places}").format(
                result=text,
                places=", ".join(
                    _("{kindergarten} #{position}").format(
                        kindergarten=w["kindergarten"], position=w["position"]
                    )
                    for w in waitlist
                ),
            )
        return text

    def to_json(self) -> dict[str, Any]:
        if not self.found:
            return {"found": False, "message": self.message}
        return {**self._payload(), "found": True, "message": self.message}

    def _payload(self) -> dict[str, Any]:
        """The sealed content of a public index entry (spec 10.8)."""
        return {
            "registration_number": self.registration_number,
            "masked_name": self.masked_name,
            "masked_document_number": self.masked_document_number,
            "result": None if self.result is None else dict(self.result),
        }


#: The one answer for every miss, so a wrong name and an unknown number look alike.
NOT_FOUND = LookupAnswer(found=False)


def _result_fields(outcome: Outcome, result: ApplicantOutcome) -> dict[str, Any]:
    names = {k.id: k.name for k in outcome.rules.kindergartens}
    data = result.to_json()
    data.pop("choice_tickets", None)
    if result.placed is not None:
        data["placed_name"] = names[result.placed]
    return data


def _answer(outcome: Outcome, registration_number: str, identity: PrivateIdentity) -> LookupAnswer:
    return LookupAnswer(
        found=True,
        registration_number=registration_number,
        masked_name=mask_name(identity.name),
        masked_document_number=mask_document_number(
            identity.document_type, identity.document_number
        ),
        result=_result_fields(outcome, outcome.applicant(registration_number)),
    )


def _document_type(document_type: DocumentType | str) -> DocumentType:
    try:
        return DocumentType(document_type)
    except ValueError as exc:
        raise InputError(
            _("unknown document type"),
            code="id-number.unknown-type",
            field="document_type",
            value=document_type,
            hint=_("use resident-id or passport"),
        ) from exc


class LookupIndex:
    """The bureau's server-side lookup: (document number, name) to one child's result.

    Built from the private registry; serve it only behind a rate limit
    (``examples/portal/``), never as a file.
    """

    def __init__(self, entries: Mapping[tuple[str, str], tuple[str, LookupAnswer]]) -> None:
        self._entries = dict(entries)

    @classmethod
    def build(cls, registry: Mapping[str, Registration], outcome: Outcome) -> LookupIndex:
        """Index every registered child that took part in ``outcome``."""
        entries: dict[tuple[str, str], tuple[str, LookupAnswer]] = {}
        for reg in outcome.registration_numbers:
            entry = registry.get(reg)
            if entry is None:
                continue
            identity = entry.identity
            key = (identity.document_type.value, identity.document_number)
            entries[key] = (identity.name, _answer(outcome, reg, identity))
        return cls(entries)

    def lookup(
        self,
        document_number: str,
        name: str,
        *,
        document_type: DocumentType | str = DocumentType.RESIDENT_ID,
    ) -> LookupAnswer:
        """The child's answer, or :data:`NOT_FOUND` for any mismatch.

        Raises:
            InputError: if the number or name is malformed (a format problem the
                parent can fix, which says nothing about who is registered).
        """
        kind = _document_type(document_type)
        number = normalise_document_number(kind, document_number, check_region=False)
        wanted = hashlib.sha256(normalise_name(name).encode("utf-8")).digest()
        stored_name, answer = self._entries.get((kind.value, number), ("", NOT_FOUND))
        # Compare fixed-length digests even when the number is unknown, so both
        # kinds of miss take the same path and the same time.
        stored = hashlib.sha256(stored_name.encode("utf-8")).digest()
        same = hmac.compare_digest(stored, wanted)
        return answer if same and answer.found else NOT_FOUND


# --- the public lookup index (spec 10.8) ------------------------------------------------


def shard_digits(count: int) -> int:
    """Hex digits of entry id that name a shard: the fewest (1 to 4) keeping shards small.

    At most :data:`SHARD_TARGET` entries a shard on average while 16**digits
    shards suffice: 1 digit up to 16,384 children, 2 up to 262,144, 3 up to
    4,194,304, then 4.
    """
    digits = 1
    while digits < MAX_SHARD_DIGITS and count > SHARD_TARGET * 16**digits:
        digits += 1
    return digits


def shard_file(prefix: str) -> str:
    """The file name of the shard whose entry ids start with ``prefix``."""
    return f"{prefix}.json"


def _seal(keys: LookupKeys, answer: LookupAnswer) -> str:
    payload = canonical_json(answer._payload())
    aad = keys.entry_id_text.encode("ascii")
    return AESGCM(keys.key).encrypt(_NONCE, payload, aad).hex()


def build_public_index(
    registry: Mapping[str, Registration],
    outcome: Outcome,
    transcript: Envelope,
    *,
    digits: int | None = None,
) -> dict[str, bytes]:
    """The public lookup index of a draw: file name to bytes (spec 10.8).

    :data:`INDEX_FILE` names the draw, the transcript, the number of entries
    and of shard digits; every shard ``<prefix>.json`` (all ``16**digits`` of
    them, empty or not) maps entry ids to sealed answers. Each registered child
    of ``outcome`` has one entry, whose id and key come from its receipt salt
    (:func:`alloc.identity.lookup_keys`). ``digits`` defaults to
    :func:`shard_digits` of the number of entries.

    Raises:
        WrongDrawError: if the transcript is for another draw.
        InputError: if ``digits`` is not 1 to 4.
    """
    draw_id = outcome.rules.draw_id
    if transcript.signed.get("draw_id") != draw_id:
        raise WrongDrawError(
            _("the transcript is for draw {found!r}, not {draw_id!r}").format(
                found=transcript.signed.get("draw_id"), draw_id=draw_id
            )
        )
    digest = document_digest(transcript)
    entries: dict[str, str] = {}
    for reg in outcome.registration_numbers:
        entry = registry.get(reg)
        if entry is None:
            continue
        identity = entry.identity
        keys = lookup_keys(
            draw_id=draw_id,
            transcript_digest=digest,
            registration_number=reg,
            document_type=identity.document_type,
            document_number=identity.document_number,
            name=identity.name,
            salt=entry.salt,
        )
        entries[keys.entry_id_text] = _seal(keys, _answer(outcome, reg, identity))
    width = shard_digits(len(entries)) if digits is None else digits
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_SHARD_DIGITS:
        raise InputError(
            _("shard digits must be 1 to {maximum}").format(maximum=MAX_SHARD_DIGITS),
            code="lookup.shard-digits",
            field="digits",
            value=digits,
        )
    head = {"spec": SPEC_VERSION, "draw_id": draw_id, "transcript": digest.hex()}
    shards: dict[str, dict[str, str]] = {f"{i:0{width}x}": {} for i in range(16**width)}
    for entry_id in sorted(entries):
        shards[entry_id[:width]][entry_id] = entries[entry_id]
    files = {
        INDEX_FILE: canonical_json(
            {**head, "type": "lookup-index", "count": len(entries), "shard_digits": width}
        )
        + b"\n"
    }
    for prefix, content in shards.items():
        shard = {**head, "type": "lookup-shard", "prefix": prefix, "entries": content}
        files[shard_file(prefix)] = canonical_json(shard) + b"\n"
    return files


@dataclass(frozen=True)
class _Header:
    draw_id: str
    transcript: bytes
    count: int
    digits: int


def _read_header(data: bytes) -> _Header:
    document = _("lookup index")
    fields = Fields.of(parse_json(data, document=document), document=document)
    if fields.string("type") != "lookup-index":
        raise fields.error(
            "type",
            _("expected {expected!r}").format(expected="lookup-index"),
            fields.data["type"],
            code="document.other-type",
        )
    if fields.integer("spec") != SPEC_VERSION:
        raise fields.error(
            "spec",
            _("this alloc reads spec {spec}").format(spec=SPEC_VERSION),
            fields.data["spec"],
            code="document.spec-version",
        )
    header = _Header(
        draw_id=fields.string("draw_id"),
        transcript=fields.hex("transcript", size=_DIGEST_SIZE),
        count=fields.integer("count", minimum=0),
        digits=fields.integer("shard_digits", minimum=1, maximum=MAX_SHARD_DIGITS),
    )
    fields.done()
    return header


def _read_shard(data: bytes, header: _Header, prefix: str) -> dict[str, str]:
    document = _("lookup index shard {file}").format(file=shard_file(prefix))
    fields = Fields.of(parse_json(data, document=document), document=document)
    if fields.string("type") != "lookup-shard":
        raise fields.error(
            "type",
            _("expected {expected!r}").format(expected="lookup-shard"),
            fields.data["type"],
            code="document.other-type",
        )
    if fields.integer("spec") != SPEC_VERSION:
        raise fields.error(
            "spec",
            _("this alloc reads spec {spec}").format(spec=SPEC_VERSION),
            fields.data["spec"],
            code="document.spec-version",
        )
    # A shard from another draw or another round would silently miss everyone.
    if fields.string("draw_id") != header.draw_id:
        raise fields.error(
            "draw_id",
            _("the shard is for another draw than its index"),
            code="lookup.shard-other-draw",
        )
    if fields.hex("transcript", size=_DIGEST_SIZE) != header.transcript:
        raise fields.error(
            "transcript",
            _("the shard is for another transcript than its index"),
            code="lookup.shard-other-transcript",
        )
    if fields.string("prefix") != prefix:
        raise fields.error(
            "prefix",
            _("expected {expected!r}").format(expected=prefix),
            fields.data["prefix"],
            code="lookup.shard-prefix",
        )
    entries = fields.object("entries")
    out: dict[str, str] = {}
    for entry_id in entries.data:
        sealed = entries.string(entry_id)
        if (
            len(entry_id) != 2 * LOOKUP_ID_SIZE
            or entry_id.strip("0123456789abcdef")
            or not entry_id.startswith(prefix)
        ):
            raise entries.error(
                entry_id, _("not an entry id of this shard"), code="lookup.entry-id"
            )
        if len(sealed) % 2 or sealed.strip("0123456789abcdef"):
            raise entries.error(
                entry_id, _("expected lower-case hexadecimal"), code="document.not-hex"
            )
        out[entry_id] = sealed
    entries.done()
    fields.done()
    return out


def _open(sealed: str, keys: LookupKeys) -> LookupAnswer:
    try:
        payload = AESGCM(keys.key).decrypt(
            _NONCE, bytes.fromhex(sealed), keys.entry_id_text.encode("ascii")
        )
    except InvalidTag as exc:
        # The id matched, so the inputs were right: the entry itself was altered.
        raise MalformedDocumentError(
            _(
                "this child's entry in the lookup index does not decrypt: the index file is"
                " damaged or was altered"
            ),
            code="lookup.entry-damaged",
            source=_("lookup index"),
            hint=_(
                "download the index again from the bureau's site; if it persists, tell the"
                " bureau and check the result with the receipt against the signed files"
            ),
        ) from exc
    document = _("lookup index entry")
    fields = Fields.of(parse_json(payload, document=document), document=document)
    answer = LookupAnswer(
        found=True,
        registration_number=fields.string("registration_number"),
        masked_name=fields.string("masked_name"),
        masked_document_number=fields.string("masked_document_number"),
        result=fields.object("result").data,
    )
    fields.done()
    return answer


def public_lookup(
    read: Callable[[str], bytes],
    *,
    receipt: Receipt,
    document_number: str,
    name: str,
    document_type: DocumentType | str = DocumentType.RESIDENT_ID,
    transcript: Envelope | None = None,
) -> LookupAnswer:
    """Answer a lookup from the public index files, as a browser would.

    ``read(file_name)`` returns the bytes of :data:`INDEX_FILE` or of a shard
    (from a folder, a web server, a dict). Only the header and the one shard
    the entry id names are read. With ``transcript`` (one the caller has
    verified), the index must be the one made for it.

    Returns :data:`NOT_FOUND` when any of the receipt's registration number
    and salt, the document number and the name is not the child's.

    Raises:
        InputError: if the number or name is malformed.
        MalformedDocumentError: if an index file is malformed or the files do
            not belong together.
        DigestMismatchError: if the index was made for another transcript.
    """
    kind = _document_type(document_type)
    number = normalise_document_number(kind, document_number, check_region=False)
    header = _read_header(read(INDEX_FILE))
    if transcript is not None and not hmac.compare_digest(
        document_digest(transcript), header.transcript
    ):
        raise DigestMismatchError(
            _(
                "the lookup index was made for another transcript than the one given;"
                " download the index published with this transcript"
            ),
            code="lookup.other-transcript",
        )
    keys = lookup_keys(
        draw_id=header.draw_id,
        transcript_digest=header.transcript,
        registration_number=receipt.registration_number,
        document_type=kind,
        document_number=number,
        name=name,
        salt=receipt.salt,
    )
    prefix = keys.entry_id_text[: header.digits]
    entries = _read_shard(read(shard_file(prefix)), header, prefix)
    sealed = entries.get(keys.entry_id_text)
    if sealed is None:
        return NOT_FOUND
    answer = _open(sealed, keys)
    if answer.found and answer.registration_number != receipt.registration_number:
        raise MalformedDocumentError(
            _("a lookup index entry names another registration number than its receipt"),
            code="lookup.entry-other-registration",
            source=_("lookup index"),
        )
    return answer
