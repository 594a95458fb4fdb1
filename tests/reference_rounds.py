"""A plain reference implementation of docs/spec.md section 11 (later rounds).

Dictionaries and loops, one rule of the spec per block, sharing nothing with
``alloc.rounds`` but the draw reference (``tests/reference.py``) and its
choice function. Besides the spec's rule, it has:

- :func:`literal_cascade`: promotion as a bureau would do it by hand, one
  seat at a time, in any order of kindergartens: give a free seat to the
  first child on that kindergarten's waitlist who is still in and prefers
  it, freeing its old seat, until nothing changes. The property tests show
  it equals the spec's rule, whatever the order, wherever every waitlist
  and every seat agree with one order of the children (spec 11.4).
- :class:`RoundReading`: alternative readings of section 11, each one the
  spec rules out; ``tests/test_rounds_vectors.py`` shows that every vector
  in ``tests/vectors/rounds.json`` tells the spec's reading from the
  alternative it names.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from reference import (
    OPEN,
    SPEC,
    Admission,
    Unit,
    _deferred_acceptance,
    _Phase,
    choose,
    full_seats,
    reference_draw,
)

from alloc.model import Applicant, DrawRules, Kindergarten, MultiplesPolicy, Phase, SeatBlock

__all__ = [
    "ROUNDS_SPEC",
    "RefChild",
    "RefRound",
    "RefSeat",
    "RoundReading",
    "literal_cascade",
    "ref_first_round",
    "ref_next_round",
    "ref_standing_json",
]


@dataclass(frozen=True)
class RoundReading:
    """Which reading of docs/spec.md section 11 to follow (all false: the spec)."""

    #: 11.3: promotion re-runs the mechanism, phases and all, over the children
    #: still in, each restricted to the kindergartens where it holds a seat or
    #: waits (keeping list positions), instead of filling free seats in
    #: waitlist order.
    rerun_mechanism: bool = False
    #: 11.3: free seats are open seats: a block's fact gives no precedence in
    #: promotion, the first on the waitlist takes any free seat.
    free_seats_all_open: bool = False
    #: 11.3: a unit that does not fit stops its kindergarten's waitlist; nobody
    #: behind it is promoted there.
    unfit_unit_stops_waitlist: bool = False
    #: 11.3: one pass of deferred acceptance over the seats already free; seats
    #: freed by promoted children wait for the next round.
    single_pass: bool = False
    #: 11.3: vacancy chains only: passes of deferred acceptance over the seats
    #: already free, a holder leaving its seat only once it has another, so no
    #: two children can exchange places.
    vacancy_chains_only: bool = False
    #: 11.4: promotion is the literal cascade, free seats offered one at a time
    #: in order of kindergarten id, instead of deferred acceptance.
    literal_cascade_in_id_order: bool = False
    #: 11.1: confirm takes the child off every waitlist (it keeps its seat for good).
    confirm_leaves_waitlists: bool = False
    #: 11.1: withdraw keeps the seat but the child stays on its waitlists.
    withdraw_keeps_waitlists: bool = False
    #: 11.1: a child promoted from a confirmed seat must confirm the new one again.
    promoted_seat_unconfirmed: bool = False
    #: 11.1: a kept win of an independent lottery keeps the child on every
    #: waitlist, also those of kindergartens it listed after the kept one.
    kept_win_keeps_every_waitlist: bool = False
    #: 11.1: with ``unanswered: decline``, a child without a seat that does not
    #: answer is dropped from the waitlists too.
    silent_unplaced_dropped: bool = False
    #: 11.6: waitlist positions stay as published, with gaps, instead of
    #: being renumbered.
    positions_kept: bool = False
    #: 11.5: a child taking part in a second-round draw keeps its earlier
    #: waitlist places.
    second_round_keeps_old_waitlists: bool = False
    #: 11.3: under merge-after, siblings split by promotion stay apart.
    no_merge_after_promotion: bool = False


ROUNDS_SPEC = RoundReading()


@dataclass
class RefSeat:
    kindergarten: str
    block: str
    over: bool


@dataclass
class RefChild:
    record: Applicant  # the current record
    declined: bool = False
    seats: list[RefSeat] = field(default_factory=list)
    confirmed: bool = False
    waiting: bool = True
    #: kindergarten -> (segment, position): the earlier lists (segment 0) come
    #: before a second-round draw's (segment 1)
    waitlist: dict[str, tuple[int, int]] = field(default_factory=dict)
    moved_from: str | None = None
    start: str | None = None  # the seat's kindergarten when promotion began


@dataclass
class RefRound:
    rules: DrawRules
    round: int
    children: dict[str, RefChild]
    seed: bytes  # the first round's, for the re-run reading


def _copy(state: RefRound) -> RefRound:
    return RefRound(
        rules=state.rules,
        round=state.round,
        children={
            reg: replace(c, seats=[replace(s) for s in c.seats], waitlist=dict(c.waitlist))
            for reg, c in state.children.items()
        },
        seed=state.seed,
    )


def ref_first_round(rules: DrawRules, applicants: Sequence[Applicant], seed: bytes) -> RefRound:
    """Round 1 from the draw reference: every seat and win unconfirmed."""
    result = reference_draw(rules, applicants, seed)
    children = {}
    for person in applicants:
        reg = person.registration_number
        c = result.children[reg]
        over = result.win_over[reg]
        seats = [RefSeat(kg, block, o) for (kg, block, _), o in zip(c.wins, over, strict=True)]
        children[reg] = RefChild(
            record=person,
            seats=seats,
            waitlist={kg: (0, p) for kg, p in c.waitlist},
            moved_from=c.moved_from,
        )
    return RefRound(rules=rules, round=1, children=children, seed=seed)


# --- helpers ----------------------------------------------------------------------


def _bundles(rules: DrawRules) -> bool:
    return rules.multiples in (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN)


def _units(state: RefRound) -> list[list[str]]:
    """Bundled groups (under the bundle policies) and single children, by first member."""
    groups: dict[str, list[str]] = {}
    units = []
    for reg in sorted(state.children):
        group = state.children[reg].record.group
        if group is not None and _bundles(state.rules):
            if group not in groups:
                groups[group] = []
                units.append(groups[group])
            groups[group].append(reg)
        else:
            units.append([reg])
    return units


def _seat(child: RefChild) -> RefSeat | None:
    return child.seats[0] if child.seats else None


def _prefers(child: RefChild, kg: str) -> bool:
    """Spec 11.3: lists ``kg`` before its seat; without a seat, lists it at all."""
    choices = child.record.choices
    if kg not in choices:
        return False
    seat = _seat(child)
    return seat is None or choices.index(kg) < choices.index(seat.kindergarten)


def _bookkeeping(k: Kindergarten, used: dict[str, int]) -> dict[str, int]:
    """7.2 step 3 over the seats held: each stage's own seats left, stage by stage."""
    seats = full_seats(k)
    unused: dict[str, int] = {}
    for stage in [b.name for b in k.blocks] + [OPEN]:
        own_used = min(used.get(stage, 0), seats[stage])
        borrowed = used.get(stage, 0) - own_used
        for earlier in list(unused):
            take = min(unused[earlier], borrowed)
            unused[earlier] -= take
            borrowed -= take
        unused[stage] = seats[stage] - own_used
    return unused


