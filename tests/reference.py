"""A plain, independent reference implementation of docs/spec.md section 7.

Written for clarity, not speed: dictionaries and loops, one rule of the spec
per block of code. It shares nothing with ``alloc.draw`` except the four
ticket functions of spec section 5.1, so the property tests can compare the
numpy engine against an implementation that was written straight from the
text.

Where the spec leaves a detail open, the choice made here is marked
``AMBIGUITY`` and listed in the test report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from alloc.model import (
    OPEN_BLOCK,
    Applicant,
    DrawRules,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    TieBreak,
)
from alloc.tickets import group_kindergarten_ticket, group_ticket, kindergarten_ticket, ticket

__all__ = [
    "OPEN",
    "Admission",
    "ChildResult",
    "RefResult",
    "Unit",
    "build_units",
    "choose",
    "full_seats",
    "number",
    "reference_draw",
]

OPEN = OPEN_BLOCK

#: seats per stage of one kindergarten: block name (or OPEN) -> seats
Seats = dict[str, int]


def number(ticket_bytes: bytes) -> int:
    """Spec 5.2: a lottery number is a 256-bit big-endian unsigned integer."""
    return int.from_bytes(ticket_bytes, "big")


# --- units (spec 7.1) -------------------------------------------------------------


@dataclass(eq=False)
class Unit:
    """What the mechanisms place: one child, or one bundled multiples group."""

    uid: int
    members: tuple[str, ...]  # registration numbers, sorted
    group: str | None  # group id when the unit is a bundle
    choices: tuple[str, ...]
    tier_rank: int  # worst member tier rank; 0 without tiers
    tier: str | None  # the name of that tier
    facts: frozenset[tuple[str, str]]  # (fact, kindergarten) held by every member
    weight: int
    numbers: dict[str, int]  # kindergarten id -> lottery number at that kindergarten

    def key(self, kindergarten: str) -> tuple[int, int]:
        """Spec 7.1: (tier rank, lottery number), lower is better."""
        return (self.tier_rank, self.numbers[kindergarten])

    def holds(self, fact: str, kindergarten: str) -> bool:
        return (fact, kindergarten) in self.facts

    def position(self, kindergarten: str) -> int:
        return self.choices.index(kindergarten)


def _bundles(rules: DrawRules) -> bool:
    return rules.multiples in (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN)


def build_units(rules: DrawRules, applicants: Sequence[Applicant], seed: bytes) -> list[Unit]:
    """Spec 7.1 "Units": bundles under bundle policies, every other child alone.

    Units are listed in ascending order of their first member's registration
    number, so nothing here depends on the order of ``applicants``.
    """
    tier_rank = {t: i for i, t in enumerate(rules.tiers)}
    groups: dict[str, list[Applicant]] = {}
    alone: list[list[Applicant]] = []
    for person in sorted(applicants, key=lambda a: a.registration_number):
        if person.group is not None and _bundles(rules):
            groups.setdefault(person.group, []).append(person)
        else:
            alone.append([person])
    collections: list[tuple[str | None, list[Applicant]]] = [(None, people) for people in alone]
    collections += groups.items()
    collections.sort(key=lambda item: item[1][0].registration_number)

    units = []
    for uid, (gid, people) in enumerate(collections):
        choices = people[0].choices  # group members list identical choices
        ranks = [tier_rank[p.tier] if p.tier is not None else 0 for p in people]
        worst = max(ranks)
        facts = frozenset.intersection(
            *(frozenset((f.name, f.kindergarten) for f in p.facts) for p in people)
        )
        numbers = {}
        for kg in choices:
            if gid is None:
                reg = people[0].registration_number
                if rules.tie_break is TieBreak.SINGLE:
                    raw = ticket(seed, rules.draw_id, reg)
                else:
                    raw = kindergarten_ticket(seed, rules.draw_id, reg, kg)
            elif rules.tie_break is TieBreak.SINGLE:
                raw = group_ticket(seed, rules.draw_id, gid)
            else:
                raw = group_kindergarten_ticket(seed, rules.draw_id, gid, kg)
            numbers[kg] = number(raw)
        units.append(
            Unit(
                uid=uid,
                members=tuple(p.registration_number for p in people),
                group=gid,
                choices=choices,
                tier_rank=worst,
                tier=rules.tiers[worst] if rules.tiers else None,
                facts=facts,
                weight=len(people),
                numbers=numbers,
            )
        )
    return units


def full_seats(kindergarten: Kindergarten) -> Seats:
    """Every block's seats and the open seats of one kindergarten."""
    seats = {b.name: b.seats for b in kindergarten.blocks}
    seats[OPEN] = kindergarten.seats - kindergarten.reserved_seats
    return seats


