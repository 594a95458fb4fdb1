"""The public seed ceremony: commitments, reveals, external sources, the seed.

The ceremony is a small state machine over immutable values. Every step
returns a new :class:`Ceremony`; a step taken out of order raises
:class:`~alloc.errors.CeremonyStateError` and leaves nothing changed::

    c = Ceremony.begin("2026-tianhe-kg", sources=[lottery], fallbacks=[beacon])
    c = c.commit("bureau", commitment("2026-tianhe-kg", "bureau", secret), fallback="beacon")
    c = c.fix_plan()                   # the plan goes into the announcement
    c = c.open(announcement_digest)    # after the applicant list is frozen
    c = c.reveal("bureau", secret)
    c = c.add_source("lottery", [3, 17, 22])
    record = c.finish()                # record.seed: 32 bytes

The plan names, for every party, a fallback source whose value replaces that
party's contribution if it never reveals, so no one can abort to force a
re-roll (spec section 4).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from alloc._check import (
    check_bytes,
    check_enum,
    check_id,
    check_instance,
    check_items,
    check_text,
    type_name,
)
from alloc.canonical import SPEC_VERSION, Tag, canonical_json, check_identifier, tagged_hash
from alloc.errors import (
    CeremonyError,
    CeremonyStateError,
    DuplicateError,
    InputError,
    RevealMismatchError,
    SeedMismatchError,
    UnannouncedSourceError,
    UnknownPartyError,
    WrongTypeError,
)

__all__ = [
    "COMMITMENT_SIZE",
    "SEED_SIZE",
    "Ceremony",
    "CeremonyRecord",
    "Contribution",
    "Party",
    "SeedPlan",
    "Source",
    "SourceKind",
    "SourceValue",
    "Stage",
    "canonical_source_value",
    "commitment",
    "derive_seed",
    "new_secret",
    "parse_seed",
    "rfc3797_key",
    "rfc3797_select",
]

SEED_SIZE = 32
COMMITMENT_SIZE = 32
MIN_SECRET_SIZE = 16
MAX_SECRET_SIZE = 64


class SourceKind(enum.Enum):
    """How an external source's value is written down canonically."""

    #: Non-negative integers, sorted ascending, each followed by ".", then "/"
    #: (the RFC 3797 rule): ``[12, 5, 8]`` -> ``"5.8.12./"``.
    NUMBERS = "numbers"
    #: Free text, NFC-normalised with surrounding whitespace removed.
    TEXT = "text"
    #: Bytes, such as a randomness-beacon round value, as lower-case hex.
    HEX = "hex"


#: The string values :class:`Source` also accepts for its kind.
SourceKindName = Literal["numbers", "text", "hex"]


class Stage(enum.Enum):
    """Where a ceremony is: parties commit, the plan is fixed, then reveals."""

    COMMITTING = "committing"
    PLAN_FIXED = "plan-fixed"
    REVEALING = "revealing"


@dataclass(frozen=True)
class Source:
    """An external public source named in advance (lottery draw, dice, beacon)."""

    name: str
    kind: SourceKind
    description: str = ""

    def __init__(self, name: str, kind: SourceKind | SourceKindName, description: str = "") -> None:
        """Raises: InputError (a WrongTypeError for a wrong type) naming the field."""
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "description", description)
        self.__post_init__()

    def __post_init__(self) -> None:
        check_id(self.name, "source.name")
        object.__setattr__(self, "kind", check_enum(SourceKind, self.kind, "source.kind"))
        check_text(self.description, f"source {self.name!r}.description")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Source:
        """Raises: InputError on a missing field or unknown kind."""
        try:
            kind = SourceKind(data["kind"])
            return cls(name=data["name"], kind=kind, description=data.get("description", ""))
        except (KeyError, ValueError) as exc:
            raise InputError("malformed source", field="source", value=dict(data)) from exc


