"""The seed ceremony (spec section 4): one form per value, every step in its time."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloc.clock import parse_time
from alloc.drand import QUICKNET
from alloc.errors import (
    AllocError,
    BeaconError,
    CeremonyError,
    CeremonyStateError,
    DuplicateError,
    InputError,
    MalformedDocumentError,
    RevealMismatchError,
    ScheduleError,
    SeedMismatchError,
    SourceValueError,
    UnannouncedSourceError,
    UnknownPartyError,
)
from alloc.seed import (
    Ceremony,
    CeremonyRecord,
    Digits,
    DrandRound,
    Numbers,
    SeedPlan,
    Source,
    check_secret,
    commitment,
    new_secret,
    parse_secret_file,
    secret_file,
)
from alloc.strictjson import parse_json

DRAW = "2026-tianhe-kg"
PARTIES = ("bureau", "notary", "parent-1", "parent-2")
DIGEST = bytes(range(32))


def at(text: str) -> datetime:
    return parse_time(f"2026-07-{text}+08:00", field="test")


FROZEN = at("22T17:00:00")
OPENED = at("23T15:00:00")
REVEAL = at("23T15:10:00")
DEADLINE = at("23T15:30:00")
AFTER = at("23T15:40:00")  # after the deadline and after drand round 30662982
LOTTERY_DRAWN = at("23T21:15:00")
DRAW_AT = at("24T09:30:00")

ROUND = 30662982  # published 2026-07-23 15:38:30 +08:00
SIGNATURE = (
    "8b3edd0d42a2fa36ac15641a2dea2e4f4895acec2ef72ef39e5b6138f0346fb6"
    "b046dde1b4b3d09ff5fe8a6a7acd674a"
)
OTHER_ROUND_SIGNATURE = (
    "8b2ebe176d153849d5db7f358a3a21be96f8c5d1c26ed2b530fff4419face890"
    "9d77f4ee6a211623e2432c30841411b5"
)

LOTTERY = Source("welfare-3d", Digits(count=3, drawn_at=LOTTERY_DRAWN), "福彩3D 2026-07-23")
BEACON = Source("drand", DrandRound(QUICKNET, ROUND), "drand quicknet")


def secret_of(party: str) -> bytes:
    return hashlib.sha256(f"test secret of {party}".encode()).digest()


def planned(parties: tuple[str, ...] = PARTIES) -> Ceremony:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    for party in parties:
        ceremony = ceremony.commit(
            party, commitment(DRAW, party, secret_of(party)), fallback="drand"
        )
    return ceremony.fix_plan()


def opened(parties: tuple[str, ...] = PARTIES) -> Ceremony:
    return planned(parties).open(DIGEST, reveal_deadline=DEADLINE, at=OPENED)


def revealed(parties: tuple[str, ...] = PARTIES) -> Ceremony:
    ceremony = opened(parties)
    for party in parties:
        ceremony = ceremony.reveal(party, secret_of(party), at=REVEAL)
    return ceremony.add_source("welfare-3d", "381", at=DRAW_AT)


# --- the whole ceremony ---------------------------------------------------------------


def test_full_ceremony_gives_a_verifiable_record() -> None:
    record = revealed().finish()
    assert len(record.seed) == 32
    record.verify(reveal_deadline=DEADLINE)
    again = CeremonyRecord.from_json(parse_json(json.dumps(record.to_json()), document="t"))
    assert again == record
    again.verify(reveal_deadline=DEADLINE)


def test_ceremony_state_round_trips_through_its_file_form() -> None:
    for state in (planned(), opened(), revealed()):
        text = json.dumps(state.to_json())
        assert Ceremony.from_json(parse_json(text, document="ceremony.json")) == state


def test_steps_do_not_mutate_earlier_states() -> None:
    before = opened()
    after = before.reveal("bureau", secret_of("bureau"), at=REVEAL)
    assert before.contributions == ()
    assert len(after.contributions) == 1


def test_the_times_of_steps_are_recorded_but_never_change_the_seed() -> None:
    early = revealed().finish()
    ceremony = opened()
    for party in PARTIES:
        ceremony = ceremony.reveal(party, secret_of(party), at=DEADLINE)
    late = ceremony.add_source("welfare-3d", "381", at=DRAW_AT + timedelta(days=3)).finish()
    assert late.contributions != early.contributions
    assert late.seed == early.seed
    assert [c["at"] for c in late.to_json()["contributions"]] == ["2026-07-23T15:30:00+08:00"] * 4


# --- order of steps -----------------------------------------------------------------------


def test_reveal_before_plan_is_fixed_is_refused() -> None:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON]).commit(
        "bureau", commitment(DRAW, "bureau", secret_of("bureau")), fallback="drand"
    )
    with pytest.raises(CeremonyStateError, match="committing"):
        ceremony.reveal("bureau", secret_of("bureau"), at=REVEAL)
    with pytest.raises(CeremonyStateError, match="not fixed"):
        _ = ceremony.plan


def test_reveal_before_announcement_is_refused() -> None:
    with pytest.raises(CeremonyStateError, match="plan-fixed"):
        planned().reveal("bureau", secret_of("bureau"), at=REVEAL)


def test_commit_after_plan_is_fixed_is_refused() -> None:
    with pytest.raises(CeremonyStateError):
        planned().commit("late", commitment(DRAW, "late", secret_of("late")), fallback="drand")


def test_duplicate_party_is_refused() -> None:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    ceremony = ceremony.commit("bureau", bytes(32), fallback="drand")
    with pytest.raises(DuplicateError, match="bureau"):
        ceremony.commit("bureau", bytes(32), fallback="drand")


def test_reveal_not_matching_commitment() -> None:
    with pytest.raises(RevealMismatchError, match="notary"):
        opened().reveal("notary", secret_of("bureau"), at=REVEAL)


def test_second_reveal_and_reveal_after_default_are_refused() -> None:
    ceremony = opened().reveal("bureau", secret_of("bureau"), at=REVEAL)
    with pytest.raises(CeremonyStateError, match="already revealed"):
        ceremony.reveal("bureau", secret_of("bureau"), at=REVEAL)
    defaulted = ceremony.default("notary", at=AFTER)
    with pytest.raises(CeremonyStateError, match="default"):
        defaulted.default("notary", at=AFTER)


def test_unknown_party_and_unannounced_source() -> None:
    ceremony = opened()
    with pytest.raises(UnknownPartyError, match="mallory"):
        ceremony.reveal("mallory", secret_of("mallory"), at=REVEAL)
    with pytest.raises(UnannouncedSourceError, match="coin-flip"):
        ceremony.add_source("coin-flip", "1", at=DRAW_AT)


def test_source_value_given_twice_is_refused() -> None:
    ceremony = opened().add_source("welfare-3d", "381", at=DRAW_AT)
    with pytest.raises(CeremonyStateError, match="already has a value"):
        ceremony.add_source("welfare-3d", "381", at=DRAW_AT)


def test_deriving_before_everyone_revealed_names_what_is_missing() -> None:
    ceremony = opened().reveal("bureau", secret_of("bureau"), at=REVEAL)
    with pytest.raises(CeremonyStateError) as info:
        ceremony.finish()
    for party in ("notary", "parent-1", "parent-2", "welfare-3d"):
        assert party in str(info.value)


def test_default_uses_the_declared_fallback_and_no_reroll() -> None:
    ceremony = opened()
    for party in PARTIES[:-1]:
        ceremony = ceremony.reveal(party, secret_of(party), at=REVEAL)
    ceremony = ceremony.default("parent-2", at=AFTER).add_source("welfare-3d", "381", at=DRAW_AT)
    with pytest.raises(CeremonyStateError, match="drand"):
        ceremony.finish()
    record = ceremony.add_source("drand", SIGNATURE, at=AFTER).finish()
    record.verify(reveal_deadline=DEADLINE)
    assert {c.party: c.fallback for c in record.contributions}["parent-2"] == "drand"
    assert record.seed != revealed().finish().seed


def test_fallback_value_without_a_default_is_refused() -> None:
    ceremony = revealed().add_source("drand", SIGNATURE, at=AFTER)
    with pytest.raises(CeremonyStateError, match="no party defaulted"):
        ceremony.finish()


def test_plan_requires_declared_fallbacks_and_a_source_always_read() -> None:
    with pytest.raises(InputError, match="fallback"):
        Ceremony.begin(DRAW, sources=[LOTTERY]).commit("bureau", bytes(32), fallback="nowhere")
    with pytest.raises(InputError, match="at least one source that is always read"):
        Ceremony.begin(DRAW, sources=[], fallbacks=[BEACON]).commit(
            "bureau", bytes(32), fallback="drand"
        ).fix_plan()


def test_bad_announcement_digest() -> None:
    with pytest.raises(InputError, match="32 bytes"):
        planned().open(b"short", reveal_deadline=DEADLINE, at=OPENED)


# --- deadlines (spec 4.7) -------------------------------------------------------------------


def test_a_reveal_after_the_deadline_is_refused_and_changes_nothing() -> None:
    ceremony = opened()
    ceremony.reveal("bureau", secret_of("bureau"), at=DEADLINE)  # at the deadline: still in time
    late = DEADLINE + timedelta(seconds=1)
    with pytest.raises(ScheduleError, match="deadline 2026-07-23T15:30:00\\+08:00 has passed"):
        ceremony.reveal("bureau", secret_of("bureau"), at=late)
    assert ceremony == opened()


def test_a_default_before_or_at_the_deadline_is_refused() -> None:
    ceremony = opened()
    for moment in (OPENED, DEADLINE):
        with pytest.raises(ScheduleError, match="may still reveal until the deadline"):
            ceremony.default("bureau", at=moment)
    ceremony.default("bureau", at=DEADLINE + timedelta(seconds=1))


def test_sources_are_read_only_after_the_deadline_and_once_known() -> None:
    ceremony = opened()
    with pytest.raises(ScheduleError, match="only after the reveal deadline"):
        ceremony.add_source("welfare-3d", "381", at=REVEAL)
    with pytest.raises(ScheduleError, match="known only from 2026-07-23T21:15:00\\+08:00"):
        ceremony.add_source("welfare-3d", "381", at=AFTER)
    ceremony.add_source("welfare-3d", "381", at=LOTTERY_DRAWN)
    round_time = QUICKNET.round_time(ROUND)
    with pytest.raises(ScheduleError, match="known only from 2026-07-23T15:38:30\\+08:00"):
        ceremony.add_source("drand", SIGNATURE, at=round_time - timedelta(seconds=1))
    ceremony.add_source("drand", SIGNATURE, at=round_time)


def test_a_step_before_reveals_opened_is_refused() -> None:
    with pytest.raises(ScheduleError, match="before reveals were opened"):
        opened().reveal("bureau", secret_of("bureau"), at=OPENED - timedelta(seconds=1))


def test_times_must_carry_an_offset() -> None:
    with pytest.raises(InputError, match="UTC offset"):
        opened().reveal("bureau", secret_of("bureau"), at=datetime(2026, 7, 23, 15))


def test_freeze_refuses_a_source_known_by_the_deadline() -> None:
    plan = planned().plan
    plan.check_schedule(reveal_deadline=DEADLINE, draw_at=DRAW_AT)
    past_deadline = QUICKNET.round_time(ROUND)  # the round is published at this deadline
    with pytest.raises(ScheduleError, match="first quicknet round after it is 30662983"):
        plan.check_schedule(reveal_deadline=past_deadline, draw_at=DRAW_AT)
    with pytest.raises(ScheduleError, match=r"'welfare-3d'.*known by the reveal deadline"):
        plan.check_schedule(reveal_deadline=LOTTERY_DRAWN, draw_at=DRAW_AT)
    with pytest.raises(ScheduleError, match="known only after the announced draw time"):
        plan.check_schedule(reveal_deadline=DEADLINE, draw_at=LOTTERY_DRAWN - timedelta(hours=1))


def test_a_past_drand_round_is_refused_whatever_its_description() -> None:
    old = Source("drand", DrandRound(QUICKNET, 3), "a round from 2023, described as future")
    plan = SeedPlan(DRAW, parties=(), sources=(LOTTERY, old))
    with pytest.raises(ScheduleError, match=r"'drand'.*known by the reveal deadline"):
        plan.check_schedule(reveal_deadline=DEADLINE, draw_at=DRAW_AT)


def test_a_record_with_a_step_out_of_time_fails_verification() -> None:
    record = revealed().finish()
    late = replace(record.contributions[0], at=DEADLINE + timedelta(minutes=1))
    moved = replace(record, contributions=(late, *record.contributions[1:]))
    with pytest.raises(ScheduleError, match="deadline"):
        moved.verify(reveal_deadline=DEADLINE)
    early = replace(record.sources[0], at=AFTER)
    with pytest.raises(ScheduleError, match="known only from"):
        replace(record, sources=(early,)).verify(reveal_deadline=DEADLINE)


# --- one form per source value (spec 4.4) --------------------------------------------------

#: For each source form, one drawn value and every typing of it an operator
#: might produce: exactly the first is accepted.
TYPINGS: list[tuple[str, Any, list[str]]] = [
    (
        "福彩3D: digits in drawn order",
        Digits(count=3, drawn_at=LOTTERY_DRAWN),
        [
            "381",
            "3 8 1",
            "38 1",
            "3 81",
            "3,8,1",
            "3-8-1",
            "3.8.1",
            "０３８１",
            "３８１",
            "0381",
            "38",
            " 381",
            "381 ",
            "381\n",
            "\u0663\u0668\u0661",  # Arabic-Indic digits
            "381.",
            "",
        ],
    ),
    (
        "福彩3D with a leading zero",
        Digits(count=3, drawn_at=LOTTERY_DRAWN),
        ["038", "38", "0 3 8", "03 8", "0038", "０３８"],
    ),
    (
        "双色球 red balls: six distinct of 1-33, order ignored",
        Numbers(6, 1, 33, ordered=False, distinct=True, drawn_at=LOTTERY_DRAWN),
        [
            "3 7 12 22 28 31",
            "31 28 22 12 7 3",
            "7 3 12 22 28 31",
            "03 07 12 22 28 31",
            "3  7 12 22 28 31",
            "3 7 12 22 28 31 ",
            " 3 7 12 22 28 31",
            "3,7,12,22,28,31",
            "3, 7, 12, 22, 28, 31",
            "3\t7 12 22 28 31",
            "３ ７ １２ ２２ ２８ ３１",
            "+3 7 12 22 28 31",
            "3 7 12 22 28 31.",
            "371222283 1",
            "",
        ],
    ),
    (
        "five dice: 1-6, repeats allowed, order ignored",
        Numbers(5, 1, 6, ordered=False, distinct=False, drawn_at=LOTTERY_DRAWN),
        ["1 2 2 5 6", "2 1 2 5 6", "1 2 5 2 6", "12256", "1 2 2 5 06", "1 2 2 5 6 ", "1,2,2,5,6"],
    ),
    (
        "three balls 0-9 in drawn order",
        Numbers(3, 0, 9, ordered=True, distinct=False, drawn_at=LOTTERY_DRAWN),
        ["9 0 4", "904", "9 00 4", "09 0 4", "9  0 4", "9,0,4", "９ ０ ４"],
    ),
    (
        "drand quicknet round 30662982",
        DrandRound(QUICKNET, ROUND),
        [
            SIGNATURE,
            SIGNATURE.upper(),
            "0x" + SIGNATURE,
            SIGNATURE + "\n",
            " " + SIGNATURE,
            " ".join(re.findall("........", SIGNATURE)),
            SIGNATURE[:-1],
            SIGNATURE + "0",
            hashlib.sha256(bytes.fromhex(SIGNATURE)).hexdigest(),  # its randomness
        ],
    ),
]


@pytest.mark.parametrize(("what", "form", "typings"), TYPINGS, ids=[t[0] for t in TYPINGS])
def test_exactly_one_typing_of_each_value_is_accepted(
    what: str, form: Any, typings: list[str]
) -> None:
    source = Source("s", form)
    accepted, messages = [], []
    for typing in typings:
        try:
            accepted.append(source.accept(typing))
        except SourceValueError as exc:
            messages.append(str(exc))
    assert accepted == [typings[0]], what
    for message in messages:  # each refusal names the source and shows the one form
        assert "source 's'" in message
        assert form.expected() in message


def test_a_wrong_drand_round_is_not_just_a_typing_error() -> None:
    source = Source("s", DrandRound(QUICKNET, ROUND))
    with pytest.raises(BeaconError, match="not round 30662982"):
        source.accept(OTHER_ROUND_SIGNATURE)


def _numbers_text(numbers: list[int]) -> str:
    return " ".join(map(str, numbers))


@given(
    st.lists(st.integers(min_value=1, max_value=33), min_size=6, max_size=6, unique=True),
    st.text(alphabet="0123456789 ,\t+-.０３", max_size=24),
)
def test_numbers_accept_only_their_one_form(numbers: list[int], noise: str) -> None:
    """Whatever is typed, an accepted text is the one form of the numbers it names."""
    form = Numbers(6, 1, 33, ordered=False, distinct=True, drawn_at=LOTTERY_DRAWN)
    assert form.accept(_numbers_text(sorted(numbers))) == _numbers_text(sorted(numbers))
    for typed in (noise, _numbers_text(numbers) + noise, noise + _numbers_text(sorted(numbers))):
        try:
            form.accept(typed)
        except SourceValueError:
            continue
        assert typed == _numbers_text(sorted(int(n) for n in typed.split(" ")))


@given(st.text(alphabet="0123456789 ０１８３", min_size=0, max_size=6))
def test_digits_accept_only_ascii_digits_of_the_count(typed: str) -> None:
    form = Digits(count=3, drawn_at=LOTTERY_DRAWN)
    try:
        form.accept(typed)
    except SourceValueError:
        assert not re.fullmatch("[0-9]{3}", typed)
    else:
        assert re.fullmatch("[0-9]{3}", typed)


def test_a_non_canonical_value_in_a_record_fails_verification() -> None:
    record = revealed().finish()
    data = record.to_json()
    data["sources"][0]["value"] = "3 8 1"
    with pytest.raises(SourceValueError, match="exactly 3 digits"):
        CeremonyRecord.from_json(data).verify(reveal_deadline=DEADLINE)


def test_source_forms_refuse_impossible_plans() -> None:
    for bad in (
        lambda: Digits(count=0, drawn_at=LOTTERY_DRAWN),
        lambda: Numbers(7, 1, 6, ordered=False, distinct=True, drawn_at=LOTTERY_DRAWN),
        lambda: Numbers(3, 5, 5, ordered=False, distinct=False, drawn_at=LOTTERY_DRAWN),
        lambda: Numbers(3, 1, 9, ordered=1, distinct=False, drawn_at=LOTTERY_DRAWN),  # type: ignore[arg-type]
        lambda: DrandRound(QUICKNET, 0),
        lambda: Source("s", LOTTERY.form, "line\nbreak"),
    ):
        with pytest.raises(InputError):
            bad()


# --- secrets (spec 4.2) -------------------------------------------------------------------------

WEAK_SECRETS = {
    "all zeros": bytes(32),
    "one repeated byte": b"\x5a" * 32,
    "a 16-byte pattern twice": hashlib.sha256(b"x").digest()[:16] * 2,
    "ASCII text": b"correct horse battery staple 123",
    "hex digits as text": hashlib.sha256(b"x").hexdigest()[:32].encode(),
    "Chinese text": "公证处公证员张三李四26".encode(),
    "counting up": bytes(range(32)),
    "counting down in steps of 7": bytes((200 - 7 * i) % 256 for i in range(32)),
}


@pytest.mark.parametrize("name", WEAK_SECRETS)
def test_obviously_non_random_secrets_are_refused(name: str) -> None:
    secret = WEAK_SECRETS[name]
    assert len(secret) == 32, name
    with pytest.raises(InputError, match="not random") as info:
        commitment(DRAW, "bureau", secret)
    assert secret.hex() not in str(info.value)


@pytest.mark.parametrize("secret", [b"", bytes(16), secret_of("x")[:31], secret_of("x") + b"\x01"])
def test_secrets_are_exactly_32_bytes(secret: bytes) -> None:
    with pytest.raises(InputError, match="exactly 32 bytes"):
        check_secret(secret)


def test_new_secrets_pass_the_checks() -> None:
    drawn = {new_secret() for _ in range(200)}
    assert len(drawn) == 200
    for secret in drawn:
        assert check_secret(secret) == secret


def test_the_secret_file_has_one_form() -> None:
    secret = secret_of("bureau")
    data = secret_file(secret)
    assert data == secret.hex().encode() + b"\n"
    assert parse_secret_file(data) == secret
    for other in (
        secret.hex().upper().encode() + b"\n",
        secret.hex().encode(),
        secret.hex().encode() + b"\r\n",
        secret.hex().encode() + b"\n\n",
        b" " + data,
        b"0x" + data,
    ):
        with pytest.raises(InputError, match="64 lower-case hexadecimal digits"):
            parse_secret_file(other)
    with pytest.raises(InputError, match="not random"):
        parse_secret_file(bytes(32).hex().encode() + b"\n")


# --- strict documents (spec 4.3, 4.6, 9.3) --------------------------------------------------


def _record_json() -> dict[str, Any]:
    ceremony = opened()
    for party in PARTIES[:-1]:
        ceremony = ceremony.reveal(party, secret_of(party), at=REVEAL)
    ceremony = ceremony.default("parent-2", at=AFTER)
    ceremony = ceremony.add_source("drand", SIGNATURE, at=AFTER)
    data: dict[str, Any] = ceremony.add_source("welfare-3d", "381", at=DRAW_AT).finish().to_json()
    return data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(extra=1), "unknown key"),
        (lambda d: d["plan"].update(deadline="soon"), "unknown key"),
        (lambda d: d["plan"]["sources"][0].update(hint="x"), "unknown key"),
        (lambda d: d["contributions"][0].update(note="x"), "unknown key"),
        (lambda d: d["sources"][0].pop("at"), "missing key"),
        (lambda d: d.update(seed=True), "expected text"),
        (lambda d: d["plan"]["sources"][0].update(count="3"), "expected an integer"),
        (lambda d: d["plan"]["sources"][0].update(kind="text"), "unknown source kind"),
        (lambda d: d["plan"]["sources"][0].update(drawn_at="2026-07-23 21:15"), "form alloc"),
        (lambda d: d["plan"]["fallbacks"][0]["chain"].update(period=30), "published period"),
        (lambda d: d["contributions"].reverse(), "not sorted by party"),
        (lambda d: d["sources"].reverse(), "not sorted by source name"),
        (lambda d: d["plan"]["parties"].reverse(), "not sorted by party name"),
        (lambda d: d["contributions"][0].update(reveal="AB" * 32), "lower-case hexadecimal"),
        (lambda d: d.update(opened_at="2026-07-23T07:00:00Z"), "form alloc"),
    ],
)
def test_records_are_read_strictly(change: Any, reason: str) -> None:
    data = _record_json()
    CeremonyRecord.from_json(data)
    change(data)
    with pytest.raises(MalformedDocumentError, match=reason):
        CeremonyRecord.from_json(data)


def test_duplicate_keys_in_a_ceremony_file_are_refused() -> None:
    text = json.dumps(opened().to_json())
    doubled = text.replace('"stage":', '"stage": "committing", "stage":', 1)
    with pytest.raises(MalformedDocumentError, match="duplicate key"):
        Ceremony.from_json(parse_json(doubled, document="ceremony.json"))


def test_ceremony_files_are_read_strictly() -> None:
    data = revealed().to_json()
    data["contributions"].reverse()
    with pytest.raises(MalformedDocumentError, match="not sorted"):
        Ceremony.from_json(data)
    data = planned().to_json()
    data["opened_at"] = "2026-07-23T15:00:00+08:00"
    with pytest.raises(MalformedDocumentError, match="exactly when reveals are open"):
        Ceremony.from_json(data)


def test_tampered_records_are_caught() -> None:
    record = revealed().finish()
    data = record.to_json()
    data["seed"] = "00" * 32
    with pytest.raises(SeedMismatchError, match="not the derived seed"):
        CeremonyRecord.from_json(data).verify(reveal_deadline=DEADLINE)
    data = record.to_json()
    data["contributions"][0]["reveal"] = secret_of("forged").hex()
    with pytest.raises(RevealMismatchError):
        CeremonyRecord.from_json(data).verify(reveal_deadline=DEADLINE)
    data = _record_json()
    data["contributions"][-1]["fallback"] = "welfare-3d"
    with pytest.raises(CeremonyError, match="declared 'drand'"):
        CeremonyRecord.from_json(data).verify(reveal_deadline=DEADLINE)


def test_plan_round_trips_through_json() -> None:
    plan = planned().plan
    assert SeedPlan.from_json(plan.to_json()) == plan


# --- properties ------------------------------------------------------------------------------


@given(party=st.sampled_from(PARTIES), other=st.binary(min_size=32, max_size=32))
def test_changing_any_single_reveal_changes_the_seed(party: str, other: bytes) -> None:
    try:
        check_secret(other)
    except InputError:
        return
    base = revealed().finish().seed
    secrets = {p: secret_of(p) for p in PARTIES}
    secrets[party] = other
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    for p in PARTIES:
        ceremony = ceremony.commit(p, commitment(DRAW, p, secrets[p]), fallback="drand")
    ceremony = ceremony.fix_plan().open(DIGEST, reveal_deadline=DEADLINE, at=OPENED)
    for p in PARTIES:
        ceremony = ceremony.reveal(p, secrets[p], at=REVEAL)
    assert ceremony.add_source("welfare-3d", "381", at=DRAW_AT).finish().seed != base


@given(order=st.permutations(PARTIES), commit_order=st.permutations(PARTIES))
def test_reveal_and_commit_order_never_matter(order: list[str], commit_order: list[str]) -> None:
    ceremony = Ceremony.begin(DRAW, sources=[LOTTERY], fallbacks=[BEACON])
    for party in commit_order:
        ceremony = ceremony.commit(
            party, commitment(DRAW, party, secret_of(party)), fallback="drand"
        )
    ceremony = ceremony.fix_plan()
    assert ceremony.plan == planned().plan
    ceremony = ceremony.open(DIGEST, reveal_deadline=DEADLINE, at=OPENED)
    for party in order:
        ceremony = ceremony.reveal(party, secret_of(party), at=REVEAL)
    assert ceremony.add_source("welfare-3d", "381", at=DRAW_AT).finish() == revealed().finish()


@given(
    st.lists(st.sampled_from(["commit", "fix", "open", "reveal", "default", "source", "finish"]))
)
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
                    name, commitment(DRAW, name, secret_of(name)), fallback="drand"
                )
            elif step == "fix":
                ceremony = ceremony.fix_plan()
            elif step == "open":
                ceremony = ceremony.open(DIGEST, reveal_deadline=DEADLINE, at=OPENED)
            elif step in ("reveal", "default"):
                pending = [
                    p.name
                    for p in ceremony.parties
                    if p.name not in {c.party for c in ceremony.contributions}
                ]
                name = pending[0] if pending else "p0"
                if step == "reveal":
                    ceremony = ceremony.reveal(name, secret_of(name), at=REVEAL)
                else:
                    ceremony = ceremony.default(name, at=REVEAL)  # too early: always refused
            elif step == "source":
                ceremony = ceremony.add_source("welfare-3d", "381", at=DRAW_AT)
            else:
                ceremony.finish().verify(reveal_deadline=DEADLINE)
        except AllocError:
            assert ceremony == before
