"""Later rounds: responses and standings lines, and every refused input (spec section 11).

The rules themselves are pinned by tests/vectors/rounds.json and checked on
generated problems by tests/test_rounds_properties.py; this file checks the
line formats, their Merkle commitments and that each input that does not
fit the previous round is refused with an error naming the child and field.
"""

from __future__ import annotations

import hashlib

import pytest

from alloc.canonical import canonical_json, tagged_message
from alloc.draw import draw
from alloc.errors import DuplicateError, InputError, MalformedDocumentError, WrongTypeError
from alloc.merkle import merkle_root
from alloc.model import Applicant, DrawRules, Fact, Kindergarten, Phase, SeatBlock
from alloc.rounds import (
    Answer,
    Response,
    Standings,
    Unanswered,
    first_standings,
    next_round,
    parse_response_lines,
    parse_standing_line,
    response_leaf,
    response_lines,
    responses_root,
    responses_tree,
    second_round_rules,
    standing_leaf,
    standing_lines,
    standings_root,
)

SEED = hashlib.sha256(b"alloc rounds tests").digest()
RULES = DrawRules(
    "rounds-tests",
    [
        Kindergarten("K1", "一幼", 1),
        Kindergarten("K2", "二幼", 1, [SeatBlock("owners", 1, "owner")]),
        Kindergarten("K3", "三幼", 2),
    ],
    waitlist_length=3,
)
PEOPLE = [
    Applicant("A", ["K1", "K2"]),
    Applicant("B", ["K1", "K2"]),
    Applicant("C", ["K2", "K1"], facts=[Fact("owner", "K2")]),
    Applicant("D", ["K1"]),
]


def start(rules: DrawRules = RULES, people: list[Applicant] = PEOPLE) -> Standings:
    return first_standings(draw(rules, people, SEED), people)


def holder_of(standings: Standings, kindergarten: str) -> str:
    return next(
        s.registration_number
        for s in standings
        if any(seat.kindergarten == kindergarten for seat in s.seats)
    )


def unplaced_child(standings: Standings) -> str:
    return standings.unplaced[0]


# --- responses lines --------------------------------------------------------------


def test_a_response_line_is_canonical_and_sorted_by_registration_number() -> None:
    lines = response_lines(
        [Response("B", "decline"), Response("A", Answer.CONFIRM, "K1"), Response("C", "withdraw")]
    )
    assert lines == [
        b'{"answer":"confirm","kindergarten":"K1","registration_number":"A"}',
        b'{"answer":"decline","kindergarten":null,"registration_number":"B"}',
        b'{"answer":"withdraw","kindergarten":null,"registration_number":"C"}',
    ]
    assert parse_response_lines(lines) == (
        Response("A", "confirm", "K1"),
        Response("B", "decline"),
        Response("C", "withdraw"),
    )


def test_the_responses_root_is_over_tagged_leaves() -> None:
    lines = response_lines([Response("A", "confirm", "K1"), Response("B", "decline")])
    leaves = [tagged_message("alloc/v1/response", "d", line) for line in lines]
    assert [response_leaf("d", line) for line in lines] == leaves
    assert responses_root("d", lines) == merkle_root(leaves)
    assert responses_tree("d", lines).root == merkle_root(leaves)
    assert responses_root("d", []) == hashlib.sha256(b"").digest()


