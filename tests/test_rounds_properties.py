"""Properties of later rounds (docs/spec.md section 11), checked with hypothesis.

Every property runs :func:`alloc.rounds.next_round` on whole generated
problems with generated responses (``tests/strategies.py``). The engine is
compared with the plain reference (``tests/reference_rounds.py``) on every
mechanism and multiples policy; with the literal waitlist cascade, in random
orders, where every unit is one child and no kindergarten has blocks; and,
for deferred acceptance, with the suggested reformulation: the mechanism
re-run over the children still in, each restricted to where it holds a seat
or waits.
"""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from reference_rounds import (
    RefRound,
    literal_cascade,
    ref_first_round,
    ref_next_round,
    ref_standing_json,
)
from strategies import RoundProblem, responses_to, round_problems

from alloc.canonical import canonical_json
from alloc.draw import draw
from alloc.model import Applicant, Mechanism, MultiplesPolicy, TieBreak
from alloc.rounds import (
    Response,
    RoundOutcome,
    Standings,
    Unanswered,
    first_standings,
    next_round,
    standing_lines,
)

FEW = settings(max_examples=40, deadline=None)
SOME = settings(max_examples=80, deadline=None)
MANY = settings(max_examples=120, deadline=None)

BUNDLES = (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN)
ALONE = (MultiplesPolicy.SEPARATE,)


def first(case: RoundProblem) -> Standings:
    p = case.problem
    return first_standings(draw(p.rules, p.applicants, p.seed), p.applicants)


def second(case: RoundProblem) -> RoundOutcome:
    return next_round(first(case), case.responses)


def triples(responses: tuple[Response, ...]) -> list[tuple[str, str, str | None]]:
    return [(r.registration_number, r.answer.value, r.kindergarten) for r in responses]


def reference_second(case: RoundProblem) -> RefRound:
    p = case.problem
    return ref_next_round(
        ref_first_round(p.rules, p.applicants, p.seed),
        triples(case.responses),
        unanswered=case.unanswered.value,
    )


def assert_same_as_reference(standings: Standings, expected: RefRound) -> None:
    got = standing_lines(standings)
    assert got == [canonical_json(s.to_json()) for s in standings]  # the fast writer is JCS
    want = [canonical_json(ref_standing_json(expected, reg)) for reg in sorted(expected.children)]
    for line, other in zip(got, want, strict=True):
        assert line == other


def seat_of(standings: Standings) -> dict[str, str | None]:
    return {
        s.registration_number: (s.seats[0].kindergarten if len(s.seats) == 1 else None)
        for s in standings
    }


# --- engine == reference ----------------------------------------------------------


@MANY
@given(round_problems(mechanism=Mechanism.DEFERRED_ACCEPTANCE))
def test_deferred_acceptance_promotion_equals_reference(case: RoundProblem) -> None:
    assert_same_as_reference(second(case).standings, reference_second(case))


@MANY
@given(round_problems(mechanism=Mechanism.FIRST_CHOICE_FIRST))
def test_first_choice_first_promotion_equals_reference(case: RoundProblem) -> None:
    assert_same_as_reference(second(case).standings, reference_second(case))


@MANY
@given(round_problems(mechanism=Mechanism.INDEPENDENT))
def test_independent_lottery_promotion_equals_reference(case: RoundProblem) -> None:
    assert_same_as_reference(second(case).standings, reference_second(case))


@SOME
@given(round_problems(multiples=BUNDLES, max_seats=4))
def test_bundled_promotion_equals_reference(case: RoundProblem) -> None:
    assert_same_as_reference(second(case).standings, reference_second(case))


@SOME
@given(
    round_problems(multiples=MultiplesPolicy.MERGE_AFTER, mechanism=Mechanism.DEFERRED_ACCEPTANCE)
)
def test_merge_after_promotion_equals_reference(case: RoundProblem) -> None:
    assert_same_as_reference(second(case).standings, reference_second(case))


# --- the literal cascade and the re-run -------------------------------------------


@MANY
@given(
    round_problems(
        mechanism=(Mechanism.DEFERRED_ACCEPTANCE, Mechanism.INDEPENDENT),
        multiples=ALONE,
        with_blocks=False,
        with_phases=False,
        tie_break=TieBreak.SINGLE,
    ),
    st.randoms(use_true_random=False),
)
def test_promotion_is_the_literal_cascade_in_any_order(
    case: RoundProblem, rng: random.Random
) -> None:
    """Where every waitlist and seat agree with the lottery order (spec 11.4), a seat at a
    time, in any order, gives the same. Elsewhere the order of offers can matter and
    exchanges can be missed (vectors ``promotion-does-not-depend-on-the-order-of-offers``
    and ``a-holder-and-a-waiting-child-exchange``)."""
    p = case.problem
    start = ref_first_round(p.rules, p.applicants, p.seed)
    got = seat_of(second(case).standings)
    for _ in range(3):
        cascade = literal_cascade(
            start, triples(case.responses), unanswered=case.unanswered.value, rng=rng
        )
        assert cascade == got


