"""Later rounds: responses, waitlist promotion and second-round draws (spec section 11).

After a draw, families confirm or decline their seats within a window; the
seats given up go to the published waitlists in order (候补递补), with no new
randomness; then, if the bureau holds one, a second-round draw (补录) over
the seats left and the children still unplaced. Each round is a pure
function of the previous round's :class:`Standings` and the round's inputs:

- :func:`first_standings` turns a draw's :class:`~alloc.draw.Outcome` into
  round 1's standings;
- :func:`next_round` applies a round's :class:`Response` list, promotes
  from the waitlists and, given second-round records and a seed, draws.

Promotion is deferred acceptance in waitlist order in which every child's
seat is guaranteed (the last entry of its list): a child only ever moves to
a kindergarten it listed before the seat it holds, so a child who confirmed
never ends worse than its confirmed seat, and two children can exchange
places when both gain. Responses and standings are line files, one
canonical JSON line per child in order of registration number, committed by
Merkle roots like the records and results (spec 11.2, 11.6).
"""

from __future__ import annotations

import enum
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from alloc._check import check_enum, check_id, check_instance, check_items
from alloc.canonical import Tag, canonical_json, tagged_message
from alloc.draw import Outcome, _choose_sorted, _Problem, draw
from alloc.errors import DuplicateError, InputError
from alloc.i18n import N_, _
from alloc.merkle import MerkleTree, merkle_root
from alloc.model import (
    OPEN_BLOCK,
    Applicant,
    ApplicantTable,
    DrawRules,
    Kindergarten,
    MultiplesPolicy,
    Phase,
    RoundSeed,
    SeatBlock,
    Unanswered,
)
from alloc.strictjson import Fields, parse_json

