"""Result lookup by ID number and name, for parents.

:class:`LookupIndex` is built by the bureau from its private registry and an
outcome and answers on a server. The public index
(:func:`build_public_index` / :func:`public_lookup`) lets a static website
answer the same question without a server: each entry is found and decrypted
only with a memory-hard scrypt key of the child's number and name (spec
section 10.6), so the small space of children's ID numbers cannot be cheaply
enumerated.

Both answer "not found" identically for an unknown number and for a known
number with the wrong name, and never show more than the asking child's own
result with masked display fields.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from alloc.canonical import canonical_json
from alloc.draw import ApplicantOutcome, Outcome
from alloc.errors import InputError
from alloc.identity import (
    DocumentType,
    LookupParameters,
    lookup_key,
    mask_document_number,
    mask_name,
    normalise_document_number,
    normalise_name,
)
from alloc.registry import Registration

__all__ = [
    "NOT_FOUND",
    "LookupAnswer",
    "LookupIndex",
    "build_public_index",
    "public_lookup",
]

_NONCE = bytes(12)  # each entry key encrypts exactly one message


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
        if not self.found or self.result is None:
            return "未找到 not found: check the ID number and the name as registered"
        placed = self.result.get("placed")
        wins = self.result.get("wins") or []
        if placed:
            text = f"录取 placed at {placed} {self.result.get('placed_name', '')}".rstrip()
        elif wins:
            text = "中签 won at " + ", ".join(w["kindergarten"] for w in wins)
        else:
            text = "未录取 not placed"
        waitlist = self.result.get("waitlist") or []
        if waitlist:
            text += "; 候补 waitlist " + ", ".join(
                f"{w['kindergarten']} #{w['position']}" for w in waitlist
            )
        return text

    def to_json(self) -> dict[str, Any]:
        if not self.found:
            return {"found": False, "message": self.message}
        return {
            "found": True,
            "registration_number": self.registration_number,
            "masked_name": self.masked_name,
            "masked_document_number": self.masked_document_number,
            "result": None if self.result is None else dict(self.result),
            "message": self.message,
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


class LookupIndex:
    """The bureau's server-side lookup: (document number, name) to one child's result."""

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
            answer = LookupAnswer(
                found=True,
                registration_number=reg,
                masked_name=mask_name(identity.name),
                masked_document_number=mask_document_number(
                    identity.document_type, identity.document_number
                ),
                result=_result_fields(outcome, outcome.applicant(reg)),
            )
            key = (identity.document_type.value, identity.document_number)
            entries[key] = (identity.name, answer)
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
        try:
            kind = DocumentType(document_type)
        except ValueError as exc:
            raise InputError(
                "unknown document type",
                field="document_type",
                value=document_type,
                hint="use resident-id or passport",
            ) from exc
        number = normalise_document_number(kind, document_number, check_region=False)
        wanted = hashlib.sha256(normalise_name(name).encode("utf-8")).digest()
        stored_name, answer = self._entries.get((kind.value, number), ("", NOT_FOUND))
        # Compare fixed-length digests even when the number is unknown, so both
        # kinds of miss take the same path and the same time.
        stored = hashlib.sha256(stored_name.encode("utf-8")).digest()
        same = hmac.compare_digest(stored, wanted)
        return answer if same and answer.found else NOT_FOUND


def _entry_keys(key: bytes) -> tuple[str, bytes]:
    """Split one scrypt output into a public entry id and a private AES key."""
    entry_id = hashlib.sha256(b"alloc/v1/lookup-id\x00" + key).hexdigest()
    secret = hashlib.sha256(b"alloc/v1/lookup-secret\x00" + key).digest()
    return entry_id, secret


def build_public_index(
    params: LookupParameters, registry: Mapping[str, Registration], outcome: Outcome
) -> bytes:
    """A static lookup file: entry id to AES-GCM ciphertext of the child's answer.

    Costs one scrypt evaluation per child (see the spec for the figures).

    Raises:
        InputError: if the parameters are for another draw.
    """
    if params.draw_id != outcome.rules.draw_id:
        raise InputError(
            "lookup parameters are for another draw", field="lookup.draw_id", value=params.draw_id
        )
    server = LookupIndex.build(registry, outcome)
    entries = {}
    for reg in outcome.registration_numbers:
        entry = registry.get(reg)
        if entry is None:
            continue
        identity = entry.identity
        key = lookup_key(params, identity.document_type, identity.document_number, identity.name)
        entry_id, secret = _entry_keys(key)
        answer = server.lookup(
            identity.document_number, identity.name, document_type=identity.document_type
        )
        payload = canonical_json(answer.to_json())
        entries[entry_id] = AESGCM(secret).encrypt(_NONCE, payload, entry_id.encode("ascii")).hex()
    return (
        canonical_json({"params": params.to_json(), "entries": dict(sorted(entries.items()))})
        + b"\n"
    )


def public_lookup(
    index: bytes,
    document_number: str,
    name: str,
    *,
    document_type: DocumentType = DocumentType.RESIDENT_ID,
) -> LookupAnswer:
    """Answer a lookup from a public index file, as a browser would.

    Raises:
        InputError: if the index file is malformed or the input is malformed.
    """
    try:
        data = json.loads(index)
        params = LookupParameters.from_json(data["params"])
        entries = data["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("malformed lookup index", field="index") from exc
    key = lookup_key(params, document_type, document_number, name)
    entry_id, secret = _entry_keys(key)
    sealed = entries.get(entry_id)
    if sealed is None:
        return NOT_FOUND
    try:
        payload = AESGCM(secret).decrypt(_NONCE, bytes.fromhex(sealed), entry_id.encode("ascii"))
    except (InvalidTag, ValueError):
        return NOT_FOUND
    answer = json.loads(payload)
    return LookupAnswer(
        found=True,
        registration_number=answer["registration_number"],
        masked_name=answer["masked_name"],
        masked_document_number=answer["masked_document_number"],
        result=answer["result"],
    )