def _all_open(unused: dict[str, int]) -> dict[str, int]:
    """Reading ``free_seats_all_open``: every free seat is an open seat."""
    total = sum(unused.values())
    unused = dict.fromkeys(unused, 0)
    unused[OPEN] = total
    return unused


def _free(state: RefRound, reading: RoundReading) -> dict[str, dict[str, int]]:
    """Spec 11.3: 7.2's bookkeeping over the seats held, stage by stage."""
    free = {}
    for k in state.rules.kindergartens:
        used: dict[str, int] = {}
        for c in state.children.values():
            for s in c.seats:
                if s.kindergarten == k.id:
                    used[s.block] = used.get(s.block, 0) + 1
        unused = _bookkeeping(k, used)
        free[k.id] = _all_open(unused) if reading.free_seats_all_open else unused
    return free


def _filter(state: RefRound, reading: RoundReading) -> None:
    for child in state.children.values():
        for kg in list(child.waitlist):
            if child.declined or not child.waiting:
                del child.waitlist[kg]
            elif not _prefers(child, kg):
                seat = _seat(child)
                keeps = reading.kept_win_keeps_every_waitlist and seat is not None
                if not keeps or seat is None or seat.kindergarten == kg:
                    del child.waitlist[kg]


# --- responses (spec 11.1) --------------------------------------------------------


