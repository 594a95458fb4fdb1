"""The allocation engine: one numpy core, every mechanism a district draw uses.

``draw(rules, applicants, seed)`` is a pure function. It never reads the row
order of its input: every decision compares keys ``(tier, lottery number)``,
and lottery numbers depend only on the seed, the draw id and each child's own
registration number (or group id, or kindergarten id). See docs/spec.md
section 7 for the exact rules this module implements.

Inside, applicants are grouped into *units* (a child, or a bundled multiples
group), kindergartens are integer-coded in order of id, and a kindergarten's
*choice* from a set of candidates fills its seat blocks in order, then the
open seats, in key order. Every mechanism is a different way of presenting
candidates to that one choice function.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from alloc._check import check_instance, check_integer
from alloc.canonical import check_identifier
from alloc.errors import DuplicateError, InputError
from alloc.i18n import _
from alloc.model import (
    OPEN_BLOCK,
    Applicant,
    ApplicantTable,
    DrawRules,
    Mechanism,
    MultiplesPolicy,
    TieBreak,
)
from alloc.progress import Progress, Task, advance
from alloc.seed import parse_seed
from alloc.tickets import (
    group_kindergarten_ticket,
    group_ticket,
    group_tickets,
    kindergarten_ticket,
    kindergarten_tickets,
    ticket,
    ticket_order,
    ticket_ranks,
    tickets,
)

__all__ = [
    "ApplicantOutcome",
    "KindergartenSummary",
    "Outcome",
    "Win",
    "draw",
    "group_kindergarten_ticket",
    "group_ticket",
    "kindergarten_ticket",
    "kindergarten_tickets",
    "ticket",
    "ticket_order",
    "ticket_ranks",
    "tickets",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --- outcome value types ------------------------------------------------------


@dataclass(frozen=True)
class Win:
    """A seat won: the kindergarten, the block that admitted, the phase."""

    kindergarten: str
    block: str
    phase: str | None


@dataclass(frozen=True)
class ApplicantOutcome:
    """One child's result.

    ``placed`` is the kindergarten the child is placed at (``None`` if none);
    under the independent lottery ``wins`` lists every kindergarten won and
    ``placed`` is ``None`` until the parent chooses. ``waitlist`` pairs
    kindergarten ids with 1-based waitlist positions.
    """

    registration_number: str
    ticket: bytes
    placed: str | None
    block: str | None
    phase: str | None
    wins: tuple[Win, ...]
    waitlist: tuple[tuple[str, int], ...]
    over_capacity: bool
    moved_from: str | None
    choice_tickets: tuple[bytes, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The result line's fields (spec section 8)."""
        return {
            "registration_number": self.registration_number,
            "ticket": self.ticket.hex(),
            "placed": self.placed,
            "block": self.block,
            "phase": self.phase,
            "wins": [
                {"kindergarten": w.kindergarten, "block": w.block, "phase": w.phase}
                for w in self.wins
            ],
            "waitlist": [{"kindergarten": k, "position": p} for k, p in self.waitlist],
            "over_capacity": self.over_capacity,
            "moved_from": self.moved_from,
            "choice_tickets": [t.hex() for t in self.choice_tickets],
        }


@dataclass(frozen=True)
class KindergartenSummary:
    """Per-kindergarten figures: seats against demand, placements and waitlist."""

    id: str
    name: str
    seats: int
    applicants: int
    first_choice: int
    placed: int
    left_over: int
    over_capacity: int
    blocks: tuple[tuple[str, int, int], ...]
    waitlist: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "seats": self.seats,
            "applicants": self.applicants,
            "first_choice": self.first_choice,
            "placed": self.placed,
            "left_over": self.left_over,
            "over_capacity": self.over_capacity,
            "blocks": [{"name": n, "seats": s, "placed": p} for n, s, p in self.blocks],
            "waitlist": self.waitlist,
        }


