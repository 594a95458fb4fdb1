"""The public seed ceremony: commitments, reveals, external sources, the seed.

The ceremony is a small state machine over immutable values. Every step
returns a new :class:`Ceremony`; a step taken out of order or outside its time
raises (:class:`~alloc.errors.CeremonyStateError`,
:class:`~alloc.errors.ScheduleError`) and leaves nothing changed. Every step
after the announcement takes the time it happens (``at``)::

    lottery = Source("welfare-3d", Digits(count=3, drawn_at=evening), "福彩3D 2026-07-23")
    beacon = Source("drand", DrandRound(QUICKNET, 30662982), "drand quicknet")
    c = Ceremony.begin("2026-tianhe-kg", sources=[lottery], fallbacks=[beacon])
    c = c.commit("bureau", commitment("2026-tianhe-kg", "bureau", secret), fallback="drand")
    c = c.fix_plan()                   # the plan goes into the announcement
    c = c.open(announcement_digest, reveal_deadline=deadline, at=t0)
    c = c.reveal("bureau", secret, at=t1)          # t1 <= deadline
    c = c.add_source("welfare-3d", "381", at=t2)   # t2 >= the lottery's drawing
    record = c.finish()                # record.seed: 32 bytes

Every source value has exactly one accepted written form, fixed by the plan
(:class:`Digits`, :class:`Numbers`, :class:`DrandRound`): ``381`` is 福彩3D's
only form, never ``3 8 1`` or ``０３８１``, so whoever types it cannot choose
among seeds. The plan names, for every party, a fallback source whose value
replaces that party's contribution if it never reveals, so no one can abort to
force a re-roll (spec section 4).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import itertools
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Final, Literal

from alloc._check import (
    check_bytes,
    check_id,
    check_instance,
    check_items,
    check_text,
    type_name,
)
from alloc.canonical import SPEC_VERSION, Tag, canonical_json, check_identifier, tagged_hash
from alloc.clock import format_time, parse_time
from alloc.drand import KNOWN_CHAINS, DrandChain, DrandScheme, chain_named, verify_beacon
from alloc.errors import (
    CeremonyError,
    CeremonyStateError,
    DuplicateError,
    InputError,
    MalformedDocumentError,
    RevealMismatchError,
    ScheduleError,
    SeedMismatchError,
    SourceValueError,
    UnannouncedSourceError,
    UnknownPartyError,
    WrongTypeError,
    with_hint,
)
from alloc.i18n import N_, _, pgettext
from alloc.strictjson import Fields

__all__ = [
    "COMMITMENT_SIZE",
    "MIN_DISTINCT_SECRET_BYTES",
    "SECRET_SIZE",
    "SEED_SIZE",
    "Ceremony",
    "CeremonyRecord",
    "Contribution",
    "Digits",
    "DrandRound",
    "Numbers",
    "Party",
    "SeedPlan",
    "Source",
    "SourceForm",
    "SourceKind",
    "SourceValue",
    "Stage",
    "check_secret",
    "commitment",
    "derive_seed",
    "new_secret",
    "parse_secret_file",
    "parse_seed",
    "rfc3797_key",
    "rfc3797_select",
    "secret_file",
    "seed_input",
]

SEED_SIZE: Final = 32
COMMITMENT_SIZE: Final = 32
#: Every secret is exactly this long (spec section 4.2).
SECRET_SIZE: Final = 32
#: A secret with fewer distinct byte values is refused as not random: 32 random
#: bytes have fewer than 20 distinct values with probability 1.5 × 10^-10.
MIN_DISTINCT_SECRET_BYTES: Final = 20
#: Largest count of digits or numbers a source may declare.
MAX_SOURCE_COUNT: Final = 64
#: Largest number a ``numbers`` source may declare.
MAX_SOURCE_NUMBER: Final = 999_999
MAX_DESCRIPTION_LENGTH: Final = 200


class SourceKind(enum.Enum):
    """What an external source is; each kind has one written form of its value."""

    #: Decimal digits in the order drawn, as one string: 福彩3D ``381``.
    DIGITS = "digits"
    #: Whole numbers (lottery balls, dice) in a declared range, space-separated.
    NUMBERS = "numbers"
    #: One round of a drand randomness beacon: its signature, in hex.
    DRAND = "drand"


#: The string values of :class:`SourceKind`.
SourceKindName = Literal["digits", "numbers", "drand"]


class Stage(enum.Enum):
    """Where a ceremony is: parties commit, the plan is fixed, then reveals."""

    COMMITTING = "committing"
    PLAN_FIXED = "plan-fixed"
    REVEALING = "revealing"


def _count(value: object, what: str, maximum: int = MAX_SOURCE_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InputError(
            _("must be a whole number from 1 to {maximum}").format(maximum=maximum),
            code="source.count-range",
            field=what,
            value=value,
        )
    return value


def _aware(value: object, what: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InputError(
            _("must be a time with a UTC offset"), code="time.no-offset", field=what, value=value
        )
    return value


# --- source forms: the one written form of each kind of value -----------------------


@dataclass(frozen=True)
class Digits:
    """``count`` decimal digits in the order drawn, written together: ``381``.

    For draws whose digits' order matters, such as 福彩3D or 排列五.
    ``drawn_at`` is the announced time of the drawing.
    """

    count: int
    drawn_at: datetime
    kind: ClassVar[SourceKind] = SourceKind.DIGITS

    def __post_init__(self) -> None:
        _count(self.count, "digits.count")
        _aware(self.drawn_at, "digits.drawn_at")

    @property
    def available_at(self) -> datetime:
        """When the value becomes known: the drawing."""
        return self.drawn_at

    def expected(self) -> str:
        """The accepted form, in words, with an example."""
        example = ("3816490275" * 7)[: self.count]
        return _(
            "exactly {count} digits 0-9 in the order drawn, with nothing before,"
            " between or after them (e.g. {example})"
        ).format(count=self.count, example=example)

    def accept(self, text: str) -> str:
        """The value if ``text`` is in the one accepted form.

        Raises:
            SourceValueError: otherwise.
        """
        if not re.fullmatch(f"[0-9]{{{self.count}}}", text):
            raise SourceValueError(
                _("not in the accepted form"),
                code="ceremony.source-value-form",
                value=text,
                hint=self.expected(),
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "drawn_at": format_time(self.drawn_at, like=self.drawn_at)}

    def describe(self, *, like: datetime | None = None) -> str:
        """The source in words, its time in the UTC offset of ``like``."""
        return _("{count} digits drawn {time}").format(
            count=self.count, time=format_time(self.drawn_at, like=like or self.drawn_at)
        )


@dataclass(frozen=True)
class Numbers:
    """``count`` whole numbers from ``minimum`` to ``maximum`` (balls, dice).

    The one written form: the numbers in decimal without leading zeros,
    separated by single spaces, in the order drawn if ``ordered`` and in
    ascending order otherwise. With ``distinct`` (balls drawn without
    replacement) no number repeats.
    """

    count: int
    minimum: int
    maximum: int
    ordered: bool
    distinct: bool
    drawn_at: datetime
    kind: ClassVar[SourceKind] = SourceKind.NUMBERS

    def __post_init__(self) -> None:
        _count(self.count, "numbers.count")
        for name in ("minimum", "maximum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(
                    _("must be a whole number"),
                    code="source.numbers-range",
                    field=f"numbers.{name}",
                    value=value,
                )
            if not 0 <= value <= MAX_SOURCE_NUMBER:
                raise InputError(
                    _("must be from 0 to {maximum}").format(maximum=MAX_SOURCE_NUMBER),
                    code="source.numbers-range",
                    field=f"numbers.{name}",
                    value=value,
                )
        if self.minimum >= self.maximum:
            raise InputError(
                _("the smallest number must be below the largest"),
                code="source.numbers-bounds",
                field="numbers",
                value=(self.minimum, self.maximum),
            )
        for name in ("ordered", "distinct"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(
                    _("must be true or false"), code="source.not-boolean", field=f"numbers.{name}"
                )
        if self.distinct and self.count > self.maximum - self.minimum + 1:
            raise InputError(
                _("{count} distinct numbers do not fit in {minimum}-{maximum}").format(
                    count=self.count, minimum=self.minimum, maximum=self.maximum
                ),
                code="source.numbers-too-many",
                field="numbers.count",
                value=self.count,
            )
        _aware(self.drawn_at, "numbers.drawn_at")

    @property
    def available_at(self) -> datetime:
        """When the value becomes known: the drawing."""
        return self.drawn_at

    def _example(self) -> str:
        span = self.maximum - self.minimum
        picks = [self.minimum + (span * (2 * i + 1)) // (2 * self.count) for i in range(self.count)]
        if not self.ordered:
            picks.sort()
        return " ".join(map(str, picks))

    def expected(self) -> str:
        """The accepted form, in words, with an example."""
        if self.ordered:
            text = (
                _(
                    "exactly {count} whole numbers from {minimum} to {maximum}, in the order"
                    " drawn, no number twice, without leading zeros, separated by single spaces"
                    " (e.g. {example})"
                )
                if self.distinct
                else _(
                    "exactly {count} whole numbers from {minimum} to {maximum}, in the order"
                    " drawn, without leading zeros, separated by single spaces (e.g. {example})"
                )
            )
        else:
            text = (
                _(
                    "exactly {count} whole numbers from {minimum} to {maximum}, in ascending"
                    " order, no number twice, without leading zeros, separated by single spaces"
                    " (e.g. {example})"
                )
                if self.distinct
                else _(
                    "exactly {count} whole numbers from {minimum} to {maximum}, in ascending"
                    " order, without leading zeros, separated by single spaces (e.g. {example})"
                )
            )
        return text.format(
            count=self.count, minimum=self.minimum, maximum=self.maximum, example=self._example()
        )

    def accept(self, text: str) -> str:
        """The value if ``text`` is in the one accepted form.

        Raises:
            SourceValueError: otherwise, saying what is wrong.
        """
        if not re.fullmatch(r"(?:0|[1-9][0-9]*)(?: (?:0|[1-9][0-9]*))*", text):
            raise SourceValueError(
                _("not in the accepted form"),
                code="ceremony.source-value-form",
                value=text,
                hint=self.expected(),
            )
        numbers = [int(part) for part in text.split(" ")]
        if len(numbers) != self.count:
            raise SourceValueError(
                _("{count} numbers instead of {expected}").format(
                    count=len(numbers), expected=self.count
                ),
                code="ceremony.source-value-count",
                value=text,
                hint=self.expected(),
            )
        if any(not self.minimum <= n <= self.maximum for n in numbers):
            raise SourceValueError(
                _("a number outside {minimum}-{maximum}").format(
                    minimum=self.minimum, maximum=self.maximum
                ),
                code="ceremony.source-value-range",
                value=text,
                hint=self.expected(),
            )
        if self.distinct and len(set(numbers)) != len(numbers):
            raise SourceValueError(
                _("a number given twice"),
                code="ceremony.source-value-repeated",
                value=text,
                hint=self.expected(),
            )
        if not self.ordered and numbers != sorted(numbers):
            raise SourceValueError(
                _("numbers not in ascending order"),
                code="ceremony.source-value-order",
                value=text,
                hint=self.expected(),
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "min": self.minimum,
            "max": self.maximum,
            "ordered": self.ordered,
            "distinct": self.distinct,
            "drawn_at": format_time(self.drawn_at, like=self.drawn_at),
        }

    def describe(self, *, like: datetime | None = None) -> str:
        """The source in words, its time in the UTC offset of ``like``."""
        return _("{count} numbers {minimum}-{maximum} drawn {time}").format(
            count=self.count,
            minimum=self.minimum,
            maximum=self.maximum,
            time=format_time(self.drawn_at, like=like or self.drawn_at),
        )


@dataclass(frozen=True)
class DrandRound:
    """Round ``round`` of a drand chain alloc knows (:data:`alloc.drand.KNOWN_CHAINS`).

    The one written form is what drand publishes for the round: its signature
    in lower-case hex (96 digits on quicknet); on a chained scheme, the
    previous round's signature, one space, then the round's signature. The
    value is checked against the chain's public key when it is typed and again
    by every verifier.
    """

    chain: DrandChain
    round: int
    kind: ClassVar[SourceKind] = SourceKind.DRAND

    def __post_init__(self) -> None:
        known = KNOWN_CHAINS.get(getattr(self.chain, "name", ""))
        if known is None or known != self.chain:
            raise InputError(
                _("not a drand chain alloc knows, or not its published parameters"),
                code="source.unknown-drand-chain",
                field="drand.chain",
                value=getattr(self.chain, "name", self.chain),
                hint=_("use alloc.drand.QUICKNET or alloc.drand.DEFAULT"),
            )
        self.chain.round_time(self.round)  # checks the round number

    @property
    def available_at(self) -> datetime:
        """When the round is published: genesis + (round − 1) × period."""
        return self.chain.round_time(self.round)

    def expected(self) -> str:
        """The accepted form, in words."""
        digits = 2 * self.chain.scheme.signature_size
        if self.chain.scheme is DrandScheme.CHAINED:
            return _(
                "the previous signature and the signature of round {round} exactly as"
                " drand {chain} publishes them: {digits} lower-case hexadecimal"
                " digits each, separated by one space"
            ).format(round=self.round, chain=self.chain.name, digits=digits)
        return _(
            "the signature of round {round} exactly as drand {chain}"
            " publishes it: {digits} lower-case hexadecimal digits"
        ).format(round=self.round, chain=self.chain.name, digits=digits)

    def accept(self, text: str) -> str:
        """The value if ``text`` is in the one accepted form and verifies.

        Raises:
            SourceValueError: if it is not in the form.
            BeaconError: if it is not this round's signature.
        """
        digits = 2 * self.chain.scheme.signature_size
        chained = self.chain.scheme is DrandScheme.CHAINED
        pattern = (
            f"[0-9a-f]{{{digits}}} [0-9a-f]{{{digits}}}" if chained else f"[0-9a-f]{{{digits}}}"
        )
        if not re.fullmatch(pattern, text):
            raise SourceValueError(
                _("not in the accepted form"),
                code="ceremony.source-value-form",
                value=text,
                hint=self.expected(),
            )
        if chained:
            previous, signature = (bytes.fromhex(part) for part in text.split(" "))
            verify_beacon(self.chain, self.round, signature, previous_signature=previous)
        else:
            verify_beacon(self.chain, self.round, bytes.fromhex(text))
        return text

    def to_json(self) -> dict[str, Any]:
        return {"chain": self.chain.to_json(), "round": self.round}

    def describe(self, *, like: datetime | None = None) -> str:
        """The source in words, its time in the UTC offset of ``like``."""
        at = format_time(self.available_at, like=like)
        return _("drand {chain} round {round}, published {time}").format(
            chain=self.chain.name, round=self.round, time=at
        )


SourceForm = Digits | Numbers | DrandRound


def _check_description(text: object) -> str:
    text = check_text(text, "source.description")
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InputError(
            _("a description is text of at most {maximum} characters").format(
                maximum=MAX_DESCRIPTION_LENGTH
            ),
            code="source.description-too-long",
            field="source.description",
            value=text,
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in text):
        raise InputError(
            _("a description has no control or format characters"),
            code="source.description-control-character",
            field="source.description",
            value=text,
        )
    if unicodedata.normalize("NFC", text) != text or text != text.strip():
        raise InputError(
            _("a description is NFC text without surrounding spaces"),
            code="source.description-not-nfc",
            field="source.description",
            value=text,
        )
    return text


@dataclass(frozen=True)
class Source:
    """An external public source named in advance, and the form of its value."""

    name: str
    form: SourceForm
    description: str = ""

    def __post_init__(self) -> None:
        check_id(self.name, "source.name")
        if not isinstance(self.form, Digits | Numbers | DrandRound):
            raise WrongTypeError(
                _("a source's form must be Digits, Numbers or DrandRound, got {type}").format(
                    type=type_name(self.form)
                ),
                code="source.wrong-form",
                field="source.form",
                hint=_("e.g. Source('welfare-3d', Digits(3, drawn_at))"),
            )
        _check_description(self.description)

    @property
    def kind(self) -> SourceKind:
        return self.form.kind

    def accept(self, text: object) -> str:
        """The value if ``text`` is in the one form the plan accepts for this source.

        Raises:
            SourceValueError: naming the source and showing the expected form.
            BeaconError: for a drand value that does not verify.
        """
        if not isinstance(text, str):
            raise SourceValueError(
                _("a source value is typed as text"),
                code="ceremony.source-value-not-text",
                field=f"source {self.name!r}",
                value=text,
                hint=self.form.expected(),
            )
        try:
            return self.form.accept(text)
        except SourceValueError as exc:
            raise SourceValueError(
                exc.problem,
                code=exc.code,
                field=f"source {self.name!r}",
                value=text,
                hint=exc.hint,
            ) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "description": self.description,
            **self.form.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | Fields) -> Source:
        """Read one source strictly (its kind's keys and no others).

        Raises:
            MalformedDocumentError: naming the key at fault.
        """
        fields = _fields(data, _("seed plan"), "$")
        name = fields.string("name")
        kind_text = fields.string("kind")
        try:
            kind = SourceKind(kind_text)
        except ValueError:
            raise fields.error(
                "kind",
                _("unknown source kind (digits, numbers or drand)"),
                kind_text,
                code="document.unknown-source-kind",
            ) from None
        form: SourceForm
        try:
            if kind is SourceKind.DIGITS:
                form = Digits(fields.integer("count"), _time(fields, "drawn_at"))
            elif kind is SourceKind.NUMBERS:
                form = Numbers(
                    count=fields.integer("count"),
                    minimum=fields.integer("min"),
                    maximum=fields.integer("max"),
                    ordered=fields.boolean("ordered"),
                    distinct=fields.boolean("distinct"),
                    drawn_at=_time(fields, "drawn_at"),
                )
            else:
                form = DrandRound(_chain(fields.object("chain")), fields.integer("round"))
            source = cls(name=name, form=form, description=fields.string("description"))
        except MalformedDocumentError:
            raise
        except InputError as exc:
            raise fields.error(exc.field or "kind", exc.problem, exc.value, code=exc.code) from exc
        fields.done()
        return source


def _fields(data: Mapping[str, Any] | Fields, document: str, path: str) -> Fields:
    if isinstance(data, Fields):
        return data
    return Fields.of(data, document=document, path=path)


def _time(fields: Fields, key: str) -> datetime:
    text = fields.string(key)
    try:
        return parse_time(text, field=key)
    except InputError as exc:
        raise fields.error(
            key, with_hint(exc.problem, exc.hint), text, code="document.invalid-time"
        ) from exc


def _chain(fields: Fields) -> DrandChain:
    name = fields.string("name")
    try:
        known = chain_named(name)
    except InputError as exc:
        raise fields.error(
            "name", with_hint(exc.problem, exc.hint), name, code="document.unknown-drand-chain"
        ) from exc
    published = known.to_json()
    for key in ("hash", "public_key", "scheme"):
        if fields.string(key) != published[key]:
            raise fields.error(
                key,
                _("not drand {chain}'s published {key}").format(chain=name, key=key),
                fields.value(key),
                code="document.drand-parameters",
            )
    for key in ("genesis_time", "period"):
        if fields.integer(key) != published[key]:
            raise fields.error(
                key,
                _("not drand {chain}'s published {key}").format(chain=name, key=key),
                fields.value(key),
                code="document.drand-parameters",
            )
    fields.done()
    return known


def _sorted_or_refuse(fields: Fields, key: str, names: Sequence[str], by: str) -> None:
    """Lists in documents come in one order (spec 4.3, 4.6): refuse any other."""
    if list(names) != sorted(names):
        raise fields.error(
            key, _("not sorted by {key}").format(key=_(by)), code="document.not-sorted"
        )
    if len(set(names)) != len(names):
        raise fields.error(
            key, _("a {key} appears twice").format(key=_(by)), code="document.duplicate-name"
        )


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
    def from_json(cls, data: Mapping[str, Any] | Fields) -> Party:
        """Raises: MalformedDocumentError naming the key at fault."""
        fields = _fields(data, _("seed plan"), "$")
        try:
            party = cls(
                name=fields.string("name"),
                commitment=fields.hex("commitment", size=COMMITMENT_SIZE),
                fallback=fields.string("fallback"),
            )
        except MalformedDocumentError:
            raise
        except InputError as exc:
            raise fields.error("name", exc.problem, exc.value, code=exc.code) from exc
        fields.done()
        return party


@dataclass(frozen=True)
class SeedPlan:
    """Everything about the seed fixed before any randomness exists.

    It is published inside the announcement: the parties with their
    commitments and fallbacks, the sources always read, and the fallback
    sources read only for a party that never reveals. Parties and sources are
    kept sorted by name, the one order of the plan's JSON.
    """

    draw_id: str
    parties: tuple[Party, ...]
    sources: tuple[Source, ...]
    fallbacks: tuple[Source, ...] = ()

    def __post_init__(self) -> None:
        check_id(self.draw_id, "draw_id")
        for label, kind in (("parties", Party), ("sources", Source), ("fallbacks", Source)):
            given = check_items(
                getattr(self, label),
                label,
                what=_("a sequence of {kind}").format(kind=kind.__name__),
            )
            for index, item in enumerate(given):
                check_instance(item, kind, f"{label}[{index}]")
            object.__setattr__(self, label, given)
        _unique((p.name for p in self.parties), N_("party"))
        _unique((s.name for s in (*self.sources, *self.fallbacks)), N_("source"))
        object.__setattr__(self, "parties", tuple(sorted(self.parties, key=lambda p: p.name)))
        object.__setattr__(self, "sources", tuple(sorted(self.sources, key=lambda s: s.name)))
        object.__setattr__(self, "fallbacks", tuple(sorted(self.fallbacks, key=lambda s: s.name)))
        fallback_names = {s.name for s in self.fallbacks}
        for party in self.parties:
            if party.fallback not in fallback_names:
                raise InputError(
                    _("party names a fallback source that is not declared"),
                    code="plan.undeclared-fallback",
                    field=f"party {party.name!r}.fallback",
                    value=party.fallback,
                    hint=_("declare it among the plan's fallback sources"),
                )
        if not self.sources:
            raise InputError(
                _("a seed plan needs at least one source that is always read"),
                code="plan.no-source",
                field="plan.sources",
                hint=_(
                    "without one, the last party to reveal knows the seed it would give"
                    " and could choose to default instead; name a lottery draw or a drand round"
                    " after the reveal deadline"
                ),
            )

    def party(self, name: str) -> Party:
        """Raises: UnknownPartyError if ``name`` is not in the plan."""
        for party in self.parties:
            if party.name == name:
                return party
        known = ", ".join(p.name for p in self.parties) or _("none")
        raise UnknownPartyError(
            _("party {party!r} is not in the seed plan (parties: {parties})").format(
                party=name, parties=known
            )
        )

    def source(self, name: str) -> Source:
        """Raises: UnannouncedSourceError if ``name`` was not announced."""
        for source in (*self.sources, *self.fallbacks):
            if source.name == name:
                return source
        known = ", ".join(s.name for s in (*self.sources, *self.fallbacks)) or _("none")
        raise UnannouncedSourceError(
            _("source {source!r} was not announced in the seed plan (announced: {sources})").format(
                source=name, sources=known
            )
        )

    def check_schedule(self, *, reveal_deadline: datetime, draw_at: datetime) -> None:
        """Every source becomes known after the reveal deadline and by the draw (spec 4.7).

        A source known before the deadline would let the last party to reveal
        compute the seed and choose to default; one known after the draw time
        would hold the draw up.

        Raises:
            ScheduleError: naming the first source outside the window.
        """
        deadline, draw = _aware(reveal_deadline, "reveal_deadline"), _aware(draw_at, "draw_at")
        for source in (*self.sources, *self.fallbacks):
            known = source.form.available_at
            what = source.form.describe(like=deadline)
            if known <= deadline:
                hint = _("name a drawing after the reveal deadline")
                if isinstance(source.form, DrandRound):
                    first = source.form.chain.first_round_after(deadline)
                    hint = _("the first {chain} round after it is {round}").format(
                        chain=source.form.chain.name, round=first
                    )
                raise ScheduleError(
                    _(
                        "source {source!r} ({what}) is known by the reveal deadline {deadline}:"
                        " whoever reveals last could compute the seed and choose to default"
                    ).format(
                        source=source.name,
                        what=what,
                        deadline=format_time(deadline, like=deadline),
                    ),
                    code="plan.source-before-deadline",
                    field=f"source {source.name!r}",
                    hint=hint,
                )
            if known > draw:
                raise ScheduleError(
                    _(
                        "source {source!r} ({what}) is known only after the announced draw"
                        " time {time}"
                    ).format(source=source.name, what=what, time=format_time(draw, like=draw)),
                    code="plan.source-after-draw",
                    field=f"source {source.name!r}",
                    hint=_("move the draw time after it, or name an earlier drawing or round"),
                )

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "parties": [p.to_json() for p in self.parties],
            "sources": [s.to_json() for s in self.sources],
            "fallbacks": [s.to_json() for s in self.fallbacks],
        }

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any] | Fields,
        *,
        document: str | None = None,
        path: str = "$",
    ) -> SeedPlan:
        """Read a seed plan strictly: unknown, duplicate or missing keys, wrong types,
        lists out of order are refused.

        Raises:
            MalformedDocumentError: naming the document, the key and the reason.
        """
        fields = _fields(data, document or _("seed plan"), path)
        draw_id = fields.string("draw_id")
        parties = fields.each("parties", Party.from_json)
        sources = fields.each("sources", Source.from_json)
        fallbacks = fields.each("fallbacks", Source.from_json)
        _sorted_or_refuse(fields, "parties", [p.name for p in parties], N_("party name"))
        _sorted_or_refuse(fields, "sources", [s.name for s in sources], N_("source name"))
        _sorted_or_refuse(fields, "fallbacks", [s.name for s in fallbacks], N_("source name"))
        try:
            plan = cls(
                draw_id=draw_id,
                parties=tuple(parties),
                sources=tuple(sources),
                fallbacks=tuple(fallbacks),
            )
        except InputError as exc:
            raise fields.error(
                exc.field or "draw_id", exc.problem, exc.value, code=exc.code
            ) from exc
        fields.done()
        return plan


@dataclass(frozen=True)
class Contribution:
    """One party's part of the seed: its revealed secret, or its fallback source.

    ``at`` is when the reveal or the declaration of default happened; it is
    recorded and checked against the deadline, but never hashed into the seed.
    """

    party: str
    at: datetime
    secret: bytes | None = None
    fallback: str | None = None

    def __post_init__(self) -> None:
        _aware(self.at, f"contribution {self.party!r}.at")
        if (self.secret is None) == (self.fallback is None):
            raise InputError(
                _("a contribution is either a reveal or a fallback"),
                code="ceremony.contribution-form",
                field=f"contribution {self.party!r}",
            )

    def seed_json(self) -> dict[str, Any]:
        """The form hashed into the seed (spec 4.6): no time."""
        if self.secret is not None:
            return {"party": self.party, "reveal": self.secret.hex()}
        return {"party": self.party, "fallback": self.fallback}

    def to_json(self) -> dict[str, Any]:
        return {**self.seed_json(), "at": format_time(self.at, like=self.at)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | Fields) -> Contribution:
        """Raises: MalformedDocumentError naming the key at fault."""
        fields = _fields(data, _("ceremony record"), "$")
        party = fields.string("party")
        at = _time(fields, "at")
        if fields.has("reveal"):
            secret = fields.hex("reveal", size=SECRET_SIZE)
            result = cls(party=party, at=at, secret=secret)
        else:
            result = cls(party=party, at=at, fallback=fields.string("fallback"))
        fields.done()
        return result


@dataclass(frozen=True)
class SourceValue:
    """A source's value in its one accepted form, and when it was read."""

    name: str
    kind: SourceKind
    value: str
    at: datetime

    def seed_json(self) -> dict[str, Any]:
        """The form hashed into the seed (spec 4.6): no time."""
        return {"name": self.name, "kind": self.kind.value, "value": self.value}

    def to_json(self) -> dict[str, Any]:
        return {**self.seed_json(), "at": format_time(self.at, like=self.at)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | Fields) -> SourceValue:
        """Raises: MalformedDocumentError naming the key at fault."""
        fields = _fields(data, _("ceremony record"), "$")
        name = fields.string("name")
        kind_text = fields.string("kind")
        try:
            kind = SourceKind(kind_text)
        except ValueError:
            raise fields.error(
                "kind", _("unknown source kind"), kind_text, code="document.unknown-source-kind"
            ) from None
        result = cls(name=name, kind=kind, value=fields.string("value"), at=_time(fields, "at"))
        fields.done()
        return result


# --- secrets -----------------------------------------------------------------------------


def check_secret(secret: object, *, party: str = "party") -> bytes:
    """Refuse a secret that is not 32 bytes or is obviously not random (spec 4.2).

    Refused: any length but 32; fewer than 20 distinct byte values (all
    zeros, a repeated byte or short pattern); bytes that read as text (valid
    UTF-8 with no control character but tab and line ends: a password, a
    phrase, hex digits); bytes in arithmetic progression (00 01 02 …). A
    random 32-byte secret is refused with probability below 2 × 10^-10, and
    :func:`new_secret` draws again if that happens.

    Raises:
        InputError: naming the party and the reason, never the secret.
    """
    where = f"party {party!r}.secret"
    hint = _("draw it with `alloc ceremony secret` (alloc.seed.new_secret())")
    if not isinstance(secret, bytes):
        raise WrongTypeError(
            _("secret must be bytes, got {type}").format(type=type_name(secret)),
            code="secret.wrong-type",
            field=where,
            hint=_("bytes.fromhex() turns the hex of a secret file into bytes")
            if isinstance(secret, str)
            else hint,
        )
    if len(secret) != SECRET_SIZE:
        size = len(secret)
        raise InputError(
            _("a secret is exactly {expected} bytes, not {size}").format(
                expected=SECRET_SIZE, size=size
            ),
            code="secret.size",
            field=where,
            hint=hint,
        )
    problem = _weakness(secret)
    if problem is not None:
        raise InputError(
            _("the secret is not random: {reason}").format(reason=problem),
            code="secret.not-random",
            field=where,
            hint=hint,
        )
    return secret


def _weakness(secret: bytes) -> str | None:
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT_SECRET_BYTES:
        return _("only {count} distinct byte values (random bytes have about 30)").format(
            count=distinct
        )
    try:
        text = secret.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if all(ch in "\t\n\r" or unicodedata.category(ch) != "Cc" for ch in text):
            return _("it reads as text")
    steps = {(b - a) % 256 for a, b in itertools.pairwise(secret)}
    if len(steps) == 1:
        return _("its bytes count up or down in equal steps")
    return None


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
                _("seed must be exactly {size} bytes, got {length}").format(
                    size=SEED_SIZE, length=len(raw)
                ),
                code="seed.size",
                field="seed",
                hint=_("use the seed of the ceremony record, or its 64 hex digits"),
            )
        return raw
    if not isinstance(seed, str):
        raise WrongTypeError(
            _("seed must be {size} bytes or {digits} hex digits, got {type}").format(
                size=SEED_SIZE, digits=2 * SEED_SIZE, type=type_name(seed)
            ),
            code="seed.wrong-type",
            field="seed",
            hint=_("use CeremonyRecord.seed, or the seed as the transcript prints it"),
        )
    if len(seed) != 2 * SEED_SIZE:
        raise InputError(
            _("seed must be {digits} hex digits, got {length} characters").format(
                digits=2 * SEED_SIZE, length=len(seed)
            ),
            code="seed.length",
            field="seed",
            hint=_("copy the whole seed from the transcript, without 0x or spaces"),
        )
    if not _SEED_DIGITS.issuperset(seed):
        upper = _SEED_DIGITS.issuperset(seed.lower())
        raise InputError(
            _("seed must be written in lower case")
            if upper
            else _("seed must be hexadecimal digits"),
            code="seed.upper-case" if upper else "seed.not-hex",
            field="seed",
            hint=_("write it as the transcript does: 64 characters from 0-9 and a-f"),
        )
    return bytes.fromhex(seed)


