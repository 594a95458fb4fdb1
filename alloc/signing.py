"""Ed25519 keys, TUF-style signed envelopes and threshold trust policies.

An envelope is ``{"signed": {...}, "signatures": [{"keyid": ..., "sig": ...}]}``
and only the RFC 8785 bytes of ``signed`` are signed. The file form of an
envelope is its own canonical JSON followed by one newline, with signatures
sorted by key id and no key twice, so every signed file has exactly one
valid byte form (spec section 9.1).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from alloc._check import (
    check_bytes,
    check_id,
    check_instance,
    check_integer,
    check_items,
    check_text,
)
from alloc.canonical import canonical_json
from alloc.errors import (
    DuplicateError,
    InputError,
    MalformedDocumentError,
    SignatureThresholdError,
)

__all__ = [
    "Envelope",
    "PublicKey",
    "Role",
    "RoleResult",
    "Signature",
    "SigningKey",
    "TrustPolicy",
    "key_id",
]


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, as lower-case hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key and its key id."""

    key: Ed25519PublicKey = field(compare=False)
    keyid: str

    @classmethod
    def from_key(cls, key: Ed25519PublicKey) -> PublicKey:
        return cls(key=key, keyid=key_id(key))

    @classmethod
    def from_hex(cls, raw_hex: str) -> PublicKey:
        """Raises: InputError if not 32 bytes of hex (a WrongTypeError if not text)."""
        check_text(raw_hex, "public_key")
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(raw_hex))
        except ValueError as exc:
            raise InputError(
                "not a raw Ed25519 public key in hex", field="public_key", value=raw_hex
            ) from exc
        return cls.from_key(key)

    @classmethod
    def from_pem(cls, data: bytes) -> PublicKey:
        """Load a PEM (SubjectPublicKeyInfo) Ed25519 public key.

        Raises:
            InputError: if the PEM is not an Ed25519 public key.
        """
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise InputError(
                "not a PEM public key", field="public_key", hint="export it with `alloc keys`"
            ) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise InputError("not an Ed25519 key", field="public_key", value=type(key).__name__)
        return cls.from_key(key)

    @property
    def raw_hex(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ).hex()

    def to_pem(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True if ``signature`` is valid for ``message``; never raises."""
        try:
            self.key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key held by a signer (bureau, notary)."""

    key: Ed25519PrivateKey = field(compare=False, repr=False)
    public: PublicKey

    @classmethod
    def generate(cls) -> SigningKey:
        key = Ed25519PrivateKey.generate()
        return cls(key=key, public=PublicKey.from_key(key.public_key()))

    @classmethod
    def from_pem(cls, data: bytes, password: bytes | None = None) -> SigningKey:
        """Load a PEM (PKCS#8) Ed25519 private key.

        Raises:
            InputError: if it is not an Ed25519 private key or the password is wrong.
        """
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError) as exc:
            raise InputError(
                "cannot load the private key",
                field="private_key",
                hint="check the file and its password",
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError("not an Ed25519 key", field="private_key", value=type(key).__name__)
        return cls(key=key, public=PublicKey.from_key(key.public_key()))

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """A key from 32 raw private bytes (for tests and reproducible examples).

        Raises:
            InputError: if ``seed`` is not 32 bytes (a WrongTypeError if not bytes).
        """
        key = Ed25519PrivateKey.from_private_bytes(check_bytes(seed, "private_key", size=32))
        return cls(key=key, public=PublicKey.from_key(key.public_key()))

    @property
    def keyid(self) -> str:
        return self.public.keyid

    def to_pem(self, password: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"keyid": self.keyid, "sig": self.sig.hex()}


@dataclass(frozen=True)
class Envelope:
    """A signed document: the ``signed`` object and its signatures."""

    signed: Mapping[str, Any]
    signatures: tuple[Signature, ...] = ()

    @property
    def signed_bytes(self) -> bytes:
        """The bytes every signature covers: RFC 8785 of ``signed``."""
        return canonical_json(self.signed)

    def sign(self, key: SigningKey) -> Envelope:
        """A new envelope with ``key``'s signature added.

        Raises:
            DuplicateError: if this key has already signed.
            WrongTypeError: if ``key`` is not a SigningKey.
        """
        check_instance(key, SigningKey, "key", hint="load it with SigningKey.from_pem")
        if any(s.keyid == key.keyid for s in self.signatures):
            raise DuplicateError(
                "this key has already signed the document", field="keyid", value=key.keyid
            )
        signature = Signature(keyid=key.keyid, sig=key.sign(self.signed_bytes))
        ordered = tuple(sorted((*self.signatures, signature), key=lambda s: s.keyid))
        return Envelope(signed=self.signed, signatures=ordered)

    def to_json(self) -> dict[str, Any]:
        return {"signed": dict(self.signed), "signatures": [s.to_json() for s in self.signatures]}

    def to_bytes(self) -> bytes:
        """The file form: canonical JSON of the envelope and a newline."""
        return canonical_json(self.to_json()) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes, *, expected_type: str | None = None) -> Envelope:
        """Parse a signed file, insisting on its one canonical byte form.

        Raises:
            MalformedDocumentError: if the bytes are not JSON, not an envelope,
                not canonical, or their signatures are unsorted or repeat a key.
        """
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedDocumentError(
                f"not valid JSON ({exc})", hint="the file is damaged or was edited"
            ) from exc
        if not isinstance(parsed, dict) or set(parsed) != {"signed", "signatures"}:
            raise MalformedDocumentError(
                "not a signed envelope", hint='expected {"signed": ..., "signatures": [...]}'
            )
        signed, raw_signatures = parsed["signed"], parsed["signatures"]
        if not isinstance(signed, dict) or not isinstance(raw_signatures, list):
            raise MalformedDocumentError("not a signed envelope")
        signatures = []
        for item in raw_signatures:
            try:
                if set(item) != {"keyid", "sig"}:
                    raise ValueError(item)
                signatures.append(Signature(keyid=item["keyid"], sig=bytes.fromhex(item["sig"])))
            except (ValueError, TypeError) as exc:
                raise MalformedDocumentError("malformed signature entry", value=item) from exc
        keyids = [s.keyid for s in signatures]
        if len(set(keyids)) != len(keyids):
            repeated = next(k for k in keyids if keyids.count(k) > 1)
            raise MalformedDocumentError(
                f"key {repeated[:16]}… signed twice; a key counts once, so a repeated"
                " signature can only be tampering",
                field="signatures",
                value=repeated,
            )
        if keyids != sorted(keyids):
            raise MalformedDocumentError(
                "signatures are not sorted by key id",
                field="signatures",
                hint="alloc writes them sorted; the file was edited",
            )
        envelope = cls(signed=signed, signatures=tuple(signatures))
        try:
            canonical = envelope.to_bytes()
        except InputError as exc:
            raise MalformedDocumentError(f"signed part is not canonical-JSON safe ({exc})") from exc
        if canonical != data:
            raise MalformedDocumentError(
                "the file is not in canonical form (RFC 8785 plus one newline)",
                hint="the file was edited or re-encoded after signing",
            )
        if expected_type is not None and signed.get("type") != expected_type:
            raise MalformedDocumentError(
                f"not a {expected_type}", field="signed.type", value=signed.get("type")
            )
        return envelope