@dataclass(frozen=True, eq=False)
class Outcome:
    """The result of a draw, column-wise; rows follow the input table's rows.

    Kindergarten codes index ``rules.kindergartens``; block codes index the
    kindergarten's blocks, with ``len(blocks)`` meaning the open seats.
    Use :meth:`applicant` or iterate for value objects.
    """

    rules: DrawRules
    registration_numbers: tuple[str, ...]
    tickets: npt.NDArray[np.uint8]
    draw_order: npt.NDArray[np.int64]
    placed: npt.NDArray[np.int32]
    block: npt.NDArray[np.int32]
    phase: npt.NDArray[np.int32]
    over_capacity: npt.NDArray[np.bool_]
    moved_from: npt.NDArray[np.int32]
    win_indptr: npt.NDArray[np.int64]
    win_kindergartens: npt.NDArray[np.int32]
    win_blocks: npt.NDArray[np.int32]
    win_phases: npt.NDArray[np.int32]
    waitlist_rows: tuple[npt.NDArray[np.int64], ...]
    waitlist_positions: tuple[npt.NDArray[np.int64], ...]
    summaries: tuple[KindergartenSummary, ...]
    choice_kindergartens: npt.NDArray[np.int32]
    choice_tickets: npt.NDArray[np.uint8] | None = None
    #: per seat won (aligned with ``win_kindergartens``): admitted beyond capacity
    win_over: npt.NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return len(self.registration_numbers)

    def index(self, registration_number: str) -> int:
        """The row of a registration number.

        Raises:
            InputError: if no applicant has it.
        """
        lookup = self.__dict__.get("_index")
        if lookup is None:
            lookup = {r: i for i, r in enumerate(self.registration_numbers)}
            object.__setattr__(self, "_index", lookup)
        try:
            return int(lookup[registration_number])
        except KeyError:
            raise InputError(
                _("no applicant has this registration number"),
                code="outcome.unknown-applicant",
                field="registration_number",
                value=registration_number,
            ) from None

    def _block_name(self, kg: int, block: int) -> str:
        blocks = self.rules.kindergartens[kg].blocks
        return blocks[block].name if block < len(blocks) else OPEN_BLOCK

    def _phase_name(self, phase: int) -> str | None:
        return self.rules.phases[phase].name if phase >= 0 and self.rules.phases else None

    def applicant(self, key: int | str) -> ApplicantOutcome:
        """One child's result, by row or registration number.

        Raises:
            InputError: for an unknown registration number or a row out of range
                (a WrongTypeError for a key that is neither).
        """
        if isinstance(key, str):
            row = self.index(key)
        else:
            row = check_integer(
                key,
                "row",
                minimum=0,
                maximum=len(self) - 1,
                hint=_("or give a registration number"),
            )
        kgs = self.rules.kindergartens
        placed = int(self.placed[row])
        moved = int(self.moved_from[row])
        start, end = int(self.win_indptr[row]), int(self.win_indptr[row + 1])
        wins = tuple(
            Win(
                kgs[int(self.win_kindergartens[i])].id,
                self._block_name(int(self.win_kindergartens[i]), int(self.win_blocks[i])),
                self._phase_name(int(self.win_phases[i])),
            )
            for i in range(start, end)
        )
        by_row = self.__dict__.get("_waitlist_by_row")
        if by_row is None:
            by_row = {}
            for kg, (rows, positions) in enumerate(
                zip(self.waitlist_rows, self.waitlist_positions, strict=True)
            ):
                for r, position in zip(rows.tolist(), positions.tolist(), strict=True):
                    by_row.setdefault(r, []).append((kgs[kg].id, position))
            object.__setattr__(self, "_waitlist_by_row", by_row)
        waitlist = by_row.get(row, [])
        choice_tickets: tuple[bytes, ...] = ()
        if self.choice_tickets is not None:
            width = int((self.choice_kindergartens[row] >= 0).sum())
            choice_tickets = tuple(bytes(self.choice_tickets[row, c]) for c in range(width))
        return ApplicantOutcome(
            registration_number=self.registration_numbers[row],
            ticket=bytes(self.tickets[row]),
            placed=kgs[placed].id if placed >= 0 else None,
            block=self._block_name(placed, int(self.block[row])) if placed >= 0 else None,
            phase=self._phase_name(int(self.phase[row])) if placed >= 0 else None,
            wins=wins,
            waitlist=tuple(waitlist),
            over_capacity=bool(self.over_capacity[row]),
            moved_from=kgs[moved].id if moved >= 0 else None,
            choice_tickets=choice_tickets,
        )

    def __iter__(self) -> Iterator[ApplicantOutcome]:
        for row in self.draw_order:
            yield self.applicant(int(row))

    def by_registration(self) -> dict[str, ApplicantOutcome]:
        """Every child's result keyed by registration number."""
        return {a.registration_number: a for a in self}

    @property
    def unplaced(self) -> tuple[str, ...]:
        """Registration numbers placed nowhere (and winning nowhere), in draw order."""
        cached = self.__dict__.get("_unplaced")
        if cached is None:
            won = np.diff(self.win_indptr) > 0
            order = self.draw_order
            rows = order[(self.placed[order] < 0) & ~won[order]].tolist()
            cached = tuple(map(self.registration_numbers.__getitem__, rows))
            object.__setattr__(self, "_unplaced", cached)
        return cached

    def waitlist(self, kindergarten_id: str) -> tuple[tuple[str, int], ...]:
        """A kindergarten's waitlist: (registration number, position), in order.

        Raises:
            InputError: for an unknown kindergarten.
        """
        kg = [k.id for k in self.rules.kindergartens].index(
            self.rules.kindergarten(kindergarten_id).id
        )
        return tuple(
            (self.registration_numbers[int(r)], int(p))
            for r, p in zip(self.waitlist_rows[kg], self.waitlist_positions[kg], strict=True)
        )

    def placed_at(self, kindergarten_id: str) -> tuple[str, ...]:
        """Registration numbers placed at (or, independent lottery, winning at) a kindergarten.

        Raises:
            InputError: for an unknown kindergarten.
        """
        self.rules.kindergarten(kindergarten_id)
        kg = [k.id for k in self.rules.kindergartens].index(kindergarten_id)
        if self.rules.mechanism is Mechanism.INDEPENDENT:
            owners = np.repeat(np.arange(len(self)), np.diff(self.win_indptr))
            rows = owners[self.win_kindergartens == kg]
        else:
            rows = np.flatnonzero(self.placed == kg)
        rank = np.empty(len(self), np.int64)
        rank[self.draw_order] = np.arange(len(self))
        rows = rows[np.argsort(rank[rows], kind="stable")]
        return tuple(self.registration_numbers[int(r)] for r in rows)


# --- preparing the problem ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Problem:
    """The integer-coded problem the mechanisms run on (one row per unit)."""

    n_kg: int
    n_blocks: int  # B: the widest block list; column B of a pool is the open seats
    pools: IntArray  # (S, B+1) seats per block column
    unit_rows: IntArray  # CSR members: rows of unit u are unit_rows[indptr[u]:indptr[u+1]]
    unit_indptr: IntArray
    row_unit: IntArray
    choices: npt.NDArray[np.int32]  # (U, C) kindergarten codes, -1 padded
    valid: BoolArray  # (U, C)
    weight: IntArray  # (U,)
    tier: IntArray  # (U,) 0 = best
    key: IntArray  # (U, C) tier * span + ticket rank
    elig: npt.NDArray[np.uint32]  # (U, C) block bits held at that choice
    facts: dict[str, BoolArray]  # fact name -> (U, C) held at that choice
    row_tickets: npt.NDArray[np.uint8]
    row_choice_tickets: npt.NDArray[np.uint8] | None
    row_choices: npt.NDArray[np.int32]
    key_span: int
    unit_order: IntArray  # units by lottery number (ticket(child) or ticket(group)), lowest first


def _kindergarten_codes(rules: DrawRules) -> tuple[list[int], dict[str, int]]:
    """Kindergartens are coded by sorted id, so their listed order never matters."""
    order = sorted(range(len(rules.kindergartens)), key=lambda i: rules.kindergartens[i].id)
    code = {rules.kindergartens[i].id: c for c, i in enumerate(order)}
    return order, code


def _row_error(
    table: ApplicantTable,
    row: int,
    problem: str,
    field: str,
    value: object,
    hint: str,
    kind: type[InputError] = InputError,
    *,
    code: str,
) -> InputError:
    return kind(
        _("applicant {registration!r}: {problem}").format(
            registration=table.registration_numbers[row], problem=problem
        ),
        code=code,
        field=field,
        value=value,
        row=table.row_label(row),
        hint=hint,
    )


