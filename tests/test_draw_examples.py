"""Worked examples of every mechanism and feature, small enough to check by hand.

Every example uses the same seed and draw id. Each test first pins the order
of the lottery numbers involved (lowest number first, spec 5.2) with an
assert, so the expected result below it can be checked with nothing but that
order and the rules in docs/spec.md section 7.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from reference import reference_draw

from alloc.draw import Outcome, draw
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
)
from alloc.tickets import group_ticket, kindergarten_ticket, ticket

SEED = hashlib.sha256(b"alloc worked examples").digest()
DRAW = "example-2025"

DA = Mechanism.DEFERRED_ACCEPTANCE
FCF = Mechanism.FIRST_CHOICE_FIRST
INDEPENDENT = Mechanism.INDEPENDENT


def by_ticket(*regs: str) -> list[str]:
    """Registration numbers in draw order: ascending ticket(child)."""
    return sorted(regs, key=lambda r: ticket(SEED, DRAW, r))


def by_kindergarten_ticket(kindergarten: str, *regs: str) -> list[str]:
    return sorted(regs, key=lambda r: kindergarten_ticket(SEED, DRAW, r, kindergarten))


def kg(id: str, seats: int, *blocks: SeatBlock) -> Kindergarten:
    return Kindergarten(id=id, name=f"{id} kindergarten", seats=seats, blocks=blocks)


def child(
    reg: str,
    *choices: str,
    tier: str | None = None,
    facts: Sequence[tuple[str, str]] = (),
    group: str | None = None,
) -> Applicant:
    return Applicant(
        registration_number=reg,
        choices=choices,
        tier=tier,
        facts=frozenset(Fact(name, at) for name, at in facts),
        group=group,
    )


def rules(*kgs: Kindergarten, **options: object) -> DrawRules:
    return DrawRules(draw_id=DRAW, kindergartens=kgs, **options)  # type: ignore[arg-type]


def placements(outcome: Outcome) -> dict[str, str | None]:
    return {a.registration_number: a.placed for a in outcome}


def run(rules: DrawRules, applicants: Sequence[Applicant]) -> Outcome:
    """The engine's outcome, after checking the reference agrees on every child."""
    outcome = draw(rules, applicants, SEED)
    expected = reference_draw(rules, applicants, SEED)
    for reg, want in expected.children.items():
        got = outcome.applicant(reg)
        assert (got.placed, got.block, got.phase, got.waitlist, got.over_capacity) == (
            want.placed,
            want.block,
            want.phase,
            want.waitlist,
            want.over_capacity,
        ), reg
    return outcome


# --- independent per-kindergarten lottery -------------------------------------------


def test_independent_lottery_with_a_double_win() -> None:
    # With this seed the numbers come out I3 < I2 < I1.
    assert by_ticket("I1", "I2", "I3") == ["I3", "I2", "I1"]
    r = rules(kg("K1", 1), kg("K2", 1), mechanism=INDEPENDENT, waitlist_length=2)
    people = [child(reg, "K1", "K2") for reg in ("I1", "I2", "I3")]
    outcome = run(r, people)

    # Each kindergarten draws on its own among everyone who lists it: I3 has the
    # lowest number, so it wins the one seat at K1 *and* the one at K2.
    i3 = outcome.applicant("I3")
    assert [(w.kindergarten, w.block) for w in i3.wins] == [("K1", "open"), ("K2", "open")]
    assert i3.placed is None  # the parents choose which win to keep
    # I2 and I1 win nothing; each kindergarten's waitlist is the rest in order.
    assert outcome.applicant("I2").wins == ()
    assert outcome.waitlist("K1") == (("I2", 1), ("I1", 2))
    assert outcome.waitlist("K2") == (("I2", 1), ("I1", 2))
    assert outcome.applicant("I1").waitlist == (("K1", 2), ("K2", 2))
    assert outcome.unplaced == ("I2", "I1")
    assert outcome.placed_at("K1") == outcome.placed_at("K2") == ("I3",)
    assert [s.placed for s in outcome.summaries] == [1, 1]
    assert [a.registration_number for a in outcome] == ["I3", "I2", "I1"]