@dataclass(frozen=True)
class Role:
    """A signing role: its trusted keys and how many must sign."""

    name: str
    keys: tuple[PublicKey, ...]
    threshold: int = 1

    def __post_init__(self) -> None:
        check_id(self.name, "role.name")
        keys = check_items(self.keys, f"role {self.name!r}.keys", what="a sequence of PublicKey")
        for index, key in enumerate(keys):
            check_instance(key, PublicKey, f"role {self.name!r}.keys[{index}]")
        object.__setattr__(self, "keys", keys)
        threshold = check_integer(self.threshold, f"role {self.name!r}.threshold")
        object.__setattr__(self, "threshold", threshold)
        if not 1 <= self.threshold <= len(self.keys):
            raise InputError(
                f"threshold must be 1 to {len(self.keys)}",
                field=f"role {self.name!r}.threshold",
                value=self.threshold,
            )


@dataclass(frozen=True)
class RoleResult:
    role: str
    valid: int
    threshold: int
    keys: int
    invalid: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.valid >= self.threshold

    def describe(self) -> str:
        text = f"{self.role} signed by {self.valid}/{self.threshold} keys"
        if self.invalid:
            text += f" ({len(self.invalid)} invalid signature(s))"
        return text


@dataclass(frozen=True)
class TrustPolicy:
    """Every role must reach its threshold (e.g. bureau 1 of 1 AND notary 1 of 2).

    A key counts once per role however many times it appears.
    """

    roles: tuple[Role, ...]

    def __post_init__(self) -> None:
        roles = check_items(self.roles, "roles", what="a sequence of Role")
        for index, role in enumerate(roles):
            check_instance(role, Role, f"roles[{index}]")
        object.__setattr__(self, "roles", roles)
        if not self.roles:
            raise InputError("a trust policy needs at least one role", field="roles")

    def evaluate(self, envelope: Envelope) -> list[RoleResult]:
        """Count valid signatures per role; never raises."""
        try:
            message = envelope.signed_bytes
        except InputError:
            message = b""
        results = []
        for role in self.roles:
            trusted = {k.keyid: k for k in role.keys}
            valid: set[str] = set()
            invalid = []
            for signature in envelope.signatures:
                key = trusted.get(signature.keyid)
                if key is None:
                    continue
                if message and key.verify(signature.sig, message):
                    valid.add(signature.keyid)
                else:
                    invalid.append(signature.keyid)
            results.append(
                RoleResult(
                    role=role.name,
                    valid=len(valid),
                    threshold=role.threshold,
                    keys=len(trusted),
                    invalid=tuple(invalid),
                )
            )
        return results

    def verify(self, envelope: Envelope, *, document: str) -> None:
        """Raises: SignatureThresholdError naming the first role short of its threshold."""
        for result in self.evaluate(envelope):
            if not result.ok:
                raise SignatureThresholdError(f"{document}: {result.describe()}")

    def to_json(self) -> dict[str, Any]:
        return {
            "roles": [
                {
                    "name": role.name,
                    "threshold": role.threshold,
                    "keys": [{"keyid": k.keyid, "public": k.raw_hex} for k in role.keys],
                }
                for role in self.roles
            ]
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrustPolicy:
        """Raises: InputError if malformed or a key id does not match its key."""
        try:
            roles = []
            for item in data["roles"]:
                keys = []
                for entry in item["keys"]:
                    key = PublicKey.from_hex(entry["public"])
                    if entry.get("keyid", key.keyid) != key.keyid:
                        raise InputError(
                            "key id does not match the public key",
                            field="keyid",
                            value=entry.get("keyid"),
                        )
                    keys.append(key)
                roles.append(
                    Role(name=item["name"], keys=tuple(keys), threshold=item.get("threshold", 1))
                )
            return cls(roles=tuple(roles))
        except (KeyError, TypeError) as exc:
            raise InputError(
                "malformed trust policy",
                field="roles",
                hint='expected {"roles": [{"name", "threshold", "keys"}]}',
            ) from exc

    @classmethod
    def of(cls, **roles: Sequence[PublicKey]) -> TrustPolicy:
        """Shorthand for 1-of-n roles: ``TrustPolicy.of(bureau=[k1], notary=[k2, k3])``."""
        return cls(roles=tuple(Role(name=n, keys=tuple(k)) for n, k in roles.items()))
