"""Wrong-typed arguments to the public API give a precise AllocError, never a crash.

Each public constructor and entry point is listed with a set of valid
arguments and, per parameter, which Python types it accepts. Hypothesis then
replaces one argument at a time with values of every kind (None, bools,
numbers, text, bytes, lists, dicts, sets, numpy values, objects of other alloc
types) and checks two properties:

* a value of a type the parameter does not accept raises an
  :class:`~alloc.errors.AllocError` (for the rules and applicants, the
  precise :class:`~alloc.errors.WrongTypeError`);
* no value whatever escapes as a bare ``TypeError``, ``AttributeError``,
  ``KeyError``, ``ValueError`` or ``IndexError``.
"""

from __future__ import annotations

import enum
import hashlib
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alloc import (
    AllocError,
    Applicant,
    ApplicantTable,
    Ceremony,
    DocumentType,
    DrawRules,
    Envelope,
    Fact,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    PublicKey,
    Role,
    SeatBlock,
    SeedPlan,
    SigningKey,
    Source,
    SourceKind,
    TieBreak,
    TimeWindow,
    TrustPolicy,
    WrongTypeError,
    check_transcript,
    commitment,
    document_digest,
    draw,
    group_ticket,
    identity_commitment,
    make_announcement,
    make_parent_proofs,
    parse_seed,
    record_lines,
    result_lines,
    rules_digest,
    ticket,
)
from alloc.chain import check_chain
from alloc.drand import QUICKNET
from alloc.seed import Digits, DrandRound, Party

Accepts = Callable[[object], bool]


# --- what each parameter accepts ---------------------------------------------------


def text(value: object) -> bool:
    return isinstance(value, str)


def utf8_id(value: object) -> bool:
    """What the lottery-number functions take for an id: text, or its UTF-8 bytes."""
    return isinstance(value, str | bytes | bytearray)


def integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def boolean(value: object) -> bool:
    return isinstance(value, bool)


def raw_bytes(value: object) -> bool:
    return isinstance(value, bytes | bytearray | memoryview)


def seed(value: object) -> bool:
    return raw_bytes(value) or text(value)


def optional(accepts: Accepts) -> Accepts:
    return lambda value: value is None or accepts(value)


def either(*accepted: Accepts) -> Accepts:
    return lambda value: any(a(value) for a in accepted)


def instance(kind: type) -> Accepts:
    return lambda value: isinstance(value, kind)


def enum_of(kind: type[enum.Enum]) -> Accepts:
    return lambda value: isinstance(value, kind | str)


def items(element: Accepts, *, ordered: bool = True) -> Accepts:
    """A collection (not text, bytes, a mapping or, if ``ordered``, a set) of ``element``."""

    def accepts(value: object) -> bool:
        if isinstance(value, str | bytes | bytearray | memoryview | Mapping):
            return False
        if ordered and isinstance(value, Set):
            return False
        if not isinstance(value, Iterable):
            return False
        return all(element(item) for item in value)

    return accepts


# --- valid arguments to start from ------------------------------------------------

SEED = bytes(range(32))
BLOCK = SeatBlock("owners", 2, "owner")
KINDERGARTEN = Kindergarten("K1", "一幼", seats=10, blocks=(BLOCK,))
RULES = DrawRules("2026-test", [KINDERGARTEN, Kindergarten("K2", "二幼", seats=5)], tiers=["local"])
APPLICANT = Applicant("A1", ["K1", "K2"], tier="local", facts={Fact("owner", "K1")})
# The demo's draw day: drand quicknet round 30662982 is published after its deadline.
DRAWN_AT = datetime.fromisoformat("2026-07-23T21:15:00+08:00")
BEACON = Source("beacon", DrandRound(QUICKNET, 30662982))
LOTTERY = Source("lottery", Digits(3, DRAWN_AT), "福彩3D")
PLAN = SeedPlan("2026-test", (Party("bureau", bytes(32), "beacon"),), (LOTTERY,), (BEACON,))
WINDOW = TimeWindow(
    "2026-07-22T17:00:00+08:00", "2026-07-24T09:30:00+08:00", "2026-07-23T15:30:00+08:00"
)
SECRET = hashlib.sha256(b"test_argument_types").digest()
KEY = SigningKey.from_seed(bytes(32)).public
NOTARY_KEY = SigningKey.from_seed(bytes(range(32))).public
OPEN_CEREMONY = Ceremony.begin("2026-test", sources=[LOTTERY], fallbacks=[BEACON])
OUTCOME = draw(RULES, [APPLICANT, Applicant("A2", ["K2"], tier="local")], SEED)
RECORDS = record_lines([APPLICANT, Applicant("A2", ["K2"], tier="local")])
RESULTS = result_lines(OUTCOME)
ENVELOPE = Envelope(signed={"type": "announcement", "draw_id": "2026-test"})