def test_independent_lottery_with_one_number_per_kindergarten() -> None:
    # Per-kindergarten numbers: at K1 the order is I2 < I3 < I1, at K2 I2 < I1 < I3.
    assert by_kindergarten_ticket("K1", "I1", "I2", "I3") == ["I2", "I3", "I1"]
    assert by_kindergarten_ticket("K2", "I1", "I2", "I3") == ["I2", "I1", "I3"]
    r = rules(
        kg("K1", 2),
        kg("K2", 1),
        mechanism=INDEPENDENT,
        tie_break=TieBreak.PER_KINDERGARTEN,
        waitlist_length=2,
    )
    people = [child(reg, "K1", "K2") for reg in ("I1", "I2", "I3")]
    outcome = run(r, people)
    # K1 (2 seats) admits I2 and I3; K2 (1 seat) admits I2.
    assert outcome.placed_at("K1") == ("I3", "I2")  # listed in draw order (single tickets)
    assert outcome.placed_at("K2") == ("I2",)
    # At K2, I1 outranks I3 although I3 outranks I1 at K1.
    assert outcome.waitlist("K1") == (("I1", 1),)
    assert outcome.waitlist("K2") == (("I1", 1), ("I3", 2))
    i1 = outcome.applicant("I1")
    assert i1.choice_tickets == (
        kindergarten_ticket(SEED, DRAW, "I1", "K1"),
        kindergarten_ticket(SEED, DRAW, "I1", "K2"),
    )
    assert outcome.unplaced == ("I1",)


# --- tiers ----------------------------------------------------------------------


def test_tiers_are_filled_in_order_and_the_draw_bites_only_in_the_last() -> None:
    # Numbers: T3 < T2 < T1 < T4 < T5. The two luckiest numbers go to "other"
    # children and the worst to the policy-care child, so tiers must outweigh luck.
    assert by_ticket("T1", "T2", "T3", "T4", "T5") == ["T3", "T2", "T1", "T4", "T5"]
    r = rules(kg("K1", 4), mechanism=DA, tiers=("care", "local", "other"), waitlist_length=3)
    people = [
        child("T1", "K1", tier="local"),
        child("T2", "K1", tier="other"),
        child("T3", "K1", tier="other"),
        child("T4", "K1", tier="local"),
        child("T5", "K1", tier="care"),
    ]
    outcome = run(r, people)
    # 4 seats: the care child (T5) and both local children (T1, T4) are in
    # whatever their numbers; one seat is left for two "other" children, and
    # there the number decides: T3 beats T2.
    assert placements(outcome) == {"T1": "K1", "T2": None, "T3": "K1", "T4": "K1", "T5": "K1"}
    assert outcome.waitlist("K1") == (("T2", 1),)
    assert outcome.unplaced == ("T2",)


# --- seat blocks ------------------------------------------------------------------


def test_seat_blocks_in_precedence_with_flow_on_and_a_lottery_share() -> None:
    # Numbers: O1 < X2 < X4 < X1 < S2 < X3 < S1 < S3.
    regs = ("O1", "S1", "S2", "S3", "X1", "X2", "X3", "X4")
    assert by_ticket(*regs) == ["O1", "X2", "X4", "X1", "S2", "X3", "S1", "S3"]
    # 6 seats: 2 for owners, then 1 for staff children, then 3 open seats. At
    # least 50% must be open: 3 reserved <= 6 x 50%.
    k1 = kg("K1", 6, SeatBlock("owners", 2, "owner"), SeatBlock("staff", 1, "staff"))
    r = rules(k1, mechanism=DA, min_lottery_percent=50, waitlist_length=2)
    people = [
        child("O1", "K1", facts=[("owner", "K1"), ("staff", "K1")]),
        *(child(s, "K1", facts=[("staff", "K1")]) for s in ("S1", "S2", "S3")),
        *(child(x, "K1") for x in ("X1", "X2", "X3", "X4")),
    ]
    outcome = run(r, people)
    block = {a.registration_number: a.block for a in outcome}
    # 1. owners block: O1 is the only owner; it is also staff, but the owners
    #    block comes first. One owners seat is left and flows on.
    # 2. staff block: its own seat plus the flowed one = 2 seats for S2, S1, S3 in
    #    number order: S2 and S1 (S1 gets in although X3 has a lower number).
    # 3. open seats (3): everyone left in number order: X2, X4, X1 -- not X3, S3.
    assert block == {
        "O1": "owners",
        "S2": "staff",
        "S1": "staff",
        "X2": "open",
        "X4": "open",
        "X1": "open",
        "X3": None,
        "S3": None,
    }
    (summary,) = outcome.summaries
    assert summary.blocks == (("owners", 2, 1), ("staff", 1, 2), ("open", 3, 3))
    assert (summary.placed, summary.left_over, summary.over_capacity) == (6, 0, 0)
    assert outcome.unplaced == ("X3", "S3")
    assert outcome.waitlist("K1") == (("X3", 1), ("S3", 2))