def _apply(
    state: RefRound,
    responses: dict[str, tuple[str, str | None]],
    unanswered: str,
    reading: RoundReading,
) -> None:
    for reg, child in state.children.items():
        if child.declined:
            continue
        answer, kg = responses.get(reg, (None, None))
        if answer is None:
            if child.seats and not child.confirmed:
                answer = unanswered
                kg = child.seats[0].kindergarten  # the earliest choice among the wins
            elif child.seats:
                answer, kg = "stay", child.seats[0].kindergarten
            elif unanswered == "decline" and reading.silent_unplaced_dropped:
                child.waitlist.clear()
        if answer == "decline":
            child.declined = True
            child.seats = []
            child.waitlist.clear()
            child.confirmed = False
            child.waiting = False
        elif answer in ("confirm", "withdraw", "stay"):
            child.seats = [s for s in child.seats if s.kindergarten == kg]
            child.confirmed = bool(child.seats)
            if (answer == "withdraw" and not reading.withdraw_keeps_waitlists) or (
                answer == "confirm" and reading.confirm_leaves_waitlists
            ):
                child.waiting = False
        child.start = child.seats[0].kindergarten if child.seats else None
        child.moved_from = None


# --- promotion (spec 11.3) --------------------------------------------------------


def _facts(members: Sequence[RefChild]) -> frozenset[tuple[str, str]]:
    return frozenset.intersection(
        *(frozenset((f.name, f.kindergarten) for f in m.record.facts) for m in members)
    )


def _pass(state: RefRound, reading: RoundReading) -> bool:
    """One pass of deferred acceptance over the free seats; True if a unit moved."""
    _filter(state, reading)
    free = _free(state, reading)
    kgs = {k.id: k for k in state.rules.kindergartens}
    units: dict[int, Unit] = {}
    allowed: dict[int, list[tuple[int, str]]] = {}
    heads: dict[int, list[str]] = {}
    for uid, regs in enumerate(_units(state)):
        members = [state.children[r] for r in regs]
        lead = members[0]
        if lead.declined or not lead.waiting:
            continue
        options = [
            (p, kg)
            for p, kg in enumerate(lead.record.choices)
            if kg in lead.waitlist and sum(free[kg].values()) > 0
        ]
        if reading.unfit_unit_stops_waitlist:
            options = [(p, kg) for p, kg in options if _first_fitting(state, kg, regs, free)]
        if not options:
            continue
        units[uid] = Unit(
            uid=uid,
            members=tuple(regs),
            group=lead.record.group if len(regs) > 1 else None,
            choices=lead.record.choices,
            tier_rank=0,
            tier=None,
            member_tiers=frozenset(),
            facts=_facts(members),
            weight=len(regs),
            numbers={kg: lead.waitlist[kg][1] + 1000 * lead.waitlist[kg][0] for _, kg in options},
        )
        allowed[uid] = options
        heads[uid] = regs
    if not units:
        return False
    context = _Phase(
        units,
        allowed,
        kgs,
        None,
        state.rules.multiples is MultiplesPolicy.BUNDLE_OVER_PLAN,
        SPEC,
    )
    pools = {kg: dict(seats) for kg, seats in free.items()}
    held = _deferred_acceptance(context, pools)
    for uid, placement in held.items():
        for reg in heads[uid]:
            child = state.children[reg]
            child.seats = [RefSeat(placement.kindergarten, placement.block, placement.over)]
    return bool(held)


