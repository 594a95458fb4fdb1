"""Hypothesis strategies that build whole draw problems (rules, applicants, seed).

In the style of the ``matching`` library's tests: one ``@composite`` strategy
per layer (kindergartens, rules, applicants) and one, :func:`problems`, that
puts them together. Keyword arguments restrict what may be generated, so a
property that only holds for, say, deferred acceptance without bundles can ask
for exactly that.

Problems are kept small (at most 6 kindergartens of 1-5 seats and 25
children) so the engine and the plain-Python reference both run in
milliseconds and the whole test suite stays well under a minute.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hypothesis import strategies as st

from alloc.draw import draw as alloc_draw
from alloc.model import (
    Applicant,
    DrawRules,
    Fact,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    SeatBlock,
    TieBreak,
    Unanswered,
)
from alloc.rounds import Answer, Response, Standings, first_standings

__all__ = [
    "BLOCK_KINDS",
    "FACTS",
    "KINDERGARTEN_IDS",
    "TIERS",
    "Problem",
    "RoundProblem",
    "applicant_lists",
    "draw_rules",
    "kindergartens",
    "problems",
    "responses_to",
    "round_problems",
    "seeds",
]

#: Kindergarten ids: ASCII and Chinese, and ids whose text order differs from
#: their numeric order, so nothing may depend on ids sorting "naturally".
KINDERGARTEN_IDS = ("K1", "K2", "K10", "东山", "a-3", "Z9")
FACTS = ("owner", "staff")
#: (block name, fact). Two blocks serve owners so an owners' phase can offer two.
BLOCK_KINDS = (("owners", "owner"), ("staff", "staff"), ("estate", "owner"))
TIERS = ("care", "local", "other")
DRAW_IDS = ("2025-huangpu", "草稿-1")

seeds = st.binary(min_size=32, max_size=32)


@dataclass
class _Child:
    reg: str
    choices: tuple[str, ...]
    tier: str | None
    facts: frozenset[Fact] = field(default_factory=frozenset)
    group: str | None = None


@dataclass(frozen=True)
class Problem:
    """One generated draw: everything :func:`alloc.draw.draw` takes."""

    rules: DrawRules
    applicants: tuple[Applicant, ...]
    seed: bytes

    def __repr__(self) -> str:  # readable hypothesis falsifying examples
        lines = [f"Problem(seed={self.seed.hex()!r},", f"  rules={self.rules!r},", "  applicants=["]
        lines += [f"    {a!r}," for a in self.applicants]
        lines.append("  ])")
        return "\n".join(lines)


E = TypeVar("E", bound=enum.Enum)


def _as_options(value: E | Sequence[E] | None, everything: type[E]) -> list[E]:
    """The allowed values: all of an enum, one value, or a list of values."""
    if value is None:
        return list(everything)
    if isinstance(value, everything):
        return [value]
    return list(value)  # type: ignore[arg-type]


@st.composite
def kindergartens(
    draw: st.DrawFn,
    *,
    min_kindergartens: int = 1,
    max_kindergartens: int = 6,
    max_seats: int = 5,
    with_blocks: bool = True,
) -> tuple[Kindergarten, ...]:
    """1-6 kindergartens with 1-5 seats and, optionally, ordered seat blocks."""
    ids = draw(
        st.lists(
            st.sampled_from(KINDERGARTEN_IDS),
            min_size=min_kindergartens,
            max_size=max_kindergartens,
            unique=True,
        )
    )
    result = []
    for kg_id in ids:
        seats = draw(st.integers(1, max_seats))
        blocks: list[SeatBlock] = []
        if with_blocks and draw(st.booleans()):
            kinds = draw(st.lists(st.sampled_from(BLOCK_KINDS), max_size=2, unique=True))
            free = seats
            for name, fact in kinds:
                size = draw(st.integers(0, free))
                free -= size
                blocks.append(SeatBlock(name=name, seats=size, fact=fact))
        result.append(
            Kindergarten(id=kg_id, name=f"幼儿园 {kg_id}", seats=seats, blocks=tuple(blocks))
        )
    return tuple(result)


@st.composite
def _phases(
    draw: st.DrawFn,
    tiers: tuple[str, ...],
    kgs: tuple[Kindergarten, ...],
    *,
    phase_blocks: str,
) -> tuple[Phase, ...]:
    """1-3 phases of the kinds districts use: owners, tiers, first N choices, everyone.

    ``phase_blocks``: "none" (no phase restricts blocks), "owners" (an owners'
    phase may offer only the owners' blocks) or "any" (also phases offering
    any blocks to anyone).
    """
    existing = [
        name for name, _ in BLOCK_KINDS if any(b.name == name for k in kgs for b in k.blocks)
    ]
    owner_blocks = [name for name, fact in BLOCK_KINDS if fact == "owner" and name in existing]
    kinds = ["owners", "choices", "everyone"]
    if tiers:
        kinds.append("tiers")
    if phase_blocks == "any" and existing:
        kinds.append("blocks")
    picked = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3))
    phases = []
    for i, kind in enumerate(picked):
        name = f"{kind}-{i + 1}"
        if kind == "owners":
            # An owners' phase: only owners, only where they own, and (optionally)
            # only the owners' blocks on offer.
            offered = None
            if phase_blocks != "none" and owner_blocks and draw(st.booleans()):
                offered = tuple(owner_blocks)
            phases.append(Phase(name=name, fact="owner", blocks=offered))
        elif kind == "blocks":
            offered = draw(st.lists(st.sampled_from(existing), min_size=1, unique=True))
            phases.append(Phase(name=name, blocks=tuple(offered)))
        elif kind == "choices":
            phases.append(Phase(name=name, choices=draw(st.integers(1, 3))))
        elif kind == "tiers":
            chosen = draw(st.lists(st.sampled_from(tiers), min_size=1, unique=True))
            phases.append(Phase(name=name, tiers=tuple(t for t in tiers if t in chosen)))
        else:
            phases.append(Phase(name=name))
    return tuple(phases)


@st.composite
def draw_rules(
    draw: st.DrawFn,
    *,
    mechanism: Mechanism | Sequence[Mechanism] | None = None,
    tie_break: TieBreak | Sequence[TieBreak] | None = None,
    multiples: MultiplesPolicy | Sequence[MultiplesPolicy] | None = None,
    with_blocks: bool = True,
    with_tiers: bool = True,
    with_phases: bool = True,
    always_phases: bool = False,
    phase_blocks: str = "owners",
    min_kindergartens: int = 1,
    max_kindergartens: int = 6,
    max_seats: int = 5,
    waitlists: bool = True,
    min_waitlist: int = 0,
) -> DrawRules:
    """Whole rules: kindergartens, mechanism, tie-break, tiers, multiples, phases."""
    kgs = draw(
        kindergartens(
            min_kindergartens=min_kindergartens,
            max_kindergartens=max_kindergartens,
            max_seats=max_seats,
            with_blocks=with_blocks,
        )
    )
    mech = draw(st.sampled_from(_as_options(mechanism, Mechanism)))
    policies = _as_options(multiples, MultiplesPolicy)
    if mech is Mechanism.INDEPENDENT:
        # merge-after needs one placement per child (RulesError otherwise).
        policies = [p for p in policies if p is not MultiplesPolicy.MERGE_AFTER]
    policy = draw(st.sampled_from(policies))
    tiers: tuple[str, ...] = ()
    if with_tiers and draw(st.booleans()):
        tiers = tuple(draw(st.permutations(TIERS))[: draw(st.integers(1, len(TIERS)))])
    phases: tuple[Phase, ...] = ()
    if always_phases or (with_phases and draw(st.booleans())):
        phases = draw(_phases(tiers, kgs, phase_blocks=phase_blocks))
    widest_open = min(100 * (k.seats - k.reserved_seats) // k.seats for k in kgs)
    return DrawRules(
        draw_id=draw(st.sampled_from(DRAW_IDS)),
        kindergartens=kgs,
        mechanism=mech,
        tie_break=draw(st.sampled_from(_as_options(tie_break, TieBreak))),
        tiers=tiers,
        multiples=policy,
        merge_over_capacity=draw(st.booleans()),
        waitlist_length=draw(st.integers(min_waitlist, max(min_waitlist, 3))) if waitlists else 0,
        min_lottery_percent=draw(st.integers(0, widest_open)),
        phases=phases,
        unanswered=draw(st.sampled_from(Unanswered)),
    )


def _ordered_selection(items: Sequence[str], width: int, code: int) -> tuple[str, ...]:
    """The ``code``-th ordered selection of ``width`` distinct items (0: the first ones)."""
    pool = list(items)
    chosen = []
    for _ in range(width):
        code, i = divmod(code, len(pool))
        chosen.append(pool.pop(i))
    return tuple(chosen)


@st.composite
def applicant_lists(
    draw: st.DrawFn,
    rules: DrawRules,
    *,
    min_applicants: int = 1,
    max_applicants: int = 25,
    with_groups: bool = True,
    with_facts: bool = True,
    min_choices: int = 1,
) -> tuple[Applicant, ...]:
    """1-25 children with distinct registration numbers and 1-4 distinct choices.

    Tiers are drawn from the rules' tiers (none if the rules have none); facts
    from FACTS at any kindergarten; some children form multiples groups of 2-3
    who list identical choices (their facts and tiers may differ).
    """
    kg_ids = [k.id for k in rules.kindergartens]
    count = draw(st.sampled_from(range(min_applicants, max_applicants + 1)))
    # Distinct registration numbers from two draws: a start and a stride modulo a
    # prime (shrinks to R00000, R00001, ...).
    base = draw(st.integers(0, 10006))
    stride = draw(st.integers(1, 10006))
    regs = [f"R{(base + stride * i) % 10007:05d}" for i in range(count)]
    # Strategies are built once, and each child costs a handful of draws: the
    # hypothesis bookkeeping per draw, not the engine, dominates the run time.
    widths = st.integers(min(min_choices, len(kg_ids)), min(4, len(kg_ids)))
    tiers = st.sampled_from(rules.tiers) if rules.tiers else st.none()
    coins = st.booleans()
    selections = {w: st.integers(0, math.perm(len(kg_ids), w) - 1) for w in range(1, 5)}
    masks = {w: st.integers(0, 2 ** (len(FACTS) * w) - 1) for w in range(1, 5)}
    people: list[_Child] = []
    for reg in regs:
        width = draw(widths)
        choices = _ordered_selection(kg_ids, width, draw(selections[width]))
        tier = draw(tiers)
        facts: frozenset[Fact] = frozenset()
        if with_facts and draw(coins):
            # facts where the child applies: bit i of the mask is fact (i % 2) at
            # choice i // 2
            mask = draw(masks[width])
            facts = frozenset(
                Fact(FACTS[i % len(FACTS)], choices[i // len(FACTS)])
                for i in range(len(FACTS) * width)
                if mask >> i & 1
            )
        people.append(_Child(reg, choices, tier, facts))

    if with_groups and len(people) >= 2:
        at = 0
        for g in range(draw(st.sampled_from(range(4)))):
            at += draw(st.integers(0, 3))
            size = draw(st.integers(2, 3))
            if at + size > len(people):
                break
            lead = people[at]
            for member in people[at : at + size]:
                member.group = f"G{g + 1}"
                member.choices = lead.choices
                if draw(coins):
                    member.facts = lead.facts  # twins usually share owner facts
            at += size
    return tuple(
        Applicant(
            registration_number=p.reg, choices=p.choices, tier=p.tier, facts=p.facts, group=p.group
        )
        for p in people
    )


@st.composite
def problems(
    draw: st.DrawFn,
    *,
    mechanism: Mechanism | Sequence[Mechanism] | None = None,
    tie_break: TieBreak | Sequence[TieBreak] | None = None,
    multiples: MultiplesPolicy | Sequence[MultiplesPolicy] | None = None,
    with_blocks: bool = True,
    with_tiers: bool = True,
    with_phases: bool = True,
    always_phases: bool = False,
    phase_blocks: str = "owners",
    with_groups: bool = True,
    with_facts: bool = True,
    waitlists: bool = True,
    min_waitlist: int = 0,
    min_kindergartens: int = 1,
    max_kindergartens: int = 6,
    max_seats: int = 5,
    min_applicants: int = 1,
    max_applicants: int = 25,
    min_choices: int = 1,
) -> Problem:
    """A whole problem. Every keyword narrows what is generated:

    ``mechanism``/``tie_break``/``multiples`` take one value or a list of
    allowed values; ``with_blocks=False`` gives kindergartens without seat
    blocks, ``with_tiers=False`` rules without tiers, ``with_phases=False``
    one-phase draws and ``always_phases=True`` phased draws only;
    ``phase_blocks`` is "none", "owners" (owners' phases may offer only the
    owners' blocks; the default) or "any" (phases may offer any blocks);
    ``with_groups=False`` no multiples groups ("no bundles"),
    ``with_facts=False`` no facts; ``min_kindergartens``/``max_kindergartens``, ``max_seats`` and
    ``min_applicants``/``max_applicants`` bound the size (few seats and many
    children make scarce draws, where merges and waitlists happen);
    ``min_waitlist`` is the shortest waitlist length drawn (0 to 3 otherwise)
    and ``min_choices`` the shortest choice list (up to the kindergartens).
    """
    rules = draw(
        draw_rules(
            mechanism=mechanism,
            tie_break=tie_break,
            multiples=multiples,
            with_blocks=with_blocks,
            with_tiers=with_tiers,
            with_phases=with_phases,
            always_phases=always_phases,
            phase_blocks=phase_blocks,
            min_kindergartens=min_kindergartens,
            max_kindergartens=max_kindergartens,
            max_seats=max_seats,
            waitlists=waitlists,
            min_waitlist=min_waitlist,
        )
    )
    applicants = draw(
        applicant_lists(
            rules,
            min_applicants=min_applicants,
            max_applicants=max_applicants,
            with_groups=with_groups,
            with_facts=with_facts,
            min_choices=min_choices,
        )
    )
    return Problem(rules=rules, applicants=applicants, seed=draw(seeds))


# --- later rounds (docs/spec.md section 11) --------------------------------------


@st.composite
def responses_to(draw: st.DrawFn, standings: Standings) -> tuple[Response, ...]:
    """Every family's answer, or none, to ``standings``, as generated families give them.

    Children holding seats confirm or withdraw one of them (under the
    independent lottery: any win), decline, or stay silent; children
    without one mostly stay silent, sometimes withdraw or decline. The
    members of a bundled group answer together.
    """
    bundled = standings.rules.multiples in (
        MultiplesPolicy.BUNDLE,
        MultiplesPolicy.BUNDLE_OVER_PLAN,
    )
    answers: dict[str, tuple[Answer | None, str | None]] = {}
    groups: dict[str, tuple[Answer | None, str | None]] = {}
    holder = st.sampled_from(
        [Answer.CONFIRM, Answer.CONFIRM, Answer.WITHDRAW, Answer.DECLINE, None]
    )
    waiter = st.sampled_from([None, None, None, Answer.WITHDRAW, Answer.DECLINE])
    for standing in standings:
        if standing.declined:
            continue
        reg = standing.registration_number
        group = (
            standings.group_ids[g]
            if (g := int(standings.groups[standings.index(reg)])) >= 0
            else None
        )
        if bundled and group is not None and group in groups:
            answers[reg] = groups[group]
            continue
        if standing.seats:
            answer = draw(holder)
            kept = draw(st.sampled_from(standing.seats)).kindergarten
            choice = (answer, None if answer in (None, Answer.DECLINE) else kept)
        else:
            choice = (draw(waiter), None)
        answers[reg] = choice
        if bundled and group is not None:
            groups[group] = choice
    return tuple(
        Response(reg, answer, kg) for reg, (answer, kg) in answers.items() if answer is not None
    )


@dataclass(frozen=True)
class RoundProblem:
    """A draw and the families' responses to it: round 2's inputs."""

    problem: Problem
    responses: tuple[Response, ...]

    @property
    def unanswered(self) -> Unanswered:
        return self.problem.rules.unanswered


@st.composite
def round_problems(draw: st.DrawFn, **kwargs: object) -> RoundProblem:
    """A whole problem (``problems(**kwargs)``) and responses to its draw.

    Unless told otherwise, problems are scarce (at least 3 kindergartens of
    at most 3 seats, at least 8 children listing at least 2) with waitlists
    of 2 or 3, where declines start vacancy chains.
    """
    kwargs.setdefault("min_waitlist", 2)
    kwargs.setdefault("min_kindergartens", 3)
    kwargs.setdefault("min_choices", 2)
    kwargs.setdefault("max_seats", 3)
    kwargs.setdefault("min_applicants", 8)
    problem = draw(problems(**kwargs))  # type: ignore[arg-type]
    outcome = alloc_draw(problem.rules, problem.applicants, problem.seed)
    standings = first_standings(outcome, problem.applicants)
    return RoundProblem(problem=problem, responses=draw(responses_to(standings)))