def test_unfilled_blocks_flow_on_to_the_open_seats() -> None:
    assert by_ticket("W1", "W2", "W3", "W4") == ["W2", "W3", "W4", "W1"]
    r = rules(kg("K1", 3, SeatBlock("owners", 2, "owner")), mechanism=FCF)
    outcome = run(r, [child(w, "K1") for w in ("W1", "W2", "W3", "W4")])
    # No owners: both owners seats flow on, so the open "1 seat" admits three.
    assert placements(outcome) == {"W2": "K1", "W3": "K1", "W4": "K1", "W1": None}
    assert all(a.block == "open" for a in outcome if a.placed)
    assert outcome.summaries[0].blocks == (("owners", 2, 0), ("open", 1, 3))


# --- first-choice-first, deferred acceptance, serial dictatorship ---------------------


FCF_DA_PEOPLE = [child("F3", "K1", "K2"), child("F1", "K1", "K2"), child("F2", "K2", "K1")]


def test_first_choice_first() -> None:
    # Numbers: F3 < F1 < F2.
    assert by_ticket("F1", "F2", "F3") == ["F3", "F1", "F2"]
    r = rules(kg("K1", 1), kg("K2", 1), mechanism=FCF, waitlist_length=2)
    outcome = run(r, FCF_DA_PEOPLE)
    # Round 1: K1 chooses between F3 and F1 -> F3; K2 has only F2 -> F2.
    # Round 2: F1 tries K2, which is full. Placements are final, so F2 keeps K2
    # although F1 has the lower number.
    assert placements(outcome) == {"F3": "K1", "F2": "K2", "F1": None}
    # F1 was refused at both; F2 is placed at its first choice, so it is not on
    # K1's list.
    assert outcome.applicant("F1").waitlist == (("K1", 1), ("K2", 1))
    assert outcome.applicant("F2").waitlist == ()
    assert outcome.unplaced == ("F1",)


def test_deferred_acceptance() -> None:
    assert by_ticket("F1", "F2", "F3") == ["F3", "F1", "F2"]
    r = rules(kg("K1", 1), kg("K2", 1), mechanism=DA, waitlist_length=2)
    outcome = run(r, FCF_DA_PEOPLE)
    # Round 1: F3 and F1 propose to K1 (holds F3), F2 to K2 (holds F2).
    # Round 2: F1 proposes to K2, which now prefers F1 to F2 and rejects F2.
    # Round 3: F2 proposes to K1, which keeps F3. No one proposes any more.
    assert placements(outcome) == {"F3": "K1", "F1": "K2", "F2": None}
    # F1 is placed at its 2nd choice, so it waits for its 1st, ahead of F2.
    assert outcome.waitlist("K1") == (("F1", 1), ("F2", 2))
    assert outcome.waitlist("K2") == (("F2", 1),)
    assert outcome.applicant("F2").waitlist == (("K1", 2), ("K2", 1))
    assert outcome.unplaced == ("F2",)