def _guaranteed(state: RefRound, reading: RoundReading) -> None:
    """Spec 11.3: deferred acceptance in rounds, every seat guaranteed to its holder.

    The units waiting for a kindergarten propose to those in the order of
    their lists, then to the kindergarten of their seat, where they are
    always taken back. A kindergarten's seats for the others are what the
    holders present there leave (7.2 bookkeeping); it chooses among the
    units it holds and its new proposers by waitlist position.
    """
    _filter(state, reading)
    kgs = {k.id: k for k in state.rules.kindergartens}
    over_plan = state.rules.multiples is MultiplesPolicy.BUNDLE_OVER_PLAN
    present: dict[str, dict[str, int]] = {k: {} for k in kgs}
    units: dict[int, list[str]] = {}
    lists: dict[int, list[str]] = {}
    own: dict[int, RefSeat | None] = {}
    for uid, regs in enumerate(_units(state)):
        lead = state.children[regs[0]]
        if lead.declined:
            continue
        seat = _seat(lead)
        waits = [kg for kg in lead.record.choices if kg in lead.waitlist] if lead.waiting else []
        if reading.unfit_unit_stops_waitlist:
            waits = [kg for kg in waits if _first_fitting(state, kg, regs, _free(state, reading))]
        if not waits:
            if seat is not None:  # never leaves: present from the start
                stages = present[seat.kindergarten]
                stages[seat.block] = stages.get(seat.block, 0) + len(regs)
            continue
        units[uid] = regs
        own[uid] = seat
        lists[uid] = waits + ([seat.kindergarten] if seat is not None else [])
    next_index = dict.fromkeys(units, 0)
    where: dict[int, str | None] = dict.fromkeys(units)
    held: dict[str, dict[int, Admission]] = {k: {} for k in kgs}

    def unit(uid: int, kg: str) -> Unit:
        regs = units[uid]
        members = [state.children[r] for r in regs]
        lead = members[0]
        return Unit(
            uid=uid,
            members=tuple(regs),
            group=lead.record.group if len(regs) > 1 else None,
            choices=lead.record.choices,
            tier_rank=0,
            tier=None,
            member_tiers=frozenset(),
            facts=_facts(members),
            weight=len(regs),
            numbers={kg: lead.waitlist[kg][1] + 1000 * lead.waitlist[kg][0]},
        )

    while True:
        proposals: dict[str, list[int]] = {}
        for uid in units:
            if where[uid] is None and next_index[uid] < len(lists[uid]):
                kg = lists[uid][next_index[uid]]
                next_index[uid] += 1
                proposals.setdefault(kg, []).append(uid)
        if not proposals:
            break
        for kg, uids in proposals.items():
            newcomers = []
            for uid in uids:
                seat = own[uid]
                if seat is not None and seat.kindergarten == kg:
                    where[uid] = kg  # taken back: its seat is guaranteed
                    stages = present[kg]
                    stages[seat.block] = stages.get(seat.block, 0) + len(units[uid])
                else:
                    newcomers.append(uid)
            candidates = [*held[kg], *newcomers]
            free = _bookkeeping(kgs[kg], present[kg])
            if reading.free_seats_all_open:
                free = _all_open(free)
            admitted, _ = choose(
                kgs[kg], [unit(u, kg) for u in candidates], free, over_plan=over_plan
            )
            held[kg] = {u: admitted[u] for u in candidates if u in admitted}
            for u in candidates:
                where[u] = kg if u in admitted else None
    for kg, chosen in held.items():
        for uid, admission in chosen.items():
            for reg in units[uid]:
                state.children[reg].seats = [RefSeat(kg, admission.block, admission.over)]


def _first_fitting(
    state: RefRound, kg: str, regs: list[str], free: dict[str, dict[str, int]]
) -> bool:
    """Reading ``unfit_unit_stops_waitlist``: no unit before this one fails to fit."""
    mine = state.children[regs[0]].waitlist[kg]
    room = sum(free[kg].values())
    ahead = sorted(
        {
            c.waitlist[kg]
            for c in state.children.values()
            if kg in c.waitlist and c.waitlist[kg] < mine and not c.declined and c.waiting
        }
    )
    for position in ahead:
        size = sum(1 for c in state.children.values() if c.waitlist.get(kg) == position)
        if size > room:
            return False
        room -= size
    return True