# --- the choice function (spec 7.2) ----------------------------------------------


@dataclass(frozen=True)
class Admission:
    block: str
    over: bool


def choose(
    kindergarten: Kindergarten,
    candidates: Iterable[Unit],
    seats: Seats,
    *,
    over_plan: bool,
    offered: Sequence[str] | None = None,
) -> tuple[dict[int, Admission], Seats]:
    """One kindergarten's choice among candidate units.

    ``seats`` gives the seats available per block and in the open seats.
    ``offered`` names the stages that take part (a phase with ``blocks``: only
    those blocks, no open seats); ``None`` means every block, then the open
    seats. Returns the admissions by unit id and the seats left afterwards,
    per stage, with the spec's bookkeeping: a block uses its own seats first,
    then flowed seats taken from the earliest block first.
    """
    kg = kindergarten.id
    queue = sorted(candidates, key=lambda u: u.key(kg))
    stages: list[tuple[str, str | None]] = [(b.name, b.fact) for b in kindergarten.blocks]
    stages.append((OPEN, None))
    if offered is not None:
        stages = [(name, fact) for name, fact in stages if name in offered]

    admitted: dict[int, Admission] = {}
    unused: dict[str, int] = {}  # own seats left unfilled by each earlier stage, in order
    for name, fact in stages:
        own = seats[name]
        available = own + sum(unused.values())
        used = 0
        for unit in queue:
            if unit.uid in admitted:
                continue
            if fact is not None and not unit.holds(fact, kg):
                continue
            room = available - used
            if over_plan and fact is None:
                # bundle-over-plan, open seats only: admitted whole while a seat is left
                if room >= 1:
                    admitted[unit.uid] = Admission(name, over=unit.weight > room)
                    used += unit.weight
            elif unit.weight <= room:
                admitted[unit.uid] = Admission(name, over=False)
                used += unit.weight
            # else: skipped; later units that fit may still be admitted
        own_used = min(used, own)
        borrowed = used - own_used
        for earlier, still in unused.items():  # earliest block first
            take = min(still, borrowed)
            unused[earlier] = still - take
            borrowed -= take
        unused[name] = own - own_used

    left = dict(seats)
    left.update(unused)
    return admitted, left


# --- mechanisms (spec 7.3) --------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    kindergarten: str
    position: int  # index in the unit's choice list
    block: str
    over: bool


#: per unit id, the (choice position, kindergarten) it may apply to in a phase, best first
Allowed = dict[int, list[tuple[int, str]]]


def _deferred_acceptance(
    units: dict[int, Unit],
    allowed: Allowed,
    kindergartens: dict[str, Kindergarten],
    pools: dict[str, Seats],
    offered: Sequence[str] | None,
    over_plan: bool,
) -> dict[int, Placement]:
    """Student-proposing DA in rounds; updates ``pools`` to the seats left."""
    next_index = dict.fromkeys(allowed, 0)
    held: dict[int, Placement] = {}
    full = {kg: dict(seats) for kg, seats in pools.items()}
    while True:
        # Every unit not held with a choice left proposes to its next choice.
        proposals: dict[str, list[tuple[int, int]]] = {}
        for uid, options in allowed.items():
            if uid in held or next_index[uid] >= len(options):
                continue
            pos, kg = options[next_index[uid]]
            next_index[uid] += 1
            proposals.setdefault(kg, []).append((uid, pos))
        if not proposals:
            break
        for kg, new in proposals.items():
            holders = [(uid, p.position) for uid, p in held.items() if p.kindergarten == kg]
            candidates = holders + new
            admitted, left = choose(
                kindergartens[kg],
                [units[uid] for uid, _ in candidates],
                full[kg],
                over_plan=over_plan,
                offered=offered,
            )
            for uid, _ in holders:
                del held[uid]
            for uid, pos in candidates:
                if uid in admitted:
                    a = admitted[uid]
                    held[uid] = Placement(kg, pos, a.block, a.over)
            pools[kg] = left
    return held


def _first_choice_first(
    units: dict[int, Unit],
    allowed: Allowed,
    kindergartens: dict[str, Kindergarten],
    pools: dict[str, Seats],
    offered: Sequence[str] | None,
    over_plan: bool,
) -> dict[int, Placement]:
    """Boston: round r offers the seats still free to r-th choices; final placements."""
    placed: dict[int, Placement] = {}
    width = max((pos + 1 for options in allowed.values() for pos, _ in options), default=0)
    for r in range(width):
        applying: dict[str, list[int]] = {}
        for uid, options in allowed.items():
            if uid in placed:
                continue
            for pos, kg in options:
                if pos == r:
                    applying.setdefault(kg, []).append(uid)
        for kg, uids in applying.items():
            admitted, left = choose(
                kindergartens[kg],
                [units[uid] for uid in uids],
                pools[kg],
                over_plan=over_plan,
                offered=offered,
            )
            pools[kg] = left
            for uid in uids:
                if uid in admitted:
                    a = admitted[uid]
                    placed[uid] = Placement(kg, r, a.block, a.over)
    return placed