def test_deferred_acceptance_without_priorities_is_serial_dictatorship() -> None:
    # Numbers: D2 < D3 < D1 < D4.
    assert by_ticket("D1", "D2", "D3", "D4") == ["D2", "D3", "D1", "D4"]
    people = [
        child("D1", "K2", "K3"),
        child("D2", "K1", "K2"),
        child("D3", "K1", "K2", "K3"),
        child("D4", "K2", "K3"),
    ]
    kgs = (kg("K1", 1), kg("K2", 1), kg("K3", 1))
    # Serial dictatorship: D2 takes K1; D3 finds K1 gone and takes K2; D1 finds
    # K2 gone and takes K3; D4 finds K2 and K3 gone.
    outcome = run(rules(*kgs, mechanism=DA), people)
    assert placements(outcome) == {"D2": "K1", "D3": "K2", "D1": "K3", "D4": None}
    # First-choice-first differs: round 1 gives K2 to D1 (first choices only) and
    # round 2 gives K3 to D4, so D3, with the second-best number, gets nothing.
    boston = run(rules(*kgs, mechanism=FCF), people)
    assert placements(boston) == {"D2": "K1", "D1": "K2", "D4": "K3", "D3": None}


# --- phases -----------------------------------------------------------------------


def test_phases_with_an_owners_phase() -> None:
    # Numbers: O1 < A4 < A2 < O2 < A1 < A3 < A5.
    regs = ("O1", "O2", "A1", "A2", "A3", "A4", "A5")
    assert by_ticket(*regs) == ["O1", "A4", "A2", "O2", "A1", "A3", "A5"]
    r = rules(
        kg("K1", 3, SeatBlock("owners", 1, "owner")),
        kg("K2", 3),
        mechanism=DA,
        phases=(
            Phase("owners", fact="owner", blocks=("owners",)),
            Phase("first-choices", choices=1),
            Phase("everyone"),
        ),
        waitlist_length=2,
    )
    owner = [("owner", "K1")]
    people = [
        child("O1", "K1", "K2", facts=owner),
        child("O2", "K1", "K2", facts=owner),
        child("A1", "K1", "K2"),
        child("A2", "K2"),
        child("A3", "K1"),
        child("A4", "K1", "K2"),
        child("A5", "K2", "K1"),
    ]
    outcome = run(r, people)
    got = {a.registration_number: (a.placed, a.block, a.phase) for a in outcome}
    # Phase "owners": only owners, only at K1, only the 1 owners seat: O1 beats O2.
    # Phase "first-choices": K1 has its 2 open seats for first choices O2, A4, A1,
    #   A3 -> A4 and O2; K2 has 3 seats for A2 and A5 -> both.
    # Phase "everyone": A1 and A3 are left; K1 is full, K2 has 1 seat -> A1.
    assert got == {
        "O1": ("K1", "owners", "owners"),
        "A4": ("K1", "open", "first-choices"),
        "O2": ("K1", "open", "first-choices"),
        "A2": ("K2", "open", "first-choices"),
        "A5": ("K2", "open", "first-choices"),
        "A1": ("K2", "open", "everyone"),
        "A3": (None, None, None),
    }
    # K1's waitlist: A1 (placed at its 2nd choice) then A3. A5 lists K1 second
    # but is placed at its first choice, so it does not wait for K1.
    assert outcome.waitlist("K1") == (("A1", 1), ("A3", 2))
    assert outcome.summaries[0].blocks == (("owners", 1, 1), ("open", 2, 2))
    assert outcome.unplaced == ("A3",)


# --- multiples --------------------------------------------------------------------

# Numbers: Y < T2 < X < T1 for the children, and ticket(G4) falls between Y and X.
TWINS = [child("T1", "K1", group="G4"), child("T2", "K1", group="G4")]
OTHERS = [child("X", "K1"), child("Y", "K1")]


def check_multiples_order() -> None:
    assert by_ticket("T1", "T2", "X", "Y") == ["Y", "T2", "X", "T1"]
    assert ticket(SEED, DRAW, "Y") < group_ticket(SEED, DRAW, "G4") < ticket(SEED, DRAW, "X")


def test_multiples_separate() -> None:
    check_multiples_order()
    outcome = run(rules(kg("K1", 2), multiples=MultiplesPolicy.SEPARATE), TWINS + OTHERS)
    # Each twin draws on its own number: Y and T2 have the two lowest numbers.
    assert placements(outcome) == {"Y": "K1", "T2": "K1", "X": None, "T1": None}
    assert [a.registration_number for a in outcome] == ["Y", "T2", "X", "T1"]