def _rerun(state: RefRound) -> None:
    """Reading ``rerun_mechanism``: the whole mechanism again on restricted lists."""
    remaining = [c.record for c in state.children.values() if not c.declined]
    restrict = {}
    for child in state.children.values():
        if child.declined:
            continue
        keep = set(child.waitlist) if child.waiting else set()
        keep |= {s.kindergarten for s in child.seats}
        restrict[child.record.registration_number] = keep
    result = reference_draw(state.rules, remaining, state.seed, restrict=restrict)
    for reg, c in result.children.items():
        state.children[reg].seats = [
            RefSeat(kg, block, o)
            for (kg, block, _), o in zip(c.wins, result.win_over[reg], strict=True)
        ]


def _merge(state: RefRound) -> None:
    """Spec 7.5 over the seats after promotion."""
    rules = state.rules
    seats = {k.id: k.seats for k in rules.kindergartens}
    groups: dict[str, list[str]] = {}
    for reg in sorted(state.children):
        child = state.children[reg]
        if child.record.group is not None and child.seats and not child.declined:
            groups.setdefault(child.record.group, []).append(reg)
    for gid in sorted(groups):
        regs = groups[gid]
        if len(regs) < 2:
            continue
        best = min(
            regs,
            key=lambda r: (
                state.children[r].record.choices.index(state.children[r].seats[0].kindergarten),
                r,
            ),
        )
        target = state.children[best].seats[0].kindergarten
        for reg in regs:
            child = state.children[reg]
            if child.seats[0].kindergarten == target:
                continue
            count = sum(
                1 for c in state.children.values() if c.seats and c.seats[0].kindergarten == target
            )
            if not rules.merge_over_capacity and count >= seats[target]:
                continue
            child.seats = [RefSeat(target, OPEN, count + 1 > seats[target])]


# --- the second round (spec 11.5) -------------------------------------------------


def _round_rules(state: RefRound, reading: RoundReading) -> DrawRules:
    free = _free(state, reading)
    kindergartens = []
    for k in state.rules.kindergartens:
        left = free[k.id]
        total = sum(left.values())
        if total:
            blocks = tuple(SeatBlock(b.name, left[b.name], b.fact) for b in k.blocks)
            kindergartens.append(Kindergarten(k.id, k.name, total, blocks))
    present = {b.name for k in kindergartens for b in k.blocks}
    rules = state.rules
    return DrawRules(
        draw_id=rules.draw_id,
        kindergartens=kindergartens,
        mechanism=rules.mechanism,
        title=rules.title,
        authority=rules.authority,
        tie_break=rules.tie_break,
        tiers=rules.tiers,
        multiples=rules.multiples,
        merge_over_capacity=rules.merge_over_capacity,
        waitlist_length=rules.waitlist_length,
        min_lottery_percent=0,
        phases=[
            Phase(
                p.name,
                p.tiers,
                p.fact,
                None if p.blocks is None else [b for b in p.blocks if b in present],
                p.choices,
            )
            for p in rules.phases
        ],
    )


def _second_round(
    state: RefRound, records: Sequence[Applicant], seed: bytes, reading: RoundReading
) -> None:
    round_rules = _round_rules(state, reading)
    open_ids = {k.id for k in round_rules.kindergartens}
    drawn = [
        Applicant(
            r.registration_number,
            r.choices,
            r.tier,
            frozenset(f for f in r.facts if f.kindergarten in open_ids),
            r.group,
            r.identity,
        )
        for r in records
    ]
    result = reference_draw(round_rules, drawn, seed)
    for record in records:
        reg = record.registration_number
        child = state.children[reg]
        c = result.children[reg]
        child.record = record
        child.seats = [
            RefSeat(kg, block, o)
            for (kg, block, _), o in zip(c.wins, result.win_over[reg], strict=True)
        ]
        child.confirmed = False
        child.waiting = True
        old = {} if not reading.second_round_keeps_old_waitlists else child.waitlist
        child.waitlist = {**old, **{kg: (1, p) for kg, p in c.waitlist}}


# --- one round --------------------------------------------------------------------


