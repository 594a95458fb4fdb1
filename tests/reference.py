"""A plain, independent reference implementation of docs/spec.md section 7.

Written for clarity, not speed: dictionaries and loops, one rule of the spec
per block of code. It shares nothing with ``alloc.draw`` except the four
ticket functions of spec section 5.1, so the property tests can compare the
numpy engine against an implementation that was written straight from the
text.

Every rule here follows docs/spec.md (version 2), which settles the
details an earlier text left open. :class:`Reading` switches on one
alternative reading of a rule at a time, each one the spec rules out;
``tests/test_draw_vectors.py`` uses them to show that every vector in
``tests/vectors/draw.json`` tells the spec's reading from the alternative.
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
    "SPEC",
    "Admission",
    "ChildResult",
    "Reading",
    "RefResult",
    "Unit",
    "build_units",
    "choose",
    "full_seats",
    "number",
    "reference_draw",
    "reference_summaries",
]

OPEN = OPEN_BLOCK

#: seats per stage of one kindergarten: block name (or OPEN) -> seats
Seats = dict[str, int]


@dataclass(frozen=True)
class Reading:
    """Which reading of docs/spec.md sections 7 and 9.3 to follow.

    All fields false (:data:`SPEC`) is the specification. Each field set
    true replaces one rule by an alternative reading that the spec rules
    out, named by the section it concerns.
    """

    #: 7.3: first-choice-first round r takes the r-th choice among those the
    #: phase allows, not the r-th choice of the child's list.
    fcf_round_counts_allowed_choices: bool = False
    #: 7.4: a phase's ``fact`` filters the list first and ``choices = N`` then
    #: keeps the first N survivors.
    fact_filter_before_choices: bool = False
    #: 7.4: a unit holding the phase's fact anywhere, even at a kindergarten it
    #: did not list, takes part with all its choices.
    fact_held_anywhere: bool = False
    #: 7.4: a bundle takes part in a phase if any member's tier is in it.
    phase_tier_any_member: bool = False
    #: 7.4: a phase's offered blocks fill in the order the phase lists them.
    phase_block_order: bool = False
    #: 7.2: a block uses seats that flowed on before its own.
    flowed_seats_first: bool = False
    #: 7.2: flowed seats are taken from the latest earlier block first.
    borrow_latest_block_first: bool = False
    #: 7.2: after each choice, seats a block left unfilled join the open seats.
    unfilled_block_seats_join_open: bool = False
    #: 7.2: under bundle-over-plan only the members beyond capacity (the last
    #: ones by registration number) are flagged.
    over_flag_excess_only: bool = False
    #: 7.3: deferred acceptance one proposal at a time, the free unit with the
    #: lowest lottery number proposing next, instead of in rounds.
    da_one_at_a_time: bool = False
    #: 7.5: a moved child takes the block and phase of the sibling it joins.
    moved_child_takes_sibling_seat: bool = False
    #: 7.5: a moved child's ``wins`` keep the seat it was drawn.
    moved_child_keeps_drawn_win: bool = False
    #: 7.6: waitlists are built from the placements before merge-after moves.
    waitlists_before_merge: bool = False
    #: 9.3: applicants, first_choice and waitlist count units, not children.
    summary_counts_units: bool = False
    #: 9.3: over_capacity counts the children flagged over capacity.
    summary_over_counts_flags: bool = False
    #: 9.3: placed (and left_over, blocks) count the seats as drawn, before moves.
    summary_before_merge: bool = False
    #: 9.3: under the independent lottery a child counts as placed only at the
    #: first kindergarten it won, in its order of choices.
    summary_first_win_only: bool = False


#: The specification's reading of every rule.
SPEC = Reading()


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
    member_tiers: frozenset[str | None]  # every member's own tier
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
                member_tiers=frozenset(p.tier for p in people),
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
    beyond: int = 0  # seats beyond capacity (bundle-over-plan)


def choose(
    kindergarten: Kindergarten,
    candidates: Iterable[Unit],
    seats: Seats,
    *,
    over_plan: bool,
    offered: Sequence[str] | None = None,
    reading: Reading = SPEC,
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
        if reading.phase_block_order:
            stages.sort(key=lambda stage: list(offered).index(stage[0]))

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
                    beyond = max(unit.weight - room, 0)
                    admitted[unit.uid] = Admission(name, over=beyond > 0, beyond=beyond)
                    used += unit.weight
            elif unit.weight <= room:
                admitted[unit.uid] = Admission(name, over=False)
                used += unit.weight
            # else: skipped; later units that fit may still be admitted
        own_used = min(used, own)
        if reading.flowed_seats_first:
            own_used = max(used - sum(unused.values()), 0)
        borrowed = used - own_used
        earlier_first = list(unused.items())  # earliest block first
        if reading.borrow_latest_block_first:
            earlier_first.reverse()
        for earlier, still in earlier_first:
            take = min(still, borrowed)
            unused[earlier] = still - take
            borrowed -= take
        unused[name] = own - own_used

    left = dict(seats)
    left.update(unused)
    if reading.unfilled_block_seats_join_open and offered is None:
        for block in kindergarten.blocks:
            left[OPEN] += left[block.name]
            left[block.name] = 0
    return admitted, left


# --- mechanisms (spec 7.3) --------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    kindergarten: str
    position: int  # index in the unit's choice list
    block: str
    over: bool
    beyond: int = 0


#: per unit id, the (choice position, kindergarten) it may apply to in a phase, best first
Allowed = dict[int, list[tuple[int, str]]]


@dataclass(frozen=True)
class _Phase:
    """What one phase's mechanism works with."""

    units: dict[int, Unit]
    allowed: Allowed
    kindergartens: dict[str, Kindergarten]
    offered: Sequence[str] | None
    over_plan: bool
    reading: Reading

    def choose(
        self, kg: str, uids: Iterable[int], seats: Seats
    ) -> tuple[dict[int, Admission], Seats]:
        return choose(
            self.kindergartens[kg],
            [self.units[uid] for uid in uids],
            seats,
            over_plan=self.over_plan,
            offered=self.offered,
            reading=self.reading,
        )