def _prepare(rules: DrawRules, table: ApplicantTable, seed: bytes) -> tuple[_Problem, list[int]]:
    order, code = _kindergarten_codes(rules)
    kgs = [rules.kindergartens[i] for i in order]
    n = len(table)
    # Map the table's kindergarten codes to the rules' sorted codes.
    mapping = np.array([code.get(k, -2) for k in table.kindergarten_ids] + [-1], np.int32)
    raw = table.choices
    choices = mapping[np.where(raw < 0, len(table.kindergarten_ids), raw)]
    bad = np.argwhere(choices == -2)
    if bad.size:
        row, col = (int(x) for x in bad[0])
        value = table.kindergarten_ids[int(raw[row, col])]
        raise _row_error(
            table,
            row,
            _("choice names an unknown kindergarten"),
            f"choice {col + 1}",
            value,
            _("use a kindergarten id from the rules"),
            code="rules.unknown-kindergarten",
        )
    valid = choices >= 0
    if n and (valid[:, 1:] & ~valid[:, :-1]).any():
        row = int(np.argwhere(valid[:, 1:] & ~valid[:, :-1])[0][0])
        raise _row_error(
            table,
            row,
            _("has a gap in its choice list"),
            "choices",
            None,
            _("list choices without blanks in between"),
            code="applicant.choice-gap",
        )
    empty = np.flatnonzero(~valid[:, 0]) if n else np.zeros(0, np.int64)
    if empty.size:
        raise _row_error(
            table,
            int(empty[0]),
            _("lists no kindergarten"),
            "choices",
            None,
            _("give at least one choice"),
            code="applicant.no-choice",
        )
    ordered = np.sort(np.where(valid, choices, -1 - np.arange(choices.shape[1])), axis=1)
    dup = np.argwhere(ordered[:, 1:] == ordered[:, :-1])
    if dup.size:
        row = int(dup[0][0])
        value = kgs[int(ordered[row, dup[0][1]])].id
        raise _row_error(
            table,
            row,
            _("lists the same kindergarten twice"),
            "choices",
            value,
            _("each kindergarten may appear once per child"),
            DuplicateError,
            code="applicant.choice-repeated",
        )

    # Tiers.
    tier_code = {t: i for i, t in enumerate(rules.tiers)}
    tier_map = np.array([tier_code.get(t, -2) for t in table.tier_names] + [-1], np.int64)
    assert table.tiers is not None
    assert table.groups is not None
    row_tier = tier_map[np.where(table.tiers < 0, len(table.tier_names), table.tiers)]
    if rules.tiers:
        missing = np.flatnonzero(row_tier < 0)
        if missing.size:
            row = int(missing[0])
            tier_value = None if table.tiers[row] < 0 else table.tier_names[int(table.tiers[row])]
            raise _row_error(
                table,
                row,
                _("tier is not declared in the rules"),
                "tier",
                tier_value,
                _("use one of {tiers}").format(tiers=list(rules.tiers)),
                code="applicant.unknown-tier",
            )
    else:
        given = np.flatnonzero(table.tiers >= 0)
        if given.size:
            row = int(given[0])
            raise _row_error(
                table,
                row,
                _("tier is not declared in the rules (no tiers are)"),
                "tier",
                table.tier_names[int(table.tiers[row])],
                _("declare the tiers in the rules or leave the column empty"),
                code="applicant.tier-without-tiers",
            )
        row_tier = np.zeros(n, np.int64)

    # Facts: per row and choice, which facts are held there.
    fact_kg = mapping[table.fact_kindergartens] if table.fact_rows.size else np.zeros(0, np.int32)
    if (fact_kg == -2).any():
        at = int(np.flatnonzero(fact_kg == -2)[0])
        row = int(table.fact_rows[at])
        raise _row_error(
            table,
            row,
            _("holds a fact at an unknown kindergarten"),
            "facts",
            table.kindergarten_ids[int(table.fact_kindergartens[at])],
            _("use a kindergarten id from the rules"),
            code="rules.unknown-kindergarten",
        )
    row_facts: dict[str, BoolArray] = {}
    for f, name in enumerate(table.fact_names):
        sel = table.fact_codes == f
        rows = table.fact_rows[sel].astype(np.int64)
        where = fact_kg[sel]
        held = np.zeros(choices.shape, np.bool_)
        match = choices[rows] == where[:, None]
        r_idx, c_idx = np.nonzero(match)
        held[rows[r_idx], c_idx] = True
        row_facts[name] = held

    # Block eligibility bits per row and choice.
    width = max((len(k.blocks) for k in kgs), default=0)
    row_elig = np.zeros(choices.shape, np.uint32)
    pools = np.zeros((len(kgs), width + 1), np.int64)
    # bits[name][s]: the blocks of kindergarten s that fact ``name`` makes one eligible for.
    bits = {name: np.zeros(len(kgs) + 1, np.uint32) for name in row_facts}
    for s, kg in enumerate(kgs):
        for j, block in enumerate(kg.blocks):
            pools[s, j] = block.seats
            if block.fact in bits:
                bits[block.fact][s] |= np.uint32(1 << j)
        pools[s, width] = kg.seats - kg.reserved_seats
    padded = np.where(valid, choices, len(kgs))
    for name, holders in row_facts.items():
        row_elig |= np.where(holders, bits[name][padded], np.uint32(0))

    # Lottery numbers for every child.
    regs = table.registration_numbers
    row_tickets = tickets(seed, rules.draw_id, regs)
    try:
        row_order = ticket_order(row_tickets).astype(np.int64)
    except DuplicateError as exc:
        first, second = (int(x) for x in exc.value)  # type: ignore[attr-defined]
        raise DuplicateError(
            _("registration number appears twice"),
            code="applicant.duplicate-registration",
            field="registration_number",
            value=regs[first],
            row=table.row_label(second),
            hint=_("also at row {row}; each child registers once").format(
                row=table.row_label(first) or first + 1
            ),
        ) from exc
    row_choice_tickets = None
    if rules.tie_break is TieBreak.PER_KINDERGARTEN:
        r_idx, c_idx = np.nonzero(valid)
        flat = kindergarten_tickets(
            seed,
            rules.draw_id,
            [regs[i] for i in r_idx],
            [kgs[choices[r, c]].id for r, c in zip(r_idx, c_idx, strict=True)],
        )
        row_choice_tickets = np.zeros((*choices.shape, 32), np.uint8)
        row_choice_tickets[r_idx, c_idx] = flat

    # Multiples groups: members must list identical choices.
    bundle = rules.multiples in (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN)
    groups = table.groups.astype(np.int64)
    grouped = np.flatnonzero(groups >= 0)
    # Members in order of registration number, so a bundle's rows never
    # depend on the order of the input file.
    regs = table.registration_numbers
    by_group = np.array(
        sorted(grouped.tolist(), key=lambda r: (int(groups[r]), regs[r])), dtype=np.int64
    )
    g_sorted = groups[by_group]
    starts = (
        np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
        if by_group.size
        else np.zeros(0, np.int64)
    )
    sizes = np.diff(np.r_[starts, by_group.size])
    lonely = np.flatnonzero(sizes < 2)
    if lonely.size:
        row = int(by_group[starts[lonely[0]]])
        raise _row_error(
            table,
            row,
            _("is the only member of its multiples group"),
            "group",
            table.group_ids[int(groups[row])],
            _("register every sibling with the same group id, or clear the group"),
            code="applicant.lonely-multiple",
        )
    first_member = np.repeat(by_group[starts], sizes)
    differs = np.flatnonzero((choices[by_group] != choices[first_member]).any(axis=1))
    if differs.size:
        row = int(by_group[differs[0]])
        other = int(first_member[differs[0]])
        raise _row_error(
            table,
            row,
            _("lists different choices from a sibling in its multiples group"),
            "group",
            table.group_ids[int(groups[row])],
            _("siblings must list identical choices (compare {other!r})").format(other=regs[other]),
            code="applicant.multiples-choices-differ",
        )

    # Units: bundled groups become one unit; everyone else is their own unit.
    if bundle and by_group.size:
        single_rows = np.flatnonzero(groups < 0)
        unit_rows = np.r_[single_rows, by_group].astype(np.int64)
        unit_sizes = np.r_[np.ones(single_rows.size, np.int64), sizes]
    else:
        unit_rows = np.arange(n, dtype=np.int64)
        unit_sizes = np.ones(n, np.int64)
    indptr = np.r_[0, np.cumsum(unit_sizes)].astype(np.int64)
    n_units = unit_sizes.size
    row_unit = np.empty(n, np.int64)
    row_unit[unit_rows] = np.repeat(np.arange(n_units), unit_sizes)
    heads = unit_rows[indptr[:-1]]
    u_choices = choices[heads]
    u_valid = valid[heads]
    starts_u = indptr[:-1]
    u_tier = np.maximum.reduceat(row_tier[unit_rows], starts_u) if n_units else row_tier[:0]
    u_elig = (
        np.bitwise_and.reduceat(row_elig[unit_rows], starts_u, axis=0) if n_units else row_elig[:0]
    )
    u_facts = {
        name: (np.logical_and.reduceat(held[unit_rows], starts_u, axis=0) if n_units else held[:0])
        for name, held in row_facts.items()
    }

    # Lottery keys: (tier, ticket rank) packed into one int64 per unit and choice.
    group_unit = unit_sizes > 1
    if group_unit.any():
        u_tickets = row_tickets[heads].copy()
        gids = [table.group_ids[int(groups[h])] for h in heads[group_unit]]
        u_tickets[group_unit] = _group_tickets(seed, rules.draw_id, gids)
        unit_order = _unit_order(u_tickets, row_order, row_unit, group_unit)
    else:
        u_tickets = row_tickets  # every unit is one child, in row order
        unit_order = row_order
    if rules.tie_break is TieBreak.SINGLE:
        rank = np.empty(n_units, np.int64)
        rank[unit_order] = np.arange(n_units, dtype=np.int64)
        span = max(n_units, 1)
        key = np.repeat((u_tier * span + rank)[:, None], u_choices.shape[1], axis=1)
    else:
        assert row_choice_tickets is not None
        u_ct = row_choice_tickets[heads].copy()
        for u in np.flatnonzero(group_unit):
            gid = table.group_ids[int(groups[heads[u]])]
            for c in np.flatnonzero(u_valid[u]):
                u_ct[u, c] = np.frombuffer(
                    group_kindergarten_ticket(seed, rules.draw_id, gid, kgs[u_choices[u, c]].id),
                    np.uint8,
                )
        r_idx, c_idx = np.nonzero(u_valid)
        rank_flat = ticket_ranks(u_ct[r_idx, c_idx]) if r_idx.size else np.zeros(0, np.int64)
        span = max(r_idx.size, 1)
        key = np.zeros(u_choices.shape, np.int64)
        key[r_idx, c_idx] = u_tier[r_idx] * span + rank_flat
    key_span = span * (max(len(rules.tiers), 1) + 1)

    # Bundled units carry the group's own numbers on every member's row.
    if bundle and group_unit.any():
        member_rows = unit_rows[np.repeat(group_unit, unit_sizes)]
        row_tickets = row_tickets.copy()
        row_tickets[member_rows] = np.repeat(u_tickets[group_unit], unit_sizes[group_unit], axis=0)
        if row_choice_tickets is not None:
            row_choice_tickets = row_choice_tickets.copy()
            row_choice_tickets[member_rows] = np.repeat(
                u_ct[group_unit], unit_sizes[group_unit], axis=0
            )

    problem = _Problem(
        n_kg=len(kgs),
        n_blocks=width,
        pools=pools,
        unit_rows=unit_rows,
        unit_indptr=indptr,
        row_unit=row_unit,
        choices=u_choices,
        valid=u_valid,
        weight=unit_sizes,
        tier=u_tier,
        key=key,
        elig=u_elig,
        facts=u_facts,
        row_tickets=row_tickets,
        row_choice_tickets=row_choice_tickets,
        row_choices=choices,
        key_span=key_span,
        unit_order=unit_order,
    )
    return problem, order


