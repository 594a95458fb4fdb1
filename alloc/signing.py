"""Ed25519 keys, TUF-style signed envelopes and threshold trust policies.

An envelope is ``{"signed": {...}, "signatures": [{"keyid": ..., "sig": ...}]}``
and only the RFC 8785 bytes of ``signed`` are signed. The file form of an
envelope is its own canonical JSON followed by one newline, with signatures
sorted by key id and no key twice, so every signed file has exactly one
valid byte form (spec section 9.1).

Trust is pinned, never taken from the files being checked: a person compares
a key's :func:`fingerprint` (eight groups of five digits, read aloud at the
signing and printed on the bureau's notice) and a :class:`TrustPolicy` names
the keys of the ``bureau`` and ``notary`` roles. A signature by a trusted key
that does not verify fails the document outright.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

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
from alloc.canonical import SPEC_VERSION, canonical_json
from alloc.errors import (
    DuplicateError,
    InputError,
    InvalidSignatureError,
    MalformedDocumentError,
    SignatureThresholdError,
    TrustError,
    with_location,
)
from alloc.i18n import _, pgettext
from alloc.strictjson import Fields, parse_json

__all__ = [
    "FINGERPRINT_BITS",
    "REQUIRED_ROLES",
    "Envelope",
    "PublicKey",
    "Role",
    "RoleResult",
    "Signature",
    "SigningKey",
    "TrustPolicy",
    "fingerprint",
    "is_demo_key",
    "key_id",
    "key_label",
    "parse_pin",
    "published_keys",
]

#: Bits of the key id a fingerprint shows: 8 groups of 16 bits (spec section 9.1).
FINGERPRINT_BITS: Final = 128
#: Roles every trust policy has; no key may act for two of them.
REQUIRED_ROLES: Final = ("bureau", "notary")

_KEY_ID = re.compile("[0-9a-f]{64}")
_FINGERPRINT = re.compile(r"[0-9]{5}(?: [0-9]{5}){7}")


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, as lower-case hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def fingerprint(keyid: str) -> str:
    """The digits a person compares: the key id's first 16 bytes as 8 groups of 5 digits.

    Each group is two bytes of the key id read as a big-endian number
    (0–65535) written with five digits, so ``"0001ff…"`` starts ``"00001 65280"``.

    Raises:
        InputError: if ``keyid`` is not 64 lower-case hex digits.
    """
    if not isinstance(keyid, str) or not _KEY_ID.fullmatch(keyid):
        raise InputError(
            _("not a key id (64 lower-case hex digits)"),
            code="trust.bad-key-id",
            field="keyid",
            value=keyid,
        )
    raw = bytes.fromhex(keyid)[: FINGERPRINT_BITS // 8]
    return " ".join(f"{int.from_bytes(raw[i : i + 2], 'big'):05d}" for i in range(0, len(raw), 2))


def parse_pin(text: str, *, field: str = "--expect") -> str:
    """A pinned key as typed: its fingerprint as printed, or its full key id.

    Returns the fingerprint either way, since that is what a key is matched on.

    Raises:
        TrustError: for anything else, showing the accepted forms.
    """
    if _FINGERPRINT.fullmatch(text) and all(int(g) <= 0xFFFF for g in text.split()):
        return text
    if _KEY_ID.fullmatch(text):
        return fingerprint(text)
    raise TrustError(
        _("not a key fingerprint or key id"),
        code="trust.bad-pin",
        field=field,
        value=text,
        hint=_(
            "give the fingerprint exactly as `alloc keys fingerprint` prints it, eight groups"
            ' of five digits separated by spaces and quoted ("12345 67890 …"), or the 64-digit'
            " key id"
        ),
    )


@functools.cache
def _demo_key_ids() -> frozenset[str]:
    from alloc.demo import demo_key_ids  # noqa: PLC0415 - the demo imports this module

    return demo_key_ids()


def is_demo_key(keyid: str) -> bool:
    """True for the demo's keys, whose private halves anyone can derive from alloc's code."""
    return keyid in _demo_key_ids()


def key_label(keyid: str) -> str:
    """How a key is shown to people: its fingerprint and key id, and a DEMO warning if it is one.

    Never raises: a malformed key id is shown as it is.
    """
    try:
        text = _("fingerprint {fingerprint} (key id {keyid}…)").format(
            fingerprint=fingerprint(keyid), keyid=keyid[:16]
        )
    except InputError:
        return _("key id {keyid!r}").format(keyid=keyid)
    if is_demo_key(keyid):
        text = _("{key} [DEMO KEY: its private key is public]").format(key=text)
    return text


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
                _("not a raw Ed25519 public key in hex"),
                code="key.not-ed25519",
                field="public_key",
                value=raw_hex,
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
                _("not a PEM public key"),
                code="key.not-pem",
                field="public_key",
                hint=_("export it with `alloc keys`"),
            ) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise InputError(
                _("not an Ed25519 key"),
                code="key.not-ed25519",
                field="public_key",
                value=type(key).__name__,
            )
        return cls.from_key(key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.keyid)

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
                _("cannot load the private key"),
                code="key.cannot-load",
                field="private_key",
                hint=_("check the file and its password"),
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError(
                _("not an Ed25519 key"),
                code="key.not-ed25519",
                field="private_key",
                value=type(key).__name__,
            )
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
        check_instance(key, SigningKey, "key", hint=_("load it with SigningKey.from_pem"))
        if any(s.keyid == key.keyid for s in self.signatures):
            raise DuplicateError(
                _("this key has already signed the document"),
                code="document.signed-twice",
                field="keyid",
                value=key.keyid,
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
    def from_bytes(
        cls, data: bytes, *, expected_type: str | None = None, document: str | None = None
    ) -> Envelope:
        """Parse a signed file, insisting on its one canonical byte form.

        ``document`` names the file in errors (default: the expected type).
        Only the envelope is read here; its ``signed`` part is read strictly
        by its own type (:class:`alloc.audit.Announcement`, ...).

        Raises:
            MalformedDocumentError: if the bytes are not strict JSON, not an
                envelope, not canonical, of another type, or their signatures
                are unsorted or repeat a key.
        """
        name = document or expected_type or _("signed document")
        fields = Fields.of(parse_json(data, document=name), document=name)
        signed = fields.object("signed").data
        signatures = []
        for item in fields.objects("signatures"):
            keyid = item.string("keyid")
            if not _KEY_ID.fullmatch(keyid):
                raise item.error(
                    "keyid",
                    _("expected {count} lower-case hexadecimal digits").format(count=64),
                    keyid,
                    code="document.not-hex",
                )
            signatures.append(Signature(keyid=keyid, sig=item.hex("sig", size=64)))
            item.done()
        fields.done()
        keyids = [s.keyid for s in signatures]
        if len(set(keyids)) != len(keyids):
            repeated = next(k for k in keyids if keyids.count(k) > 1)
            raise MalformedDocumentError(
                _(
                    "key {keyid}… signed twice; a key counts once, so a repeated"
                    " signature can only be tampering"
                ).format(keyid=repeated[:16]),
                code="document.signature-repeated",
                source=name,
                field="signatures",
                value=repeated,
            )
        if keyids != sorted(keyids):
            raise MalformedDocumentError(
                _("signatures are not sorted by key id"),
                code="document.signatures-unsorted",
                source=name,
                field="signatures",
                hint=_("alloc writes them sorted; the file was edited"),
            )
        envelope = cls(signed=signed, signatures=tuple(signatures))
        try:
            canonical = envelope.to_bytes()
        except InputError as exc:
            raise MalformedDocumentError(
                _("signed part is not canonical-JSON safe ({reason})").format(reason=exc),
                code="document.not-canonical",
                source=name,
            ) from exc
        if canonical != data:
            raise MalformedDocumentError(
                _("the file is not in canonical form (RFC 8785 plus one newline)"),
                code="document.not-canonical",
                source=name,
                hint=_("the file was edited or re-encoded after signing"),
            )
        if expected_type is not None and signed.get("type") != expected_type:
            raise MalformedDocumentError(
                _("not a {type}").format(type=expected_type),
                code="document.other-type",
                source=name,
                field="signed.type",
                value=signed.get("type"),
            )
        return envelope


@dataclass(frozen=True)
class Role:
    """A signing role: its trusted keys and how many must sign.

    Raises:
        InputError: if the name is not an identifier, a key repeats or the
            threshold is not 1 to the number of keys.
    """

    name: str
    keys: tuple[PublicKey, ...]
    threshold: int = 1

    def __post_init__(self) -> None:
        check_id(self.name, "role.name")
        keys = check_items(
            self.keys,
            f"role {self.name!r}.keys",
            what=_("a sequence of {kind}").format(kind="PublicKey"),
        )
        for index, key in enumerate(keys):
            check_instance(key, PublicKey, f"role {self.name!r}.keys[{index}]")
        object.__setattr__(self, "keys", keys)
        ids = [k.keyid for k in self.keys]
        if len(set(ids)) != len(ids):
            repeated = next(k for k in ids if ids.count(k) > 1)
            raise DuplicateError(
                _("role {role!r} lists the key with {key} twice").format(
                    role=self.name, key=key_label(repeated)
                ),
                code="trust.key-repeated",
                field=f"role {self.name!r}.keys",
                hint=_("a key counts once; list each key once"),
            )
        threshold = check_integer(self.threshold, f"role {self.name!r}.threshold")
        object.__setattr__(self, "threshold", threshold)
        if not 1 <= self.threshold <= len(self.keys):
            raise InputError(
                _("threshold must be 1 to {count}").format(count=len(self.keys)),
                code="trust.threshold-range",
                field=f"role {self.name!r}.threshold",
                value=self.threshold,
            )


@dataclass(frozen=True)
class RoleResult:
    """How one role signed one document.

    ``signers`` are the role's keys with a valid signature, ``invalid`` its
    keys whose signature does not verify (each fails the document).
    """

    role: str
    threshold: int
    keys: int
    signers: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()

    @property
    def valid(self) -> int:
        return len(self.signers)

    @property
    def ok(self) -> bool:
        return self.valid >= self.threshold and not self.invalid

    def describe(self) -> str:
        """E.g. ``bureau signed by 1/1 keys: fingerprint 12345 … (key id 3f2a…)``."""
        text = _("{role} signed by {valid}/{threshold} keys").format(
            role=self.role, valid=self.valid, threshold=self.threshold
        )
        if self.signers:
            text = _("{summary}: {keys}").format(
                summary=text, keys=", ".join(key_label(k) for k in self.signers)
            )
        if self.invalid:
            text = _("{summary}; INVALID signature by {keys}").format(
                summary=text, keys=", ".join(key_label(k) for k in self.invalid)
            )
        return text

    def to_json(self) -> dict[str, Any]:
        def keys(ids: Sequence[str]) -> list[dict[str, Any]]:
            return [
                {"keyid": k, "fingerprint": fingerprint(k), "demo": is_demo_key(k)} for k in ids
            ]

        return {
            "role": self.role,
            "threshold": self.threshold,
            "ok": self.ok,
            "signed": keys(self.signers),
            "invalid": keys(self.invalid),
        }


@dataclass(frozen=True)
class TrustPolicy:
    """Every role must reach its threshold (e.g. bureau 1 of 1 AND notary 1 of 2).

    A policy has a ``bureau`` and a ``notary`` role, and no key (nor two keys
    sharing a fingerprint) belongs to two roles: one person must never count
    as two. A key counts once per role however many times it signs.

    Raises:
        TrustError: if a required role is missing, a role name repeats, or a
            key (or fingerprint) is in two roles.
    """

    roles: tuple[Role, ...]

    def __post_init__(self) -> None:
        roles = check_items(self.roles, "roles", what=_("a sequence of {kind}").format(kind="Role"))
        for index, role in enumerate(roles):
            check_instance(role, Role, f"roles[{index}]")
        object.__setattr__(self, "roles", roles)
        names = [r.name for r in self.roles]
        for required in REQUIRED_ROLES:
            if required not in names:
                raise TrustError(
                    _("a trust policy needs a {role!r} role").format(role=required),
                    code="trust.missing-role",
                    field="roles",
                    value=names,
                    hint=_(
                        "give the bureau's and the notary's keys (alloc policy create"
                        " --role bureau=KEY.pub --role notary=KEY.pub)"
                    ),
                )
        if len(set(names)) != len(names):
            repeated = next(n for n in names if names.count(n) > 1)
            raise TrustError(
                _("a role is named twice"), code="trust.role-twice", field="roles", value=repeated
            )
        owner: dict[str, str] = {}
        for role in self.roles:
            for key in role.keys:
                other = owner.setdefault(key.fingerprint, role.name)
                if other != role.name:
                    raise TrustError(
                        _(
                            "the key with {key} is in both roles {first!r} and {second!r}:"
                            " one key would count as two independent signers"
                        ).format(key=key_label(key.keyid), first=other, second=role.name),
                        code="trust.key-in-two-roles",
                        field=f"role {role.name!r}.keys",
                        hint=_("each role needs its own keys; generate one per person"),
                    )

    def role(self, name: str) -> Role:
        """Raises: TrustError if the policy has no such role."""
        for role in self.roles:
            if role.name == name:
                return role
        raise TrustError(
            _("the trust policy has no such role"),
            code="trust.no-such-role",
            field="role",
            value=name,
        )

    def roles_of(self, keyid: str) -> tuple[str, ...]:
        """The roles ``keyid`` belongs to (at most one)."""
        return tuple(r.name for r in self.roles if any(k.keyid == keyid for k in r.keys))

    def evaluate(self, envelope: Envelope) -> list[RoleResult]:
        """Count valid signatures per role and name invalid ones; never raises."""
        try:
            message = envelope.signed_bytes
        except InputError:
            message = b""
        results = []
        for role in self.roles:
            trusted = {k.keyid: k for k in role.keys}
            valid: set[str] = set()
            invalid: set[str] = set()
            for signature in envelope.signatures:
                key = trusted.get(signature.keyid)
                if key is None:
                    continue
                if message and key.verify(signature.sig, message):
                    valid.add(signature.keyid)
                else:
                    invalid.add(signature.keyid)
            results.append(
                RoleResult(
                    role=role.name,
                    threshold=role.threshold,
                    keys=len(trusted),
                    signers=tuple(sorted(valid)),
                    invalid=tuple(sorted(invalid)),
                )
            )
        return results

    def untrusted(self, envelope: Envelope) -> tuple[str, ...]:
        """Key ids that signed ``envelope`` but are in no role (they never count)."""
        trusted = {k.keyid for role in self.roles for k in role.keys}
        return tuple(s.keyid for s in envelope.signatures if s.keyid not in trusted)

    def describe(self, envelope: Envelope) -> str:
        """Who signed, per role, and which signatures were not counted; never raises."""
        text = pgettext("list of notes", "; ").join(r.describe() for r in self.evaluate(envelope))
        strangers = self.untrusted(envelope)
        if strangers:
            text = _("{summary}; not counted, not in the trust policy: {keys}").format(
                summary=text, keys=", ".join(key_label(k) for k in strangers)
            )
        return text

    def verify(self, envelope: Envelope, *, document: str) -> list[RoleResult]:
        """Check ``envelope`` against every role; returns the per-role results.

        Raises:
            InvalidSignatureError: naming the role and key of a trusted key whose
                signature does not verify (evidence of tampering).
            SignatureThresholdError: naming the first role short of its
                threshold and the keys that signed instead.
        """
        results = self.evaluate(envelope)
        for result in results:
            for keyid in result.invalid:
                raise InvalidSignatureError(
                    _(
                        "{document}: the signature of the {role} key with {key} does not"
                        " verify: the document was changed after it was signed, or the"
                        " signature was damaged"
                    ).format(document=document, role=result.role, key=key_label(keyid))
                )
        for result in results:
            if not result.ok:
                text = with_location(document, result.describe())
                strangers = self.untrusted(envelope)
                if strangers:
                    text = _(
                        "{summary}; signed instead by keys not in the trust policy: {keys}"
                    ).format(summary=text, keys=", ".join(key_label(k) for k in strangers))
                raise SignatureThresholdError(text)
        return results

    def to_json(self) -> dict[str, Any]:
        return {
            "spec": SPEC_VERSION,
            "roles": [
                {
                    "name": role.name,
                    "threshold": role.threshold,
                    "keys": [
                        {"keyid": k.keyid, "fingerprint": k.fingerprint, "public": k.raw_hex}
                        for k in role.keys
                    ],
                }
                for role in self.roles
            ],
        }

    def to_bytes(self) -> bytes:
        """The file form: canonical JSON and a newline."""
        return canonical_json(self.to_json()) + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes, *, document: str | None = None) -> TrustPolicy:
        """Read a trust file strictly (spec section 9.1).

        Raises:
            MalformedDocumentError: for malformed JSON, an unknown or missing key,
                a wrong type, another spec version, or a key id or fingerprint
                that does not match its public key.
            TrustError: if the policy itself is not acceptable (see the class).
        """
        name = document or _("trust policy")
        return cls.from_json(parse_json(data, document=name), document=name)

    @classmethod
    def from_json(cls, data: object, *, document: str | None = None) -> TrustPolicy:
        """As :meth:`from_bytes`, from parsed JSON."""
        fields = Fields.of(data, document=document or _("trust policy"))
        spec = fields.value("spec")
        if spec != SPEC_VERSION or isinstance(spec, bool):
            raise fields.error(
                "spec",
                _("written for spec version {spec!r}; this is alloc for spec {supported}").format(
                    spec=spec, supported=SPEC_VERSION
                ),
                spec,
                code="document.spec-version",
            )
        roles = fields.each("roles", _read_role)
        fields.done()
        try:
            return cls(roles=tuple(roles))
        except InputError as exc:
            raise exc.at(source=document) from exc

    @classmethod
    def of(cls, **roles: Sequence[PublicKey]) -> TrustPolicy:
        """Shorthand for 1-of-n roles: ``TrustPolicy.of(bureau=[k1], notary=[k2, k3])``."""
        return cls(roles=tuple(Role(name=n, keys=tuple(k)) for n, k in roles.items()))

    @classmethod
    def from_pins(cls, pins: Mapping[str, Sequence[str]], keys: Sequence[PublicKey]) -> TrustPolicy:
        """A policy from pinned fingerprints: each role needs one signature by its pinned keys.

        ``pins`` maps a role to fingerprints a person compared with the
        bureau's publication; ``keys`` are public keys from anywhere (the
        draw's own published trust file will do: a key is taken only if its
        fingerprint is pinned, and a fingerprint has 128 bits).

        Raises:
            TrustError: naming the role and fingerprint that no key (or more
                than one) matches, or a policy the class refuses.
        """
        roles = []
        for name, fingerprints in pins.items():
            chosen: dict[str, PublicKey] = {}
            for wanted in fingerprints:
                matches = {k.keyid: k for k in keys if k.fingerprint == wanted}
                if not matches:
                    found = "; ".join(sorted({key_label(k.keyid) for k in keys})) or _("none")
                    raise TrustError(
                        _(
                            "no key with the fingerprint pinned for role {role!r} ({fingerprint})"
                            " is among the keys published with these files (they have: {found})"
                        ).format(role=name, fingerprint=wanted, found=found),
                        code="trust.pin-not-found",
                        field="--expect",
                        hint=_(
                            "these files were not signed by the keys you pinned: compare the"
                            " fingerprint with the bureau's official publication again"
                        ),
                    )
                if len(matches) > 1:
                    raise TrustError(
                        _(
                            "{count} different keys share the fingerprint {fingerprint}: someone"
                            " made keys to collide with it"
                        ).format(count=len(matches), fingerprint=wanted),
                        code="trust.pin-collision",
                        field="--expect",
                        value=sorted(matches),
                    )
                chosen.update(matches)
            roles.append(Role(name=name, keys=tuple(chosen.values())))
        return cls(roles=tuple(roles))


def published_keys(data: bytes, *, document: str) -> tuple[PublicKey, ...]:
    """Every public key in a trust file, without trusting it (for :meth:`TrustPolicy.from_pins`).

    Raises:
        MalformedDocumentError: if the file is not a strictly valid trust file.
    """
    fields = Fields.of(parse_json(data, document=document), document=document)
    fields.value("spec")
    found: dict[str, PublicKey] = {}
    for role in fields.objects("roles"):
        for entry in role.objects("keys"):
            key = PublicKey.from_hex(entry.hex("public", size=32).hex())
            found.setdefault(key.keyid, key)
    return tuple(found.values())


def _read_role(item: Fields) -> Role:
    name = item.string("name")
    keys = []
    for entry in item.objects("keys"):
        raw = entry.hex("public", size=32)
        try:
            key = PublicKey.from_hex(raw.hex())
        except InputError as exc:
            raise entry.error(
                "public", _("not an Ed25519 public key"), raw.hex(), code="key.not-ed25519"
            ) from exc
        if entry.string("keyid") != key.keyid:
            raise entry.error(
                "keyid",
                _("does not match the public key"),
                entry.data["keyid"],
                code="document.keyid-mismatch",
            )
        if entry.string("fingerprint") != key.fingerprint:
            raise entry.error(
                "fingerprint",
                _("does not match the public key"),
                entry.data["fingerprint"],
                code="document.fingerprint-mismatch",
            )
        entry.done()
        keys.append(key)
    threshold = item.integer("threshold", minimum=1, maximum=max(len(keys), 1))
    try:
        return Role(name=name, keys=tuple(keys), threshold=threshold)
    except InputError as exc:
        where = "name" if exc.field == "role.name" else "keys"
        raise item.error(where, exc.problem, exc.value, code=exc.code) from exc