@MANY
@given(
    round_problems(
        mechanism=Mechanism.DEFERRED_ACCEPTANCE,
        multiples=ALONE,
        with_phases=False,
        with_blocks=False,
    )
)
def test_deferred_acceptance_promotion_is_the_restricted_rerun(case: RoundProblem) -> None:
    """Spec 11.4: DA re-run over the children still in, each limited to its seat and its
    waitlists, places every child where promotion does (tiers and numbers per kindergarten
    included): the student-optimal re-stabilisation. Not with seat blocks: a re-run would
    move a holder into a freed block seat, promotion keeps it in its stage (vector
    ``promotion-keeps-holders-in-their-stage``)."""
    p = case.problem
    before = first(case)
    result = second(case).standings
    restricted = []
    for child in p.applicants:
        reg = child.registration_number
        if result.standing(reg).declined:
            continue
        where = {k for k, _ in _waiting_after_responses(before, case, reg)}
        where |= _kept_after_responses(before, case, reg)
        choices = tuple(k for k in child.choices if k in where)
        if choices:
            restricted.append(Applicant(reg, choices, child.tier, child.facts))
    rerun = draw(p.rules, restricted, p.seed)
    placed = {a.registration_number: a.placed for a in rerun}
    for reg, kg in seat_of(result).items():
        assert placed.get(reg) == kg, reg


def _kept_after_responses(before: Standings, case: RoundProblem, reg: str) -> set[str]:
    answer = {r.registration_number: r for r in case.responses}.get(reg)
    standing = before.standing(reg)
    if answer is None:
        if standing.seats and case.unanswered is Unanswered.CONFIRM:
            return {standing.seats[0].kindergarten}
        return set()
    return {answer.kindergarten} if answer.kindergarten is not None else set()


def _waiting_after_responses(
    before: Standings, case: RoundProblem, reg: str
) -> tuple[tuple[str, int], ...]:
    answer = {r.registration_number: r for r in case.responses}.get(reg)
    if answer is not None and answer.answer.value in ("withdraw", "decline"):
        return ()
    return before.standing(reg).waitlist


# --- properties -------------------------------------------------------------------


@MANY
@given(round_problems())
def test_promotion_keeps_every_promise(case: RoundProblem) -> None:
    """Capacity, one seat each, confirmed never worse, decliners gone, waitlists shrink."""
    p = case.problem
    before = first(case)
    after = second(case).standings
    answers = {r.registration_number: r for r in case.responses}
    rules = p.rules
    choices = {a.registration_number: a.choices for a in p.applicants}
    taken: Counter[str] = Counter()
    for s in after:
        reg = s.registration_number
        old = before.standing(reg)
        assert len(s.seats) <= 1  # nobody holds two seats after responses
        taken.update(seat.kindergarten for seat in s.seats)
        answer = answers.get(reg)
        if answer is not None and answer.answer.value == "decline":
            assert s.declined
            assert not s.seats
            assert not s.waitlist
        if s.declined:
            continue
        kept = answer.kindergarten if answer is not None else None
        if kept is not None:
            # A kept seat is never lost: the child holds it or one it lists before.
            assert s.seats
            assert choices[reg].index(s.seats[0].kindergarten) <= choices[reg].index(kept)
            assert s.confirmed
        if answer is not None and answer.answer.value == "withdraw":
            assert not s.waitlist
            merged = rules.multiples is MultiplesPolicy.MERGE_AFTER and s.moved_from is not None
            if not merged:  # only merge-after moves a withdrawn child, to its siblings
                assert list(s.seats) == [seat for seat in old.seats if seat.kindergarten == kept]
        # Waitlists only shrink, and only hold kindergartens the child prefers.
        old_places = dict(old.waitlist)
        for kg, _ in s.waitlist:
            assert kg in old_places
            if s.seats:
                assert choices[reg].index(kg) < choices[reg].index(s.seats[0].kindergarten)
    flagged = {s.seats[0].kindergarten for s in after if s.over_capacity}
    for k in rules.kindergartens:
        if k.id not in flagged and not rules.merge_over_capacity:
            assert taken[k.id] <= k.seats


@MANY
@given(round_problems(), st.randoms(use_true_random=False))
def test_order_of_records_and_responses_never_matters(
    case: RoundProblem, rng: random.Random
) -> None:
    p = case.problem
    expected = standing_lines(second(case).standings)
    people = list(p.applicants)
    rng.shuffle(people)
    responses = list(case.responses)
    rng.shuffle(responses)
    start = first_standings(draw(p.rules, people, p.seed), people)
    again = next_round(start, responses)
    assert standing_lines(again.standings) == expected


@FEW
@given(round_problems(), st.data())
def test_a_chain_of_rounds_with_a_second_round_draw(
    case: RoundProblem, data: st.DataObject
) -> None:
    """Round 2 promotes; round 3 answers again and draws the unplaced; engine == reference."""
    p = case.problem
    engine = second(case).standings
    ref = reference_second(case)
    responses = data.draw(responses_to(engine))
    after = next_round(engine, responses).standings
    unplaced = set(after.unplaced)
    free = after.free_seats().sum(axis=1)
    open_ids = [k.id for k, f in zip(p.rules.kindergartens, free, strict=True) if f > 0]
    records = []
    if open_ids:
        for a in p.applicants:
            reg = a.registration_number
            if reg not in unplaced or not data.draw(st.booleans()):
                continue
            picks = data.draw(st.permutations(open_ids))[: data.draw(st.integers(1, len(open_ids)))]
            records.append(Applicant(reg, tuple(picks), a.tier, a.facts, None, a.identity))
    seed = data.draw(st.sampled_from([p.seed, bytes(32)]))
    third = next_round(
        engine,
        responses,
        records=records if open_ids else None,
        seed=seed if open_ids else None,
    )
    expected = ref_next_round(
        ref,
        triples(responses),
        unanswered=case.unanswered.value,
        records=records if open_ids else None,
        seed=seed if open_ids else None,
    )
    assert_same_as_reference(third.standings, expected)