def _placement(kg: str, pos: int, admission: Admission) -> Placement:
    return Placement(kg, pos, admission.block, admission.over, admission.beyond)


def _deferred_acceptance(phase: _Phase, pools: dict[str, Seats]) -> dict[int, Placement]:
    """Student-proposing DA in rounds; updates ``pools`` to the seats left."""
    if phase.reading.da_one_at_a_time:
        return _deferred_acceptance_one_at_a_time(phase, pools)
    next_index = dict.fromkeys(phase.allowed, 0)
    held: dict[int, Placement] = {}
    full = {kg: dict(seats) for kg, seats in pools.items()}
    while True:
        # Every unit not held with a choice left proposes to its next choice.
        proposals: dict[str, list[tuple[int, int]]] = {}
        for uid, options in phase.allowed.items():
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
            admitted, left = phase.choose(kg, (uid for uid, _ in candidates), full[kg])
            for uid, _ in holders:
                del held[uid]
            for uid, pos in candidates:
                if uid in admitted:
                    held[uid] = _placement(kg, pos, admitted[uid])
            pools[kg] = left
    return held


def _deferred_acceptance_one_at_a_time(
    phase: _Phase, pools: dict[str, Seats]
) -> dict[int, Placement]:
    """Reading ``da_one_at_a_time``: the free unit with the lowest number proposes next."""
    next_index = dict.fromkeys(phase.allowed, 0)
    held: dict[int, Placement] = {}
    full = {kg: dict(seats) for kg, seats in pools.items()}
    free = set(phase.allowed)
    while True:
        waiting = [uid for uid in free if next_index[uid] < len(phase.allowed[uid])]
        if not waiting:
            break
        uid = min(waiting, key=lambda u: min(phase.units[u].numbers.values()))
        free.discard(uid)
        pos, kg = phase.allowed[uid][next_index[uid]]
        next_index[uid] += 1
        holders = [(h, p.position) for h, p in held.items() if p.kindergarten == kg]
        candidates = [*holders, (uid, pos)]
        admitted, left = phase.choose(kg, (u for u, _ in candidates), full[kg])
        for h, _ in holders:
            del held[h]
        for u, p in candidates:
            if u in admitted:
                held[u] = _placement(kg, p, admitted[u])
            else:
                free.add(u)
        pools[kg] = left
    return held


def _first_choice_first(phase: _Phase, pools: dict[str, Seats]) -> dict[int, Placement]:
    """Boston: round r offers the seats still free to r-th choices; final placements."""
    placed: dict[int, Placement] = {}
    rounds = phase.allowed
    if phase.reading.fcf_round_counts_allowed_choices:
        rounds = {uid: [(r, kg) for r, (_, kg) in enumerate(o)] for uid, o in rounds.items()}
    width = max((pos + 1 for options in rounds.values() for pos, _ in options), default=0)
    for r in range(width):
        applying: dict[str, list[int]] = {}
        for uid, options in rounds.items():
            if uid in placed:
                continue
            for pos, kg in options:
                if pos == r:
                    applying.setdefault(kg, []).append(uid)
        for kg, uids in applying.items():
            admitted, left = phase.choose(kg, uids, pools[kg])
            pools[kg] = left
            for uid in uids:
                if uid in admitted:
                    placed[uid] = _placement(kg, phase.units[uid].position(kg), admitted[uid])
    return placed