def ref_next_round(
    previous: RefRound,
    responses: Iterable[tuple[str, str, str | None]],
    *,
    unanswered: str = "decline",
    records: Sequence[Applicant] | None = None,
    seed: bytes | None = None,
    reading: RoundReading = ROUNDS_SPEC,
) -> RefRound:
    """Spec section 11: responses, promotion, merge-after, and a second-round draw."""
    state = _copy(previous)
    state.round += 1
    _apply(state, {reg: (a, kg) for reg, a, kg in responses}, unanswered, reading)
    if reading.rerun_mechanism:
        _filter(state, reading)
        _rerun(state)
    elif reading.literal_cascade_in_id_order:
        _cascade(state, sorted)
    elif reading.vacancy_chains_only or reading.single_pass:
        while _pass(state, reading) and not reading.single_pass:
            pass
    else:
        _guaranteed(state, reading)
    if (
        state.rules.multiples is MultiplesPolicy.MERGE_AFTER
        and not reading.no_merge_after_promotion
    ):
        _merge(state)
    _filter(state, reading)
    for child in state.children.values():
        seat = _seat(child)
        if child.start is not None and seat is not None and seat.kindergarten != child.start:
            child.moved_from = child.start
            if reading.promoted_seat_unconfirmed:
                child.confirmed = False
        if seat is None:
            child.confirmed = False
    if records is not None:
        assert seed is not None
        _second_round(state, records, seed, reading)
    if not reading.positions_kept:
        _renumber(state)
    return state


def _renumber(state: RefRound) -> None:
    """Spec 11.6: positions 1, 2, … in the published order, a bundle sharing one."""
    for k in state.rules.kindergartens:
        entries = sorted({c.waitlist[k.id] for c in state.children.values() if k.id in c.waitlist})
        new = {entry: (0, i) for i, entry in enumerate(entries, start=1)}
        for c in state.children.values():
            if k.id in c.waitlist:
                c.waitlist[k.id] = new[c.waitlist[k.id]]


def ref_standing_json(state: RefRound, reg: str) -> dict[str, object]:
    """A child's standing line (spec 11.6) as a JSON object."""
    c = state.children[reg]
    order = [k.id for k in state.rules.kindergartens]
    return {
        "confirmed": c.confirmed,
        "declined": c.declined,
        "moved_from": c.moved_from,
        "over_capacity": any(s.over for s in c.seats),
        "registration_number": reg,
        "seats": [{"block": s.block, "kindergarten": s.kindergarten} for s in c.seats],
        "waitlist": [
            {"kindergarten": kg, "position": c.waitlist[kg][1]} for kg in order if kg in c.waitlist
        ],
    }


# --- the literal cascade ----------------------------------------------------------


def literal_cascade(
    previous: RefRound,
    responses: Iterable[tuple[str, str, str | None]],
    *,
    unanswered: str = "decline",
    rng: random.Random,
) -> dict[str, str | None]:
    """Promotion one seat at a time, kindergartens in a random order each time.

    For units of one child and kindergartens without blocks: a free seat at
    K goes to the child first on K's waitlist who is still in, waiting and
    prefers K; it leaves its old seat, which is free in turn. Returns every
    child's kindergarten afterwards (``None``: none).
    """
    state = _copy(previous)
    _apply(state, {reg: (a, kg) for reg, a, kg in responses}, unanswered, ROUNDS_SPEC)

    def shuffled(ids: list[str]) -> list[str]:
        rng.shuffle(ids)
        return ids

    _cascade(state, shuffled)
    return {
        reg: (c.seats[0].kindergarten if c.seats else None) for reg, c in state.children.items()
    }


def _cascade(state: RefRound, order: Callable[[list[str]], list[str]]) -> None:
    """The literal cascade, offering free seats kindergarten by kindergarten in ``order``."""
    capacity = {k.id: k.seats for k in state.rules.kindergartens}
    while True:
        held: dict[str, int] = dict.fromkeys(capacity, 0)
        for c in state.children.values():
            for s in c.seats:
                held[s.kindergarten] += 1
        for kg in order(list(capacity)):
            if held[kg] >= capacity[kg]:
                continue
            waiting = [
                (c.waitlist[kg], reg)
                for reg, c in state.children.items()
                if kg in c.waitlist and not c.declined and c.waiting and _prefers(c, kg)
            ]
            if waiting:
                _, reg = min(waiting)
                state.children[reg].seats = [RefSeat(kg, OPEN, False)]
                break
        else:
            return