def test_two_responses_for_one_child_are_refused() -> None:
    with pytest.raises(DuplicateError) as exc:
        response_lines([Response("A", "decline"), Response("A", "confirm", "K1")])
    assert exc.value.value == "A"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (b'{"answer":"confirm","kindergarten":"K1"}', "missing key"),
        (
            b'{"answer":"confirm","kindergarten":"K1","note":"x","registration_number":"A"}',
            "unknown",
        ),
        (b'{"answer":"maybe","kindergarten":null,"registration_number":"A"}', "unknown"),
        (b'{"answer":"confirm","kindergarten":null,"registration_number":"A"}', "must name"),
        (b'{"answer":"decline","kindergarten":"K1","registration_number":"A"}', "names no"),
        (b'{"registration_number":"A","answer":"decline","kindergarten":null}', "canonical"),
        (b'{"answer":"decline","kindergarten":null,"registration_number":"A"} ', "canonical"),
        (
            b'{"answer":"decline","answer":"decline","kindergarten":null,"registration_number":"A"}',
            "duplicate",
        ),
    ],
)
def test_a_malformed_response_line_is_refused(line: bytes, said: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_response_lines([line])
    assert said in str(exc.value)


def test_response_lines_out_of_order_or_repeated_are_refused() -> None:
    a = b'{"answer":"decline","kindergarten":null,"registration_number":"A"}'
    b = b'{"answer":"decline","kindergarten":null,"registration_number":"B"}'
    for lines in ([b, a], [a, a]):
        with pytest.raises(InputError) as exc:
            parse_response_lines(lines)
        assert exc.value.row == 2
        assert "ascending" in str(exc.value)


def test_response_fields_have_one_type_each() -> None:
    with pytest.raises(WrongTypeError):
        Response(7, "decline")  # type: ignore[arg-type]
    with pytest.raises(WrongTypeError):
        Response("A", 1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown"):
        Response("A", "CONFIRM", "K1")
    with pytest.raises(WrongTypeError):
        response_lines("A")  # type: ignore[arg-type]
    with pytest.raises(WrongTypeError):
        response_lines([{"answer": "decline"}])  # type: ignore[list-item]


# --- standings lines --------------------------------------------------------------


def test_standing_lines_read_back_and_commit_under_their_own_tag() -> None:
    standings = start()
    after = next_round(standings, [Response(holder_of(standings, "K1"), "decline")]).standings
    lines = standing_lines(after)
    assert lines == sorted(lines, key=lambda line: parse_standing_line(line).registration_number)
    for line, standing in zip(lines, after, strict=True):
        assert parse_standing_line(line) == standing
        assert canonical_json(standing.to_json()) == line
    leaves = [standing_leaf("rounds-tests", line) for line in lines]
    assert leaves[0].startswith(b"alloc/v1/standing\x00rounds-tests\x00")
    assert standings_root("rounds-tests", lines) == merkle_root(leaves)
    with pytest.raises(MalformedDocumentError):
        parse_standing_line(lines[0].replace(b'"declined"', b'"gone"'))
    with pytest.raises(InputError, match="canonical"):
        parse_standing_line(lines[0] + b" ")


# --- responses that do not fit the standings --------------------------------------


def test_an_unknown_child_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        next_round(start(), [Response("Z", "decline")])
    assert (exc.value.field, exc.value.value) == ("registration_number", "Z")


def test_a_seat_the_child_does_not_hold_cannot_be_kept() -> None:
    standings = start()
    child = holder_of(standings, "K1")
    with pytest.raises(InputError) as exc:
        next_round(standings, [Response(child, "confirm", "K3")])
    assert exc.value.field == f"response {child!r}.kindergarten"
    assert exc.value.value == "K3"
    assert "K1" in str(exc.value)  # says which seat it holds


def test_an_unplaced_child_cannot_confirm() -> None:
    standings = start()
    child = unplaced_child(standings)
    with pytest.raises(InputError, match="holds no seat"):
        next_round(standings, [Response(child, "confirm", "K1")])


def test_withdraw_by_a_seat_holder_must_name_the_seat() -> None:
    standings = start()
    with pytest.raises(InputError, match="withdraw must name"):
        next_round(standings, [Response(holder_of(standings, "K1"), "withdraw")])


def test_a_child_that_declined_cannot_answer_again() -> None:
    standings = start()
    child = holder_of(standings, "K1")
    after = next_round(standings, [Response(child, "decline")]).standings
    with pytest.raises(InputError, match="declined in an earlier round"):
        next_round(after, [Response(child, "decline")])


def test_bundled_twins_answer_together() -> None:
    rules = DrawRules("rounds-tests", [Kindergarten("K1", "一幼", 3)], multiples="bundle")
    people = [
        Applicant("T1", ["K1"], group="G"),
        Applicant("T2", ["K1"], group="G"),
        Applicant("X", ["K1"]),
    ]
    standings = start(rules, people)
    with pytest.raises(InputError) as exc:
        next_round(standings, [Response("T1", "confirm", "K1")])
    assert exc.value.value == "G"
    with pytest.raises(InputError):
        next_round(standings, [Response("T1", "confirm", "K1"), Response("T2", "decline")])
    both = next_round(
        standings, [Response("T1", "confirm", "K1"), Response("T2", "confirm", "K1")]
    ).standings
    assert both.standing("T1").confirmed
    assert both.standing("T2").confirmed


def test_unanswered_is_decline_unless_the_rules_say_confirm() -> None:
    standings = start()
    child = holder_of(standings, "K1")
    assert RULES.unanswered is Unanswered.DECLINE
    assert next_round(standings, []).standings.standing(child).declined
    confirming = DrawRules.from_json({**RULES.to_json(), "unanswered": "confirm"})
    kept = next_round(start(confirming), []).standings.standing(child)
    assert kept.confirmed
    assert [s.kindergarten for s in kept.seats] == ["K1"]
    with pytest.raises(InputError, match="unknown"):
        DrawRules.from_json({**RULES.to_json(), "unanswered": "maybe"})


def test_a_round_is_a_pure_function_of_its_inputs() -> None:
    standings = start()
    responses = [Response(holder_of(standings, "K1"), "decline")]
    first = standing_lines(next_round(standings, responses).standings)
    assert standing_lines(next_round(standings, tuple(reversed(responses))).standings) == first
    # The previous round's standings are not changed by computing the next.
    assert standing_lines(start()) == standing_lines(standings)


# --- second-round draws -----------------------------------------------------------


def test_a_second_round_needs_records_and_seed_together() -> None:
    with pytest.raises(InputError, match="both"):
        next_round(start(), [], records=[])
    with pytest.raises(InputError, match="both"):
        next_round(start(), [], seed=SEED)


def test_second_round_records_are_for_unplaced_children_only() -> None:
    standings = start()
    holder = holder_of(standings, "K1")
    with pytest.raises(InputError, match="holds a seat"):
        next_round(
            standings,
            [Response(holder, "confirm", "K1")],
            records=[Applicant(holder, ["K3"])],
            seed=SEED,
        )
    with pytest.raises(InputError) as exc:
        next_round(standings, [], records=[Applicant("Z", ["K3"])], seed=SEED)
    assert exc.value.value == "Z"


def confirm_everyone(standings: Standings) -> list[Response]:
    return [
        Response(s.registration_number, "confirm", s.seats[0].kindergarten)
        for s in standings
        if s.seats
    ]


def test_second_round_choices_must_have_seats_left() -> None:
    standings = start()
    confirm_all = confirm_everyone(standings)
    child = unplaced_child(standings)
    with pytest.raises(InputError) as exc:
        next_round(standings, confirm_all, records=[Applicant(child, ["K1"])], seed=SEED)
    assert exc.value.value == "K1"
    assert "no seat left" in str(exc.value)


def test_second_round_records_keep_the_identity_commitment() -> None:
    people = [
        Applicant(p.registration_number, p.choices, facts=p.facts, identity=bytes([i]) * 32)
        for i, p in enumerate(PEOPLE)
    ]
    standings = start(RULES, people)
    child = unplaced_child(standings)
    keep = confirm_everyone(standings)
    with pytest.raises(InputError, match="identity commitment differs"):
        next_round(
            standings, keep, records=[Applicant(child, ["K3"], identity=b"\xff" * 32)], seed=SEED
        )
    with pytest.raises(InputError, match="exactly when"):
        next_round(standings, keep, records=[Applicant(child, ["K3"])], seed=SEED)
    drawn = next_round(
        standings,
        keep,
        records=[Applicant(child, ["K3"], identity=people_identity(people, child))],
        seed=SEED,
    )
    assert [s.kindergarten for s in drawn.standings.standing(child).seats] == ["K3"]


def people_identity(people: list[Applicant], reg: str) -> bytes | None:
    return next(p.identity for p in people if p.registration_number == reg)


def test_a_second_round_group_names_no_child_outside_the_round() -> None:
    rules = DrawRules(
        "rounds-tests", [Kindergarten("K1", "一幼", 1), Kindergarten("K2", "二幼", 2)]
    )
    people = [
        Applicant("A", ["K1"], group="G"),
        Applicant("B", ["K1"], group="G"),
        Applicant("C", ["K1"]),
    ]
    standings = start(rules, people)
    placed = holder_of(standings, "K1")
    waiting = [r for r in ("A", "B", "C") if r != placed]
    confirm = [Response(placed, "confirm", "K1")]
    if placed == "C":
        return  # both twins are unplaced: their group may take part whole
    other = next(r for r in waiting if r != "C")
    with pytest.raises(InputError, match="takes no part"):
        next_round(
            standings,
            confirm,
            records=[Applicant(other, ["K2"], group="G"), Applicant("C", ["K2"], group="G")],
            seed=SEED,
        )


def test_second_round_rules_are_the_seats_left() -> None:
    rules = DrawRules(
        "rounds-tests",
        [
            Kindergarten("K1", "一幼", 3, [SeatBlock("owners", 1, "owner")]),
            Kindergarten("K2", "二幼", 1),
        ],
        phases=[Phase("owners", fact="owner", blocks=["owners"]), Phase("everyone")],
        min_lottery_percent=60,
    )
    standings = start(rules, [Applicant("N", ["K1"]), Applicant("M", ["K2"])])
    after = next_round(standings, confirm_everyone(standings)).standings
    assert after.free_seats().tolist() == [[1, 1], [0, 0]]
    assert second_round_rules(after) == DrawRules(
        "rounds-tests",
        [Kindergarten("K1", "一幼", 2, [SeatBlock("owners", 1, "owner")])],
        phases=[Phase("owners", fact="owner", blocks=["owners"]), Phase("everyone")],
    )


def test_no_second_round_without_seats() -> None:
    rules = DrawRules("rounds-tests", [Kindergarten("K1", "一幼", 1)], waitlist_length=1)
    people = [Applicant("A", ["K1"]), Applicant("B", ["K1"])]
    standings = start(rules, people)
    holder = holder_of(standings, "K1")
    full = next_round(standings, [Response(holder, "confirm", "K1")]).standings
    with pytest.raises(InputError, match="no seat is left"):
        second_round_rules(full)


def test_first_standings_need_the_draws_own_records() -> None:
    outcome = draw(RULES, PEOPLE, SEED)
    with pytest.raises(InputError, match="not the ones"):
        first_standings(outcome, PEOPLE[:-1])
    with pytest.raises(WrongTypeError):
        first_standings("outcome", PEOPLE)  # type: ignore[arg-type]