def test_multiples_bundle_skips_a_group_that_does_not_fit() -> None:
    check_multiples_order()
    r = rules(kg("K1", 2), multiples=MultiplesPolicy.BUNDLE, waitlist_length=2)
    outcome = run(r, TWINS + OTHERS)
    # Units in number order: Y, twins (one number, weight 2), X. Y takes a seat;
    # the twins need 2 of the 1 left and are skipped; X takes the last seat.
    assert placements(outcome) == {"Y": "K1", "T1": None, "T2": None, "X": "K1"}
    # The twins share their group's number and one waitlist position.
    assert [a.registration_number for a in outcome] == ["Y", "T1", "T2", "X"]
    assert outcome.applicant("T1").ticket == group_ticket(SEED, DRAW, "G4")
    assert outcome.waitlist("K1") == (("T1", 1), ("T2", 1))


def test_multiples_bundle_over_plan() -> None:
    check_multiples_order()
    r = rules(kg("K1", 2), multiples=MultiplesPolicy.BUNDLE_OVER_PLAN, waitlist_length=2)
    outcome = run(r, TWINS + OTHERS)
    # Y takes a seat; the twins are reached with 1 seat left and are admitted
    # whole, one over the plan; X finds no seat.
    assert placements(outcome) == {"Y": "K1", "T1": "K1", "T2": "K1", "X": None}
    assert [a.registration_number for a in outcome if a.over_capacity] == ["T1", "T2"]
    (summary,) = outcome.summaries
    assert (summary.placed, summary.over_capacity, summary.left_over) == (3, 1, 0)
    assert outcome.waitlist("K1") == (("X", 1),)


@pytest.mark.parametrize("over_capacity", [False, True])
def test_multiples_merge_after(over_capacity: bool) -> None:
    # Numbers: M2-T1 < M2-T2 < M2-Y.
    assert by_ticket("M2-T1", "M2-T2", "M2-Y") == ["M2-T1", "M2-T2", "M2-Y"]
    r = rules(
        kg("K1", 1),
        kg("K2", 1),
        mechanism=DA,
        multiples=MultiplesPolicy.MERGE_AFTER,
        merge_over_capacity=over_capacity,
        waitlist_length=1,
    )
    people = [
        child("M2-T1", "K1", "K2", group="twins"),
        child("M2-T2", "K1", "K2", group="twins"),
        child("M2-Y", "K2"),
    ]
    outcome = run(r, people)
    t2 = outcome.applicant("M2-T2")
    # The draw itself: T1 gets K1; T2 is refused there and gets K2 ahead of Y.
    if not over_capacity:
        # K1 has no free seat, so T2 stays at K2.
        assert placements(outcome) == {"M2-T1": "K1", "M2-T2": "K2", "M2-Y": None}
        assert t2.moved_from is None
        assert not t2.over_capacity
    else:
        # T2 joins T1 at the earlier choice K1, over its 1 seat; the seat T2 frees
        # at K2 is not refilled, so Y stays unplaced, first on K2's waitlist.
        assert placements(outcome) == {"M2-T1": "K1", "M2-T2": "K1", "M2-Y": None}
        assert (t2.moved_from, t2.block, t2.over_capacity) == ("K2", "open", True)
        k1, k2 = outcome.summaries
        assert (k1.placed, k1.over_capacity) == (2, 1)
        assert (k2.placed, k2.left_over) == (0, 1)
    assert outcome.waitlist("K2") == (("M2-Y", 1),)
    assert outcome.unplaced == ("M2-Y",)


# --- waitlists and the unplaced -----------------------------------------------------


def test_waitlist_length_and_the_unplaced_list() -> None:
    assert by_ticket("B1", "B2", "B3") == ["B2", "B1", "B3"]
    r = rules(kg("K1", 1), kg("K2", 1), mechanism=FCF, waitlist_length=1)
    people = [child("B1", "K1"), child("B2", "K1"), child("B3", "K1", "K2")]
    outcome = run(r, people)
    # K1 admits B2; its waitlist holds only the next one (length 1): B1.
    # B3 is refused at K1 and placed at K2 in round 2; it is not placed at a
    # choice before K1, so it could wait for K1 -- but the list is full.
    assert placements(outcome) == {"B2": "K1", "B1": None, "B3": "K2"}
    assert outcome.waitlist("K1") == (("B1", 1),)
    assert outcome.applicant("B3").waitlist == ()
    assert outcome.unplaced == ("B1",)
    assert [s.waitlist for s in outcome.summaries] == [1, 0]