@dataclass(frozen=True)
class Call:
    """A public callable, valid keyword arguments, and what each parameter accepts."""

    name: str
    function: Callable[..., object]
    arguments: Mapping[str, object]
    accepts: Mapping[str, Accepts]
    #: Whether a wrong type must be the precise WrongTypeError, not just an AllocError.
    precise: bool = True
    #: The field an error names, where it is not the parameter's name.
    fields: Mapping[str, str] = field(default_factory=dict)


CALLS = [
    Call(
        "Fact", Fact, {"name": "owner", "kindergarten": "K1"}, {"name": text, "kindergarten": text}
    ),
    Call(
        "SeatBlock",
        SeatBlock,
        {"name": "owners", "seats": 2, "fact": "owner"},
        {"name": text, "seats": integer, "fact": text},
    ),
    Call(
        "Kindergarten",
        Kindergarten,
        {"id": "K1", "name": "一幼", "seats": 10, "blocks": [BLOCK]},
        {"id": text, "name": text, "seats": integer, "blocks": items(instance(SeatBlock))},
    ),
    Call(
        "Kindergarten.from_classes",
        Kindergarten.from_classes,
        {"id": "K1", "name": "一幼", "classes": 2, "class_size": 25, "blocks": ()},
        {
            "id": text,
            "name": text,
            "classes": integer,
            "class_size": integer,
            "blocks": items(instance(SeatBlock)),
        },
    ),
    Call(
        "Phase",
        Phase,
        {"name": "owners", "tiers": ["local"], "fact": "owner", "blocks": ["owners"], "choices": 1},
        {
            "name": text,
            "tiers": optional(items(text)),
            "fact": optional(text),
            "blocks": optional(items(text)),
            "choices": optional(integer),
        },
    ),
    Call(
        "DrawRules",
        DrawRules,
        {
            "draw_id": "2026-test",
            "kindergartens": [KINDERGARTEN],
            "mechanism": Mechanism.DEFERRED_ACCEPTANCE,
            "title": "派位",
            "authority": "教育局",
            "tie_break": TieBreak.SINGLE,
            "tiers": ["local", "other"],
            "multiples": MultiplesPolicy.BUNDLE,
            "merge_over_capacity": False,
            "waitlist_length": 3,
            "min_lottery_percent": 0,
            "phases": [Phase("all")],
        },
        {
            "draw_id": text,
            "kindergartens": items(instance(Kindergarten)),
            "mechanism": enum_of(Mechanism),
            "title": text,
            "authority": text,
            "tie_break": enum_of(TieBreak),
            "tiers": items(text),
            "multiples": enum_of(MultiplesPolicy),
            "merge_over_capacity": boolean,
            "waitlist_length": integer,
            "min_lottery_percent": integer,
            "phases": items(instance(Phase)),
        },
    ),
    Call(
        "Applicant",
        Applicant,
        {
            "registration_number": "A1",
            "choices": ["K1", "K2"],
            "tier": "local",
            "facts": {Fact("owner", "K1")},
            "group": "G1",
            "identity": bytes(32),
        },
        {
            "registration_number": text,
            "choices": items(text),
            "tier": optional(text),
            "facts": items(instance(Fact), ordered=False),
            "group": optional(text),
            "identity": optional(raw_bytes),
        },
    ),
    Call(
        "ApplicantTable.from_applicants",
        ApplicantTable.from_applicants,
        {"applicants": [APPLICANT]},
        {"applicants": items(instance(Applicant))},
    ),
    Call(
        "draw",
        draw,
        {"rules": RULES, "applicants": [APPLICANT], "seed": SEED},
        {
            "rules": instance(DrawRules),
            "applicants": either(instance(ApplicantTable), items(instance(Applicant))),
            "seed": seed,
        },
    ),
    Call("parse_seed", parse_seed, {"seed": SEED.hex()}, {"seed": seed}),
    Call(
        "ticket",
        ticket,
        {"seed": SEED, "draw_id": "2026-test", "registration_number": "A1"},
        {"seed": seed, "draw_id": utf8_id, "registration_number": utf8_id},
        precise=False,  # ids are checked by alloc.canonical.check_identifier
    ),
    Call(
        "group_ticket",
        group_ticket,
        {"seed": SEED, "draw_id": "2026-test", "group_id": "G1"},
        {"seed": seed, "draw_id": utf8_id, "group_id": utf8_id},
        precise=False,
    ),
    Call(
        "Source",
        Source,
        {"name": "lottery", "form": Digits(3, DRAWN_AT), "description": "福彩3D"},
        {"name": text, "form": instance(Digits | DrandRound), "description": text},
    ),
    Call(
        "Party",
        Party,
        {"name": "bureau", "commitment": bytes(32), "fallback": "beacon"},
        {"name": text, "commitment": raw_bytes, "fallback": text},
    ),
    Call(
        "SeedPlan",
        SeedPlan,
        {
            "draw_id": "2026-test",
            "parties": PLAN.parties,
            "sources": [LOTTERY],
            "fallbacks": [BEACON],
        },
        {
            "draw_id": text,
            "parties": items(instance(Party)),
            "sources": items(instance(Source)),
            "fallbacks": items(instance(Source)),
        },
    ),
    Call(
        "Ceremony.begin",
        Ceremony.begin,
        {"draw_id": "2026-test", "sources": [LOTTERY], "fallbacks": [BEACON]},
        {
            "draw_id": text,
            "sources": items(instance(Source)),
            "fallbacks": items(instance(Source)),
        },
    ),
    Call(
        "Ceremony.commit",
        OPEN_CEREMONY.commit,
        {"party": "bureau", "commitment_value": bytes(32), "fallback": "beacon"},
        {"party": text, "commitment_value": raw_bytes, "fallback": text},
        precise=False,
    ),
    Call(
        "TimeWindow",
        TimeWindow,
        {
            "frozen_at": "2026-07-22T17:00:00+08:00",
            "draw_at": "2026-07-24T09:30:00+08:00",
            "reveal_deadline": "2026-07-23T15:30:00+08:00",
        },
        {"frozen_at": text, "draw_at": text, "reveal_deadline": text},
    ),
    Call(
        "Role",
        Role,
        {"name": "notary", "keys": [KEY], "threshold": 1},
        {"name": text, "keys": items(instance(PublicKey)), "threshold": integer},
    ),
    Call(
        "TrustPolicy",
        TrustPolicy,
        {"roles": [Role("bureau", [KEY]), Role("notary", [NOTARY_KEY])]},
        {"roles": items(instance(Role))},
    ),
    Call(
        "make_announcement",
        make_announcement,
        {
            "rules": DrawRules("2026-test", [KINDERGARTEN]),
            "applicants": ApplicantTable.from_applicants([Applicant("A1", ["K1"])]),
            "plan": PLAN,
            "window": WINDOW,
        },
        {
            "rules": instance(DrawRules),
            "applicants": either(instance(ApplicantTable), items(instance(Applicant))),
            "plan": instance(SeedPlan),
            "window": instance(TimeWindow),
        },
    ),
    Call(
        "Outcome.applicant",
        OUTCOME.applicant,
        {"key": 1},
        {"key": either(text, integer)},
        precise=False,  # an unknown registration number is an InputError, as it should be
    ),
    Call(
        "record_lines",
        record_lines,
        {"table": [APPLICANT]},
        {"table": either(instance(ApplicantTable), items(instance(Applicant)))},
        fields={"table": "applicants"},
    ),
    Call("result_lines", result_lines, {"outcome": OUTCOME}, {"outcome": instance(type(OUTCOME))}),
    Call(
        "make_parent_proofs",
        make_parent_proofs,
        {
            "draw_id": "2026-test",
            "records": RECORDS,
            "results": RESULTS,
            "registration_numbers": ["A1"],
        },
        {
            "draw_id": text,
            "records": items(instance(bytes)),
            "results": items(instance(bytes)),
            "registration_numbers": optional(items(text)),
        },
        precise=False,
    ),
    Call("rules_digest", rules_digest, {"rules": RULES}, {"rules": instance(DrawRules)}),
    Call(
        "document_digest",
        document_digest,
        {"envelope": ENVELOPE},
        {"envelope": instance(Envelope)},
    ),
    Call(
        "Envelope.sign",
        ENVELOPE.sign,
        {"key": SigningKey.from_seed(bytes(32))},
        {"key": instance(SigningKey)},
    ),
    Call(
        "PublicKey.from_hex",
        PublicKey.from_hex,
        {"raw_hex": KEY.raw_hex},
        {"raw_hex": text},
        fields={"raw_hex": "public_key"},
    ),
    Call(
        "SigningKey.from_seed",
        SigningKey.from_seed,
        {"seed": bytes(32)},
        {"seed": raw_bytes},
        fields={"seed": "private_key"},
    ),
    Call(
        "commitment",
        commitment,
        {"draw_id": "2026-test", "party": "bureau", "secret": SECRET},
        {"draw_id": utf8_id, "party": utf8_id, "secret": raw_bytes},
        precise=False,
    ),
    Call(
        "identity_commitment",
        identity_commitment,
        {
            "draw_id": "2026-test",
            "registration_number": "A1",
            "document_type": DocumentType.RESIDENT_ID,
            "document_number": "11010519491231002X",
            "name": "张三",
            "salt": bytes(16),
        },
        {
            "draw_id": utf8_id,
            "registration_number": utf8_id,
            "document_type": enum_of(DocumentType),
            "document_number": text,
            "name": text,
            "salt": raw_bytes,
        },
        precise=False,
    ),
]