def _independent(
    units: dict[int, Unit],
    allowed: Allowed,
    kindergartens: dict[str, Kindergarten],
    pools: dict[str, Seats],
    offered: Sequence[str] | None,
    over_plan: bool,
) -> dict[int, list[Placement]]:
    """Every kindergarten chooses once among all units that list it."""
    wins: dict[int, list[Placement]] = {}
    for kg, kindergarten in kindergartens.items():
        applying = [(uid, pos) for uid, options in allowed.items() for pos, k in options if k == kg]
        if not applying:
            continue
        admitted, left = choose(
            kindergarten,
            [units[uid] for uid, _ in applying],
            pools[kg],
            over_plan=over_plan,
            offered=offered,
        )
        pools[kg] = left
        for uid, pos in applying:
            if uid in admitted:
                a = admitted[uid]
                wins.setdefault(uid, []).append(Placement(kg, pos, a.block, a.over))
    return wins


# --- the whole draw ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildResult:
    placed: str | None
    block: str | None
    phase: str | None
    wins: tuple[tuple[str, str, str | None], ...]  # (kindergarten, block, phase)
    waitlist: tuple[tuple[str, int], ...]  # (kindergarten, position), in the rules' order
    over_capacity: bool
    moved_from: str | None


@dataclass(frozen=True)
class RefResult:
    children: dict[str, ChildResult]
    unplaced: tuple[str, ...]
    draw_order: tuple[str, ...]
    tickets: dict[str, bytes]
    # for properties that need the internals
    units: list[Unit] = field(repr=False)
    considered: frozenset[tuple[int, int]] = field(repr=False)


@dataclass
class _ChildPlacement:
    kindergarten: str
    position: int
    block: str
    phase: str | None
    over: bool
    moved_from: str | None = None


def _allowed(unit: Unit, phase: Phase | None) -> list[tuple[int, str]]:
    """Spec 7.4: the choices a unit may apply to in a phase."""
    if phase is not None and phase.tiers is not None and unit.tier not in phase.tiers:
        return []
    options = []
    for pos, kg in enumerate(unit.choices):
        if phase is not None and phase.choices is not None and pos >= phase.choices:
            break
        if phase is not None and phase.fact is not None and not unit.holds(phase.fact, kg):
            continue
        options.append((pos, kg))
    return options


