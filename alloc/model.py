"""The draw's value types: kindergartens, applicants, rules.

Small immutable values are the public face. Bulk applicant data also has a
columnar form, :class:`ApplicantTable`, which the engine works on directly so
a province-sized draw never builds a million Python objects.
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from alloc._check import (
    check_bool,
    check_bytes,
    check_enum,
    check_id,
    check_instance,
    check_integer,
    check_items,
    check_text,
    type_name,
)
from alloc.canonical import SPEC_VERSION
from alloc.errors import DuplicateError, InputError, RulesError, WrongTypeError
from alloc.i18n import _
from alloc.strictjson import Fields

__all__ = [
    "DEFAULT_TIME_ZONE",
    "OPEN_BLOCK",
    "Applicant",
    "ApplicantTable",
    "DrawRules",
    "Fact",
    "Kindergarten",
    "Mechanism",
    "MultiplesPolicy",
    "Phase",
    "RoundSeed",
    "SeatBlock",
    "TieBreak",
    "Unanswered",
    "check_time_zone",
    "local_time",
]

#: The name outcomes give the unreserved seats that follow every block.
OPEN_BLOCK = "open"
MAX_CHOICES = 32
MAX_BLOCKS = 8
#: Where the first users draw; the rules' time zone only changes how times are shown.
DEFAULT_TIME_ZONE: Final = "Asia/Shanghai"


class Mechanism(enum.Enum):
    """How seats are allocated (DESIGN section 4)."""

    #: Each kindergarten ranks its own applicants and admits in order; a child
    #: may win at several kindergartens (the Guangzhou draw).
    INDEPENDENT = "independent"
    #: Round r admits r-th choices into the seats still free; placements are
    #: final (志愿优先, the Boston mechanism).
    FIRST_CHOICE_FIRST = "first-choice-first"
    #: Student-proposing deferred acceptance; with no tiers and no blocks this
    #: is serial dictatorship in lottery order.
    DEFERRED_ACCEPTANCE = "deferred-acceptance"


class TieBreak(enum.Enum):
    """Whether a child has one lottery number or one per kindergarten."""

    SINGLE = "single"
    PER_KINDERGARTEN = "per-kindergarten"


#: The string values :class:`DrawRules` also accepts for each enum, for code
#: that reads them from configuration (tests check they match the enums).
MechanismName = Literal["independent", "first-choice-first", "deferred-acceptance"]
TieBreakName = Literal["single", "per-kindergarten"]
MultiplesPolicyName = Literal["separate", "bundle", "bundle-over-plan", "merge-after"]


class MultiplesPolicy(enum.Enum):
    """How twins, triplets and other multiples groups are drawn."""

    #: Every child is drawn on their own number.
    SEPARATE = "separate"
    #: One number for the group; admitted together into one kindergarten or
    #: not at all; a group that does not fit is skipped for the next applicant.
    BUNDLE = "bundle"
    #: As BUNDLE, but a group drawn while at least one seat is left in the
    #: open block is admitted whole, beyond capacity; the overflow is recorded.
    BUNDLE_OVER_PLAN = "bundle-over-plan"
    #: Drawn separately; afterwards a sibling placed at a later choice moves to
    #: the kindergarten of the sibling placed at the earliest choice.
    MERGE_AFTER = "merge-after"


class Unanswered(enum.Enum):
    """What a family holding an unconfirmed seat counts as if it does not answer (spec 11.1)."""

    #: 逾期未确认视为放弃: no answer by the deadline gives the seat up.
    DECLINE = "decline"
    #: No answer confirms the seat (under the independent lottery: the win at
    #: the child's earliest choice).
    CONFIRM = "confirm"


class RoundSeed(enum.Enum):
    """Which seed a second-round draw uses (spec 11.5)."""

    #: A new seed from a ceremony announced with the round, after its records.
    FRESH = "fresh"
    #: Round 1's seed: every child keeps its lottery numbers.
    SAME = "same"


UnansweredName = Literal["decline", "confirm"]
RoundSeedName = Literal["fresh", "same"]


@dataclass(frozen=True)
class Fact:
    """A priority fact an applicant holds at one kindergarten ("owner" at K03)."""

    name: str
    kindergarten: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_id(self.name, "fact.name"))
        object.__setattr__(self, "kindergarten", check_id(self.kindergarten, "fact.kindergarten"))


@dataclass(frozen=True)
class SeatBlock:
    """Seats reserved, in declared order, for applicants holding ``fact`` here.

    Blocks fill in order before the open seats; a block's unfilled seats flow
    on to the next block and finally to the open seats.
    """

    name: str
    seats: int
    fact: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_id(self.name, "block.name", rules=True))
        object.__setattr__(self, "fact", check_id(self.fact, "block.fact", rules=True))
        if self.name == OPEN_BLOCK:
            raise RulesError(
                _("{name!r} names the unreserved seats and cannot be a block name").format(
                    name=OPEN_BLOCK
                ),
                code="rules.reserved-block-name",
                field="block.name",
                value=self.name,
            )
        seats = check_integer(self.seats, f"block {self.name!r}.seats", minimum=0, rules=True)
        object.__setattr__(self, "seats", seats)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "seats": self.seats, "fact": self.fact}


@dataclass(frozen=True)
class Kindergarten:
    """A kindergarten: its id, name, seat count and ordered seat blocks.

    ``seats`` is the capacity; use :meth:`from_classes` for classes × class size.
    """

    id: str
    name: str
    seats: int
    blocks: tuple[SeatBlock, ...] = ()

    def __init__(self, id: str, name: str, seats: int, blocks: Iterable[SeatBlock] = ()) -> None:
        """Raises: RulesError (a RulesTypeError for a wrong type) naming the field."""
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "seats", seats)
        object.__setattr__(self, "blocks", blocks)
        self.__post_init__()

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", check_id(self.id, "kindergarten.id", rules=True))
        where = f"kindergarten {self.id!r}"
        check_display_text(self.name, f"{where}.name")
        seats = check_integer(
            self.seats,
            f"{where}.seats",
            minimum=1,
            rules=True,
            noun=_("capacity"),
            hint=_("give the number of places offered (classes × class size)"),
        )
        object.__setattr__(self, "seats", seats)
        blocks = check_items(
            self.blocks,
            f"{where}.blocks",
            what=_("a sequence of {kind} values").format(kind="SeatBlock"),
            rules=True,
        )
        for index, block in enumerate(blocks):
            check_instance(block, SeatBlock, f"{where}.blocks[{index}]", rules=True)
        object.__setattr__(self, "blocks", blocks)
        if len(self.blocks) > MAX_BLOCKS:
            raise RulesError(
                _("at most {maximum} seat blocks per kindergarten").format(maximum=MAX_BLOCKS),
                code="rules.too-many-blocks",
                field=f"{where}.blocks",
                value=len(self.blocks),
            )
        names = [b.name for b in self.blocks]
        if len(set(names)) != len(names):
            raise DuplicateError(
                _("block name used twice"),
                code="rules.duplicate-block",
                field=f"{where}.blocks",
                value=names,
            )
        reserved = sum(b.seats for b in self.blocks)
        if reserved > self.seats:
            raise RulesError(
                _("seat blocks add up to {reserved}, more than the capacity {seats}").format(
                    reserved=reserved, seats=self.seats
                ),
                code="rules.blocks-over-capacity",
                field=f"{where}.blocks",
                value=[b.to_json() for b in self.blocks],
                hint=_("reduce the blocks or raise the capacity"),
            )

    @classmethod
    def from_classes(
        cls,
        id: str,
        name: str,
        *,
        classes: int,
        class_size: int,
        blocks: Sequence[SeatBlock] = (),
    ) -> Kindergarten:
        """A kindergarten whose capacity is ``classes × class_size``.

        Raises:
            RulesError: (a RulesTypeError for a wrong type) if either factor is
                not a positive integer.
        """
        where = f"kindergarten {_shown(id)}"
        seats = check_integer(classes, f"{where}.classes", minimum=1, rules=True)
        seats *= check_integer(class_size, f"{where}.class_size", minimum=1, rules=True)
        return cls(id=id, name=name, seats=seats, blocks=blocks)

    @property
    def reserved_seats(self) -> int:
        return sum(b.seats for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "seats": self.seats,
            "blocks": [b.to_json() for b in self.blocks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Kindergarten:
        """Raises: MalformedDocumentError or RulesError naming the field at fault."""
        fields = Fields.of(data, document="rules", path="$.kindergartens[]")
        kindergarten = _read_kindergarten(fields)
        fields.done()
        return kindergarten


def _read_kindergarten(fields: Fields) -> Kindergarten:
    def block(item: Fields) -> SeatBlock:
        return SeatBlock(
            name=item.string("name"), seats=item.integer("seats"), fact=item.string("fact")
        )

    return Kindergarten(
        id=fields.string("id"),
        name=fields.string("name") if fields.has("name") else "",
        seats=fields.integer("seats"),
        blocks=tuple(fields.each("blocks", block)) if fields.has("blocks") else (),
    )


@dataclass(frozen=True)
class Phase:
    """One sub-draw of a phased draw; earlier phases' winners are excluded later.

    ``tiers`` limits who takes part (``None``: every tier); ``fact`` limits each
    applicant to the kindergartens where they hold that fact (an owners'
    phase); ``blocks`` offers only those seat blocks' seats (``None``: all
    seats); ``choices`` considers only the first N choices.
    """

    name: str
    tiers: tuple[str, ...] | None = None
    fact: str | None = None
    blocks: tuple[str, ...] | None = None
    choices: int | None = None

    def __init__(
        self,
        name: str,
        tiers: Iterable[str] | None = None,
        fact: str | None = None,
        blocks: Iterable[str] | None = None,
        choices: int | None = None,
    ) -> None:
        """Raises: RulesError (a RulesTypeError for a wrong type) naming the field."""
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "tiers", tiers)
        object.__setattr__(self, "fact", fact)
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "choices", choices)
        self.__post_init__()

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_id(self.name, "phase.name", rules=True))
        where = f"phase {self.name!r}"
        for label in ("tiers", "blocks"):
            given = getattr(self, label)
            if given is not None:
                object.__setattr__(self, label, _identifiers(given, f"{where}.{label}", rules=True))
        if self.fact is not None:
            object.__setattr__(self, "fact", check_id(self.fact, f"{where}.fact", rules=True))
        if self.choices is not None:
            choices = check_integer(self.choices, f"{where}.choices", minimum=1, rules=True)
            object.__setattr__(self, "choices", choices)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tiers": None if self.tiers is None else list(self.tiers),
            "fact": self.fact,
            "blocks": None if self.blocks is None else list(self.blocks),
            "choices": self.choices,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phase:
        """Raises: MalformedDocumentError or RulesError naming the field at fault."""
        fields = Fields.of(data, document="rules", path="$.phases[]")
        phase = _read_phase(fields)
        fields.done()
        return phase


def _read_phase(fields: Fields) -> Phase:
    def optional_strings(key: str) -> tuple[str, ...] | None:
        if not fields.has(key) or fields.value(key) is None:
            return None
        return tuple(fields.strings(key))

    return Phase(
        name=fields.string("name"),
        tiers=optional_strings("tiers"),
        fact=fields.optional_string("fact") if fields.has("fact") else None,
        blocks=optional_strings("blocks"),
        choices=fields.optional_integer("choices") if fields.has("choices") else None,
    )


@dataclass(frozen=True)
class DrawRules:
    """Everything that decides a draw besides the applicants and the seed.

    ``tiers`` lists priority tiers best first (empty: no tiers); the lottery
    only decides inside the tier that overflows. ``min_lottery_percent``
    requires that at least that share of every kindergarten's seats is open
    (not reserved in blocks). ``waitlist_length`` is N per kindergarten.
    ``time_zone`` (an IANA name) only says how times of this draw are shown.
    ``unanswered`` and ``round_seed`` rule the later rounds (spec 11).
    """

    draw_id: str
    kindergartens: tuple[Kindergarten, ...]
    mechanism: Mechanism = Mechanism.DEFERRED_ACCEPTANCE
    title: str = ""
    authority: str = ""
    tie_break: TieBreak = TieBreak.SINGLE
    tiers: tuple[str, ...] = ()
    multiples: MultiplesPolicy = MultiplesPolicy.SEPARATE
    merge_over_capacity: bool = False
    waitlist_length: int = 0
    min_lottery_percent: int = 0
    phases: tuple[Phase, ...] = ()
    time_zone: str = DEFAULT_TIME_ZONE
    unanswered: Unanswered = Unanswered.DECLINE
    round_seed: RoundSeed = RoundSeed.FRESH

    def __init__(
        self,
        draw_id: str,
        kindergartens: Iterable[Kindergarten],
        mechanism: Mechanism | MechanismName = Mechanism.DEFERRED_ACCEPTANCE,
        title: str = "",
        authority: str = "",
        tie_break: TieBreak | TieBreakName = TieBreak.SINGLE,
        tiers: Iterable[str] = (),
        multiples: MultiplesPolicy | MultiplesPolicyName = MultiplesPolicy.SEPARATE,
        merge_over_capacity: bool = False,
        waitlist_length: int = 0,
        min_lottery_percent: int = 0,
        phases: Iterable[Phase] = (),
        time_zone: str = DEFAULT_TIME_ZONE,
        unanswered: Unanswered | UnansweredName = Unanswered.DECLINE,
        round_seed: RoundSeed | RoundSeedName = RoundSeed.FRESH,
    ) -> None:
        """Check and store the rules; each enum may also be given as its string value.

        Raises:
            RulesError: (a RulesTypeError for a wrong type) naming the field,
                or a DuplicateError for a repeated id, tier or phase name.
        """
        for label, given in (
            ("draw_id", draw_id),
            ("kindergartens", kindergartens),
            ("mechanism", mechanism),
            ("title", title),
            ("authority", authority),
            ("tie_break", tie_break),
            ("tiers", tiers),
            ("multiples", multiples),
            ("merge_over_capacity", merge_over_capacity),
            ("waitlist_length", waitlist_length),
            ("min_lottery_percent", min_lottery_percent),
            ("phases", phases),
            ("time_zone", time_zone),
            ("unanswered", unanswered),
            ("round_seed", round_seed),
        ):
            object.__setattr__(self, label, given)
        self.__post_init__()

    def __post_init__(self) -> None:
        object.__setattr__(self, "draw_id", check_id(self.draw_id, "draw_id", rules=True))
        check_display_text(self.title, "title")
        check_display_text(self.authority, "authority")
        kindergartens = check_items(
            self.kindergartens,
            "kindergartens",
            what=_("a sequence of {kind} values").format(kind="Kindergarten"),
            rules=True,
        )
        for index, kg in enumerate(kindergartens):
            check_instance(
                kg,
                Kindergarten,
                f"kindergartens[{index}]",
                rules=True,
                hint=_(
                    "build each with Kindergarten(); DrawRules.from_json reads a rules document"
                ),
            )
        object.__setattr__(self, "kindergartens", kindergartens)
        object.__setattr__(self, "tiers", _identifiers(self.tiers, "tiers", rules=True))
        phases = check_items(
            self.phases,
            "phases",
            what=_("a sequence of {kind} values").format(kind="Phase"),
            rules=True,
        )
        for index, phase in enumerate(phases):
            check_instance(phase, Phase, f"phases[{index}]", rules=True)
        object.__setattr__(self, "phases", phases)
        check_time_zone(self.time_zone, "time_zone")
        for label, enum_type in (
            ("mechanism", Mechanism),
            ("tie_break", TieBreak),
            ("multiples", MultiplesPolicy),
            ("unanswered", Unanswered),
            ("round_seed", RoundSeed),
        ):
            member = check_enum(enum_type, getattr(self, label), label, rules=True)
            object.__setattr__(self, label, member)
        check_bool(self.merge_over_capacity, "merge_over_capacity", rules=True)
        for label in ("waitlist_length", "min_lottery_percent"):
            number = check_integer(getattr(self, label), label, minimum=0, rules=True)
            object.__setattr__(self, label, number)
        if not self.kindergartens:
            raise RulesError(
                _("no kindergartens"),
                code="rules.no-kindergartens",
                field="kindergartens",
                hint=_("list at least one kindergarten"),
            )
        ids = [k.id for k in self.kindergartens]
        _no_duplicates(ids, "kindergartens.id")
        _no_duplicates(list(self.tiers), "tiers")
        if self.min_lottery_percent > 100:
            raise RulesError(
                _("must be at most {maximum}").format(maximum=100),
                code="input.out-of-range",
                field="min_lottery_percent",
                value=self.min_lottery_percent,
            )
        for kg in self.kindergartens:
            # reserved <= seats * (100 - p) / 100, in integers
            if kg.reserved_seats * 100 > kg.seats * (100 - self.min_lottery_percent):
                raise RulesError(
                    _(
                        "blocks reserve {reserved} of {seats} seats, leaving less"
                        " than {percent}% to the open lottery"
                    ).format(
                        reserved=kg.reserved_seats,
                        seats=kg.seats,
                        percent=self.min_lottery_percent,
                    ),
                    code="rules.lottery-share",
                    field=f"kindergarten {kg.id!r}.blocks",
                    value=kg.reserved_seats,
                    hint=_("shrink the blocks or lower min_lottery_percent"),
                )
        if self.multiples is MultiplesPolicy.MERGE_AFTER and (
            self.mechanism is Mechanism.INDEPENDENT
        ):
            raise RulesError(
                _(
                    "merge-after needs one placement per child; the independent lottery"
                    " lets parents choose among several wins instead"
                ),
                code="rules.merge-after-independent",
                field="multiples",
                value=self.multiples.value,
                hint=_("use separate, bundle or bundle-over-plan"),
            )
        block_names = {b.name for k in self.kindergartens for b in k.blocks}
        _no_duplicates([p.name for p in self.phases], "phases.name")
        for phase in self.phases:
            for tier in phase.tiers or ():
                if tier not in self.tiers:
                    raise RulesError(
                        _("phase names a tier not declared in the rules"),
                        code="rules.phase-unknown-tier",
                        field=f"phase {phase.name!r}.tiers",
                        value=tier,
                        hint=_("declared tiers: {tiers}").format(tiers=list(self.tiers)),
                    )
            for block in phase.blocks or ():
                if block not in block_names:
                    raise RulesError(
                        _("phase names a seat block no kindergarten has"),
                        code="rules.phase-unknown-block",
                        field=f"phase {phase.name!r}.blocks",
                        value=block,
                    )

    def kindergarten(self, kindergarten_id: str) -> Kindergarten:
        """Raises: InputError if no kindergarten has that id."""
        for kg in self.kindergartens:
            if kg.id == kindergarten_id:
                return kg
        raise InputError(
            _("unknown kindergarten"),
            code="rules.unknown-kindergarten",
            field="kindergarten",
            value=kindergarten_id,
        )

    def to_json(self) -> dict[str, Any]:
        """The rules document with every field present (spec section 9.2)."""
        return {
            "spec": SPEC_VERSION,
            "draw_id": self.draw_id,
            "title": self.title,
            "authority": self.authority,
            "time_zone": self.time_zone,
            "mechanism": self.mechanism.value,
            "tie_break": self.tie_break.value,
            "tiers": list(self.tiers),
            "multiples": self.multiples.value,
            "merge_over_capacity": self.merge_over_capacity,
            "waitlist_length": self.waitlist_length,
            "min_lottery_percent": self.min_lottery_percent,
            "phases": [p.to_json() for p in self.phases],
            "kindergartens": [k.to_json() for k in self.kindergartens],
            "unanswered": self.unanswered.value,
            "round_seed": self.round_seed.value,
        }

    @classmethod
    def from_json(cls, data: object, *, document: str = "rules") -> DrawRules:
        """Read a rules document strictly (spec section 9.2).

        ``spec``, ``draw_id`` and ``kindergartens`` are required; every other
        field may be left out and takes its default. An unknown key, a wrong
        type or another spec version is refused.

        Raises:
            MalformedDocumentError: naming the key path, for an unknown or
                missing key, a wrong type or another spec version.
            RulesError: naming the field, for a value the rules do not allow.
        """
        fields = Fields.of(data, document=document)
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

        def text(key: str, default: str) -> str:
            return fields.string(key) if fields.has(key) else default

        rules = cls(
            draw_id=fields.string("draw_id"),
            title=text("title", ""),
            authority=text("authority", ""),
            time_zone=text("time_zone", DEFAULT_TIME_ZONE),
            mechanism=_enum(Mechanism, text("mechanism", "deferred-acceptance"), "mechanism"),
            tie_break=_enum(TieBreak, text("tie_break", "single"), "tie_break"),
            tiers=tuple(fields.strings("tiers")) if fields.has("tiers") else (),
            multiples=_enum(MultiplesPolicy, text("multiples", "separate"), "multiples"),
            merge_over_capacity=(
                fields.boolean("merge_over_capacity")
                if fields.has("merge_over_capacity")
                else False
            ),
            waitlist_length=(
                fields.integer("waitlist_length") if fields.has("waitlist_length") else 0
            ),
            min_lottery_percent=(
                fields.integer("min_lottery_percent") if fields.has("min_lottery_percent") else 0
            ),
            phases=tuple(fields.each("phases", _read_phase)) if fields.has("phases") else (),
            kindergartens=tuple(fields.each("kindergartens", _read_kindergarten)),
            unanswered=_enum(Unanswered, text("unanswered", "decline"), "unanswered"),
            round_seed=_enum(RoundSeed, text("round_seed", "fresh"), "round_seed"),
        )
        fields.done()
        return rules


@functools.cache
def _time_zones() -> frozenset[str]:
    # The tzdata package's list, not the operating system's, so the same rules
    # are valid on every machine (Windows has no system time zone database).
    text = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(text.split())


def local_time(text: str, zone: str) -> str:
    """A written time (ISO 8601 with offset) as it reads in ``zone``, for people.

    Never raises: a time that cannot be read is shown as written.
    """
    try:
        moment = datetime.fromisoformat(text).astimezone(zoneinfo.ZoneInfo(zone))
    except (ValueError, TypeError, zoneinfo.ZoneInfoNotFoundError):
        return text
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone}"


def check_time_zone(value: object, field_name: str) -> str:
    """An IANA time zone name such as ``Asia/Shanghai``.

    Raises:
        RulesError: (a RulesTypeError if it is not text) if it is not a zone the IANA
            database names.
    """
    value = check_text(value, field_name, rules=True)
    if value not in _time_zones():
        raise RulesError(
            _("not an IANA time zone name"),
            code="rules.time-zone",
            field=field_name,
            value=value,
            hint=_("use a name such as {zone!r} (Area/City, as in the tz database)").format(
                zone=DEFAULT_TIME_ZONE
            ),
        )
    return value


_E = TypeVar("_E", bound=enum.Enum)
_I = TypeVar("_I", bound=np.integer[Any])


def check_display_text(value: object, field_name: str) -> str:
    """Free text shown to the public (names, titles): no control or format characters.

    Format characters include the bidirectional overrides that can make text
    display differently from what it says, on a notice board or a livestream.

    Raises:
        RulesError: naming the field and the character.
    """
    check_text(value, field_name, rules=True)
    assert isinstance(value, str)
    for char in value:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            raise RulesError(
                _("contains the control or format character U+{code_point:04X}").format(
                    code_point=ord(char)
                ),
                code="rules.control-character",
                field=field_name,
                value=value,
                hint=_("remove it; it can make the text display differently from what it says"),
            )
    return value


def _enum(kind: type[_E], value: object, field_name: str) -> _E:
    try:
        return kind(value)
    except ValueError as exc:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise RulesError(
            _("unknown {what}").format(what=field_name),
            code="input.unknown-value",
            field=field_name,
            value=value,
            hint=_("use one of {allowed}").format(allowed=allowed),
        ) from exc


def _no_duplicates(values: Sequence[str], field_name: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise DuplicateError(
                _("appears twice"), code="rules.duplicate", field=field_name, value=value
            )
        seen.add(value)


def _identifiers(
    value: object, field_name: str, *, rules: bool = False, what: str | None = None
) -> tuple[str, ...]:
    """A tuple of identifiers from a list, tuple or other ordered collection."""
    items = check_items(value, field_name, what=what or _("a sequence of ids"), rules=rules)
    # Every type first, so a list with a wrong type is always a WrongTypeError.
    texts = tuple(
        check_text(item, f"{field_name}[{index}]", rules=rules) for index, item in enumerate(items)
    )
    for index, item in enumerate(texts):
        check_id(item, f"{field_name}[{index}]", rules=rules)
    return texts


def _int_array(value: object, dtype: type[_I], field_name: str) -> npt.NDArray[_I]:
    """``value`` as an integer array of ``dtype``, refusing floats, bools and overflow."""
    try:
        given = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise WrongTypeError(
            _("expected an integer array, got {type}").format(type=type_name(value)),
            code="input.wrong-type",
            field=field_name,
        ) from exc
    if given.size == 0:
        return np.zeros(given.shape, dtype)
    if given.dtype.kind not in "iu":
        raise WrongTypeError(
            _("expected an integer array, got an array of {type}").format(type=given.dtype),
            code="input.wrong-type",
            field=field_name,
        )
    limits = np.iinfo(dtype)
    if given.min() < limits.min or given.max() > limits.max:
        raise InputError(
            _("values outside the range of {type}").format(type=np.dtype(dtype).name),
            code="table.value-range",
            field=field_name,
            value=(int(given.min()), int(given.max())),
        )
    return given.astype(dtype)


def _shown(value: object) -> str:
    """``repr(value)`` for text, else its type: a message never shows a stray object."""
    return repr(value) if isinstance(value, str) else f"({type_name(value)})"


@dataclass(frozen=True)
class Applicant:
    """One child's public draw record: choices, tier, facts and multiples group.

    ``choices`` are kindergarten ids in order of preference, as a tuple or list
    (a bare string is refused: ``"K1"`` is not ``("K1",)``); ``facts`` any
    collection of :class:`Fact`; ``identity`` the 32-byte identity commitment.
    """

    registration_number: str
    choices: tuple[str, ...]
    tier: str | None = None
    facts: frozenset[Fact] = frozenset()
    group: str | None = None
    identity: bytes | None = None

    def __init__(
        self,
        registration_number: str,
        choices: Iterable[str],
        tier: str | None = None,
        facts: Iterable[Fact] = frozenset(),
        group: str | None = None,
        identity: bytes | None = None,
    ) -> None:
        """Raises: InputError (a WrongTypeError for a wrong type) naming the field."""
        object.__setattr__(self, "registration_number", registration_number)
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "tier", tier)
        object.__setattr__(self, "facts", facts)
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "identity", identity)
        self.__post_init__()

    def __post_init__(self) -> None:
        registration_number = check_id(self.registration_number, "registration_number")
        object.__setattr__(self, "registration_number", registration_number)
        where = f"applicant {self.registration_number!r}"
        if self.identity is not None:
            identity = check_bytes(self.identity, f"{where}.identity", size=32)
            object.__setattr__(self, "identity", identity)
        choices = _identifiers(
            self.choices, f"{where}.choices", what=_("a sequence of kindergarten ids")
        )
        object.__setattr__(self, "choices", choices)
        facts = check_items(
            self.facts,
            f"{where}.facts",
            what=_("a collection of {kind} values").format(kind="Fact"),
            ordered=False,
        )
        for fact in facts:
            check_instance(fact, Fact, f"{where}.facts")
        object.__setattr__(self, "facts", frozenset(facts))
        if len(set(self.choices)) != len(self.choices):
            repeated = next(c for c in self.choices if self.choices.count(c) > 1)
            raise DuplicateError(
                _("lists the same kindergarten twice"),
                code="applicant.choice-repeated",
                field=f"{where}.choices",
                value=repeated,
                hint=_("each kindergarten may appear once in a child's choices"),
            )
        if len(self.choices) > MAX_CHOICES:
            raise InputError(
                _("more than {maximum} choices").format(maximum=MAX_CHOICES),
                code="applicant.too-many-choices",
                field=f"{where}.choices",
                value=len(self.choices),
            )
        if self.tier is not None:
            object.__setattr__(self, "tier", check_id(self.tier, f"{where}.tier"))
        if self.group is not None:
            object.__setattr__(self, "group", check_id(self.group, f"{where}.group"))


@dataclass(frozen=True, eq=False)
class ApplicantTable:
    """Applicants in columnar form, the engine's input.

    ``choices`` holds codes into ``kindergarten_ids`` (``-1`` pads short
    lists), ``tiers`` codes into ``tier_names`` (``-1``: no tier),
    ``groups`` codes into ``group_ids`` (``-1``: not in a group), and each
    fact is a triple (applicant row, code into ``fact_names``, code into
    ``kindergarten_ids``). ``source_rows`` maps rows to 1-based rows of the
    file they came from, for error messages.
    """

    registration_numbers: tuple[str, ...]
    kindergarten_ids: tuple[str, ...]
    choices: npt.NDArray[np.int32]
    tier_names: tuple[str, ...] = ()
    tiers: npt.NDArray[np.int32] | None = None
    group_ids: tuple[str, ...] = ()
    groups: npt.NDArray[np.int32] | None = None
    fact_names: tuple[str, ...] = ()
    fact_rows: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    fact_codes: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    fact_kindergartens: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    source_rows: npt.NDArray[np.int64] | None = None
    identities: npt.NDArray[np.uint8] | None = None

    def __post_init__(self) -> None:
        for label in (
            "registration_numbers",
            "kindergarten_ids",
            "tier_names",
            "group_ids",
            "fact_names",
        ):
            names = check_items(getattr(self, label), label, what=_("a sequence of ids"))
            for index, name in enumerate(names):
                if not isinstance(name, str):
                    check_text(name, f"{label}[{index}]")
            object.__setattr__(self, label, names)
        n = len(self.registration_numbers)
        choices = _int_array(self.choices, np.int32, "choices")
        if choices.ndim != 2 or choices.shape[0] != n:
            raise InputError(
                _("choices must be an (n, k) array"),
                code="table.shape",
                field="choices",
                value=choices.shape,
            )
        tiers = (
            np.full(n, -1, np.int32)
            if self.tiers is None
            else _int_array(self.tiers, np.int32, "tiers")
        )
        groups = (
            np.full(n, -1, np.int32)
            if self.groups is None
            else _int_array(self.groups, np.int32, "groups")
        )
        for label, column in (("tiers", tiers), ("groups", groups)):
            if column.shape != (n,):
                raise InputError(
                    _("column length differs from the applicant count"),
                    code="table.shape",
                    field=label,
                    value=column.shape,
                )
        arrays: dict[str, npt.NDArray[Any]] = {
            "choices": choices,
            "tiers": tiers,
            "groups": groups,
            "fact_rows": _int_array(self.fact_rows, np.int32, "fact_rows"),
            "fact_codes": _int_array(self.fact_codes, np.int32, "fact_codes"),
            "fact_kindergartens": _int_array(
                self.fact_kindergartens, np.int32, "fact_kindergartens"
            ),
        }
        fact_shapes = {arrays[k].shape for k in ("fact_rows", "fact_codes", "fact_kindergartens")}
        if len(fact_shapes) != 1 or arrays["fact_rows"].ndim != 1:
            raise InputError(
                _("fact_rows, fact_codes and fact_kindergartens must be 1-d arrays of one length"),
                code="table.shape",
                field="fact_rows",
                value=sorted(fact_shapes),
            )
        if self.source_rows is not None:
            arrays["source_rows"] = _int_array(self.source_rows, np.int64, "source_rows")
        if self.identities is not None:
            identities = _int_array(self.identities, np.uint8, "identities")
            if identities.shape != (n, 32):
                raise InputError(
                    _("identity commitments must be an (n, 32) byte array"),
                    code="table.shape",
                    field="identities",
                    value=identities.shape,
                )
            arrays["identities"] = identities
        for name, given in arrays.items():
            # A private copy, so a caller mutating its array cannot change a draw.
            frozen = given.copy()
            frozen.flags.writeable = False
            object.__setattr__(self, name, frozen)
        for label, limit, lowest in (
            ("choices", len(self.kindergarten_ids), -1),
            ("tiers", len(self.tier_names), -1),
            ("groups", len(self.group_ids), -1),
            ("fact_rows", n, 0),
            ("fact_codes", len(self.fact_names), 0),
            ("fact_kindergartens", len(self.kindergarten_ids), 0),
        ):
            column = arrays[label]
            if column.size and (column.min() < lowest or column.max() >= limit):
                raise InputError(
                    _("code out of range"),
                    code="table.code-range",
                    field=label,
                    value=(int(column.min()), int(column.max())),
                )

    def __len__(self) -> int:
        return len(self.registration_numbers)

    def row_label(self, index: int) -> int | None:
        """The 1-based source row of ``index``, if known."""
        if self.source_rows is None:
            return None
        return int(self.source_rows[index])

    @classmethod
    def from_applicants(cls, applicants: Iterable[Applicant]) -> ApplicantTable:
        """Build a table from value objects (row i is the i-th applicant).

        Raises:
            WrongTypeError: if ``applicants`` is not a collection of
                :class:`Applicant` (a dict or a bare string among them, say).
            InputError: if some applicants carry an identity commitment and
                some do not.
        """
        given = check_items(
            applicants,
            "applicants",
            what=_("a sequence of {kind} values").format(kind="Applicant"),
        )
        people = [
            check_instance(
                person,
                Applicant,
                f"applicants[{index}]",
                hint=_(
                    "build each with Applicant(registration_number, choices, ...);"
                    " a mapping is not read field by field"
                ),
            )
            for index, person in enumerate(given)
        ]
        kg_index: dict[str, int] = {}
        tier_index: dict[str, int] = {}
        group_index: dict[str, int] = {}
        fact_index: dict[str, int] = {}
        width = max((len(a.choices) for a in people), default=0)
        choices = np.full((len(people), max(width, 1)), -1, np.int32)
        tiers = np.full(len(people), -1, np.int32)
        groups = np.full(len(people), -1, np.int32)
        fact_rows: list[int] = []
        fact_codes: list[int] = []
        fact_kgs: list[int] = []
        for row, person in enumerate(people):
            for col, choice in enumerate(person.choices):
                choices[row, col] = kg_index.setdefault(choice, len(kg_index))
            if person.tier is not None:
                tiers[row] = tier_index.setdefault(person.tier, len(tier_index))
            if person.group is not None:
                groups[row] = group_index.setdefault(person.group, len(group_index))
            for fact in sorted(person.facts, key=lambda f: (f.name, f.kindergarten)):
                fact_rows.append(row)
                fact_codes.append(fact_index.setdefault(fact.name, len(fact_index)))
                fact_kgs.append(kg_index.setdefault(fact.kindergarten, len(kg_index)))
        with_identity = [a.identity is not None for a in people]
        identities = None
        if people and all(with_identity):
            identities = np.frombuffer(
                b"".join(a.identity or b"" for a in people), np.uint8
            ).reshape(-1, 32)
        elif any(with_identity):
            raise InputError(
                _("some applicants carry an identity commitment and some do not"),
                code="table.identities-partial",
                field="identity",
                hint=_("give every applicant one, or none"),
            )
        return cls(
            identities=identities,
            registration_numbers=tuple(a.registration_number for a in people),
            kindergarten_ids=tuple(kg_index),
            choices=choices,
            tier_names=tuple(tier_index),
            tiers=tiers,
            group_ids=tuple(group_index),
            groups=groups,
            fact_names=tuple(fact_index),
            fact_rows=np.asarray(fact_rows, np.int32),
            fact_codes=np.asarray(fact_codes, np.int32),
            fact_kindergartens=np.asarray(fact_kgs, np.int32),
        )

    def applicant(self, index: int) -> Applicant:
        """Row ``index`` as an :class:`Applicant` value."""
        choices = tuple(self.kindergarten_ids[c] for c in self.choices[index] if c >= 0)
        tier_code = int(self.tiers[index])  # type: ignore[index]
        group_code = int(self.groups[index])  # type: ignore[index]
        rows = np.flatnonzero(self.fact_rows == index)
        facts = frozenset(
            Fact(
                self.fact_names[self.fact_codes[r]],
                self.kindergarten_ids[self.fact_kindergartens[r]],
            )
            for r in rows
        )
        return Applicant(
            identity=None if self.identities is None else bytes(self.identities[index]),
            registration_number=self.registration_numbers[index],
            choices=choices,
            tier=None if tier_code < 0 else self.tier_names[tier_code],
            facts=facts,
            group=None if group_code < 0 else self.group_ids[group_code],
        )

    def __iter__(self) -> Iterator[Applicant]:
        for index in range(len(self)):
            yield self.applicant(index)