# --- values of every kind -------------------------------------------------------------

ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["K1", "60", "deferred-acceptance", "DEFERRED_ACCEPTANCE", SEED.hex()]),
    st.binary(max_size=40),
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=3),
    st.tuples(st.text(max_size=3)),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3),
    st.sets(st.text(max_size=3), max_size=3),
    st.frozensets(st.integers(), max_size=2),
    st.sampled_from(
        [
            object(),
            np.int64(7),
            np.float64(2.5),
            np.array([1, 2]),
            np.array(["K1"]),
            {"registration_number": "A1", "choices": ["K1"], "name": "张三"},
            [{"registration_number": "A1"}],
            Mechanism.INDEPENDENT,
            SourceKind.DIGITS,
            APPLICANT,
            KINDERGARTEN,
            [KINDERGARTEN],
            [APPLICANT],
            BLOCK,
            RULES,
            math.inf,
            (1, 2),
        ]
    ),
)

#: Errors that mean a public entry point crashed instead of saying what is wrong.
CRASHES = (TypeError, AttributeError, KeyError, ValueError, IndexError)


def _call(call: Call, parameter: str, value: object) -> object:
    arguments: dict[str, Any] = dict(call.arguments)
    arguments[parameter] = value
    return call.function(**arguments)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_the_valid_arguments_are_accepted(call: Call) -> None:
    call.function(**call.arguments)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