def reference_draw(rules: DrawRules, applicants: Sequence[Applicant], seed: bytes) -> RefResult:
    """Spec section 7 from end to end."""
    kindergartens = {k.id: k for k in rules.kindergartens}
    units = build_units(rules, applicants, seed)
    by_uid = {u.uid: u for u in units}
    over_plan = rules.multiples is MultiplesPolicy.BUNDLE_OVER_PLAN
    independent = rules.mechanism is Mechanism.INDEPENDENT
    pools = {kg: full_seats(k) for kg, k in kindergartens.items()}

    placed: dict[int, Placement] = {}
    placed_phase: dict[int, str | None] = {}
    wins: dict[int, list[tuple[Placement, str | None]]] = {}
    considered: set[tuple[int, int]] = set()  # (unit id, choice position)

    phases: Sequence[Phase | None] = rules.phases or (None,)
    for phase in phases:
        name = None if phase is None else phase.name
        active = [u for u in units if u.uid not in placed and u.uid not in wins]
        allowed = {u.uid: _allowed(u, phase) for u in active}
        for uid, options in allowed.items():
            considered.update((uid, pos) for pos, _ in options)
        # AMBIGUITY (7.4 vs 7.2): with `blocks` set only those blocks take part;
        # their unfilled seats flow on between them but never to the open seats
        # or to blocks not offered ("seats they leave stay in their blocks").
        offered = None if phase is None or phase.blocks is None else phase.blocks
        if independent:
            for uid, won in _independent(
                by_uid, allowed, kindergartens, pools, offered, over_plan
            ).items():
                wins[uid] = [(w, name) for w in won]
        else:
            run = (
                _deferred_acceptance
                if rules.mechanism is Mechanism.DEFERRED_ACCEPTANCE
                else _first_choice_first
            )
            for uid, p in run(by_uid, allowed, kindergartens, pools, offered, over_plan).items():
                placed[uid] = p
                placed_phase[uid] = name

    # Spread unit results to children.
    child: dict[str, _ChildPlacement | None] = {}
    child_wins: dict[str, list[tuple[str, str, str | None]]] = {}
    child_over: dict[str, bool] = {}
    for unit in units:
        held = placed.get(unit.uid)
        unit_wins = sorted(wins.get(unit.uid, []), key=lambda item: item[0].position)
        for reg in unit.members:
            child[reg] = (
                None
                if held is None
                else _ChildPlacement(
                    held.kindergarten, held.position, held.block, placed_phase[unit.uid], held.over
                )
            )
            child_wins[reg] = [(w.kindergarten, w.block, ph) for w, ph in unit_wins]
            child_over[reg] = (held is not None and held.over) or any(w.over for w, _ in unit_wins)

    # Spec 7.5: merge-after.
    if rules.multiples is MultiplesPolicy.MERGE_AFTER:
        group_members: dict[str, list[str]] = {}
        for person in applicants:
            if person.group is not None:
                group_members.setdefault(person.group, []).append(person.registration_number)
        for gid in sorted(group_members):
            members = sorted(group_members[gid])
            placed_members = [r for r in members if child[r] is not None]
            if len(placed_members) < 2:
                continue
            best = min(placed_members, key=lambda r: (child[r].position, r))  # type: ignore[union-attr]
            target = child[best]
            assert target is not None
            for reg in placed_members:
                mine = child[reg]
                assert mine is not None
                if mine.kindergarten == target.kindergarten:
                    continue
                count = sum(
                    1
                    for c in child.values()
                    if c is not None and c.kindergarten == target.kindergarten
                )
                seats = kindergartens[target.kindergarten].seats
                if not rules.merge_over_capacity and count >= seats:
                    continue
                # AMBIGUITY: the spec names no block or phase for a moved child; the
                # child is reported in the open seats and keeps its own phase.
                child[reg] = _ChildPlacement(
                    kindergarten=target.kindergarten,
                    position=target.position,
                    block=OPEN,
                    phase=mine.phase,
                    over=count + 1 > seats,
                    moved_from=mine.kindergarten,
                )
                child_over[reg] = count + 1 > seats

    # Spec 7.6: waitlists.
    waitlists: dict[str, dict[str, int]] = {reg: {} for reg in child}
    for kg in kindergartens:
        if rules.waitlist_length == 0:
            break
        waiting = []
        for unit in units:
            if kg not in unit.choices:
                continue
            pos = unit.position(kg)
            if (unit.uid, pos) not in considered:
                continue
            if independent:
                if any(w.kindergarten == kg for w, _ in wins.get(unit.uid, [])):
                    continue
            else:
                now = child[unit.members[0]]
                if now is not None and (now.kindergarten == kg or now.position < pos):
                    continue
            waiting.append(unit)
        waiting.sort(key=lambda u: u.key(kg))
        for position, unit in enumerate(waiting[: rules.waitlist_length], start=1):
            for reg in unit.members:
                waitlists[reg][kg] = position

    # Spec 7.7: draw order. AMBIGUITY: bundle members carry ticket(group) as their
    # number under either tie-break (the spec says they "share their group's number").
    child_ticket: dict[str, bytes] = {}
    for unit in units:
        for reg in unit.members:
            if unit.group is not None:
                child_ticket[reg] = group_ticket(seed, rules.draw_id, unit.group)
            else:
                child_ticket[reg] = ticket(seed, rules.draw_id, reg)
    draw_order = tuple(sorted(child_ticket, key=lambda r: (number(child_ticket[r]), r)))

    results = {}
    for reg, c in child.items():
        results[reg] = ChildResult(
            placed=None if c is None else c.kindergarten,
            block=None if c is None else c.block,
            phase=None if c is None else c.phase,
            wins=tuple(child_wins[reg])
            if independent
            else (() if c is None else ((c.kindergarten, c.block, c.phase),)),
            waitlist=tuple(
                (k.id, waitlists[reg][k.id]) for k in rules.kindergartens if k.id in waitlists[reg]
            ),
            over_capacity=child_over[reg],
            moved_from=None if c is None else c.moved_from,
        )
    unplaced = tuple(
        reg
        for reg in draw_order
        if results[reg].placed is None and not (independent and results[reg].wins)
    )
    return RefResult(
        children=results,
        unplaced=unplaced,
        draw_order=draw_order,
        tickets=child_ticket,
        units=units,
        considered=frozenset(considered),
    )