def _independent(phase: _Phase, pools: dict[str, Seats]) -> dict[int, list[Placement]]:
    """Every kindergarten chooses once among all units that list it."""
    wins: dict[int, list[Placement]] = {}
    for kg in phase.kindergartens:
        applying = [
            (uid, pos) for uid, options in phase.allowed.items() for pos, k in options if k == kg
        ]
        if not applying:
            continue
        admitted, left = phase.choose(kg, (uid for uid, _ in applying), pools[kg])
        pools[kg] = left
        for uid, pos in applying:
            if uid in admitted:
                wins.setdefault(uid, []).append(_placement(kg, pos, admitted[uid]))
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
    #: every child's seats as drawn, before merge-after moves: (kindergarten, block)
    drawn: dict[str, tuple[tuple[str, str], ...]] = field(repr=False, default_factory=dict)
    #: every child's seats after merge-after moves, as in ``wins``, with each
    #: seat's own over-capacity mark
    win_over: dict[str, tuple[bool, ...]] = field(repr=False, default_factory=dict)


@dataclass
class _ChildPlacement:
    kindergarten: str
    position: int
    block: str
    phase: str | None
    over: bool
    moved_from: str | None = None


def _allowed(unit: Unit, phase: Phase | None, reading: Reading = SPEC) -> list[tuple[int, str]]:
    """Spec 7.4: the choices a unit may apply to in a phase (position, kindergarten)."""
    if phase is None:
        return list(enumerate(unit.choices))
    if phase.tiers is not None:
        tiers = unit.member_tiers if reading.phase_tier_any_member else {unit.tier}
        if not tiers & set(phase.tiers):
            return []
    fact = phase.fact
    if (
        fact is not None
        and reading.fact_held_anywhere
        and any(name == fact for name, _ in unit.facts)
    ):
        fact = None
    options = list(enumerate(unit.choices))
    if reading.fact_filter_before_choices:
        options = [(p, kg) for p, kg in options if fact is None or unit.holds(fact, kg)]
        return options[: phase.choices]
    # `choices = N` counts positions in the child's own list, then `fact` filters.
    options = options[: phase.choices]
    return [(p, kg) for p, kg in options if fact is None or unit.holds(fact, kg)]


def reference_draw(
    rules: DrawRules,
    applicants: Sequence[Applicant],
    seed: bytes,
    reading: Reading = SPEC,
    *,
    restrict: dict[str, set[str]] | None = None,
) -> RefResult:
    """Spec section 7 from end to end (or an alternative ``reading`` of it).

    ``restrict`` (for the later-round references) leaves each child only the
    choices it names, every choice keeping its position in the child's list.
    """
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
        allowed = {u.uid: _allowed(u, phase, reading) for u in active}
        if restrict is not None:
            allowed = {
                uid: [(p, kg) for p, kg in options if kg in restrict[by_uid[uid].members[0]]]
                for uid, options in allowed.items()
            }
        for uid, options in allowed.items():
            considered.update((uid, pos) for pos, _ in options)
        # Spec 7.4: with `blocks` set only those blocks take part; their unfilled
        # seats flow on between them but never to the open seats or to blocks
        # not offered, and stay in their blocks for later phases.
        offered = None if phase is None or phase.blocks is None else phase.blocks
        context = _Phase(by_uid, allowed, kindergartens, offered, over_plan, reading)
        if independent:
            for uid, won in _independent(context, pools).items():
                wins[uid] = [(w, name) for w in won]
        else:
            run = (
                _deferred_acceptance
                if rules.mechanism is Mechanism.DEFERRED_ACCEPTANCE
                else _first_choice_first
            )
            for uid, p in run(context, pools).items():
                placed[uid] = p
                placed_phase[uid] = name

    # Spread unit results to children.
    child: dict[str, _ChildPlacement | None] = {}
    child_wins: dict[str, list[tuple[str, str, str | None]]] = {}
    child_over: dict[str, bool] = {}
    child_win_over: dict[str, tuple[bool, ...]] = {}
    for unit in units:
        held = placed.get(unit.uid)
        unit_wins = sorted(wins.get(unit.uid, []), key=lambda item: item[0].position)
        for index, reg in enumerate(unit.members):
            child[reg] = (
                None
                if held is None
                else _ChildPlacement(
                    held.kindergarten, held.position, held.block, placed_phase[unit.uid], held.over
                )
            )
            child_wins[reg] = [(w.kindergarten, w.block, ph) for w, ph in unit_wins]
            child_win_over[reg] = tuple(w.over for w, _ in unit_wins)
            seats = [w for w, _ in unit_wins] + ([held] if held is not None else [])
            if reading.over_flag_excess_only:
                # only the last `beyond` members, by registration number
                child_over[reg] = any(index >= unit.weight - s.beyond for s in seats if s.over)
            else:
                child_over[reg] = any(s.over for s in seats)
    before_merge = dict(child)
    drawn = {
        reg: tuple((w[0], w[1]) for w in child_wins[reg])
        if independent
        else (() if c is None else ((c.kindergarten, c.block),))
        for reg, c in child.items()
    }

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
                # Spec 7.5: a moved child is reported in the open seats of the
                # target and keeps the phase it was drawn in.
                joins = reading.moved_child_takes_sibling_seat
                child[reg] = _ChildPlacement(
                    kindergarten=target.kindergarten,
                    position=target.position,
                    block=target.block if joins else OPEN,
                    phase=target.phase if joins else mine.phase,
                    over=count + 1 > seats,
                    moved_from=mine.kindergarten,
                )
                child_over[reg] = count + 1 > seats

    # Spec 7.6: waitlists, from the placements after merge-after moves.
    listed_from = before_merge if reading.waitlists_before_merge else child
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
                now = listed_from[unit.members[0]]
                if now is not None and (now.kindergarten == kg or now.position < pos):
                    continue
            waiting.append(unit)
        waiting.sort(key=lambda u: u.key(kg))
        for position, unit in enumerate(waiting[: rules.waitlist_length], start=1):
            for reg in unit.members:
                waitlists[reg][kg] = position

    # Spec 7.7: draw order. Bundle members carry ticket(group) as their number
    # under either tie-break and follow one another by registration number.
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
        if independent:
            child_result_wins = tuple(child_wins[reg])
        elif c is None:
            child_result_wins = ()
        elif reading.moved_child_keeps_drawn_win and c.moved_from is not None:
            drawn_at = before_merge[reg]
            assert drawn_at is not None
            child_result_wins = ((drawn_at.kindergarten, drawn_at.block, drawn_at.phase),)
        else:
            child_result_wins = ((c.kindergarten, c.block, c.phase),)
        results[reg] = ChildResult(
            placed=None if c is None else c.kindergarten,
            block=None if c is None else c.block,
            phase=None if c is None else c.phase,
            wins=child_result_wins,
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
        drawn=drawn,
        win_over={
            reg: child_win_over[reg]
            if independent
            else (() if results[reg].placed is None else (child_over[reg],))
            for reg in results
        },
    )