@settings(max_examples=60)
@given(data=st.data())
def test_a_wrong_type_is_a_precise_alloc_error(call: Call, data: st.DataObject) -> None:
    parameter = data.draw(st.sampled_from(sorted(call.accepts)), label="parameter")
    value = data.draw(ANY_VALUE, label="value")
    try:
        _call(call, parameter, value)
    except AllocError as exc:
        refusal: AllocError | None = exc
    except CRASHES as exc:  # pragma: no cover - the failure this test exists to find
        pytest.fail(f"{call.name}({parameter}={value!r}) crashed with {exc!r}")
    else:
        refusal = None
    if refusal is not None:
        # Any AllocError is a clear refusal; a wrong type's names the parameter and the type.
        if isinstance(refusal, WrongTypeError) and call.precise:
            assert call.fields.get(parameter, parameter) in (refusal.field or ""), refusal
            assert "got " in refusal.problem, refusal
        return
    assert call.accepts[parameter](value), (
        f"{call.name} accepted {parameter}={value!r} of type {type(value).__name__}"
    )


@pytest.mark.parametrize("call", [c for c in CALLS if c.precise], ids=lambda c: c.name)
@settings(max_examples=40)
@given(data=st.data())
def test_wrong_types_are_wrong_type_errors(call: Call, data: st.DataObject) -> None:
    parameter = data.draw(st.sampled_from(sorted(call.accepts)), label="parameter")
    value = data.draw(ANY_VALUE.filter(lambda v: not call.accepts[parameter](v)), label="value")
    with pytest.raises(WrongTypeError) as info:
        _call(call, parameter, value)
    assert isinstance(info.value, TypeError)  # what Python code expects of a wrong type


@settings(max_examples=60)
@given(
    parameter=st.sampled_from(
        ["transcript", "announcement", "rules", "records", "policy", "results"]
    ),
    value=ANY_VALUE,
)
def test_check_transcript_reports_and_never_raises(parameter: str, value: object) -> None:
    # A report object never raises (the verify_* twin raises one precise error).
    arguments: dict[str, Any] = {
        "transcript": b"{}",
        "announcement": ENVELOPE,
        "rules": RULES,
        "records": RECORDS,
        "policy": TrustPolicy.of(bureau=[KEY], notary=[NOTARY_KEY]),
        "results": RESULTS,
        parameter: value,
    }
    transcript = arguments.pop("transcript")
    report = check_transcript(transcript, **arguments)
    assert not report.ok
    assert report.failures


@settings(max_examples=60)
@given(
    parameter=st.sampled_from(["rounds", "expect_round", "known"]),
    value=ANY_VALUE,
)
def test_check_chain_reports_and_never_raises(parameter: str, value: object) -> None:
    arguments: dict[str, Any] = {
        "transcript": b"{}",
        "announcement": ENVELOPE,
        "rules": RULES,
        "records": RECORDS,
        "policy": TrustPolicy.of(bureau=[KEY], notary=[NOTARY_KEY]),
        "results": RESULTS,
        "rounds": [],
        parameter: value,
    }
    report = check_chain(**arguments)
    assert not report.ok
    assert report.failures