def _group_tickets(seed: bytes, draw_id: str, group_ids: list[str]) -> npt.NDArray[np.uint8]:
    """Bundled groups' numbers; a malformed group id raises :func:`group_ticket`'s error."""
    try:
        return group_tickets(seed, draw_id, group_ids)
    except InputError:
        for group_id in group_ids:
            group_ticket(seed, draw_id, group_id)
        raise


def _unit_order(
    u_tickets: npt.NDArray[np.uint8],
    row_order: IntArray,
    row_unit: IntArray,
    group_unit: BoolArray,
) -> IntArray:
    """Units by lottery number, lowest first, comparing all 256 bits.

    The children drawn alone keep their order among all children; the
    bundled groups are sorted among themselves, and the two runs merged.

    Raises:
        DuplicateError: if two units have the same number (a hash collision).
    """
    words = np.ascontiguousarray(u_tickets[:, :8]).view(">u8")[:, 0].astype(np.uint64)
    alone = row_unit[row_order]
    alone = alone[~group_unit[alone]]
    bundled = np.flatnonzero(group_unit)
    bundled = bundled[ticket_order(u_tickets[bundled])]
    merged = np.concatenate((alone, bundled))
    keys = words[merged]
    order = np.argsort(keys, kind="stable")  # two sorted runs: a merge
    keys = keys[order]
    if keys.size > 1 and (keys[1:] == keys[:-1]).any():
        return ticket_order(u_tickets).astype(np.int64)  # equal leading bits: compare in full
    return merged[order].astype(np.int64)


# --- the choice function --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Choice:
    chosen: BoolArray  # per candidate (input order)
    block: npt.NDArray[np.int32]  # pool column that admitted, -1 if not chosen
    over: BoolArray  # per candidate: admitted beyond capacity (bundle over plan)
    kgs: IntArray  # kindergartens that had candidates
    pools: IntArray  # (len(kgs), B+1) seats left per column afterwards
    room: IntArray  # (len(kgs), B+1) seats still free in each column when its turn ended


def _choose(
    problem: _Problem,
    cand_kg: IntArray,
    cand_key: IntArray,
    cand_elig: npt.NDArray[np.uint32],
    cand_weight: IntArray,
    pools: IntArray,
    *,
    over_plan: bool,
    accepts: BoolArray | None = None,
) -> _Choice:
    """Each kindergarten's choice among its candidates (spec section 7.2).

    ``accepts[s, j]`` says whether pool column j of kindergarten s may take
    seats flowing on from earlier blocks; a phase that offers only some
    blocks accepts nothing into the others or into the open seats (7.4).
    See :func:`_choose_sorted` for the rules; this sorts the candidates by
    kindergarten and key, and reports in their given order.
    """
    order = np.argsort(cand_kg * problem.key_span + cand_key)  # keys are unique per kindergarten
    result = _choose_sorted(
        problem,
        cand_kg[order],
        cand_elig[order],
        cand_weight[order],
        pools,
        over_plan=over_plan,
        accepts=accepts,
    )
    chosen = np.empty_like(result.chosen)
    chosen[order] = result.chosen
    block = np.empty_like(result.block)
    block[order] = result.block
    over = np.empty_like(result.over)
    over[order] = result.over
    return _Choice(
        chosen=chosen,
        block=block,
        over=over,
        kgs=result.kgs,
        pools=result.pools,
        room=result.room,
    )