def new_secret() -> bytes:
    """A fresh 32-byte contribution from the operating system's CSPRNG (spec 4.2)."""
    while True:
        secret = secrets.token_bytes(SECRET_SIZE)
        if _weakness(secret) is None:
            return secret


def secret_file(secret: bytes) -> bytes:
    """The one form of a secret file: 64 lower-case hex digits and a line feed.

    Raises:
        InputError: if the secret is not acceptable (:func:`check_secret`).
    """
    return check_secret(secret).hex().encode("ascii") + b"\n"


def parse_secret_file(data: bytes, *, party: str = "party") -> bytes:
    """Read a secret file in its one form (:func:`secret_file`).

    Raises:
        InputError: for anything else (upper-case hex, no final line feed, CR LF,
            spaces, another length), or a secret :func:`check_secret` refuses.
    """
    if not re.fullmatch(rb"[0-9a-f]{64}\n", data):
        raise InputError(
            _(
                "not a secret file as `alloc ceremony secret` writes it (64 lower-case"
                " hexadecimal digits and one line end)"
            ),
            code="secret.file-form",
            field=f"party {party!r}.secret",
            hint=_("give the file `alloc ceremony secret` wrote, unchanged"),
        )
    return check_secret(bytes.fromhex(data[:64].decode("ascii")), party=party)