# --- per-kindergarten summaries (spec 9.3) ----------------------------------------


def reference_summaries(
    rules: DrawRules,
    applicants: Sequence[Applicant],
    result: RefResult,
    reading: Reading = SPEC,
) -> list[dict[str, object]]:
    """Spec 9.3: the transcript's per-kindergarten figures, in the rules' order."""
    group_of = {a.registration_number: a.group for a in applicants}
    bundled = _bundles(rules)

    def count(regs: Iterable[str]) -> int:
        """Children, or (reading ``summary_counts_units``) bundles once each."""
        regs = list(regs)
        if not reading.summary_counts_units:
            return len(regs)
        return len({(group_of[r] if bundled and group_of[r] else r) for r in regs})

    # Every seat held, as (child, kindergarten, block): a placement or a win.
    seats: list[tuple[str, str, str]] = []
    for reg, c in result.children.items():
        if reading.summary_before_merge:
            held = list(result.drawn[reg])
        else:
            held = [(w[0], w[1]) for w in c.wins]
        if reading.summary_first_win_only:
            held = held[:1]
        seats += [(reg, kg, block) for kg, block in held]

    summaries: list[dict[str, object]] = []
    for kg in rules.kindergartens:
        here = [(reg, block) for reg, k, block in seats if k == kg.id]
        placed = len(here)
        flagged = sum(1 for reg, _ in here if result.children[reg].over_capacity)
        blocks = [
            {"name": b.name, "seats": b.seats, "placed": sum(1 for _, x in here if x == b.name)}
            for b in kg.blocks
        ]
        blocks.append(
            {
                "name": OPEN,
                "seats": kg.seats - kg.reserved_seats,
                "placed": sum(1 for _, x in here if x == OPEN),
            }
        )
        waiting = [reg for reg, c in result.children.items() if kg.id in dict(c.waitlist)]
        summaries.append(
            {
                "id": kg.id,
                "name": kg.name,
                "seats": kg.seats,
                "applicants": count(
                    a.registration_number for a in applicants if kg.id in a.choices
                ),
                "first_choice": count(
                    a.registration_number for a in applicants if a.choices[0] == kg.id
                ),
                "placed": placed,
                "left_over": max(kg.seats - placed, 0),
                "over_capacity": flagged
                if reading.summary_over_counts_flags
                else max(placed - kg.seats, 0),
                "blocks": blocks,
                "waitlist": count(waiting),
            }
        )
    return summaries