def _choose_sorted(
    problem: _Problem,
    kg: IntArray,
    elig: npt.NDArray[np.uint32],
    weight: IntArray,
    pools: IntArray,
    *,
    over_plan: bool,
    accepts: BoolArray | None = None,
) -> _Choice:
    """:func:`_choose` for candidates already in (kindergarten, key) order.

    Blocks are filled in order, each from its eligible candidates in key
    order; a block's own seats are used before seats carried from earlier
    blocks, carried seats are used oldest block first, and whatever is left
    flows on. A bundled unit that does not fit is skipped; under
    ``over_plan`` a unit reached in the open block while a seat is left is
    admitted whole. Results are in the candidates' (sorted) order.
    """
    m = kg.size
    width = problem.n_blocks
    boundary = np.r_[True, kg[1:] != kg[:-1]] if m else np.zeros(0, np.bool_)
    seg_start = np.flatnonzero(boundary)
    seg = np.cumsum(boundary) - 1
    seg_kg = kg[seg_start]
    own = pools[seg_kg].copy()
    left = np.zeros_like(own)  # unfilled seats by source column, available to later blocks
    room = np.zeros_like(own)
    open_ = np.ones(m, np.bool_)
    beyond = np.zeros(m, np.bool_)
    block = np.full(m, -1, np.int32)
    multi = bool((weight > 1).any())
    for j in range(width + 1):
        mask = (
            open_ & ((elig >> np.uint32(j)) & np.uint32(1)).astype(np.bool_)
            if j < width
            else open_.copy()
        )
        carried = left[:, :j].sum(axis=1)
        if accepts is not None:
            carried = np.where(accepts[seg_kg, j], carried, 0)
        avail = own[:, j] + carried
        wm = np.where(mask, weight, 0)
        csum = np.cumsum(wm)
        base = (csum[seg_start] - wm[seg_start])[seg]
        cw = csum - base
        if j == width and over_plan:
            take = mask & (cw - wm < avail[seg])
            beyond = take & (cw > avail[seg])
        else:
            take = mask & (cw <= avail[seg])
            if multi:
                _fill_gaps(take, mask, weight, seg, seg_start, avail)
        taken = np.bincount(seg[take], weights=weight[take], minlength=seg_kg.size).astype(np.int64)
        room[:, j] = avail - taken
        own_used = np.minimum(taken, own[:, j])
        borrowed = taken - own_used
        for c in range(j):
            use = np.minimum(left[:, c], borrowed)
            left[:, c] -= use
            borrowed -= use
        left[:, j] = own[:, j] - own_used
        open_ &= ~take
        block[take] = j
    return _Choice(chosen=~open_, block=block, over=beyond, kgs=seg_kg, pools=left, room=room)


def _fill_gaps(
    take: BoolArray,
    mask: BoolArray,
    weight: IntArray,
    seg: IntArray,
    seg_start: IntArray,
    avail: IntArray,
) -> None:
    """After the prefix that fits, admit later smaller units into leftover seats.

    Only kindergartens where a bundle stopped the prefix with seats still free
    need this, so the loop runs over a handful of candidates.
    """
    refused = mask & ~take
    if not refused.any():
        return
    taken = np.bincount(seg[take], weights=weight[take], minlength=seg_start.size)
    left = avail - taken.astype(np.int64)
    first_refused = np.full(seg_start.size, -1, np.int64)
    idx = np.flatnonzero(refused)
    segs, first = np.unique(seg[idx], return_index=True)
    first_refused[segs] = idx[first]
    ends = np.r_[seg_start[1:], seg.size]
    for s in np.flatnonzero((first_refused >= 0) & (left > 0)):
        room = int(left[s])
        for i in range(int(first_refused[s]) + 1, int(ends[s])):
            if room == 0:
                break
            if mask[i] and weight[i] <= room:
                take[i] = True
                room -= int(weight[i])


# --- mechanisms -----------------------------------------------------------------


@dataclass
class _State:
    """Mutable bookkeeping of one draw run (private to :func:`draw`)."""

    placed_kg: IntArray
    placed_pos: IntArray
    placed_block: IntArray
    placed_phase: IntArray
    over: BoolArray
    wins: list[tuple[_Won, int]]  # independent lottery wins with their phase
    pools: IntArray
    considered: BoolArray  # (U, C): took part for that choice in some phase


def _next_allowed(allowed: BoolArray) -> IntArray:
    width = allowed.shape[1]
    nxt = np.full((allowed.shape[0], width + 1), width, np.int64)
    for c in range(width - 1, -1, -1):
        nxt[:, c] = np.where(allowed[:, c], c, nxt[:, c + 1])
    return nxt


@dataclass(frozen=True, eq=False)
class _Placed:
    """What a mechanism returns for one phase (per unit, -1 where not placed)."""

    kg: IntArray
    pos: IntArray
    block: IntArray
    over: BoolArray
    pools: IntArray  # seats left per kindergarten and pool column