def test_waitlist_bundle_shares_one_position() -> None:
    check_multiples_order()
    r = rules(kg("K1", 1), multiples=MultiplesPolicy.BUNDLE, waitlist_length=2)
    outcome = run(r, TWINS + OTHERS)
    # Y takes the seat; the twins (next number) wait at position 1 together,
    # X at position 2. The unplaced are listed in draw order.
    assert placements(outcome) == {"Y": "K1", "T1": None, "T2": None, "X": None}
    assert outcome.waitlist("K1") == (("T1", 1), ("T2", 1), ("X", 2))
    assert outcome.unplaced == ("T1", "T2", "X")
    assert outcome.summaries[0].waitlist == 3


def test_a_fact_held_elsewhere_gives_no_priority() -> None:
    assert by_ticket("W1", "W2") == ["W2", "W1"]
    r = rules(kg("K1", 1, SeatBlock("owners", 1, "owner")), kg("K2", 1))
    # W1 owns at K2, not at K1: the owners block at K1 is open to it only by flow-on.
    outcome = run(r, [child("W1", "K1", facts=[("owner", "K2")]), child("W2", "K1")])
    assert placements(outcome) == {"W2": "K1", "W1": None}
    assert outcome.applicant("W2").block == "open"


# --- regressions: phases offering blocks, bundle member order ----------------------


def test_blocks_phase_offers_no_open_seats() -> None:
    r = rules(
        kg("K1", 1),
        kg("K2", 1, SeatBlock("staff", 1, "staff")),
        mechanism=DA,
        phases=(Phase("staff", blocks=("staff",)), Phase("everyone")),
    )
    outcome = draw(r, [child("R1", "K1", "K2")], SEED)
    # Phase "staff" offers only K2's staff seat and R1 is not staff: R1 gets
    # nothing there (the seat must not flow on to open seats the phase does not
    # offer). Phase "everyone" gives R1 its first choice, K1.
    r1 = outcome.applicant("R1")
    assert (r1.placed, r1.block, r1.phase) == ("K1", "open", "everyone")


def test_blocks_phase_never_admits_a_bundle_over_the_plan() -> None:
    r = rules(
        kg("K1", 3, SeatBlock("owners", 1, "owner")),
        mechanism=DA,
        multiples=MultiplesPolicy.BUNDLE_OVER_PLAN,
        phases=(Phase("owners", fact="owner", blocks=("owners",)), Phase("everyone")),
    )
    own = [("owner", "K1")]
    people = [
        child("T1", "K1", facts=own, group="G"),
        child("T2", "K1", facts=own, group="G"),
        *(child(reg, "K1") for reg in ("R1", "R2", "R3")),
    ]
    outcome = draw(r, people, SEED)
    # The owners phase offers 1 owners seat; the twins need 2, so nobody is
    # placed in that phase: over plan applies only to open seats, which that
    # phase does not offer.
    assert [a.registration_number for a in outcome if a.phase == "owners"] == []
    expected = reference_draw(r, people, SEED)
    assert placements(outcome) == {reg: c.placed for reg, c in expected.children.items()}


def test_waitlist_lists_bundle_members_by_registration_number() -> None:
    check_multiples_order()
    r = rules(kg("K1", 1), multiples=MultiplesPolicy.BUNDLE, waitlist_length=2)
    people = [*reversed(TWINS), *OTHERS]  # T2's row comes before T1's
    outcome = draw(r, people, SEED)
    assert outcome.waitlist("K1") == (("T1", 1), ("T2", 1), ("X", 2))


def test_bundle_members_follow_one_another_under_per_kindergarten_numbers() -> None:
    check_multiples_order()
    r = rules(kg("K1", 2), multiples=MultiplesPolicy.BUNDLE, tie_break=TieBreak.PER_KINDERGARTEN)
    outcome = draw(r, TWINS + OTHERS, SEED)
    order = [a.registration_number for a in outcome]
    # ticket(child) alone would give Y, T2, X, T1.
    assert order.index("T2") == order.index("T1") + 1