__all__ = [
    "Answer",
    "Response",
    "RoundKindergarten",
    "RoundOutcome",
    "RoundSeed",
    "Seat",
    "Standing",
    "Standings",
    "Unanswered",
    "first_standings",
    "next_round",
    "parse_response_lines",
    "parse_standing_line",
    "response_leaf",
    "response_lines",
    "responses_root",
    "responses_tree",
    "second_round_rules",
    "standing_leaf",
    "standing_lines",
    "standings_root",
    "standings_tree",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Messages used more than once, marked for translation and translated where used.
_UNKNOWN_CHILD = N_("no child of the previous round has this registration number")
_UNKNOWN_CHILD_HINT = N_("check the number against the previous round's standings")
_ALREADY_DECLINED = N_("this child declined in an earlier round and takes no further part")


class Answer(enum.Enum):
    """A family's answer to its round's results (spec 11.1)."""

    #: Keep the seat named (under the independent lottery: that win, giving up
    #: every other) and stay on the waitlists of the kindergartens listed
    #: before it: a promotion there moves the child, and the new seat is
    #: confirmed too.
    CONFIRM = "confirm"
    #: Keep the seat named, if any, and leave every waitlist for good.
    WITHDRAW = "withdraw"
    #: Give up every seat and waitlist place; the child takes no further part.
    DECLINE = "decline"


# --- responses ------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """One family's answer: ``confirm``/``withdraw`` a seat (by kindergarten) or ``decline``.

    ``kindergarten`` names the seat kept; it is ``None`` for ``decline``, and
    for ``withdraw`` by a child that holds no seat.
    """

    registration_number: str
    answer: Answer
    kindergarten: str | None = None

    def __init__(
        self,
        registration_number: str,
        answer: Answer | str,
        kindergarten: str | None = None,
    ) -> None:
        """Raises: InputError (a WrongTypeError for a wrong type) naming the field."""
        object.__setattr__(self, "registration_number", registration_number)
        object.__setattr__(self, "answer", answer)
        object.__setattr__(self, "kindergarten", kindergarten)
        self.__post_init__()

    def __post_init__(self) -> None:
        reg = check_id(self.registration_number, "registration_number")
        object.__setattr__(self, "registration_number", reg)
        where = f"response {reg!r}"
        answer = check_enum(Answer, self.answer, f"{where}.answer")
        object.__setattr__(self, "answer", answer)
        if self.kindergarten is not None:
            kg = check_id(self.kindergarten, f"{where}.kindergarten")
            object.__setattr__(self, "kindergarten", kg)
        if answer is Answer.DECLINE and self.kindergarten is not None:
            raise InputError(
                _("decline gives up every seat and names no kindergarten"),
                code="response.decline-with-kindergarten",
                field=f"{where}.kindergarten",
                value=self.kindergarten,
                hint=_("leave the kindergarten empty, or answer confirm to keep that seat"),
            )
        if answer is Answer.CONFIRM and self.kindergarten is None:
            raise InputError(
                _("confirm must name the kindergarten of the seat kept"),
                code="response.confirm-without-kindergarten",
                field=f"{where}.kindergarten",
                hint=_("give the kindergarten id of the child's seat"),
            )

    def to_json(self) -> dict[str, Any]:
        """The response line's fields (spec 11.2)."""
        return {
            "answer": self.answer.value,
            "kindergarten": self.kindergarten,
            "registration_number": self.registration_number,
        }


def response_leaf(draw_id: str, line: bytes) -> bytes:
    """``tagged_message("alloc/v1/response", draw_id, line)``: one response's Merkle leaf."""
    return tagged_message(Tag.RESPONSE, draw_id, line)


def _responses(responses: Iterable[Response]) -> list[Response]:
    given = check_items(responses, "responses", what=_("a sequence of Response values"))
    out = [
        check_instance(r, Response, f"responses[{i}]", hint=_("build each with Response(...)"))
        for i, r in enumerate(given)
    ]
    out.sort(key=lambda r: r.registration_number)
    for before, after in itertools.pairwise(out):
        if before.registration_number == after.registration_number:
            raise DuplicateError(
                _("two responses for one child"),
                code="response.twice",
                field="registration_number",
                value=after.registration_number,
                hint=_("give each child exactly one response"),
            )
    return out


def response_lines(responses: Iterable[Response]) -> list[bytes]:
    """The responses file's lines (without line feeds), in ascending registration number.

    Raises:
        DuplicateError: if a child has two responses.
        WrongTypeError: if an item is not a :class:`Response`.
    """
    return [
        (
            f'{{"answer":"{r.answer.value}",'
            f'"kindergarten":{"null" if r.kindergarten is None else _text(r.kindergarten)},'
            f'"registration_number":{_text(r.registration_number)}}}'
        ).encode()
        for r in _responses(responses)
    ]


def parse_response_lines(lines: Iterable[bytes]) -> tuple[Response, ...]:
    """Read a responses file's lines strictly (spec 11.2).

    Raises:
        MalformedDocumentError: for a line that is not a canonical response
            object (unknown or missing key, wrong type), naming the line.
        InputError: for an invalid value, or lines out of order or repeated.
    """
    out: list[Response] = []
    for number, line in enumerate(lines, start=1):
        plain = _PLAIN_RESPONSE.match(line)
        try:
            response = None if plain is None else _plain_response(plain)
        except (InputError, UnicodeDecodeError):
            response = None  # read again strictly, for the precise error
        if response is None:
            response = _strict_response(line, number)
        if out and out[-1].registration_number >= response.registration_number:
            raise InputError(
                _("lines are not in ascending order of registration number"),
                code="lines.unordered",
                row=number,
                source="responses",
                field="registration_number",
                value=response.registration_number,
                hint=_("sort the file by registration number, each child once"),
            )
        out.append(response)
    return tuple(out)


#: A response line whose texts need no escaping: for such a line this form is
#: exactly RFC 8785's, so a match read into a valid Response is canonical.
_PLAIN_RESPONSE = re.compile(
    rb'\{"answer":"(confirm|withdraw|decline)","kindergarten":(?:null|"([^"\\\x00-\x1f]*)"),'
    rb'"registration_number":"([^"\\\x00-\x1f]*)"\}\Z'
)


def _plain_response(match: re.Match[bytes]) -> Response:
    answer, kindergarten, reg = match.groups()
    return Response(
        registration_number=reg.decode("utf-8"),
        answer=answer.decode("ascii"),
        kindergarten=None if kindergarten is None else kindergarten.decode("utf-8"),
    )


def _strict_response(line: bytes, number: int) -> Response:
    document = _("responses line {number}").format(number=number)
    fields = Fields.of(parse_json(line, document=document), document=document)
    try:
        response = Response(
            registration_number=fields.string("registration_number"),
            answer=fields.string("answer"),
            kindergarten=fields.optional_string("kindergarten"),
        )
    except InputError as exc:
        raise exc.at(row=number, source="responses") from exc
    fields.done()
    if canonical_json(response.to_json()) != bytes(line):
        raise InputError(
            _("line is not in RFC 8785 canonical form"),
            code="lines.not-canonical",
            row=number,
            source="responses",
            hint=_("write each line with alloc.rounds.response_lines"),
        )
    return response


def responses_root(draw_id: str, lines: Iterable[bytes]) -> bytes:
    """The Merkle root over response lines (RFC 9162, leaves from :func:`response_leaf`)."""
    return merkle_root(lines, prefix=response_leaf(draw_id, b""))


def responses_tree(draw_id: str, lines: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree over response lines, to cut a family's inclusion proof from."""
    return MerkleTree(lines, prefix=response_leaf(draw_id, b""))


# --- standings ------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A seat held: the kindergarten and the stage (block name, or ``open``)."""

    kindergarten: str
    block: str


@dataclass(frozen=True)
class Standing:
    """One child's standing after a round (spec 11.6).

    ``seats`` holds one seat, none, or, only for unconfirmed wins of an
    independent lottery, several in the order of the child's choices.
    ``waitlist`` pairs kindergarten ids with 1-based positions.
    ``moved_from`` names the kindergarten of the seat the child held when
    this round's promotion began, if it now holds a seat elsewhere.
    """

    registration_number: str
    declined: bool
    seats: tuple[Seat, ...]
    confirmed: bool
    waitlist: tuple[tuple[str, int], ...]
    moved_from: str | None
    over_capacity: bool

    def to_json(self) -> dict[str, Any]:
        """The standing line's fields."""
        return {
            "confirmed": self.confirmed,
            "declined": self.declined,
            "moved_from": self.moved_from,
            "over_capacity": self.over_capacity,
            "registration_number": self.registration_number,
            "seats": [{"block": s.block, "kindergarten": s.kindergarten} for s in self.seats],
            "waitlist": [{"kindergarten": k, "position": p} for k, p in self.waitlist],
        }


@dataclass(frozen=True)
class RoundKindergarten:
    """One kindergarten's figures after a round (spec 11.6)."""

    id: str
    name: str
    seats: int
    placed: int
    confirmed: int
    left_over: int
    over_capacity: int
    blocks: tuple[tuple[str, int, int], ...]
    waitlist: int
    moved_in: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "seats": self.seats,
            "placed": self.placed,
            "confirmed": self.confirmed,
            "left_over": self.left_over,
            "over_capacity": self.over_capacity,
            "blocks": [{"name": n, "seats": s, "placed": p} for n, s, p in self.blocks],
            "waitlist": self.waitlist,
            "moved_in": self.moved_in,
        }


@dataclass(frozen=True, eq=False)
class Standings:
    """Every child's standing after a round, column-wise, rows in registration order.

    Kindergarten codes index ``rules.kindergartens``; a seat's block code
    indexes the kindergarten's blocks, ``len(blocks)`` meaning the open
    seats. ``choices`` and ``elig`` are the children's current records as
    the later rounds read them: their choices (kindergarten codes, -1
    padded) and, per choice, the bits of the blocks whose fact they hold
    there. Build it with :func:`first_standings` and :func:`next_round`.
    """

    rules: DrawRules
    round: int
    registration_numbers: tuple[str, ...]
    choices: npt.NDArray[np.int32]
    elig: npt.NDArray[np.uint32]
    group_ids: tuple[str, ...]
    groups: npt.NDArray[np.int32]
    identities: npt.NDArray[np.uint8] | None
    declined: BoolArray
    confirmed: BoolArray
    moved_from: npt.NDArray[np.int32]
    seat_indptr: IntArray
    seat_kgs: npt.NDArray[np.int32]
    seat_blocks: npt.NDArray[np.int32]
    seat_over: BoolArray
    waitlist_rows: tuple[IntArray, ...]
    waitlist_positions: tuple[IntArray, ...]

    def __len__(self) -> int:
        return len(self.registration_numbers)

    def index(self, registration_number: str) -> int:
        """The row of a registration number.

        Raises:
            InputError: if no child has it.
        """
        lookup = self.__dict__.get("_index")
        if lookup is None:
            lookup = {r: i for i, r in enumerate(self.registration_numbers)}
            object.__setattr__(self, "_index", lookup)
        try:
            return int(lookup[registration_number])
        except KeyError:
            raise InputError(
                _(_UNKNOWN_CHILD),
                code="round.unknown-child",
                field="registration_number",
                value=registration_number,
            ) from None

    def _waitlist_of(self) -> dict[int, list[tuple[str, int]]]:
        by_row = self.__dict__.get("_waitlist_by_row")
        if by_row is None:
            by_row = {}
            kgs = self.rules.kindergartens
            for kg, (rows, positions) in enumerate(
                zip(self.waitlist_rows, self.waitlist_positions, strict=True)
            ):
                for r, p in zip(rows.tolist(), positions.tolist(), strict=True):
                    by_row.setdefault(r, []).append((kgs[kg].id, p))
            object.__setattr__(self, "_waitlist_by_row", by_row)
        return by_row

    def standing(self, key: int | str) -> Standing:
        """One child's standing, by row or registration number.

        Raises:
            InputError: for an unknown registration number or a row out of range.
        """
        row = self.index(key) if isinstance(key, str) else int(key)
        if not 0 <= row < len(self):
            raise InputError(
                _("row out of range"), code="input.out-of-range", field="row", value=row
            )
        kgs = self.rules.kindergartens
        start, end = int(self.seat_indptr[row]), int(self.seat_indptr[row + 1])
        seats = tuple(
            Seat(kgs[k].id, _block_name(kgs[k], b))
            for k, b in zip(
                self.seat_kgs[start:end].tolist(), self.seat_blocks[start:end].tolist(), strict=True
            )
        )
        moved = int(self.moved_from[row])
        return Standing(
            registration_number=self.registration_numbers[row],
            declined=bool(self.declined[row]),
            seats=seats,
            confirmed=bool(self.confirmed[row]),
            waitlist=tuple(self._waitlist_of().get(row, ())),
            moved_from=kgs[moved].id if moved >= 0 else None,
            over_capacity=bool(self.seat_over[start:end].any()),
        )

    def __iter__(self) -> Iterator[Standing]:
        for row in range(len(self)):
            yield self.standing(row)

    def by_registration(self) -> dict[str, Standing]:
        """Every child's standing keyed by registration number."""
        return {s.registration_number: s for s in self}

    def waitlist(self, kindergarten_id: str) -> tuple[tuple[str, int], ...]:
        """A kindergarten's waitlist: (registration number, position), in order.

        Raises:
            InputError: for an unknown kindergarten.
        """
        kg = _kindergarten_code(self.rules, kindergarten_id)
        return tuple(
            (self.registration_numbers[int(r)], int(p))
            for r, p in zip(self.waitlist_rows[kg], self.waitlist_positions[kg], strict=True)
        )

    def free_seats(self) -> IntArray:
        """Seats free per kindergarten (rules order) and stage (blocks, then column B: open).

        Computed from the seats held by the 7.2 bookkeeping (spec 11.3).
        """
        return _free_seats(self.rules, self.seat_kgs.astype(np.int64), self.seat_blocks)

    @property
    def unplaced(self) -> tuple[str, ...]:
        """Children still taking part who hold no seat, in registration order."""
        rows = np.flatnonzero(~self.declined & (np.diff(self.seat_indptr) == 0))
        return tuple(self.registration_numbers[int(r)] for r in rows)

    @property
    def summaries(self) -> tuple[RoundKindergarten, ...]:
        """Per-kindergarten figures in the rules' order (spec 11.6)."""
        cached = self.__dict__.get("_summaries")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        rules = self.rules
        n_kg = len(rules.kindergartens)
        width = _width(rules)
        owner = np.repeat(np.arange(len(self)), np.diff(self.seat_indptr))
        kg = self.seat_kgs.astype(np.int64)
        col = _columns(rules, kg, self.seat_blocks)
        taken = np.bincount(kg * (width + 1) + col, minlength=n_kg * (width + 1)).reshape(
            n_kg, width + 1
        )
        confirmed = np.bincount(kg[self.confirmed[owner]], minlength=n_kg)
        moved = np.bincount(kg[self.moved_from[owner] >= 0], minlength=n_kg)
        out = []
        for i, k in enumerate(rules.kindergartens):
            placed = int(taken[i].sum())
            blocks = (
                *((b.name, b.seats, int(taken[i, j])) for j, b in enumerate(k.blocks)),
                (OPEN_BLOCK, k.seats - k.reserved_seats, int(taken[i, width])),
            )
            out.append(
                RoundKindergarten(
                    id=k.id,
                    name=k.name,
                    seats=k.seats,
                    placed=placed,
                    confirmed=int(confirmed[i]),
                    left_over=max(k.seats - placed, 0),
                    over_capacity=max(placed - k.seats, 0),
                    blocks=blocks,
                    waitlist=int(self.waitlist_rows[i].size),
                    moved_in=int(moved[i]),
                )
            )
        result = tuple(out)
        object.__setattr__(self, "_summaries", result)
        return result


def _block_name(kindergarten: Kindergarten, block: int) -> str:
    return kindergarten.blocks[block].name if block < len(kindergarten.blocks) else OPEN_BLOCK


def _kindergarten_code(rules: DrawRules, kindergarten_id: str) -> int:
    for i, kg in enumerate(rules.kindergartens):
        if kg.id == kindergarten_id:
            return i
    raise InputError(
        _("unknown kindergarten"),
        code="rules.unknown-kindergarten",
        field="kindergarten",
        value=kindergarten_id,
    )


def _width(rules: DrawRules) -> int:
    """B: the widest block list; pool column B holds the open seats."""
    return max((len(k.blocks) for k in rules.kindergartens), default=0)


def _columns(rules: DrawRules, kg: IntArray, block: npt.NDArray[np.int32]) -> IntArray:
    """Pool columns of seats: the block's index, or B for the open seats."""
    n_blocks = np.array([len(k.blocks) for k in rules.kindergartens], np.int64)
    col = block.astype(np.int64)
    if kg.size:
        col = np.where(col >= n_blocks[kg], _width(rules), col)
    return col


def _declared(rules: DrawRules) -> IntArray:
    width = _width(rules)
    pools = np.zeros((len(rules.kindergartens), width + 1), np.int64)
    for i, k in enumerate(rules.kindergartens):
        for j, b in enumerate(k.blocks):
            pools[i, j] = b.seats
        pools[i, width] = k.seats - k.reserved_seats
    return pools


def _free_seats(rules: DrawRules, kg: IntArray, block: npt.NDArray[np.int32]) -> IntArray:
    """Spec 11.3: each stage's own seats left by the 7.2 bookkeeping over the seats held."""
    width = _width(rules)
    n_kg = len(rules.kindergartens)
    col = _columns(rules, kg, block)
    used = np.bincount(kg * (width + 1) + col, minlength=n_kg * (width + 1)).reshape(
        n_kg, width + 1
    )
    own = _declared(rules)
    return np.array(
        [_left(k, own[i], used[i], width) for i, k in enumerate(rules.kindergartens)], np.int64
    ).reshape(n_kg, width + 1)


def _left(kindergarten: Kindergarten, own: IntArray, used: IntArray, width: int) -> IntArray:
    """One kindergarten's free seats per pool column (7.2 step 3 over the seats held).

    Stage by stage in declared order, open seats last: a stage's holders use
    its own seats first, then the seats earlier stages left, earliest stage
    first; holders beyond all of them are beyond capacity and free nothing.
    """
    left = np.zeros(width + 1, np.int64)
    stages = [*range(len(kindergarten.blocks)), width]
    for at, j in enumerate(stages):
        own_used = min(int(used[j]), int(own[j]))
        borrowed = int(used[j]) - own_used
        for earlier in stages[:at]:
            take = min(int(left[earlier]), borrowed)
            left[earlier] -= take
            borrowed -= take
        left[j] = own[j] - own_used
    return left


# --- building standings ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Records:
    """Current records as the later rounds read them, rows in registration order."""

    registration_numbers: tuple[str, ...]
    order: IntArray  # table row of each sorted row
    choices: npt.NDArray[np.int32]
    elig: npt.NDArray[np.uint32]
    group_ids: tuple[str, ...]
    groups: npt.NDArray[np.int32]
    identities: npt.NDArray[np.uint8] | None


def _read_records(rules: DrawRules, table: ApplicantTable, *, strict: bool = True) -> _Records:
    """Choices as rules codes and block bits per choice; unknown kindergartens are errors."""
    regs = table.registration_numbers
    order = np.array(sorted(range(len(regs)), key=regs.__getitem__), np.int64)
    code = {k.id: i for i, k in enumerate(rules.kindergartens)}
    mapping = np.array([code.get(k, -2) for k in table.kindergarten_ids] + [-1], np.int32)
    raw = table.choices[order] if len(regs) else table.choices
    choices = mapping[np.where(raw < 0, len(table.kindergarten_ids), raw)]
    if strict and (choices == -2).any():
        row, col = (int(x) for x in np.argwhere(choices == -2)[0])
        value = table.kindergarten_ids[int(raw[row, col])]
        raise InputError(
            _("applicant {registration!r}: choice names an unknown kindergarten").format(
                registration=regs[int(order[row])]
            ),
            code="rules.unknown-kindergarten",
            field=f"choice {col + 1}",
            value=value,
            row=table.row_label(int(order[row])),
            hint=_("use a kindergarten id from the rules"),
        )
    choices = np.where(choices == -2, -1, choices).astype(np.int32)
    rank = np.empty(len(regs), np.int64)
    rank[order] = np.arange(len(regs))
    elig = np.zeros(choices.shape, np.uint32)
    if table.fact_rows.size:
        # bits[fact][kg]: the blocks of kindergarten kg whose fact it is
        bits = {
            name: np.zeros(len(rules.kindergartens) + 1, np.uint32) for name in table.fact_names
        }
        for i, k in enumerate(rules.kindergartens):
            for j, b in enumerate(k.blocks):
                if b.fact in bits:
                    bits[b.fact][i] |= np.uint32(1 << j)
        fact_kg = mapping[table.fact_kindergartens]
        rows = rank[table.fact_rows]
        for f, name in enumerate(table.fact_names):
            sel = (table.fact_codes == f) & (fact_kg >= 0)
            r, where = rows[sel], fact_kg[sel].astype(np.int64)
            match = choices[r] == where[:, None]
            hit_r, hit_c = np.nonzero(match)
            np.bitwise_or.at(elig, (r[hit_r], hit_c), bits[name][where[hit_r]])
    assert table.groups is not None
    groups = table.groups[order] if len(regs) else table.groups
    identities = None if table.identities is None else table.identities[order]
    return _Records(
        registration_numbers=tuple(regs[int(i)] for i in order),
        order=order,
        choices=choices,
        elig=elig,
        group_ids=table.group_ids,
        groups=groups.astype(np.int32),
        identities=identities,
    )


def _frozen(array: Any) -> Any:
    array.flags.writeable = False
    return array


def first_standings(
    outcome: Outcome, applicants: ApplicantTable | Iterable[Applicant]
) -> Standings:
    """Round 1's standings from a draw and the records it was drawn on.

    Nobody has confirmed yet: every seat (every win, under the independent
    lottery) awaits the families' responses.

    Raises:
        InputError: if ``applicants`` are not the records of ``outcome``.
        WrongTypeError: for arguments of the wrong type.
    """
    check_instance(outcome, Outcome, "outcome", hint=_("run alloc.draw(...) first"))
    table = (
        applicants
        if isinstance(applicants, ApplicantTable)
        else ApplicantTable.from_applicants(applicants)
    )
    if table.registration_numbers != outcome.registration_numbers:
        raise InputError(
            _("the records are not the ones the draw was run on"),
            code="round.other-records",
            field="applicants",
            hint=_("pass the same records, in the same order, as to alloc.draw"),
        )
    rules = outcome.rules
    records = _read_records(rules, table)
    order = records.order
    n = len(table)
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    win_over = outcome.win_over
    assert win_over is not None
    counts = np.diff(outcome.win_indptr)[order]
    starts = outcome.win_indptr[:-1][order]
    total = int(counts.sum())
    # Wins are every seat taken: under the independent lottery each win, else
    # the one placement (spec 8.2), in the order of the child's choices.
    take = np.repeat(starts, counts) + (
        np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    return Standings(
        rules=rules,
        round=1,
        registration_numbers=records.registration_numbers,
        choices=_frozen(records.choices),
        elig=_frozen(records.elig),
        group_ids=records.group_ids,
        groups=_frozen(records.groups),
        identities=None if records.identities is None else _frozen(records.identities),
        declined=_frozen(np.zeros(n, np.bool_)),
        confirmed=_frozen(np.zeros(n, np.bool_)),
        moved_from=_frozen(outcome.moved_from[order].astype(np.int32)),
        seat_indptr=_frozen(np.r_[0, np.cumsum(counts)].astype(np.int64)),
        seat_kgs=_frozen(outcome.win_kindergartens[take].astype(np.int32)),
        seat_blocks=_frozen(outcome.win_blocks[take].astype(np.int32)),
        seat_over=_frozen(win_over[take].astype(np.bool_)),
        waitlist_rows=tuple(_frozen(rank[rows]) for rows in outcome.waitlist_rows),
        waitlist_positions=tuple(
            _frozen(p.astype(np.int64).copy()) for p in outcome.waitlist_positions
        ),
    )


# --- one round ------------------------------------------------------------------


@dataclass
class _Work:
    """The mutable state of one round being computed (private to :func:`next_round`).

    After the responses every child holds at most one seat; the second-round
    draw's independent-lottery winners keep their further wins aside in
    ``extra_seats`` until the standings are written.
    """

    rules: DrawRules
    registration_numbers: tuple[str, ...]
    choices: npt.NDArray[np.int32]
    elig: npt.NDArray[np.uint32]
    groups: npt.NDArray[np.int32]
    group_ids: tuple[str, ...]
    identities: npt.NDArray[np.uint8] | None
    declined: BoolArray
    confirmed: BoolArray
    waiting: BoolArray
    over: BoolArray
    seat_kg: IntArray  # -1: no seat
    seat_block: npt.NDArray[np.int32]
    start_kg: IntArray  # the seat held when promotion began
    waitlists: list[tuple[IntArray, IntArray, IntArray]]  # per kg: rows, positions, segment
    extra_seats: dict[int, list[tuple[int, int, bool]]]  # row -> (kg, block, over)

    def position(self, rows: IntArray, kg: IntArray) -> IntArray:
        """Each row's position of ``kg`` in its own list (the list width if not listed)."""
        width = self.choices.shape[1]
        if rows.size == 0:
            return np.zeros(0, np.int64)
        match = self.choices[rows] == kg[:, None]
        found: IntArray = np.where(match.any(axis=1), np.argmax(match, axis=1), width)
        return found.astype(np.int64)

    def prefers(self, rows: IntArray, kg: IntArray) -> BoolArray:
        """Spec 11.3: whether each row lists ``kg`` before its seat (anywhere, without one)."""
        seat = self.seat_kg[rows]
        wanted = self.position(rows, kg)
        mine = self.position(rows, np.where(seat >= 0, seat, kg))
        listed: BoolArray = wanted < self.choices.shape[1]
        return listed & ((seat < 0) | (wanted < mine))

    def free(self) -> IntArray:
        held = self.seat_kg >= 0
        return _free_seats(self.rules, self.seat_kg[held], self.seat_block[held])


def _bundled(rules: DrawRules) -> bool:
    return rules.multiples in (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN)


def _units(groups: npt.NDArray[np.int32], bundled: bool) -> tuple[IntArray, IntArray, IntArray]:
    """Units: the head row of each row, and the members of each head (CSR by head row).

    Under the bundle policies a multiples group is one unit, headed by its
    member with the lowest registration number; otherwise every child is
    its own unit.
    """
    n = groups.size
    head = np.arange(n, dtype=np.int64)
    if bundled and n and (groups >= 0).any():
        grouped = np.flatnonzero(groups >= 0)
        first: dict[int, int] = {}
        for r in grouped.tolist():  # rows are in registration order
            head[r] = first.setdefault(int(groups[r]), r)
    members = np.argsort(head, kind="stable").astype(np.int64)
    indptr = np.r_[0, np.cumsum(np.bincount(head, minlength=n))].astype(np.int64)
    return head, members, indptr


_DECLINE, _CONFIRM, _WITHDRAW, _STAY = 0, 1, 2, 3


def _apply_responses(
    previous: Standings, responses: list[Response], unanswered: Unanswered, work: _Work
) -> None:
    """Spec 11.1: each answer, then the rule for the unanswered, sets the work state."""
    kgs = previous.rules.kindergartens
    n = len(previous)
    counts = np.diff(previous.seat_indptr)
    first_seat = previous.seat_indptr[:-1]
    answer = np.full(n, -1, np.int64)
    kept = np.full(n, -1, np.int64)  # index of the seat kept, into seat_kgs
    code = {Answer.DECLINE: _DECLINE, Answer.CONFIRM: _CONFIRM, Answer.WITHDRAW: _WITHDRAW}
    for response in responses:
        reg = response.registration_number
        try:
            row = previous.index(reg)
        except InputError:
            raise InputError(
                _(_UNKNOWN_CHILD),
                code="round.unknown-child",
                field="registration_number",
                value=reg,
                hint=_(_UNKNOWN_CHILD_HINT),
            ) from None
        where = f"response {reg!r}"
        if previous.declined[row]:
            raise InputError(
                _(_ALREADY_DECLINED),
                code="round.already-declined",
                field=where,
                value=response.answer.value,
            )
        start, end = int(previous.seat_indptr[row]), int(previous.seat_indptr[row + 1])
        held = [kgs[k].id for k in previous.seat_kgs[start:end].tolist()]
        if response.kindergarten is not None:
            if response.kindergarten not in held:
                raise InputError(
                    _("the child holds no seat at this kindergarten"),
                    code="response.seat-not-held",
                    field=f"{where}.kindergarten",
                    value=response.kindergarten,
                    hint=_(
                        "confirm or withdraw with the kindergarten of a seat the child holds:"
                        " {held}"
                    ).format(held=", ".join(held))
                    if held
                    else _(
                        "the child holds no seat; answer withdraw without a kindergarten, or"
                        " decline"
                    ),
                )
            kept[row] = start + held.index(response.kindergarten)
        elif response.answer is Answer.WITHDRAW and held:
            raise InputError(
                _("the child holds a seat, so withdraw must name the seat it keeps"),
                code="response.withdraw-without-seat",
                field=f"{where}.kindergarten",
                hint=_("name the kindergarten of the seat kept ({held}), or answer decline").format(
                    held=", ".join(held)
                ),
            )
        answer[row] = code[response.answer]

    # A bundle holds its seats together, so its members answer together.
    head, _units_of, _sizes = _units(previous.groups, _bundled(previous.rules))
    kept_kg = np.full(n, -1, np.int64)
    kept_kg[kept >= 0] = previous.seat_kgs[kept[kept >= 0]]
    split = np.flatnonzero((answer != answer[head]) | (kept_kg != kept_kg[head]))
    if split.size:
        row = int(split[0])
        raise InputError(
            _("the members of a bundled multiples group answered differently"),
            code="response.bundle-split",
            field=f"response {previous.registration_numbers[row]!r}",
            value=previous.group_ids[int(previous.groups[row])],
            hint=_(
                "a bundled group holds one seat together: give every member the same answer"
                " (compare {other!r})"
            ).format(other=previous.registration_numbers[int(head[row])]),
        )

    live = ~previous.declined
    silent = live & (answer < 0)
    unconfirmed = silent & (counts > 0) & ~previous.confirmed
    if unanswered is Unanswered.DECLINE:
        answer[unconfirmed] = _DECLINE
    else:
        answer[unconfirmed] = _CONFIRM
        kept[unconfirmed] = first_seat[unconfirmed]  # seats are in choice order
    # A confirmed seat stays confirmed without a new answer.
    stay = silent & previous.confirmed
    kept[stay] = first_seat[stay]
    answer[stay] = _STAY
    work.declined[:] = previous.declined | (answer == _DECLINE)
    work.waiting[:] = ~work.declined & (answer != _WITHDRAW)
    has = kept >= 0
    work.confirmed[:] = has
    work.seat_kg[:] = -1
    work.seat_block[:] = -1
    work.over[:] = False
    work.seat_kg[has] = previous.seat_kgs[kept[has]]
    work.seat_block[has] = previous.seat_blocks[kept[has]]
    work.over[has] = previous.seat_over[kept[has]]
    # Unplaced children, answering or not, keep their places on the waitlists.
    work.start_kg[:] = work.seat_kg


def _filter_waitlists(work: _Work) -> None:
    """Spec 11.3: drop the units declined, withdrawn, or no longer preferring the kindergarten."""
    kept = []
    for kg, (rows, positions, segment) in enumerate(work.waitlists):
        keep = (
            ~work.declined[rows]
            & work.waiting[rows]
            & work.prefers(rows, np.full(rows.size, kg, np.int64))
        )
        kept.append((rows[keep], positions[keep], segment[keep]))
    work.waitlists = kept


def _promote(work: _Work) -> None:
    """Spec 11.3: deferred acceptance in rounds, every seat guaranteed to its holder.

    The units waiting for kindergartens propose there in the order of their
    own lists, then to the kindergarten of their seat, which always takes
    them back. A kindergarten offers the others the seats its holders
    present leave free (7.2 bookkeeping) and ranks them by waitlist
    position. A holder's seat is free while it is held elsewhere, so two
    units can exchange places; nobody ends below the seat it held.
    """
    rules = work.rules
    over_plan = rules.multiples is MultiplesPolicy.BUNDLE_OVER_PLAN
    width = _width(rules)
    n_blocks = np.array([len(k.blocks) for k in rules.kindergartens], np.int64)
    declared = _declared(rules)
    head, members, indptr = _units(work.groups, _bundled(rules))
    weight = np.diff(indptr)
    _filter_waitlists(work)

    # Every unit's waitlist places: (unit head, kindergarten, position).
    parts = []
    for code, (rows, positions, _sizes) in enumerate(work.waitlists):
        if rows.size:
            units = head[rows]
            first = np.r_[True, units[1:] != units[:-1]]  # members share one place
            parts.append((units[first], np.full(int(first.sum()), code), positions[first]))
    if not parts:
        return
    held = work.seat_kg >= 0
    column = _columns(rules, work.seat_kg[held], work.seat_block[held])
    unit, kg, pos = (np.concatenate(x).astype(np.int64) for x in zip(*parts, strict=True))
    order = np.lexsort((work.position(unit, kg), unit))
    unit, kg, pos = unit[order], kg[order], pos[order]
    heads, start = np.unique(unit, return_index=True)
    bounds = np.r_[start, unit.size].tolist()

    # The holders present from the start: all but the waiting units' members.
    away = np.zeros(work.seat_kg.size, np.bool_)
    for h in heads.tolist():
        away[members[indptr[h] : indptr[h + 1]]] = True
    present = ~away[held]
    used = np.zeros(declared.shape, np.int64)
    np.add.at(used, (work.seat_kg[held][present], column[present]), 1)

    # Each waiting unit's list: the kindergartens it waits for, then its seat's.
    lists: list[list[int]] = []
    places: list[dict[int, int]] = []
    own: list[int] = []
    own_column: list[int] = []
    for i, h in enumerate(heads.tolist()):
        at = range(bounds[i], bounds[i + 1])
        waits = [int(kg[j]) for j in at]
        places.append({int(kg[j]): int(pos[j]) for j in at})
        seat = int(work.seat_kg[h])
        own.append(seat)
        own_column.append(
            int(n_blocks[seat])
            if seat < 0
            else _columns(rules, np.array([seat]), np.array([work.seat_block[h]], np.int32)).item()
        )
        lists.append(waits + ([seat] if seat >= 0 else []))

    def eligibility(i: int, code: int) -> int:
        """The block bits a unit holds at a kindergarten: where every member holds them."""
        rows = members[indptr[heads[i]] : indptr[heads[i] + 1]]
        bits = 0xFFFFFFFF
        for r in rows.tolist():
            bits &= int(work.elig[r, int(work.position(np.array([r]), np.array([code]))[0])])
        return bits

    stub = _Problem(
        n_kg=1,
        n_blocks=width,
        pools=np.zeros((1, width + 1), np.int64),
        unit_rows=np.zeros(0, np.int64),
        unit_indptr=np.zeros(1, np.int64),
        row_unit=np.zeros(0, np.int64),
        choices=np.zeros((0, 0), np.int32),
        valid=np.zeros((0, 0), np.bool_),
        weight=np.zeros(0, np.int64),
        tier=np.zeros(0, np.int64),
        key=np.zeros((0, 0), np.int64),
        elig=np.zeros((0, 0), np.uint32),
        facts={},
        row_tickets=np.zeros((0, 32), np.uint8),
        row_choice_tickets=None,
        row_choices=np.zeros((0, 0), np.int32),
        key_span=1,
        unit_order=np.zeros(0, np.int64),
    )
    count = len(lists)
    nxt = [0] * count
    where = [-1] * count  # the kindergarten holding the unit (its own, once taken back)
    block = [-1] * count
    over = [False] * count
    holding: dict[int, list[int]] = {}
    while True:
        proposals: dict[int, list[int]] = {}
        for i in range(count):
            if where[i] < 0 and nxt[i] < len(lists[i]):
                proposals.setdefault(lists[i][nxt[i]], []).append(i)
                nxt[i] += 1
        if not proposals:
            break
        for code, proposers in proposals.items():
            newcomers = []
            for i in proposers:
                if own[i] == code:
                    where[i] = code  # taken back: its seat is guaranteed
                    used[code, own_column[i]] += int(weight[heads[i]])
                else:
                    newcomers.append(i)
            candidates = sorted([*holding.get(code, []), *newcomers], key=lambda i: places[i][code])
            free = _left(rules.kindergartens[code], declared[code], used[code], width)
            choice = _choose_sorted(
                stub,
                np.zeros(len(candidates), np.int64),
                np.array([eligibility(i, code) for i in candidates], np.uint32),
                np.array([int(weight[heads[i]]) for i in candidates], np.int64),
                free[None, :],
                over_plan=over_plan,
            )
            holding[code] = []
            for j, i in enumerate(candidates):
                if choice.chosen[j]:
                    holding[code].append(i)
                    where[i] = code
                    block[i] = int(choice.block[j])
                    over[i] = bool(choice.over[j])
                else:
                    where[i] = -1
    for code, chosen in holding.items():
        for i in chosen:
            stage = int(n_blocks[code]) if block[i] >= width else block[i]
            for m in members[indptr[heads[i]] : indptr[heads[i] + 1]].tolist():
                work.seat_kg[m] = code
                work.seat_block[m] = stage
                work.over[m] = over[i]


def _merge_after(work: _Work) -> None:
    """Spec 11.3: section 7.5 once more, over the seats after promotion."""
    rules = work.rules
    seats = np.array([k.seats for k in rules.kindergartens], np.int64)
    n_blocks = np.array([len(k.blocks) for k in rules.kindergartens], np.int64)
    held = work.seat_kg >= 0
    count = np.bincount(work.seat_kg[held], minlength=seats.size)
    members: dict[str, list[int]] = {}
    for r in np.flatnonzero((work.groups >= 0) & held).tolist():
        members.setdefault(work.group_ids[int(work.groups[r])], []).append(r)
    for gid in sorted(members):
        rows = members[gid]  # placed members, in registration order
        if len(rows) < 2:
            continue
        at = work.position(np.array(rows, np.int64), work.seat_kg[rows])
        target = int(work.seat_kg[rows[int(np.argmin(at))]])  # ties: the first, lowest number
        for r in rows:
            if work.seat_kg[r] == target:
                continue
            if not rules.merge_over_capacity and count[target] >= seats[target]:
                continue
            count[work.seat_kg[r]] -= 1
            count[target] += 1
            work.seat_kg[r] = target
            work.seat_block[r] = n_blocks[target]
            work.over[r] = bool(count[target] > seats[target])


def second_round_rules(standings: Standings) -> DrawRules:
    """The rules of a second-round draw after ``standings`` (spec 11.5).

    The same rules with every kindergarten's seats and blocks cut to the
    seats left (:meth:`Standings.free_seats`); kindergartens with none left
    are dropped, phases keep only the blocks still present, and
    ``min_lottery_percent`` no longer applies (it bounds the declared seats).

    Raises:
        InputError: if no seat is left anywhere.
    """
    check_instance(standings, Standings, "standings")
    return _second_round_rules(standings.rules, standings.free_seats())


def _second_round_rules(rules: DrawRules, free: IntArray) -> DrawRules:
    width = _width(rules)
    kindergartens = []
    for i, k in enumerate(rules.kindergartens):
        total = int(free[i].sum())
        if total == 0:
            continue
        blocks = tuple(
            SeatBlock(name=b.name, seats=int(free[i, j]), fact=b.fact)
            for j, b in enumerate(k.blocks)
        )
        assert total - sum(b.seats for b in blocks) == int(free[i, width])
        kindergartens.append(Kindergarten(id=k.id, name=k.name, seats=total, blocks=blocks))
    if not kindergartens:
        raise InputError(
            _("no seat is left for a second-round draw"),
            code="round.no-seat-left",
            field="records",
            hint=_("every kindergarten is full; run the round without second-round records"),
        )
    present = {b.name for k in kindergartens for b in k.blocks}
    phases = tuple(
        Phase(
            name=p.name,
            tiers=p.tiers,
            fact=p.fact,
            blocks=None if p.blocks is None else tuple(b for b in p.blocks if b in present),
            choices=p.choices,
        )
        for p in rules.phases
    )
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
        phases=phases,
    )


@dataclass(frozen=True, eq=False)
class RoundOutcome:
    """A later round: the standings after it and, for a round with a draw, that draw.

    ``draw`` is the second-round draw's :class:`~alloc.draw.Outcome` (its
    ``rules`` are the round's :func:`second_round_rules`), ``None`` for a
    round of responses and promotion only.
    """

    standings: Standings
    draw: Outcome | None = None


def next_round(
    previous: Standings,
    responses: Iterable[Response],
    *,
    records: ApplicantTable | Iterable[Applicant] | None = None,
    seed: bytes | str | None = None,
) -> RoundOutcome:
    """The round after ``previous``: responses, promotion and, optionally, a draw.

    A pure function of its arguments (spec 11): the responses are applied
    (a child holding an unconfirmed seat that does not answer counts as the
    rules' ``unanswered`` says), freed seats go to the waitlists in order
    with no new randomness, multiples are merged again under
    ``merge-after``, and, given second-round ``records``, the children they
    name, all still unplaced, are drawn with ``seed`` over the seats left
    (the caller passes the seed the rules' ``round_seed`` calls for).

    Raises:
        InputError: for a response that does not fit the child's standing
            (an unknown child, a seat it does not hold, a bundle answering
            two ways, an answer from a child that declined before);
            second-round records that name a child holding a seat, list a
            kindergarten without seats left, change a child's identity
            commitment or share a group id with a child outside the round;
            records without a seed or a seed without records. Also the
            draw's own errors for the second-round records.
        WrongTypeError: for arguments of the wrong type.
    """
    check_instance(previous, Standings, "previous", hint=_("start from first_standings(...)"))
    given = _responses(responses)
    if (records is None) != (seed is None):
        raise InputError(
            _("a second-round draw needs both its records and its seed"),
            code="round.records-and-seed",
            field="seed" if seed is None else "records",
            hint=_("give records and seed together, or neither for a promotion round"),
        )
    n = len(previous)
    work = _Work(
        rules=previous.rules,
        registration_numbers=previous.registration_numbers,
        choices=previous.choices.copy(),
        elig=previous.elig.copy(),
        groups=previous.groups.copy(),
        group_ids=previous.group_ids,
        identities=previous.identities,
        declined=np.zeros(n, np.bool_),
        confirmed=np.zeros(n, np.bool_),
        waiting=np.zeros(n, np.bool_),
        over=np.zeros(n, np.bool_),
        seat_kg=np.full(n, -1, np.int64),
        seat_block=np.full(n, -1, np.int32),
        start_kg=np.full(n, -1, np.int64),
        waitlists=[
            (rows.copy(), positions.copy(), np.zeros(rows.size, np.int64))
            for rows, positions in zip(
                previous.waitlist_rows, previous.waitlist_positions, strict=True
            )
        ],
        extra_seats={},
    )
    _apply_responses(previous, given, previous.rules.unanswered, work)
    _promote(work)
    if previous.rules.multiples is MultiplesPolicy.MERGE_AFTER:
        _merge_after(work)
    _filter_waitlists(work)
    outcome = None
    if records is not None:
        assert seed is not None
        outcome = _second_round(work, records, seed)
    return RoundOutcome(standings=_standings(previous, work), draw=outcome)


def _second_round(
    work: _Work, records: ApplicantTable | Iterable[Applicant], seed: bytes | str
) -> Outcome:
    """Spec 11.5: draw the named unplaced children over the seats left."""
    rules = work.rules
    table = (
        records if isinstance(records, ApplicantTable) else ApplicantTable.from_applicants(records)
    )
    round_rules = _second_round_rules(rules, work.free())
    index = {r: i for i, r in enumerate(work.registration_numbers)}
    table_row = np.full(len(table), -1, np.int64)  # the standings row of each record
    for i, reg in enumerate(table.registration_numbers):
        row = index.get(reg, -1)
        label = table.row_label(i)
        if row < 0:
            raise InputError(
                _(_UNKNOWN_CHILD),
                code="round.unknown-child",
                field="registration_number",
                value=reg,
                row=label,
                hint=_("a second-round draw is for the unplaced children of the earlier rounds"),
            )
        if work.declined[row]:
            raise InputError(
                _(_ALREADY_DECLINED),
                code="round.already-declined",
                field="registration_number",
                value=reg,
                row=label,
            )
        if work.seat_kg[row] >= 0:
            raise InputError(
                _("this child holds a seat; a second-round draw is for unplaced children"),
                code="round.child-has-seat",
                field="registration_number",
                value=reg,
                row=label,
            )
        table_row[i] = row
    current = _read_records(rules, table)
    open_ids = {k.id for k in round_rules.kindergartens}
    closed = np.array([k.id not in open_ids for k in rules.kindergartens] + [False], np.bool_)
    bad = np.argwhere(closed[current.choices])
    if bad.size:
        i, col = (int(x) for x in bad[0])
        raise InputError(
            _("applicant {registration!r}: lists a kindergarten with no seat left").format(
                registration=current.registration_numbers[i]
            ),
            code="round.kindergarten-full",
            field=f"choice {col + 1}",
            value=rules.kindergartens[int(current.choices[i, col])].id,
            row=table.row_label(int(current.order[i])),
            hint=_("a second-round choice must be a kindergarten with seats left"),
        )
    rows = table_row[current.order]  # standings rows, in registration order
    _check_identities(work, table, current, rows)
    _check_groups(work, table, current, rows)
    outcome = draw(round_rules, _without_closed_facts(table, open_ids), seed)

    # The records replace the children's earlier ones.
    width = max(work.choices.shape[1], current.choices.shape[1])
    if width > work.choices.shape[1]:
        pad = ((0, 0), (0, width - work.choices.shape[1]))
        work.choices = np.pad(work.choices, pad, constant_values=-1)
        work.elig = np.pad(work.elig, pad)
    work.choices[rows] = -1
    work.choices[rows, : current.choices.shape[1]] = current.choices
    work.elig[rows] = 0
    work.elig[rows, : current.elig.shape[1]] = current.elig
    group_ids = list(work.group_ids)
    code = {g: i for i, g in enumerate(group_ids)}
    for row, g in zip(rows.tolist(), current.groups.tolist(), strict=True):
        if g < 0:
            work.groups[row] = -1
            continue
        gid = current.group_ids[g]
        if gid not in code:
            code[gid] = len(group_ids)
            group_ids.append(gid)
        work.groups[row] = code[gid]
    work.group_ids = tuple(group_ids)

    # Their earlier waitlist places end; the draw's waitlists follow the earlier ones.
    taking_part = np.zeros(work.declined.size, np.bool_)
    taking_part[rows] = True
    to_rules = {k.id: i for i, k in enumerate(rules.kindergartens)}
    round_code = np.array([to_rules[k.id] for k in round_rules.kindergartens], np.int64)
    lists = []
    for w_rows, w_pos, w_seg in work.waitlists:
        keep = ~taking_part[w_rows]
        lists.append((w_rows[keep], w_pos[keep], w_seg[keep]))
    for i, kg in enumerate(round_code.tolist()):
        w_rows, w_pos, w_seg = lists[kg]
        new_rows = table_row[outcome.waitlist_rows[i]]
        lists[kg] = (
            np.r_[w_rows, new_rows].astype(np.int64),
            np.r_[w_pos, outcome.waitlist_positions[i]].astype(np.int64),
            np.r_[w_seg, np.ones(new_rows.size, np.int64)].astype(np.int64),
        )
    work.waitlists = lists

    # Their seats: the draw's placement, or every win of an independent lottery.
    win_over = outcome.win_over
    assert win_over is not None
    for i in range(len(table)):
        row = int(table_row[i])
        start, end = int(outcome.win_indptr[i]), int(outcome.win_indptr[i + 1])
        wins = [
            (
                int(round_code[int(outcome.win_kindergartens[w])]),
                int(outcome.win_blocks[w]),
                bool(win_over[w]),
            )
            for w in range(start, end)
        ]
        if wins:
            work.seat_kg[row], work.seat_block[row], work.over[row] = wins[0]
            if len(wins) > 1:
                work.extra_seats[row] = wins[1:]
    return outcome


def _check_identities(
    work: _Work, table: ApplicantTable, current: _Records, rows: IntArray
) -> None:
    """A second-round record keeps the child's identity commitment (spec 11.5)."""
    if (work.identities is None and current.identities is None) or not rows.size:
        return
    if work.identities is None or current.identities is None:
        raise InputError(
            _(
                "second-round records carry identity commitments exactly when the first"
                " round's records do"
            ),
            code="round.identities-partial",
            field="identity",
            hint=_("copy each child's identity commitment from its first-round record"),
        )
    differs = np.flatnonzero((work.identities[rows] != current.identities).any(axis=1))
    if differs.size:
        i = int(differs[0])
        raise InputError(
            _("the identity commitment differs from the child's earlier record"),
            code="round.identity-changed",
            field="identity",
            value=current.registration_numbers[i],
            row=table.row_label(int(current.order[i])),
            hint=_("a second-round record is for the same child: copy its identity commitment"),
        )


def _check_groups(work: _Work, table: ApplicantTable, current: _Records, rows: IntArray) -> None:
    """A second-round group id names no child outside the round (spec 11.5)."""
    taking_part = np.zeros(work.declined.size, np.bool_)
    taking_part[rows] = True
    outside = {
        work.group_ids[int(g)]
        for g in work.groups[~taking_part & ~work.declined].tolist()
        if g >= 0
    }
    for i, g in enumerate(current.groups.tolist()):
        if g >= 0 and current.group_ids[g] in outside:
            raise InputError(
                _("this multiples group also names a child who takes no part in the round"),
                code="round.group-outside",
                field="group",
                value=current.group_ids[g],
                row=table.row_label(int(current.order[i])),
                hint=_("give the siblings drawn now a group id of their own, or none"),
            )


def _without_closed_facts(table: ApplicantTable, open_ids: set[str]) -> ApplicantTable:
    """The records with facts only at the round's kindergartens (spec 11.5).

    A fact at a kindergarten without seats left cannot count (7.1: the child
    cannot list it), and the round's rules no longer name that kindergarten.
    """
    if not table.fact_rows.size:
        return table
    keep = np.array(
        [table.kindergarten_ids[int(k)] in open_ids for k in table.fact_kindergartens], np.bool_
    )
    if keep.all():
        return table
    return ApplicantTable(
        registration_numbers=table.registration_numbers,
        kindergarten_ids=table.kindergarten_ids,
        choices=table.choices,
        tier_names=table.tier_names,
        tiers=table.tiers,
        group_ids=table.group_ids,
        groups=table.groups,
        fact_names=table.fact_names,
        fact_rows=table.fact_rows[keep],
        fact_codes=table.fact_codes[keep],
        fact_kindergartens=table.fact_kindergartens[keep],
        source_rows=table.source_rows,
        identities=table.identities,
    )


def _standings(previous: Standings, work: _Work) -> Standings:
    """The work state as the round's standings, with the waitlists renumbered (spec 11.6)."""
    has = work.seat_kg >= 0
    counts = has.astype(np.int64)
    for row, seats in work.extra_seats.items():
        counts[row] += len(seats)
    indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
    seat_kgs = np.zeros(int(indptr[-1]), np.int32)
    seat_blocks = np.zeros(int(indptr[-1]), np.int32)
    seat_over = np.zeros(int(indptr[-1]), np.bool_)
    at = indptr[:-1][has]
    seat_kgs[at] = work.seat_kg[has]
    seat_blocks[at] = work.seat_block[has]
    seat_over[at] = work.over[has]
    for row, seats in work.extra_seats.items():
        for offset, (k, b, o) in enumerate(seats, start=1):
            seat_kgs[indptr[row] + offset] = k
            seat_blocks[indptr[row] + offset] = b
            seat_over[indptr[row] + offset] = o
    moved = np.where(
        has & (work.start_kg >= 0) & (work.start_kg != work.seat_kg), work.start_kg, -1
    )
    w_rows, w_pos = [], []
    for rows, positions, segment in work.waitlists:
        # Positions count units: a bundle's members share theirs.
        new = np.r_[True, (positions[1:] != positions[:-1]) | (segment[1:] != segment[:-1])]
        w_rows.append(_frozen(rows.astype(np.int64)))
        w_pos.append(_frozen(np.cumsum(new[: rows.size]).astype(np.int64)))
    return Standings(
        rules=previous.rules,
        round=previous.round + 1,
        registration_numbers=previous.registration_numbers,
        choices=_frozen(work.choices),
        elig=_frozen(work.elig),
        group_ids=work.group_ids,
        groups=_frozen(work.groups),
        identities=previous.identities,
        declined=_frozen(work.declined),
        confirmed=_frozen(work.confirmed & has),
        moved_from=_frozen(moved.astype(np.int32)),
        seat_indptr=_frozen(indptr),
        seat_kgs=_frozen(seat_kgs),
        seat_blocks=_frozen(seat_blocks),
        seat_over=_frozen(seat_over),
        waitlist_rows=tuple(w_rows),
        waitlist_positions=tuple(w_pos),
    )


# --- standing lines -------------------------------------------------------------


def standing_leaf(draw_id: str, line: bytes) -> bytes:
    """``tagged_message("alloc/v1/standing", draw_id, line)``: one standing's Merkle leaf."""
    return tagged_message(Tag.STANDING, draw_id, line)


def standing_lines(standings: Standings) -> list[bytes]:
    """The standings file's lines (without line feeds), in ascending registration number.

    Raises:
        WrongTypeError: if ``standings`` is not a :class:`Standings`.
    """
    check_instance(standings, Standings, "standings")
    kgs = standings.rules.kindergartens
    names = [_text(k.id) for k in kgs]
    blocks = [[_text(b.name) for b in k.blocks] + ['"open"'] for k in kgs]
    waiting = standings._waitlist_of()
    code = {k.id: i for i, k in enumerate(kgs)}
    indptr = standings.seat_indptr.tolist()
    seat_kgs = standings.seat_kgs.tolist()
    seat_blocks = standings.seat_blocks.tolist()
    seat_over = standings.seat_over.tolist()
    moved = standings.moved_from.tolist()
    flag = ("false", "true")
    out = []
    for row, reg in enumerate(standings.registration_numbers):
        start, end = indptr[row], indptr[row + 1]
        seats = ",".join(
            f'{{"block":{blocks[seat_kgs[i]][seat_blocks[i]]},"kindergarten":{names[seat_kgs[i]]}}}'
            for i in range(start, end)
        )
        places = ",".join(
            f'{{"kindergarten":{names[code[k]]},"position":{p}}}' for k, p in waiting.get(row, ())
        )
        out.append(
            (
                f'{{"confirmed":{flag[bool(standings.confirmed[row])]},'
                f'"declined":{flag[bool(standings.declined[row])]},'
                f'"moved_from":{"null" if moved[row] < 0 else names[moved[row]]},'
                f'"over_capacity":{flag[any(seat_over[start:end])]},'
                f'"registration_number":{_text(reg)},"seats":[{seats}],"waitlist":[{places}]}}'
            ).encode()
        )
    return out


def _text(value: str) -> str:
    """A JSON string as RFC 8785 writes it, for an identifier (never a control character)."""
    if '"' in value or "\\" in value:
        return json.dumps(value, ensure_ascii=False)
    return f'"{value}"'


def standings_root(draw_id: str, lines: Iterable[bytes]) -> bytes:
    """The Merkle root over standing lines (leaves from :func:`standing_leaf`)."""
    return merkle_root(lines, prefix=standing_leaf(draw_id, b""))


def standings_tree(draw_id: str, lines: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree over standing lines, to cut a parent's proof from."""
    return MerkleTree(lines, prefix=standing_leaf(draw_id, b""))


def parse_standing_line(line: bytes) -> Standing:
    """Read one standing line strictly.

    Raises:
        MalformedDocumentError: for a line that is not a standing object.
        InputError: for a line that is not canonical.
    """
    document = _("standing line")
    fields = Fields.of(parse_json(line, document=document), document=document)

    def seat(item: Fields) -> Seat:
        return Seat(kindergarten=item.string("kindergarten"), block=item.string("block"))

    def entry(item: Fields) -> tuple[str, int]:
        return (item.string("kindergarten"), item.integer("position", minimum=1))

    standing = Standing(
        registration_number=fields.string("registration_number"),
        declined=fields.boolean("declined"),
        seats=tuple(fields.each("seats", seat)),
        confirmed=fields.boolean("confirmed"),
        waitlist=tuple(fields.each("waitlist", entry)),
        moved_from=fields.optional_string("moved_from"),
        over_capacity=fields.boolean("over_capacity"),
    )
    fields.done()
    if canonical_json(standing.to_json()) != bytes(line):
        raise InputError(
            _("standing line is not in RFC 8785 canonical form"),
            code="lines.not-canonical",
            source="standings",
            hint=_("write each line with alloc.rounds.standing_lines"),
        )
    return standing