def commitment(draw_id: str, party: str, secret: bytes) -> bytes:
    """SHA-256("alloc/v1/commitment" 0x00 draw_id 0x00 party 0x00 secret).

    Raises:
        InputError: if an identifier is malformed or the secret is refused
            (:func:`check_secret`).
    """
    check_identifier(draw_id, "draw_id")
    check_identifier(party, "party")
    check_secret(secret, party=party)
    return tagged_hash(Tag.COMMITMENT, draw_id, party, secret)


# --- the seed ------------------------------------------------------------------------------


def derive_seed(
    *,
    draw_id: str,
    announcement_digest: bytes,
    contributions: Sequence[Contribution],
    sources: Sequence[SourceValue],
) -> bytes:
    """The seed: SHA-256("alloc/v1/seed" 0x00 JCS(seed input)), spec section 4.6.

    The draw id is inside the seed input. Contributions are sorted by party
    and sources by name, so the order they are given in never matters; their
    times are not part of the seed. This function does not check
    commitments; use :class:`Ceremony` or :meth:`CeremonyRecord.verify`.

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
            _("announcement digest must be 32 bytes"),
            code="ceremony.digest-size",
            field="announcement_digest",
            value=announcement_digest,
        )
    return {
        "spec": SPEC_VERSION,
        "draw_id": draw_id,
        "announcement": announcement_digest.hex(),
        "contributions": [c.seed_json() for c in sorted(contributions, key=lambda c: c.party)],
        "sources": [s.seed_json() for s in sorted(sources, key=lambda s: s.name)],
    }


@dataclass(frozen=True)
class CeremonyRecord:
    """A finished ceremony: what the transcript carries and anyone can re-check."""

    plan: SeedPlan
    announcement_digest: bytes
    opened_at: datetime
    contributions: tuple[Contribution, ...]
    sources: tuple[SourceValue, ...]
    seed: bytes

    def verify(self, *, reveal_deadline: datetime) -> None:
        """Replay the ceremony: every reveal against its commitment and the deadline,
        every source value in its one form (a drand round against its chain's key),
        every time in order, and the seed.

        Raises:
            RevealMismatchError: if a reveal does not match its commitment.
            ScheduleError: if a reveal came after ``reveal_deadline``, a default
                not after it, or a source was read before it was known.
            SourceValueError, BeaconError: for a source value not in its form.
            SeedMismatchError: if the recorded seed is not the derived one.
            CeremonyError: if a contribution or source is missing, extra or
                unannounced.
        """
        ceremony = _replay(
            Ceremony.from_plan(self.plan).open(
                self.announcement_digest, reveal_deadline=reveal_deadline, at=self.opened_at
            ),
            self.contributions,
            self.sources,
        )
        seed = ceremony.finish().seed
        if not hmac.compare_digest(seed, self.seed):
            raise SeedMismatchError(
                _("recorded seed {recorded} is not the derived seed {derived}").format(
                    recorded=self.seed.hex(), derived=seed.hex()
                )
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_json(),
            "announcement": self.announcement_digest.hex(),
            "opened_at": format_time(self.opened_at, like=self.opened_at),
            "contributions": [c.to_json() for c in self.contributions],
            "sources": [s.to_json() for s in self.sources],
            "seed": self.seed.hex(),
        }

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any] | Fields,
        *,
        document: str | None = None,
        path: str = "$",
    ) -> CeremonyRecord:
        """Read a ceremony record strictly (spec 9.3): contributions sorted by party,
        sources by name, nothing unknown, missing or repeated.

        Raises:
            MalformedDocumentError: naming the document, the key and the reason.
        """
        fields = _fields(data, document or _("ceremony record"), path)
        plan = SeedPlan.from_json(fields.object("plan"))
        contributions = fields.each("contributions", Contribution.from_json)
        sources = fields.each("sources", SourceValue.from_json)
        _sorted_or_refuse(fields, "contributions", [c.party for c in contributions], N_("party"))
        _sorted_or_refuse(fields, "sources", [s.name for s in sources], N_("source name"))
        record = cls(
            plan=plan,
            announcement_digest=fields.hex("announcement", size=32),
            opened_at=_time(fields, "opened_at"),
            contributions=tuple(contributions),
            sources=tuple(sources),
            seed=fields.hex("seed", size=SEED_SIZE),
        )
        fields.done()
        return record


def _replay(
    ceremony: Ceremony, contributions: Iterable[Contribution], sources: Iterable[SourceValue]
) -> Ceremony:
    """Apply recorded steps to an opened ceremony, re-checking each one."""
    for contribution in contributions:
        if contribution.secret is not None:
            ceremony = ceremony.reveal(contribution.party, contribution.secret, at=contribution.at)
        else:
            declared = ceremony.plan.party(contribution.party).fallback
            if contribution.fallback != declared:
                raise CeremonyError(
                    _(
                        "party {party!r} fell back to {fallback!r}, but the plan declared"
                        " {declared!r}"
                    ).format(
                        party=contribution.party, fallback=contribution.fallback, declared=declared
                    ),
                    code="ceremony.fallback-mismatch",
                )
            ceremony = ceremony.default(contribution.party, at=contribution.at)
    for value in sources:
        announced = ceremony.plan.source(value.name)
        if value.kind is not announced.kind:
            raise CeremonyError(
                _(
                    "source {source!r} is recorded as kind {kind!r}, but was announced as"
                    " {announced!r}"
                ).format(source=value.name, kind=value.kind.value, announced=announced.kind.value),
                code="ceremony.source-kind-mismatch",
            )
        ceremony = ceremony.add_source(value.name, value.value, at=value.at)
    return ceremony


@dataclass(frozen=True)
class Ceremony:
    """The seed ceremony as an immutable state machine (see the module docstring)."""

    draw_id: str
    sources: tuple[Source, ...]
    fallbacks: tuple[Source, ...]
    parties: tuple[Party, ...] = ()
    stage: Stage = Stage.COMMITTING
    announcement_digest: bytes | None = None
    reveal_deadline: datetime | None = None
    opened_at: datetime | None = None
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
            named[label] = check_items(  # type: ignore[assignment]
                given, label, what=_("a sequence of {kind}").format(kind="Source")
            )
            for index, item in enumerate(named[label]):
                check_instance(item, Source, f"{label}[{index}]")
        _unique((s.name for s in (*named["sources"], *named["fallbacks"])), N_("source"))
        return cls(
            draw_id=draw_id,
            sources=tuple(sorted(named["sources"], key=lambda s: s.name)),
            fallbacks=tuple(sorted(named["fallbacks"], key=lambda s: s.name)),
        )

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
                _(
                    "cannot {action}: the ceremony is at stage {stage!r},"
                    " this step belongs to stage {expected!r}"
                ).format(action=action, stage=self.stage.value, expected=stage.value),
                code="ceremony.wrong-stage",
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
        self._require(Stage.COMMITTING, _("commit for {party!r}").format(party=party))
        if any(p.name == party for p in self.parties):
            raise DuplicateError(
                _("party has already committed"),
                code="ceremony.committed-twice",
                field="party",
                value=party,
                hint=_("each party commits exactly once; use a distinct name per person"),
            )
        if fallback not in {s.name for s in self.fallbacks}:
            raise InputError(
                _("fallback source is not declared for this ceremony"),
                code="plan.undeclared-fallback",
                field=f"party {party!r}.fallback",
                value=fallback,
                hint=_("name it in Ceremony.begin(..., fallbacks=[...])"),
            )
        new_party = Party(name=party, commitment=commitment_value, fallback=fallback)
        parties = tuple(sorted((*self.parties, new_party), key=lambda p: p.name))
        return replace(self, parties=parties)

    def fix_plan(self) -> Ceremony:
        """Close commitments; the plan can now go into the announcement.

        Raises:
            CeremonyStateError: if the plan is already fixed.
            InputError: if the plan has no source that is always read.
        """
        self._require(Stage.COMMITTING, _("fix the plan"))
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
            raise CeremonyStateError(
                _("the seed plan is not fixed yet; call fix_plan() first"),
                code="ceremony.plan-not-fixed",
            )
        return self._plan()

    def open(
        self, announcement_digest: bytes, *, reveal_deadline: datetime, at: datetime
    ) -> Ceremony:
        """Open reveals at ``at``, binding the seed to the published announcement.

        ``reveal_deadline`` is the announced one: reveals are accepted until it,
        defaults and source values only after it.

        Raises:
            CeremonyStateError: unless the plan is fixed and reveals not yet open.
            InputError: if the digest is not 32 bytes or a time has no offset.
        """
        self._require(Stage.PLAN_FIXED, _("open reveals"))
        if not isinstance(announcement_digest, bytes) or len(announcement_digest) != 32:
            raise InputError(
                _("announcement digest must be 32 bytes (SHA-256)"),
                code="ceremony.digest-size",
                field="announcement_digest",
                value=announcement_digest,
            )
        return replace(
            self,
            stage=Stage.REVEALING,
            announcement_digest=announcement_digest,
            reveal_deadline=_aware(reveal_deadline, "reveal_deadline"),
            opened_at=_aware(at, "at"),
        )

    def _when(self, at: datetime) -> datetime:
        """``at``, checked to be no earlier than the opening of reveals."""
        at = _aware(at, "at")
        assert self.opened_at is not None
        if at < self.opened_at:
            raise ScheduleError(
                _("a step at {time} comes before reveals were opened at {opened}").format(
                    time=self._show(at), opened=self._show(self.opened_at)
                ),
                code="ceremony.step-before-opening",
                field="at",
                hint=_("check the computer's clock"),
            )
        return at

    def _show(self, moment: datetime) -> str:
        return format_time(moment, like=self.reveal_deadline)

    def _settled(self, party: str) -> Contribution | None:
        for contribution in self.contributions:
            if contribution.party == party:
                return contribution
        return None

    def reveal(self, party: str, secret: bytes, *, at: datetime) -> Ceremony:
        """Accept ``party``'s secret at ``at`` if it matches the published commitment.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the party already
                revealed or was declared in default.
            ScheduleError: after the reveal deadline.
            UnknownPartyError: if the party is not in the plan.
            InputError: if the secret is refused (:func:`check_secret`).
            RevealMismatchError: if the secret does not match the commitment.
        """
        self._require(Stage.REVEALING, _("reveal for {party!r}").format(party=party))
        at = self._when(at)
        declared = self._plan().party(party)
        if (earlier := self._settled(party)) is not None:
            raise _already_settled(party, earlier)
        assert self.reveal_deadline is not None
        if at > self.reveal_deadline:
            raise ScheduleError(
                _(
                    "party {party!r} cannot reveal at {time}: the reveal deadline {deadline}"
                    " has passed"
                ).format(
                    party=party, time=self._show(at), deadline=self._show(self.reveal_deadline)
                ),
                code="ceremony.reveal-after-deadline",
                field="reveal",
                hint=_(
                    "declare it in default (`alloc ceremony default --party {party}`):"
                    " its fallback source {fallback!r} replaces it"
                ).format(party=party, fallback=declared.fallback),
            )
        check_secret(secret, party=party)
        expected = commitment(self.draw_id, party, secret)
        if not hmac.compare_digest(expected, declared.commitment):
            raise RevealMismatchError(
                _(
                    "reveal of party {party!r} does not match its commitment:"
                    " it hashes to {computed}, the plan holds {commitment}"
                ).format(party=party, computed=expected.hex(), commitment=declared.commitment.hex())
            )
        contribution = Contribution(party=party, at=at, secret=secret)
        return replace(self, contributions=(*self.contributions, contribution))

    def default(self, party: str, *, at: datetime) -> Ceremony:
        """Declare at ``at`` that ``party`` did not reveal; its fallback source replaces it.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the party already
                revealed or was already declared in default.
            ScheduleError: before the reveal deadline has passed.
            UnknownPartyError: if the party is not in the plan.
        """
        self._require(Stage.REVEALING, _("declare {party!r} in default").format(party=party))
        at = self._when(at)
        declared = self._plan().party(party)
        if (earlier := self._settled(party)) is not None:
            raise _already_settled(party, earlier)
        assert self.reveal_deadline is not None
        if at <= self.reveal_deadline:
            raise ScheduleError(
                _(
                    "party {party!r} cannot be declared in default at {time}: it may"
                    " still reveal until the deadline {deadline}"
                ).format(
                    party=party, time=self._show(at), deadline=self._show(self.reveal_deadline)
                ),
                code="ceremony.default-before-deadline",
                field="default",
                hint=_("wait until the deadline has passed"),
            )
        contribution = Contribution(party=party, at=at, fallback=declared.fallback)
        return replace(self, contributions=(*self.contributions, contribution))

    def add_source(self, name: str, value: str, *, at: datetime) -> Ceremony:
        """Record at ``at`` the value of an announced source, in its one accepted form.

        Raises:
            CeremonyStateError: before :meth:`open`, or if the source already
                has a value.
            UnannouncedSourceError: if ``name`` was not announced.
            ScheduleError: before the reveal deadline has passed or before the
                source's drawing or round.
            SourceValueError: if the value is not in the plan's form for it.
            BeaconError: if a drand value does not verify.
        """
        self._require(Stage.REVEALING, _("add source {source!r}").format(source=name))
        at = self._when(at)
        source = self._plan().source(name)
        if any(v.name == name for v in self.source_values):
            raise CeremonyStateError(
                _("source {source!r} already has a value").format(source=name),
                code="ceremony.source-already-set",
            )
        assert self.reveal_deadline is not None
        if at <= self.reveal_deadline:
            raise ScheduleError(
                _(
                    "source {source!r} cannot be read at {time}: sources are read only"
                    " after the reveal deadline {deadline}"
                ).format(
                    source=name, time=self._show(at), deadline=self._show(self.reveal_deadline)
                ),
                code="ceremony.source-before-deadline",
                field=f"source {name!r}",
                hint=_("wait until the deadline has passed"),
            )
        if at < source.form.available_at:
            what = source.form.describe(like=self.reveal_deadline)
            raise ScheduleError(
                _(
                    "source {source!r} cannot be read at {time}: it is known only from"
                    " {available} ({what})"
                ).format(
                    source=name,
                    time=self._show(at),
                    available=self._show(source.form.available_at),
                    what=what,
                ),
                code="ceremony.source-not-yet-known",
                field=f"source {name!r}",
                hint=_("wait for the drawing or round named in the plan"),
            )
        text = source.accept(value)
        entry = SourceValue(name=name, kind=source.kind, value=text, at=at)
        return replace(self, source_values=(*self.source_values, entry))

    def to_json(self) -> dict[str, Any]:
        """The ceremony's state, for keeping it in a file between steps (spec 4.8)."""

        def time(moment: datetime | None) -> str | None:
            return None if moment is None else format_time(moment, like=moment)

        return {
            "draw_id": self.draw_id,
            "stage": self.stage.value,
            "sources": [s.to_json() for s in self.sources],
            "fallbacks": [s.to_json() for s in self.fallbacks],
            "parties": [p.to_json() for p in self.parties],
            "announcement": None
            if self.announcement_digest is None
            else self.announcement_digest.hex(),
            "reveal_deadline": time(self.reveal_deadline),
            "opened_at": time(self.opened_at),
            "contributions": [
                c.to_json() for c in sorted(self.contributions, key=lambda c: c.party)
            ],
            "source_values": [
                v.to_json() for v in sorted(self.source_values, key=lambda v: v.name)
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | Fields) -> Ceremony:
        """Rebuild a ceremony state strictly, re-checking every step as it is replayed.

        Raises:
            MalformedDocumentError: if the document is malformed (unknown,
                missing or repeated keys, wrong types, lists out of order).
            CeremonyError, InputError: if a recorded step is invalid (e.g. a
                reveal that does not match its commitment).
        """
        fields = _fields(data, _("ceremony state"), "$")
        stage_text = fields.string("stage")
        try:
            stage = Stage(stage_text)
        except ValueError:
            raise fields.error(
                "stage", _("unknown stage"), stage_text, code="document.unknown-stage"
            ) from None
        sources = fields.each("sources", Source.from_json)
        fallbacks = fields.each("fallbacks", Source.from_json)
        parties = fields.each("parties", Party.from_json)
        contributions = fields.each("contributions", Contribution.from_json)
        values = fields.each("source_values", SourceValue.from_json)
        _sorted_or_refuse(fields, "sources", [s.name for s in sources], N_("source name"))
        _sorted_or_refuse(fields, "fallbacks", [s.name for s in fallbacks], N_("source name"))
        _sorted_or_refuse(fields, "parties", [p.name for p in parties], N_("party name"))
        _sorted_or_refuse(fields, "contributions", [c.party for c in contributions], N_("party"))
        _sorted_or_refuse(fields, "source_values", [v.name for v in values], N_("source name"))
        opened = stage is Stage.REVEALING
        digest = fields.optional_hex("announcement", size=32)
        deadline = _optional_time(fields, "reveal_deadline")
        opened_at = _optional_time(fields, "opened_at")
        for key, value in (
            ("announcement", digest),
            ("reveal_deadline", deadline),
            ("opened_at", opened_at),
        ):
            if (value is not None) != opened:
                raise fields.error(
                    key,
                    _("must be set exactly when reveals are open"),
                    code="document.stage-fields",
                )
        if not opened and (contributions or values):
            raise fields.error(
                "contributions", _("reveals are not open"), code="document.stage-fields"
            )
        ceremony = cls.begin(fields.string("draw_id"), sources=sources, fallbacks=fallbacks)
        for party in parties:
            ceremony = ceremony.commit(party.name, party.commitment, fallback=party.fallback)
        fields.done()
        if stage is Stage.COMMITTING:
            return ceremony
        ceremony = ceremony.fix_plan()
        if digest is None or deadline is None or opened_at is None:
            return ceremony
        opened_ceremony = ceremony.open(digest, reveal_deadline=deadline, at=opened_at)
        return _replay(opened_ceremony, contributions, values)

    @classmethod
    def from_record(cls, record: CeremonyRecord, *, reveal_deadline: datetime) -> Ceremony:
        """The finished state of a ceremony, replayed from its record.

        Raises:
            CeremonyError, InputError: if the record does not replay (see
                :meth:`CeremonyRecord.verify`).
        """
        opened = cls.from_plan(record.plan).open(
            record.announcement_digest, reveal_deadline=reveal_deadline, at=record.opened_at
        )
        return _replay(opened, record.contributions, record.sources)

    def missing(self) -> list[str]:
        """What is still needed before :meth:`finish` can derive the seed."""
        if self.stage is not Stage.REVEALING:
            return [
                _("the ceremony is at stage {stage!r}, not open for reveals").format(
                    stage=self.stage.value
                )
            ]
        needed: list[str] = []
        for party in self.parties:
            if self._settled(party.name) is None:
                needed.append(_("reveal (or default) of party {party!r}").format(party=party.name))
        have = {v.name for v in self.source_values}
        wanted = [s.name for s in self.sources]
        wanted += sorted({c.fallback for c in self.contributions if c.fallback is not None})
        needed += [
            _("value of source {source!r}").format(source=n) for n in wanted if n not in have
        ]
        unneeded = have - set(wanted)
        needed += [
            _("fallback source {source!r} has a value but no party defaulted").format(source=n)
            for n in unneeded
        ]
        return needed

    def finish(self) -> CeremonyRecord:
        """Derive the seed once every party has settled and every source has a value.

        Raises:
            CeremonyStateError: naming everything still missing.
        """
        missing = self.missing()
        if missing:
            raise CeremonyStateError(
                _("cannot derive the seed yet: {missing}").format(
                    missing=pgettext("list of notes", "; ").join(missing)
                ),
                code="ceremony.incomplete",
            )
        assert self.announcement_digest is not None
        assert self.opened_at is not None
        seed = derive_seed(
            draw_id=self.draw_id,
            announcement_digest=self.announcement_digest,
            contributions=self.contributions,
            sources=self.source_values,
        )
        return CeremonyRecord(
            plan=self._plan(),
            announcement_digest=self.announcement_digest,
            opened_at=self.opened_at,
            contributions=tuple(sorted(self.contributions, key=lambda c: c.party)),
            sources=tuple(sorted(self.source_values, key=lambda s: s.name)),
            seed=seed,
        )


def _optional_time(fields: Fields, key: str) -> datetime | None:
    if fields.has(key) and fields.value(key) is None:
        return None
    return _time(fields, key)


def _already_settled(party: str, earlier: Contribution) -> CeremonyStateError:
    return CeremonyStateError(
        _("party {party!r} has already revealed").format(party=party)
        if earlier.secret is not None
        else _("party {party!r} has already been declared in default").format(party=party),
        code="ceremony.already-settled",
    )


def _unique(names: Iterable[str], what: str) -> None:
    """Refuse a repeated name; ``what`` is a message id (``N_``) and the field."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DuplicateError(
                _("{what} name is used twice").format(what=_(what)),
                code="plan.duplicate-name",
                field=what,
                value=name,
            )
        seen.add(name)


# --- RFC 3797 compatibility ---------------------------------------------------


def rfc3797_key(sources: Sequence[Sequence[int]]) -> str:
    """The RFC 3797 key string: each source's numbers sorted, dotted, slash-terminated.

    ``[[12, 5, 8]]`` gives ``"5.8.12./"``: the form of RFC 3797 section 4,
    kept only for this compatibility mode (alloc's own ``numbers`` form is
    section 4.4's).

    Raises:
        InputError: if a source is empty or holds a negative or non-integer value.
    """
    if not sources:
        raise InputError(
            _("at least one source is needed"),
            code="rfc3797.no-source",
            field="sources",
            value=sources,
        )
    key = []
    for index, source in enumerate(sources):
        where = f"source #{index + 1}"
        if isinstance(source, str | bytes) or not isinstance(source, Iterable):
            raise InputError(
                _("expected a list of integers"),
                code="rfc3797.not-a-list",
                field=where,
                value=source,
            )
        numbers = list(source)
        if not numbers:
            raise InputError(
                _("no numbers given"), code="rfc3797.empty-source", field=where, value=source
            )
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise InputError(
                    _("numbers must be non-negative integers"),
                    code="rfc3797.negative",
                    field=where,
                    value=number,
                )
        key.append("".join(f"{n}." for n in sorted(numbers)) + "/")
    return "".join(key)


def rfc3797_select(sources: Sequence[Sequence[int]], pool_size: int, count: int) -> list[int]:
    """Reproduce RFC 3797's selection: ``count`` distinct 1-based indices into the pool.

    This is a compatibility mode (MD5, as the RFC specifies), not how alloc
    draws: alloc derives its seed with SHA-256 and its tickets with HMAC.

    Raises:
        InputError: if ``pool_size`` is not 1..65535 or ``count`` not 0..pool_size.
    """
    if isinstance(pool_size, bool) or not isinstance(pool_size, int) or not 1 <= pool_size <= 65535:
        raise InputError(
            _("pool size must be 1 to 65535"),
            code="rfc3797.pool-size",
            field="pool_size",
            value=pool_size,
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= pool_size:
        raise InputError(
            _("count must be 0 to pool_size"), code="rfc3797.count", field="count", value=count
        )
    key = rfc3797_key(sources).encode("ascii")
    remaining = list(range(1, pool_size + 1))
    selected: list[int] = []
    for index in range(count):
        affix = index.to_bytes(2, "big")
        digest = hashlib.md5(affix + key + affix, usedforsecurity=False).digest()
        position = int.from_bytes(digest, "big") % len(remaining)
        selected.append(remaining.pop(position))
    return selected