def _deferred_acceptance(
    problem: _Problem,
    allowed: BoolArray,
    pools: IntArray,
    over_plan: bool,
    accepts: BoolArray | None = None,
) -> _Placed:
    """Student-proposing deferred acceptance, all free units proposing each round.

    Held units are kept sorted by (kindergarten, key), so a round merges the
    new proposers into the holders of the kindergartens they propose to
    rather than sorting everyone again. A kindergarten whose proposers all
    rank below every unit it holds and fit in no seat it has left (in any
    block they are eligible for, or the open seats) rejects them without
    choosing again: its choice could not change, because every column's scan
    admits the same holders before it reaches the proposers and then has no
    room for them.
    """
    n_units, width = allowed.shape
    span = problem.key_span
    columns = problem.n_blocks + 1
    nxt = _next_allowed(allowed)
    next_pos = nxt[:, 0].copy()
    is_held = np.zeros(n_units, np.bool_)
    at_pos = np.full(n_units, -1, np.int64)  # the choice a unit last proposed to
    at_block = np.full(n_units, -1, np.int64)
    at_over = np.zeros(n_units, np.bool_)
    # Held units sorted by (kindergarten, key): unit, composite key, and block
    # eligibility (low 8 bits) with weight (the rest), carried along so that
    # every round reads them in order rather than looking them up per unit.
    h_unit = np.zeros(0, np.int64)
    h_comp = np.zeros(0, np.int64)
    h_packed = np.zeros(0, np.int64)
    final_pools = pools.copy()
    room = np.full((problem.n_kg, columns), np.iinfo(np.int64).max, np.int64)
    worst = np.full(problem.n_kg, -1, np.int64)  # the highest key held at each kindergarten
    while True:
        prop = np.flatnonzero(~is_held & (next_pos < width))
        if prop.size == 0:
            break
        pos = next_pos[prop]
        kg = problem.choices[prop, pos].astype(np.int64)
        next_pos[prop] = nxt[prop, pos + 1]
        key = problem.key[prop, pos]
        elig = problem.elig[prop, pos]
        weight = problem.weight[prop]
        fits = room[kg, columns - 1] >= (1 if over_plan else weight)
        for j in range(columns - 1):
            eligible = ((elig >> np.uint32(j)) & np.uint32(1)).astype(np.bool_)
            fits |= eligible & (room[kg, j] >= weight)
        hit = np.zeros(problem.n_kg, np.bool_)
        hit[kg[(key < worst[kg]) | fits]] = True
        live = hit[kg]
        if not live.any():
            continue  # every proposal is rejected; the units try their next choice
        prop, pos = prop[live], pos[live]
        at_pos[prop] = pos
        comp = kg[live] * span + key[live]
        order = np.argsort(comp)
        packed = (weight[live] << 8) | elig[live].astype(np.int64)
        again = hit[h_comp // span]
        c_comp = np.concatenate((h_comp[again], comp[order]))
        merge = np.argsort(c_comp, kind="stable")  # two sorted runs: a merge
        c_comp = c_comp[merge]
        c_unit = np.concatenate((h_unit[again], prop[order]))[merge]
        c_packed = np.concatenate((h_packed[again], packed[order]))[merge]
        c_kg = c_comp // span
        result = _choose_sorted(
            problem,
            c_kg,
            (c_packed & 0xFF).astype(np.uint32),
            c_packed >> 8,
            pools,
            over_plan=over_plan,
            accepts=accepts,
        )
        chosen = result.chosen
        k_unit, k_comp, k_kg = c_unit[chosen], c_comp[chosen], c_kg[chosen]
        is_held[h_unit[again]] = False
        is_held[k_unit] = True
        at_block[k_unit] = result.block[chosen]
        at_over[k_unit] = result.over[chosen]
        final_pools[result.kgs] = result.pools
        room[result.kgs] = result.room
        worst[result.kgs] = -1
        if k_kg.size:
            last = np.flatnonzero(np.r_[k_kg[1:] != k_kg[:-1], True])
            worst[k_kg[last]] = k_comp[last] - k_kg[last] * span
        stay = ~again
        n_comp = np.concatenate((h_comp[stay], k_comp))
        merge = np.argsort(n_comp, kind="stable")
        h_comp = n_comp[merge]
        h_unit = np.concatenate((h_unit[stay], k_unit))[merge]
        h_packed = np.concatenate((h_packed[stay], c_packed[chosen]))[merge]
    placed_kg = np.full(n_units, -1, np.int64)
    placed_kg[h_unit] = h_comp // span
    placed_pos = np.full(n_units, -1, np.int64)
    placed_pos[h_unit] = at_pos[h_unit]
    placed_block = np.full(n_units, -1, np.int64)
    placed_block[h_unit] = at_block[h_unit]
    over = np.zeros(n_units, np.bool_)
    over[h_unit] = at_over[h_unit]
    return _Placed(kg=placed_kg, pos=placed_pos, block=placed_block, over=over, pools=final_pools)


def _first_choice_first(
    problem: _Problem,
    allowed: BoolArray,
    pools: IntArray,
    over_plan: bool,
    accepts: BoolArray | None = None,
) -> _Placed:
    """Boston mechanism: round r admits r-th choices into seats still free."""
    n_units, width = allowed.shape
    placed_kg = np.full(n_units, -1, np.int64)
    placed_pos = np.full(n_units, -1, np.int64)
    placed_block = np.full(n_units, -1, np.int64)
    over = np.zeros(n_units, np.bool_)
    pools = pools.copy()
    for c in range(width):
        units = np.flatnonzero(allowed[:, c] & (placed_kg < 0))
        if units.size == 0:
            continue
        kg = problem.choices[units, c].astype(np.int64)
        result = _choose(
            problem,
            kg,
            problem.key[units, c],
            problem.elig[units, c],
            problem.weight[units],
            pools,
            over_plan=over_plan,
            accepts=accepts,
        )
        winners = units[result.chosen]
        placed_kg[winners] = kg[result.chosen]
        placed_pos[winners] = c
        placed_block[winners] = result.block[result.chosen]
        over[winners] = result.over[result.chosen]
        pools[result.kgs] = result.pools
    return _Placed(kg=placed_kg, pos=placed_pos, block=placed_block, over=over, pools=pools)


@dataclass(frozen=True, eq=False)
class _Won:
    """Independent lottery wins for one phase: one entry per (unit, kindergarten)."""

    units: IntArray
    kg: IntArray
    block: IntArray
    over: BoolArray
    pools: IntArray


def _independent(
    problem: _Problem,
    allowed: BoolArray,
    pools: IntArray,
    over_plan: bool,
    accepts: BoolArray | None = None,
) -> _Won:
    """Every kindergarten draws among all who list it; a child may win several."""
    units, pos = np.nonzero(allowed)
    units = units.astype(np.int64)
    kg = problem.choices[units, pos].astype(np.int64)
    result = _choose(
        problem,
        kg,
        problem.key[units, pos],
        problem.elig[units, pos],
        problem.weight[units],
        pools,
        over_plan=over_plan,
        accepts=accepts,
    )
    pools = pools.copy()
    pools[result.kgs] = result.pools
    chosen = result.chosen
    return _Won(
        units=units[chosen],
        kg=kg[chosen],
        block=result.block[chosen].astype(np.int64),
        over=result.over[chosen],
        pools=pools,
    )


def _phase_pools(
    rules: DrawRules,
    pools: IntArray,
    phase_blocks: tuple[str, ...] | None,
    order: list[int],
) -> tuple[IntArray, BoolArray | None]:
    """The seats a phase offers, and which pool columns may take seats flowing on."""
    if phase_blocks is None:
        return pools.copy(), None
    offered = np.zeros_like(pools)
    accepts = np.zeros(pools.shape, np.bool_)
    for s, i in enumerate(order):
        for j, block in enumerate(rules.kindergartens[i].blocks):
            if block.name in phase_blocks:
                offered[s, j] = pools[s, j]
                accepts[s, j] = True
    return offered, accepts


def _run(problem: _Problem, rules: DrawRules, order: list[int]) -> _State:
    n_units, width = problem.choices.shape
    state = _State(
        placed_kg=np.full(n_units, -1, np.int64),
        placed_pos=np.full(n_units, -1, np.int64),
        placed_block=np.full(n_units, -1, np.int64),
        placed_phase=np.full(n_units, -1, np.int64),
        over=np.zeros(n_units, np.bool_),
        wins=[],
        pools=problem.pools.copy(),
        considered=np.zeros((n_units, width), np.bool_),
    )
    over_plan = rules.multiples is MultiplesPolicy.BUNDLE_OVER_PLAN
    tier_code = {t: i for i, t in enumerate(rules.tiers)}
    won = np.zeros(n_units, np.bool_)
    phases = rules.phases or (None,)
    for p, phase in enumerate(phases):
        active = state.placed_kg < 0
        active &= ~won
        allowed = problem.valid & active[:, None]
        if phase is not None:
            if phase.tiers is not None:
                codes = np.array([tier_code[t] for t in phase.tiers], np.int64)
                allowed &= np.isin(problem.tier, codes)[:, None]
            if phase.fact is not None:
                held = problem.facts.get(phase.fact)
                allowed &= held if held is not None else False
            if phase.choices is not None:
                allowed[:, phase.choices :] = False
        state.considered |= allowed
        offered, accepts = _phase_pools(
            rules, state.pools, None if phase is None else phase.blocks, order
        )
        phase_index = p if phase is not None else -1
        if rules.mechanism is Mechanism.INDEPENDENT:
            wins = _independent(problem, allowed, offered, over_plan, accepts)
            state.wins.append((wins, phase_index))
            won[wins.units] = True
            left = wins.pools
        else:
            run = (
                _deferred_acceptance
                if rules.mechanism is Mechanism.DEFERRED_ACCEPTANCE
                else _first_choice_first
            )
            placed = run(problem, allowed, offered, over_plan, accepts)
            new = placed.kg >= 0
            state.placed_kg[new] = placed.kg[new]
            state.placed_pos[new] = placed.pos[new]
            state.placed_block[new] = placed.block[new]
            state.placed_phase[new] = phase_index
            state.over[new] = placed.over[new]
            left = placed.pools
        state.pools = state.pools - offered + left
    return state


# --- the public entry point -----------------------------------------------------


def draw(
    rules: DrawRules,
    applicants: ApplicantTable | Iterable[Applicant],
    seed: bytes | str,
    *,
    progress: Progress | None = None,
) -> Outcome:
    """Run the draw: a pure function of the rules, the applicants and the seed.

    ``applicants`` is an :class:`ApplicantTable` or any list or tuple of
    :class:`Applicant`; ``seed`` is the ceremony's 32 bytes or their 64
    lower-case hex digits (:func:`alloc.seed.parse_seed`). ``progress`` hears
    of its three stages: lottery numbers, the allocation, the outcome
    (:mod:`alloc.progress`).

    Raises:
        InputError: naming the applicant row and field for bad data (unknown
            kindergarten, a kindergarten listed twice, an undeclared tier,
            siblings with different choices, a duplicate registration number,
            a seed that is neither 32 bytes nor 64 lower-case hex digits).
        WrongTypeError: (an InputError) for rules that are not a DrawRules, an
            applicant that is not an Applicant (a dict, say), or a seed that
            is neither bytes nor text.
        RulesError: for inconsistent rules.
    """
    check_instance(
        rules, DrawRules, "rules", rules=True, hint=_("build DrawRules(...) or DrawRules.from_json")
    )
    seed = parse_seed(seed)
    table = (
        applicants
        if isinstance(applicants, ApplicantTable)
        else ApplicantTable.from_applicants(applicants)
    )
    check_identifier(rules.draw_id, "draw_id")
    advance(progress, Task.DRAW, 0, 3)
    problem, order = _prepare(rules, table, seed)
    advance(progress, Task.DRAW, 1, 3)
    state = _run(problem, rules, order)
    advance(progress, Task.DRAW, 2, 3)
    outcome = _outcome(rules, table, problem, order, state)
    advance(progress, Task.DRAW, 3, 3)
    return outcome


def _members(problem: _Problem, units: IntArray) -> tuple[IntArray, IntArray]:
    """Member rows of ``units`` and, for each, the index into ``units`` it came from."""
    sizes = problem.weight[units]
    total = int(sizes.sum())
    owner = np.repeat(np.arange(units.size), sizes)
    offset = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = problem.unit_rows[problem.unit_indptr[units][owner] + offset]
    return rows.astype(np.int64), owner.astype(np.int64)


def _outcome(
    rules: DrawRules, table: ApplicantTable, problem: _Problem, order: list[int], state: _State
) -> Outcome:
    n = len(table)
    independent = rules.mechanism is Mechanism.INDEPENDENT
    seats = np.array([rules.kindergartens[i].seats for i in order], np.int64)
    n_blocks = np.array([len(rules.kindergartens[i].blocks) for i in order], np.int64)

    # Unit results spread to member rows.
    unit_of = problem.row_unit
    placed = state.placed_kg[unit_of]
    placed_pos = state.placed_pos[unit_of]
    column = state.placed_block[unit_of]
    phase = state.placed_phase[unit_of]
    over = state.over[unit_of]
    moved = np.full(n, -1, np.int64)
    if rules.multiples is MultiplesPolicy.MERGE_AFTER:
        placed, placed_pos, column, over, moved = _merge_after(
            rules, table, problem, placed, placed_pos, column, over, seats
        )

    # Every seat taken, as (row, kindergarten, pool column, phase): the
    # independent lottery's wins, or each placed child's one placement.
    if independent:
        parts = []
        for wins, p in state.wins:
            rows, owner = _members(problem, wins.units)
            parts.append(
                (rows, wins.kg[owner], wins.block[owner], np.full(rows.size, p), wins.over[owner])
            )
        if parts:
            w_rows, w_kg, w_col, w_phase, w_over = (
                np.concatenate(x) for x in zip(*parts, strict=True)
            )
        else:
            w_rows = w_kg = w_col = w_phase = np.zeros(0, np.int64)
            w_over = np.zeros(0, np.bool_)
        over = np.zeros(n, np.bool_)
        over[w_rows[w_over]] = True
        # Each child's wins in their order of preference.
        pos_of = (
            np.argmax(problem.row_choices[w_rows] == w_kg[:, None], axis=1)
            if w_rows.size
            else w_rows
        )
        srt = np.lexsort((pos_of, w_rows))
        w_rows, w_kg, w_col, w_phase = w_rows[srt], w_kg[srt], w_col[srt], w_phase[srt]
        w_over = w_over[srt]
    else:
        w_rows = np.flatnonzero(placed >= 0)
        w_kg, w_col, w_phase = placed[w_rows], column[w_rows], phase[w_rows]
        w_over = over[w_rows]
    indptr = np.r_[0, np.cumsum(np.bincount(w_rows, minlength=n))].astype(np.int64)

    # Pool column B (the open seats) and merge moves (-2) are reported as the
    # kindergarten's last block code, len(blocks).
    def block_codes(kg_codes: IntArray, cols: IntArray) -> IntArray:
        out = cols.copy()
        has = kg_codes >= 0
        opened = has & ((cols >= problem.n_blocks) | (cols == -2))
        out[opened] = n_blocks[kg_codes[opened]]
        out[~has] = -1
        return out

    w_block = block_codes(w_kg, w_col)
    waitlist_rows, waitlist_positions = _waitlists(rules, problem, state, placed, placed_pos)

    # Codes in the outcome index rules.kindergartens, not the sorted order.
    to_rules_table = np.array([*order, -1], np.int64)

    identity = order == list(range(len(order)))

    def to_rules(codes: IntArray) -> npt.NDArray[np.int32]:
        if identity:  # the rules list kindergartens in order of id
            return np.where(codes >= 0, codes, -1).astype(np.int32)
        return to_rules_table[np.where(codes >= 0, codes, len(order))].astype(np.int32)

    inverse = {rules_i: code for code, rules_i in enumerate(order)}
    row_choices = problem.row_choices
    listed = np.bincount(row_choices[row_choices >= 0], minlength=problem.n_kg)
    first = (
        np.bincount(row_choices[:, 0][row_choices[:, 0] >= 0], minlength=problem.n_kg)
        if n
        else np.zeros(problem.n_kg, np.int64)
    )
    columns = problem.n_blocks + 1
    taken_at = (
        np.bincount(w_kg * columns + w_block, minlength=problem.n_kg * columns)
        .reshape(problem.n_kg, columns)
        .tolist()
    )
    summaries = []
    for i, kg in enumerate(rules.kindergartens):
        code = inverse[i]
        counts = taken_at[code]
        taken = sum(counts)
        per_block = (
            *((b.name, b.seats, counts[j]) for j, b in enumerate(kg.blocks)),
            (OPEN_BLOCK, kg.seats - kg.reserved_seats, counts[len(kg.blocks)]),
        )
        summaries.append(
            KindergartenSummary(
                id=kg.id,
                name=kg.name,
                seats=kg.seats,
                applicants=int(listed[code]),
                first_choice=int(first[code]),
                placed=taken,
                left_over=max(kg.seats - taken, 0),
                over_capacity=max(taken - kg.seats, 0),
                blocks=per_block,
                waitlist=len(waitlist_rows[code]),
            )
        )

    none = np.full(n, -1, np.int32)
    return Outcome(
        rules=rules,
        registration_numbers=table.registration_numbers,
        tickets=_frozen(problem.row_tickets),
        draw_order=_frozen(_members(problem, problem.unit_order)[0]),
        placed=_frozen(none if independent else to_rules(placed)),
        block=_frozen(none.copy() if independent else block_codes(placed, column).astype(np.int32)),
        phase=_frozen(
            none.copy() if independent else np.where(placed >= 0, phase, -1).astype(np.int32)
        ),
        over_capacity=_frozen(over),
        moved_from=_frozen(to_rules(moved)),
        win_indptr=_frozen(indptr),
        win_kindergartens=_frozen(to_rules(w_kg)),
        win_blocks=_frozen(w_block.astype(np.int32)),
        win_phases=_frozen(w_phase.astype(np.int32)),
        win_over=_frozen(w_over.astype(np.bool_)),
        waitlist_rows=tuple(
            _frozen(waitlist_rows[inverse[i]]) for i in range(len(rules.kindergartens))
        ),
        waitlist_positions=tuple(
            _frozen(waitlist_positions[inverse[i]]) for i in range(len(rules.kindergartens))
        ),
        summaries=tuple(summaries),
        choice_kindergartens=_frozen(
            to_rules(row_choices.astype(np.int64)).reshape(row_choices.shape)
        ),
        choice_tickets=None
        if problem.row_choice_tickets is None
        else _frozen(problem.row_choice_tickets),
    )


_A = TypeVar("_A", bound="np.ndarray[Any, Any]")


def _frozen(array: _A) -> _A:
    array.flags.writeable = False
    return array


def _merge_after(
    rules: DrawRules,
    table: ApplicantTable,
    problem: _Problem,
    placed: IntArray,
    placed_pos: IntArray,
    column: IntArray,
    over: BoolArray,
    seats: IntArray,
) -> tuple[IntArray, IntArray, IntArray, BoolArray, IntArray]:
    """Move siblings placed at a later choice to the earliest-choice sibling's kindergarten.

    Groups are handled in order of group id and members in order of
    registration number. Without ``merge_over_capacity`` a move happens only
    into a free seat; seats a move frees are left for the next round.
    """
    placed, placed_pos, column, over = placed.copy(), placed_pos.copy(), column.copy(), over.copy()
    moved = np.full(placed.size, -1, np.int64)
    assert table.groups is not None
    grouped = np.flatnonzero(table.groups >= 0)
    if grouped.size == 0:
        return placed, placed_pos, column, over, moved
    count = np.bincount(placed[placed >= 0], minlength=problem.n_kg).astype(np.int64)
    regs = table.registration_numbers
    members: dict[str, list[int]] = {}
    for row in grouped.tolist():
        members.setdefault(table.group_ids[int(table.groups[row])], []).append(row)
    for gid in sorted(members):
        rows = sorted(members[gid], key=lambda r: regs[r])
        placed_rows = [r for r in rows if placed[r] >= 0]
        if len(placed_rows) < 2:
            continue
        best = min(placed_rows, key=lambda r: (int(placed_pos[r]), regs[r]))
        target = int(placed[best])
        for r in placed_rows:
            if placed[r] == target:
                continue
            if not rules.merge_over_capacity and count[target] >= seats[target]:
                continue
            count[placed[r]] -= 1
            count[target] += 1
            moved[r] = placed[r]
            placed[r] = target
            placed_pos[r] = placed_pos[best]
            column[r] = -2
            over[r] = bool(count[target] > seats[target])
    return placed, placed_pos, column, over, moved


def _waitlists(
    rules: DrawRules,
    problem: _Problem,
    state: _State,
    placed: IntArray,
    placed_pos: IntArray,
) -> tuple[list[IntArray], list[IntArray]]:
    """The next N units per kindergarten in its draw order (spec section 7.6).

    A unit is on a kindergarten's list if it took part for that choice and is
    not placed there or at a choice it prefers; under the independent lottery,
    if it did not win there. A bundle takes one position; its members share it.
    """
    empty = [np.zeros(0, np.int64) for _ in range(problem.n_kg)]
    if rules.waitlist_length == 0 or problem.choices.size == 0:
        return empty, [e.copy() for e in empty]
    units, pos = np.nonzero(state.considered & problem.valid)
    units = units.astype(np.int64)
    kg = problem.choices[units, pos].astype(np.int64)
    if rules.mechanism is Mechanism.INDEPENDENT:
        # A child lists a kindergarten once, so a win is one (unit, choice) cell.
        won_at = np.zeros(problem.choices.shape, np.bool_)
        for won, _ in state.wins:
            choice = np.argmax(problem.choices[won.units] == won.kg[:, None], axis=1)
            won_at[won.units, choice] = True
        keep = ~won_at[units, pos]
    else:
        head = problem.unit_rows[problem.unit_indptr[units]]
        at = placed[head]
        keep = (at < 0) | ((at != kg) & (placed_pos[head] > pos))
    units, pos, kg = units[keep], pos[keep], kg[keep]
    srt = np.argsort(kg * problem.key_span + problem.key[units, pos])  # unique keys
    units, kg = units[srt], kg[srt]
    starts = np.flatnonzero(np.r_[True, kg[1:] != kg[:-1]]) if kg.size else kg
    rank = np.arange(kg.size) - np.repeat(starts, np.diff(np.r_[starts, kg.size]))
    sel = rank < rules.waitlist_length
    units, kg, rank = units[sel], kg[sel], rank[sel]
    # Still grouped by kindergarten: expand units to member rows, then split.
    rows, owner = _members(problem, units)
    bounds = np.searchsorted(kg[owner], np.arange(problem.n_kg + 1))
    positions = (rank[owner] + 1).astype(np.int64)
    rows_out = [rows[bounds[c] : bounds[c + 1]] for c in range(problem.n_kg)]
    pos_out = [positions[bounds[c] : bounds[c + 1]] for c in range(problem.n_kg)]
    return rows_out, pos_out