@dataclass(frozen=True)
class Party:
    """A ceremony party, its published commitment and its declared fallback source."""

    name: str
    commitment: bytes
    fallback: str

    def __post_init__(self) -> None:
        check_id(self.name, "party.name")
        check_id(self.fallback, "party.fallback")
        commitment = check_bytes(
            self.commitment, f"party {self.name!r}.commitment", size=COMMITMENT_SIZE
        )
        object.__setattr__(self, "commitment", commitment)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "commitment": self.commitment.hex(), "fallback": self.fallback}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Party:
        """Raises: InputError on a missing field or bad hex."""
        try:
            return cls(
                name=data["name"],
                commitment=bytes.fromhex(data["commitment"]),
                fallback=data["fallback"],
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError("malformed party", field="party", value=dict(data)) from exc


@dataclass(frozen=True)
class SeedPlan:
    """Everything about the seed fixed before any randomness exists.

    It is published inside the announcement: the parties with their
    commitments and fallbacks, the sources always read, and the fallback
    sources read only for a party that never reveals.
    """

    draw_id: str
    parties: tuple[Party, ...]
    sources: tuple[Source, ...]
    fallbacks: tuple[Source, ...] = ()

    def __post_init__(self) -> None:
        check_id(self.draw_id, "draw_id")
        for label, kind in (("parties", Party), ("sources", Source), ("fallbacks", Source)):
            given = check_items(getattr(self, label), label, what=f"a sequence of {kind.__name__}")
            for index, item in enumerate(given):
                check_instance(item, kind, f"{label}[{index}]")
            object.__setattr__(self, label, given)
        _unique((p.name for p in self.parties), "party")
        _unique((s.name for s in (*self.sources, *self.fallbacks)), "source")
        fallback_names = {s.name for s in self.fallbacks}
        for party in self.parties:
            if party.fallback not in fallback_names:
                raise InputError(
                    "party names a fallback source that is not declared",
                    field=f"party {party.name!r}.fallback",
                    value=party.fallback,
                    hint="declare it among the plan's fallback sources",
                )
        if not self.parties and not self.sources:
            raise InputError(
                "a seed plan needs at least one party or source",
                field="plan",
                hint="add the parties who will commit, or a public source",
            )

    def party(self, name: str) -> Party:
        """Raises: UnknownPartyError if ``name`` is not in the plan."""
        for party in self.parties:
            if party.name == name:
                return party
        known = ", ".join(p.name for p in self.parties) or "none"
        raise UnknownPartyError(f"party {name!r} is not in the seed plan (parties: {known})")

    def source(self, name: str) -> Source:
        """Raises: UnannouncedSourceError if ``name`` was not announced."""
        for source in (*self.sources, *self.fallbacks):
            if source.name == name:
                return source
        known = ", ".join(s.name for s in (*self.sources, *self.fallbacks)) or "none"
        raise UnannouncedSourceError(
            f"source {name!r} was not announced in the seed plan (announced: {known})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "parties": [p.to_json() for p in self.parties],
            "sources": [s.to_json() for s in self.sources],
            "fallbacks": [s.to_json() for s in self.fallbacks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SeedPlan:
        """Raises: InputError if the document is malformed."""
        try:
            return cls(
                draw_id=data["draw_id"],
                parties=tuple(Party.from_json(p) for p in data["parties"]),
                sources=tuple(Source.from_json(s) for s in data["sources"]),
                fallbacks=tuple(Source.from_json(s) for s in data.get("fallbacks", [])),
            )
        except (KeyError, TypeError) as exc:
            raise InputError("malformed seed plan", field="seed_plan") from exc


@dataclass(frozen=True)
class Contribution:
    """One party's part of the seed: its revealed secret, or its fallback source."""

    party: str
    secret: bytes | None = None
    fallback: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.secret is not None:
            return {"party": self.party, "reveal": self.secret.hex()}
        return {"party": self.party, "fallback": self.fallback}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contribution:
        """Raises: InputError if malformed."""
        try:
            if "reveal" in data:
                return cls(party=data["party"], secret=bytes.fromhex(data["reveal"]))
            return cls(party=data["party"], fallback=data["fallback"])
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError("malformed contribution", field="contribution") from exc


@dataclass(frozen=True)
class SourceValue:
    """A source's value in canonical form (see :func:`canonical_source_value`)."""

    name: str
    kind: SourceKind
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceValue:
        """Raises: InputError if malformed."""
        try:
            return cls(name=data["name"], kind=SourceKind(data["kind"]), value=data["value"])
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError("malformed source value", field="source") from exc


_SEED_DIGITS = frozenset("0123456789abcdef")


def parse_seed(seed: bytes | str) -> bytes:
    """A draw seed as 32 bytes, given as 32 bytes or as 64 lower-case hex digits.

    The hex form is exactly what a ceremony record and a transcript print (no
    ``0x``, no spaces, no upper case): one accepted text form, so a seed
    typed from a transcript either is that seed or is refused.

    Raises:
        WrongTypeError: for anything but bytes or text.
        InputError: for bytes that are not 32 long, or text that is not 64
            lower-case hexadecimal digits (the message says which rule failed).
    """
    if isinstance(seed, bytes | bytearray | memoryview):
        raw = bytes(seed)
        if len(raw) != SEED_SIZE:
            raise InputError(
                f"seed must be exactly {SEED_SIZE} bytes, got {len(raw)}",
                field="seed",
                hint="use the seed of the ceremony record, or its 64 hex digits",
            )
        return raw
    if not isinstance(seed, str):
        raise WrongTypeError(
            f"seed must be {SEED_SIZE} bytes or {2 * SEED_SIZE} hex digits, got {type_name(seed)}",
            field="seed",
            hint="use CeremonyRecord.seed, or the seed as the transcript prints it",
        )
    if len(seed) != 2 * SEED_SIZE:
        raise InputError(
            f"seed must be {2 * SEED_SIZE} hex digits, got {len(seed)} characters",
            field="seed",
            hint="copy the whole seed from the transcript, without 0x or spaces",
        )
    if not _SEED_DIGITS.issuperset(seed):
        upper = _SEED_DIGITS.issuperset(seed.lower())
        raise InputError(
            "seed must be written in lower case" if upper else "seed must be hexadecimal digits",
            field="seed",
            hint="write it as the transcript does: 64 characters from 0-9 and a-f",
        )
    return bytes.fromhex(seed)


def new_secret() -> bytes:
    """A fresh 32-byte contribution from the operating system's CSPRNG."""
    return secrets.token_bytes(32)


def commitment(draw_id: str, party: str, secret: bytes) -> bytes:
    """SHA-256("alloc/v1/commitment" 0x00 draw_id 0x00 party 0x00 secret).

    Raises:
        InputError: if an identifier is malformed or the secret is not 16–64 bytes.
    """
    check_identifier(draw_id, "draw_id")
    check_identifier(party, "party")
    _check_secret(secret, party)
    return tagged_hash(Tag.COMMITMENT, draw_id, party, secret)


def _check_secret(secret: object, party: str) -> None:
    # A secret is never echoed: a mistyped one may be shown on the livestream
    # before the reveal, when it must still be secret.
    where = f"party {party!r}.secret"
    if not isinstance(secret, bytes):
        hint = (
            "bytes.fromhex() turns the hex of a secret file into bytes"
            if isinstance(secret, str)
            else "use alloc.seed.new_secret() for a 32-byte secret"
        )
        raise WrongTypeError(
            f"secret must be bytes, got {type_name(secret)}", field=where, hint=hint
        )
    if not MIN_SECRET_SIZE <= len(secret) <= MAX_SECRET_SIZE:
        raise InputError(
            f"secret must be {MIN_SECRET_SIZE} to {MAX_SECRET_SIZE} bytes, got {len(secret)}",
            field=where,
            hint="use alloc.seed.new_secret() for a 32-byte secret",
        )


def canonical_source_value(kind: SourceKind, value: object, *, name: str = "source") -> str:
    """Write a source value in its canonical text form (spec section 4.3).

    Raises:
        InputError: if the value does not fit the kind (a negative or non-integer
            number, empty text, bad hex).
    """
    where = f"source {name!r}"
    if kind is SourceKind.NUMBERS:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise InputError("expected a list of integers", field=where, value=value)
        numbers = list(value)
        if not numbers:
            raise InputError("no numbers given", field=where, value=value)
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise InputError("numbers must be non-negative integers", field=where, value=number)
        return "".join(f"{n}." for n in sorted(numbers)) + "/"
    if kind is SourceKind.TEXT:
        if not isinstance(value, str):
            raise InputError("expected text", field=where, value=value)
        text = unicodedata.normalize("NFC", value).strip()
        if not text:
            raise InputError("empty text", field=where, value=value)
        if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in text):
            raise InputError("text contains a control character", field=where, value=value)
        return text
    if isinstance(value, str):
        digits = "".join(value.split())
        if len(digits) % 2:
            raise InputError(
                f"has an odd number of hex digits ({len(digits)})",
                field=where,
                value=value,
                hint="a byte is two hex digits; check for a lost digit",
            )
        try:
            value = bytes.fromhex(digits)
        except ValueError as exc:
            raise InputError(
                "not hexadecimal", field=where, value=value, hint="use only 0-9 and a-f"
            ) from exc
    if not isinstance(value, bytes) or not value:
        raise InputError("expected non-empty bytes or hex", field=where, value=value)
    return value.hex()


def derive_seed(
    *,
    draw_id: str,
    announcement_digest: bytes,
    contributions: Sequence[Contribution],
    sources: Sequence[SourceValue],
) -> bytes:
    """The seed: SHA-256("alloc/v1/seed" 0x00 JCS(seed input)), spec section 4.4.

    Contributions are sorted by party and sources by name, so the order they
    are given in never matters. This function does not check commitments; use
    :class:`Ceremony` or :meth:`CeremonyRecord.verify` for that.

    Raises:
        InputError: on a malformed digest or identifier.
    """
    document = seed_input(
        draw_id=draw_id,
        announcement_digest=announcement_digest,
        contributions=contributions,
        sources=sources,
    )
    return tagged_hash(Tag.SEED, canonical_json(document))


def seed_input(
    *,
    draw_id: str,
    announcement_digest: bytes,
    contributions: Sequence[Contribution],
    sources: Sequence[SourceValue],
) -> dict[str, Any]:
    """The JSON object hashed into the seed (before canonicalisation).

    Raises:
        InputError: on a malformed digest or identifier.
    """
    check_identifier(draw_id, "draw_id")
    if not isinstance(announcement_digest, bytes) or len(announcement_digest) != 32:
        raise InputError(
            "announcement digest must be 32 bytes",
            field="announcement_digest",
            value=announcement_digest,
        )
    return {
        "spec": SPEC_VERSION,
        "draw_id": draw_id,
        "announcement": announcement_digest.hex(),
        "contributions": [c.to_json() for c in sorted(contributions, key=lambda c: c.party)],
        "sources": [s.to_json() for s in sorted(sources, key=lambda s: s.name)],
    }


@dataclass(frozen=True)
class CeremonyRecord:
    """A finished ceremony: what the transcript carries and anyone can re-check."""

    plan: SeedPlan
    announcement_digest: bytes
    contributions: tuple[Contribution, ...]
    sources: tuple[SourceValue, ...]
    seed: bytes

    def verify(self) -> None:
        """Re-check every reveal against its commitment and re-derive the seed.

        Raises:
            RevealMismatchError: if a reveal does not match its commitment.
            SeedMismatchError: if the recorded seed is not the derived one.
            CeremonyError: if a contribution or source is missing, extra or
                unannounced.
        """
        ceremony = Ceremony.from_plan(self.plan).open(self.announcement_digest)
        for contribution in self.contributions:
            if contribution.secret is not None:
                ceremony = ceremony.reveal(contribution.party, contribution.secret)
            else:
                ceremony = ceremony.default(contribution.party)
                declared = self.plan.party(contribution.party).fallback
                if contribution.fallback != declared:
                    raise CeremonyError(
                        f"party {contribution.party!r} fell back to {contribution.fallback!r},"
                        f" but the plan declared {declared!r}"
                    )
        for value in self.sources:
            source = self.plan.source(value.name)
            if value.kind is not source.kind:
                raise CeremonyError(
                    f"source {value.name!r} is recorded as kind {value.kind.value!r},"
                    f" but was announced as {source.kind.value!r}"
                )
            ceremony = ceremony.add_source(value.name, _parse_source_value(value))
            if ceremony.source_values[-1].value != value.value:
                raise CeremonyError(
                    f"source {value.name!r} value {value.value!r} is not in canonical form"
                )
        seed = ceremony.finish().seed
        if not hmac.compare_digest(seed, self.seed):
            raise SeedMismatchError(
                f"recorded seed {self.seed.hex()} is not the derived seed {seed.hex()}"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_json(),
            "announcement": self.announcement_digest.hex(),
            "contributions": [c.to_json() for c in self.contributions],
            "sources": [s.to_json() for s in self.sources],
            "seed": self.seed.hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CeremonyRecord:
        """Raises: InputError if the document is malformed."""
        try:
            return cls(
                plan=SeedPlan.from_json(data["plan"]),
                announcement_digest=bytes.fromhex(data["announcement"]),
                contributions=tuple(Contribution.from_json(c) for c in data["contributions"]),
                sources=tuple(SourceValue.from_json(s) for s in data["sources"]),
                seed=bytes.fromhex(data["seed"]),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError("malformed ceremony record", field="ceremony") from exc


@dataclass(frozen=True)
class Ceremony:
    """The seed ceremony as an immutable state machine (see the module docstring)."""

    draw_id: str
    sources: tuple[Source, ...]
    fallbacks: tuple[Source, ...]
    parties: tuple[Party, ...] = ()
    stage: Stage = Stage.COMMITTING
    announcement_digest: bytes | None = None
    contributions: tuple[Contribution, ...] = ()
    source_values: tuple[SourceValue, ...] = field(default=())

    @classmethod
    def begin(
        cls, draw_id: str, *, sources: Sequence[Source], fallbacks: Sequence[Source] = ()
    ) -> Ceremony:
        """Start a ceremony whose external and fallback sources are named now.

        Raises:
            InputError: on a malformed draw id or a repeated source name.
        """
        check_id(draw_id, "draw_id")
        named: dict[str, tuple[Source, ...]] = {}
        for label, given in (("sources", sources), ("fallbacks", fallbacks)):
            named[label] = check_items(given, label, what="a sequence of Source")  # type: ignore[assignment]
            for index, item in enumerate(named[label]):
                check_instance(item, Source, f"{label}[{index}]")
        _unique((s.name for s in (*named["sources"], *named["fallbacks"])), "source")
        return cls(draw_id=draw_id, sources=named["sources"], fallbacks=named["fallbacks"])

    @classmethod
    def from_plan(cls, plan: SeedPlan) -> Ceremony:
        """A ceremony whose plan is already fixed (e.g. read from an announcement)."""
        return cls(
            draw_id=plan.draw_id,
            sources=plan.sources,
            fallbacks=plan.fallbacks,
            parties=plan.parties,
            stage=Stage.PLAN_FIXED,
        )

    def _require(self, stage: Stage, action: str) -> None:
        if self.stage is not stage:
            raise CeremonyStateError(
                f"cannot {action}: the ceremony is at stage {self.stage.value!r},"
                f" this step belongs to stage {stage.value!r}"
            )

    def commit(self, party: str, commitment_value: bytes, *, fallback: str) -> Ceremony:
        """Record ``party``'s published commitment and its fallback source.

        Raises:
            CeremonyStateError: if the plan is already fixed.
            DuplicateError: if ``party`` already committed.
            InputError: if the fallback source is not declared or the
                commitment is not 32 bytes.
        """
        check_id(party, "party")
        check_id(fallback, f"party {party!r}.fallback")
        self._require(Stage.COMMITTING, f"commit for {party!r}")
        if any(p.name == party for p in self.parties):
            raise DuplicateError(
                "party has already committed",
                field="party",
                value=party,
                hint="each party commits exactly once; use a distinct name per person",
            )
        if fallback not in {s.name for s in self.fallbacks}:
            raise InputError(
                "fallback source is not declared for this ceremony",
                field=f"party {party!r}.fallback",
                value=fallback,
                hint="name it in Ceremony.begin(..., fallbacks=[...])",
            )
        new_party = Party(name=party, commitment=commitment_value, fallback=fallback)
        return replace(self, parties=(*self.parties, new_party))

    def fix_plan(self) -> Ceremony:
        """Close commitments; the plan can now go into the announcement.

        Raises:
            CeremonyStateError: if the plan is already fixed.
            InputError: if the plan is empty.
        """
        self._require(Stage.COMMITTING, "fix the plan")
        self._plan()
        return replace(self, stage=Stage.PLAN_FIXED)

    def _plan(self) -> SeedPlan:
        return SeedPlan(
            draw_id=self.draw_id,
            parties=self.parties,
            sources=self.sources,
            fallbacks=self.fallbacks,
        )

    @property
    def plan(self) -> SeedPlan:
        """The fixed seed plan.

        Raises:
            CeremonyStateError: while parties are still committing.
        """
        if self.stage is Stage.COMMITTING:
            raise CeremonyStateError("the seed plan is not fixed yet; call fix_plan() first")
        return self._plan()

    def open(self, announcement_digest: bytes) -> Ceremony:
        """Open reveals, binding the seed to the published announcement.

        Raises:
            CeremonyStateError: unless the plan is fixed and reveals not yet open.
            InputError: if the digest is not 32 bytes.
        """
        self._require(Stage.PLAN_FIXED, "open reveals")
        if not isinstance(announcement_digest, bytes) or len(announcement_digest) != 32:
            raise InputError(
                "announcement digest must be 32 bytes (SHA-256)",
                field="announcement_digest",
                value=announcement_digest,
            )
        return replace(self, stage=Stage.REVEALING, announcement_digest=announcement_digest)

    def _settled(self, party: str) -> Contribution | None:
        for contribution in self.contributions:
            if contribution.party == party:
                return contribution
        return None

    def reveal(self, party: str, secret: bytes) -> Ceremony:
        """Accept ``party``'s secret if it matches the published commitment.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the party already
                revealed or was declared in default.
            UnknownPartyError: if the party is not in the plan.
            RevealMismatchError: if the secret does not match the commitment.
        """
        self._require(Stage.REVEALING, f"reveal for {party!r}")
        declared = self._plan().party(party)
        if (earlier := self._settled(party)) is not None:
            what = "revealed" if earlier.secret is not None else "been declared in default"
            raise CeremonyStateError(f"party {party!r} has already {what}")
        _check_secret(secret, party)
        expected = commitment(self.draw_id, party, secret)
        if not hmac.compare_digest(expected, declared.commitment):
            raise RevealMismatchError(
                f"reveal of party {party!r} does not match its commitment:"
                f" it hashes to {expected.hex()}, the plan holds {declared.commitment.hex()}"
            )
        return replace(
            self, contributions=(*self.contributions, Contribution(party=party, secret=secret))
        )

    def default(self, party: str) -> Ceremony:
        """Declare that ``party`` will not reveal; its fallback source replaces it.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the party already
                revealed or was already declared in default.
            UnknownPartyError: if the party is not in the plan.
        """
        self._require(Stage.REVEALING, f"declare {party!r} in default")
        declared = self._plan().party(party)
        if (earlier := self._settled(party)) is not None:
            what = "revealed" if earlier.secret is not None else "been declared in default"
            raise CeremonyStateError(f"party {party!r} has already {what}")
        contribution = Contribution(party=party, fallback=declared.fallback)
        return replace(self, contributions=(*self.contributions, contribution))

    def add_source(self, name: str, value: object) -> Ceremony:
        """Record the value of an announced source, canonicalised by its kind.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the source already
                has a value.
            UnannouncedSourceError: if ``name`` was not announced.
            InputError: if the value does not fit the source's kind.
        """
        self._require(Stage.REVEALING, f"add source {name!r}")
        source = self._plan().source(name)
        if any(v.name == name for v in self.source_values):
            raise CeremonyStateError(f"source {name!r} already has a value")
        text = canonical_source_value(source.kind, value, name=name)
        entry = SourceValue(name=name, kind=source.kind, value=text)
        return replace(self, source_values=(*self.source_values, entry))

    def to_json(self) -> dict[str, Any]:
        """The ceremony's state, for keeping it in a file between steps."""
        return {
            "draw_id": self.draw_id,
            "stage": self.stage.value,
            "sources": [s.to_json() for s in self.sources],
            "fallbacks": [s.to_json() for s in self.fallbacks],
            "parties": [p.to_json() for p in self.parties],
            "announcement": None
            if self.announcement_digest is None
            else self.announcement_digest.hex(),
            "contributions": [c.to_json() for c in self.contributions],
            "source_values": [v.to_json() for v in self.source_values],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ceremony:
        """Rebuild a ceremony state, re-checking every step as it is replayed.

        Raises:
            InputError: if the document is malformed.
            CeremonyError: if a recorded step is invalid (e.g. a reveal that
                does not match its commitment).
        """
        try:
            stage = Stage(data["stage"])
            ceremony = cls.begin(
                data["draw_id"],
                sources=[Source.from_json(x) for x in data["sources"]],
                fallbacks=[Source.from_json(x) for x in data["fallbacks"]],
            )
            for party in (Party.from_json(x) for x in data["parties"]):
                ceremony = ceremony.commit(party.name, party.commitment, fallback=party.fallback)
            if stage is Stage.COMMITTING:
                return ceremony
            ceremony = ceremony.fix_plan()
            if stage is Stage.PLAN_FIXED:
                return ceremony
            ceremony = ceremony.open(bytes.fromhex(data["announcement"]))
            for contribution in (Contribution.from_json(x) for x in data["contributions"]):
                if contribution.secret is not None:
                    ceremony = ceremony.reveal(contribution.party, contribution.secret)
                else:
                    ceremony = ceremony.default(contribution.party)
            for value in (SourceValue.from_json(x) for x in data["source_values"]):
                ceremony = ceremony.add_source(value.name, _parse_source_value(value))
            return ceremony
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(
                "malformed ceremony state",
                field="ceremony",
                hint="the file should be one alloc wrote",
            ) from exc

    @classmethod
    def from_record(cls, record: CeremonyRecord) -> Ceremony:
        """The finished state of a ceremony, replayed from its record.

        Raises:
            CeremonyError: if the record does not replay (see :meth:`CeremonyRecord.verify`).
        """
        ceremony = cls.from_plan(record.plan).open(record.announcement_digest)
        for contribution in record.contributions:
            if contribution.secret is not None:
                ceremony = ceremony.reveal(contribution.party, contribution.secret)
            else:
                ceremony = ceremony.default(contribution.party)
        for value in record.sources:
            ceremony = ceremony.add_source(value.name, _parse_source_value(value))
        return ceremony

    def missing(self) -> list[str]:
        """What is still needed before :meth:`finish` can derive the seed."""
        if self.stage is not Stage.REVEALING:
            return [f"the ceremony is at stage {self.stage.value!r}, not open for reveals"]
        needed: list[str] = []
        for party in self.parties:
            if self._settled(party.name) is None:
                needed.append(f"reveal (or default) of party {party.name!r}")
        have = {v.name for v in self.source_values}
        wanted = [s.name for s in self.sources]
        wanted += sorted({c.fallback for c in self.contributions if c.fallback is not None})
        needed += [f"value of source {n!r}" for n in wanted if n not in have]
        unneeded = have - set(wanted)
        needed += [f"fallback source {n!r} has a value but no party defaulted" for n in unneeded]
        return needed

    def finish(self) -> CeremonyRecord:
        """Derive the seed once every party has settled and every source has a value.

        Raises:
            CeremonyStateError: naming everything still missing.
        """
        missing = self.missing()
        if missing:
            raise CeremonyStateError("cannot derive the seed yet: " + "; ".join(missing))
        assert self.announcement_digest is not None
        seed = derive_seed(
            draw_id=self.draw_id,
            announcement_digest=self.announcement_digest,
            contributions=self.contributions,
            sources=self.source_values,
        )
        return CeremonyRecord(
            plan=self._plan(),
            announcement_digest=self.announcement_digest,
            contributions=tuple(sorted(self.contributions, key=lambda c: c.party)),
            sources=tuple(sorted(self.source_values, key=lambda s: s.name)),
            seed=seed,
        )


def _parse_source_value(value: SourceValue) -> object:
    """Invert the canonical text form, so a recorded value can be re-checked."""
    if value.kind is SourceKind.NUMBERS:
        if not re.fullmatch(r"(?:[0-9]+\.)+/", value.value):
            raise CeremonyError(
                f"source {value.name!r} value {value.value!r} is not dotted numbers"
            )
        return [int(part) for part in value.value[:-1].split(".") if part]
    return value.value


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DuplicateError(f"{what} name is used twice", field=what, value=name)
        seen.add(name)


# --- RFC 3797 compatibility ---------------------------------------------------


def rfc3797_key(sources: Sequence[Sequence[int]]) -> str:
    """The RFC 3797 key string: each source's numbers sorted, dotted, slash-terminated.

    Raises:
        InputError: if a source is empty or holds a negative or non-integer value.
    """
    if not sources:
        raise InputError("at least one source is needed", field="sources", value=sources)
    return "".join(
        canonical_source_value(SourceKind.NUMBERS, source, name=f"#{i + 1}")
        for i, source in enumerate(sources)
    )


def rfc3797_select(sources: Sequence[Sequence[int]], pool_size: int, count: int) -> list[int]:
    """Reproduce RFC 3797's selection: ``count`` distinct 1-based indices into the pool.

    This is a compatibility mode (MD5, as the RFC specifies), not how alloc
    draws: alloc derives its seed with SHA-256 and its tickets with HMAC.

    Raises:
        InputError: if ``pool_size`` is not 1..65535 or ``count`` not 0..pool_size.
    """
    if isinstance(pool_size, bool) or not isinstance(pool_size, int) or not 1 <= pool_size <= 65535:
        raise InputError("pool size must be 1 to 65535", field="pool_size", value=pool_size)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= pool_size:
        raise InputError("count must be 0 to pool_size", field="count", value=count)
    key = rfc3797_key(sources).encode("ascii")
    remaining = list(range(1, pool_size + 1))
    selected: list[int] = []
    for index in range(count):
        affix = index.to_bytes(2, "big")
        digest = hashlib.md5(affix + key + affix, usedforsecurity=False).digest()
        position = int.from_bytes(digest, "big") % len(remaining)
        selected.append(remaining.pop(position))
    return selected
