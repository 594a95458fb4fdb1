"""The seed ceremony state machine (spec section 4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloc.errors import (
    AllocError,
    CeremonyError,
    CeremonyStateError,
    DuplicateError,
    InputError,
    RevealMismatchError,
    UnannouncedSourceError,
    UnknownPartyError,
)
from alloc.seed import (
    Ceremony,
    CeremonyRecord,
    SeedPlan,
    Source,
    SourceKind,
    canonical_source_value,
    commitment,
    new_secret,
)

DRAW = "2026-tianhe-kg"
LOTTERY = Source("welfare-3d", SourceKind.NUMBERS, "福彩3D, draw of 2026-12-01")
BEACON = Source("beacon-4242", SourceKind.HEX, "drand round 4242")
PARTIES = ("bureau", "notary", "parent-1", "parent-2")
DIGEST = bytes(range(32))


def secret_of(party: str) -> bytes:
    return (party.encode() * 8)[:32]


def planned(parties: tuple[str, ...] = PARTIES) -> Ceremony:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    for party in parties:
        ceremony = ceremony.commit(
            party, commitment(DRAW, party, secret_of(party)), fallback="beacon-4242"
        )
    return ceremony.fix_plan()


def revealed(parties: tuple[str, ...] = PARTIES) -> Ceremony:
    ceremony = planned(parties).open(DIGEST)
    for party in parties:
        ceremony = ceremony.reveal(party, secret_of(party))
    return ceremony.add_source("welfare-3d", [7, 3, 9])


def test_full_ceremony_gives_a_verifiable_record() -> None:
    record = revealed().finish()
    assert len(record.seed) == 32
    record.verify()
    again = CeremonyRecord.from_json(record.to_json())
    assert again == record
    again.verify()


def test_steps_do_not_mutate_earlier_states() -> None:
    opened = planned().open(DIGEST)
    after = opened.reveal("bureau", secret_of("bureau"))
    assert opened.contributions == ()
    assert len(after.contributions) == 1


def test_reveal_before_plan_is_fixed_is_refused() -> None:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON]).commit(
        "bureau", commitment(DRAW, "bureau", secret_of("bureau")), fallback="beacon-4242"
    )
    with pytest.raises(CeremonyStateError, match="committing"):
        ceremony.reveal("bureau", secret_of("bureau"))
    with pytest.raises(CeremonyStateError, match="not fixed"):
        _ = ceremony.plan


def test_reveal_before_announcement_is_refused() -> None:
    with pytest.raises(CeremonyStateError, match="plan-fixed"):
        planned().reveal("bureau", secret_of("bureau"))


def test_commit_after_plan_is_fixed_is_refused() -> None:
    with pytest.raises(CeremonyStateError):
        planned().commit(
            "late", commitment(DRAW, "late", secret_of("late")), fallback="beacon-4242"
        )


def test_duplicate_party_is_refused() -> None:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    ceremony = ceremony.commit("bureau", bytes(32), fallback="beacon-4242")
    with pytest.raises(DuplicateError, match="bureau"):
        ceremony.commit("bureau", bytes(32), fallback="beacon-4242")


def test_reveal_not_matching_commitment() -> None:
    with pytest.raises(RevealMismatchError, match="notary"):
        planned().open(DIGEST).reveal("notary", secret_of("bureau"))


def test_second_reveal_and_reveal_after_default_are_refused() -> None:
    opened = planned().open(DIGEST).reveal("bureau", secret_of("bureau"))
    with pytest.raises(CeremonyStateError, match="already revealed"):
        opened.reveal("bureau", secret_of("bureau"))
    defaulted = opened.default("notary")
    with pytest.raises(CeremonyStateError, match="default"):
        defaulted.reveal("notary", secret_of("notary"))


def test_unknown_party_and_unannounced_source() -> None:
    opened = planned().open(DIGEST)
    with pytest.raises(UnknownPartyError, match="mallory"):
        opened.reveal("mallory", secret_of("mallory"))
    with pytest.raises(UnannouncedSourceError, match="coin-flip"):
        opened.add_source("coin-flip", [1])


def test_source_value_given_twice_is_refused() -> None:
    opened = planned().open(DIGEST).add_source("welfare-3d", [1, 2, 3])
    with pytest.raises(CeremonyStateError, match="already has a value"):
        opened.add_source("welfare-3d", [1, 2, 3])


def test_deriving_before_everyone_revealed_names_what_is_missing() -> None:
    opened = planned().open(DIGEST).reveal("bureau", secret_of("bureau"))
    with pytest.raises(CeremonyStateError) as info:
        opened.finish()
    message = str(info.value)
    for party in ("notary", "parent-1", "parent-2"):
        assert party in message
    assert "welfare-3d" in message


def test_default_uses_the_declared_fallback_and_no_reroll() -> None:
    ceremony = planned().open(DIGEST)
    for party in PARTIES[:-1]:
        ceremony = ceremony.reveal(party, secret_of(party))
    ceremony = ceremony.add_source("welfare-3d", [7, 3, 9]).default("parent-2")
    with pytest.raises(CeremonyStateError, match="beacon-4242"):
        ceremony.finish()
    record = ceremony.add_source("beacon-4242", "ab" * 32).finish()
    record.verify()
    assert {c.party: c.fallback for c in record.contributions}["parent-2"] == "beacon-4242"
    assert record.seed != revealed().finish().seed


def test_fallback_value_without_a_default_is_refused() -> None:
    ceremony = revealed().add_source("beacon-4242", "ab" * 32)
    with pytest.raises(CeremonyStateError, match="no party defaulted"):
        ceremony.finish()


def test_plan_requires_declared_fallbacks() -> None:
    with pytest.raises(InputError, match="fallback"):
        Ceremony.begin(DRAW, sources=[LOTTERY]).commit("bureau", bytes(32), fallback="nowhere")
    with pytest.raises(InputError, match="at least one party or source"):
        Ceremony.begin(DRAW, sources=[]).fix_plan()


def test_plan_round_trips_through_json() -> None:
    plan = planned().plan
    assert SeedPlan.from_json(plan.to_json()) == plan


def test_tampered_records_are_caught() -> None:
    record = revealed().finish()
    data = record.to_json()
    data["seed"] = "00" * 32
    with pytest.raises(CeremonyError, match="not the derived seed"):
        CeremonyRecord.from_json(data).verify()
    data = record.to_json()
    data["contributions"][0]["reveal"] = "11" * 32
    with pytest.raises(RevealMismatchError):
        CeremonyRecord.from_json(data).verify()
    data = record.to_json()
    data["sources"][0]["value"] = "9.3.7./"
    with pytest.raises(CeremonyError, match="canonical"):
        CeremonyRecord.from_json(data).verify()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (SourceKind.NUMBERS, []),
        (SourceKind.NUMBERS, [1, -2]),
        (SourceKind.NUMBERS, [1.5]),
        (SourceKind.NUMBERS, "123"),
        (SourceKind.TEXT, "   "),
        (SourceKind.TEXT, "a\x00b"),
        (SourceKind.HEX, "xyz"),
        (SourceKind.HEX, b""),
    ],
)
def test_bad_source_values(kind: SourceKind, value: object) -> None:
    with pytest.raises(InputError):
        canonical_source_value(kind, value, name="s")


@pytest.mark.parametrize("secret", [b"", b"short", bytes(65), "text"])
def test_bad_secrets(secret: object) -> None:
    with pytest.raises(InputError, match="secret"):
        commitment(DRAW, "bureau", secret)  # type: ignore[arg-type]


def test_bad_announcement_digest() -> None:
    with pytest.raises(InputError, match="32 bytes"):
        planned().open(b"short")


@given(
    party=st.sampled_from(PARTIES),
    other=st.binary(min_size=16, max_size=64),
)
def test_changing_any_single_reveal_changes_the_seed(party: str, other: bytes) -> None:
    base = revealed().finish().seed
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    secrets = {p: secret_of(p) for p in PARTIES}
    secrets[party] = other
    if other == secret_of(party):
        return
    for p in PARTIES:
        ceremony = ceremony.commit(p, commitment(DRAW, p, secrets[p]), fallback="beacon-4242")
    ceremony = ceremony.fix_plan().open(DIGEST)
    for p in PARTIES:
        ceremony = ceremony.reveal(p, secrets[p])
    assert ceremony.add_source("welfare-3d", [7, 3, 9]).finish().seed != base


@given(order=st.permutations(PARTIES), numbers=st.permutations([7, 3, 9]))
def test_reveal_order_and_number_order_never_matter(order: list[str], numbers: list[int]) -> None:
    ceremony = planned().open(DIGEST)
    for party in order:
        ceremony = ceremony.reveal(party, secret_of(party))
    seed = ceremony.add_source("welfare-3d", numbers).finish().seed
    assert seed == revealed().finish().seed


@given(st.lists(st.sampled_from(["commit", "fix", "open", "reveal", "source", "finish"])))
def test_out_of_order_calls_raise_alloc_errors_and_never_corrupt_state(steps: list[str]) -> None:
    """Random call sequences: each call succeeds or raises a precise AllocError."""
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    count = 0
    for step in steps:
        before = ceremony
        try:
            if step == "commit":
                name = f"p{count}"
                count += 1
                ceremony = ceremony.commit(
                    name, commitment(DRAW, name, secret_of(name)), fallback="beacon-4242"
                )
            elif step == "fix":
                ceremony = ceremony.fix_plan()
            elif step == "open":
                ceremony = ceremony.open(DIGEST)
            elif step == "reveal":
                pending = [
                    p.name
                    for p in ceremony.parties
                    if p.name not in {c.party for c in ceremony.contributions}
                ]
                name = pending[0] if pending else "p0"
                ceremony = ceremony.reveal(name, secret_of(name))
            elif step == "source":
                ceremony = ceremony.add_source("welfare-3d", [1, 2])
            else:
                ceremony.finish().verify()
        except AllocError:
            assert ceremony == before


def test_new_secret_is_32_random_bytes() -> None:
    assert len(new_secret()) == 32
    assert new_secret() != new_secret()
