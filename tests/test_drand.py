"""drand beacons checked offline (spec 4.5), against real published rounds in tests/vectors."""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import load_vector
from hypothesis import given
from hypothesis import strategies as st

from alloc.clock import parse_time
from alloc.drand import (
    DEFAULT,
    KNOWN_CHAINS,
    QUICKNET,
    DrandScheme,
    beacon_randomness,
    chain_named,
    verify_beacon,
)
from alloc.errors import BeaconError, InputError, SourceValueError
from alloc.seed import DrandRound

VECTORS = load_vector("drand.json")


def test_the_pinned_chains_are_alloc_s_chains() -> None:
    for name, chain in VECTORS["chains"].items():
        assert KNOWN_CHAINS[name].to_json() == chain
    assert QUICKNET.scheme is DrandScheme.UNCHAINED_G1
    assert DEFAULT.scheme is DrandScheme.CHAINED


@pytest.mark.parametrize("case", VECTORS["round_times"], ids=lambda c: f"{c['chain']}-{c['round']}")
def test_round_times(case: dict[str, Any]) -> None:
    chain = KNOWN_CHAINS[case["chain"]]
    assert chain.round_time(case["round"]) == parse_time(case["time"], field="time")


def test_round_time_is_genesis_plus_whole_periods() -> None:
    assert QUICKNET.round_time(1) == datetime.fromtimestamp(QUICKNET.genesis_time, UTC)
    assert QUICKNET.round_time(101) - QUICKNET.round_time(1) == timedelta(seconds=300)


@given(st.integers(min_value=0, max_value=10**9))
def test_first_round_after_is_the_first_strictly_later_round(offset: int) -> None:
    moment = QUICKNET.round_time(1) + timedelta(seconds=offset)
    first = QUICKNET.first_round_after(moment)
    assert QUICKNET.round_time(first) > moment
    assert first == 1 or QUICKNET.round_time(first - 1) <= moment


def _split(chain_name: str, value: str) -> tuple[bytes, bytes | None]:
    if KNOWN_CHAINS[chain_name].scheme is DrandScheme.CHAINED:
        previous, signature = value.split(" ")
        return bytes.fromhex(signature), bytes.fromhex(previous)
    return bytes.fromhex(value), None


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: f"{c['chain']}-{c['round']}")
def test_real_published_rounds_verify(case: dict[str, Any]) -> None:
    chain = KNOWN_CHAINS[case["chain"]]
    signature, previous = _split(case["chain"], case["value"])
    verify_beacon(chain, case["round"], signature, previous_signature=previous)
    assert beacon_randomness(signature).hex() == case["randomness"]
    assert hashlib.sha256(signature).hexdigest() == case["randomness"]
    # The one accepted typing of a source value is exactly the published text.
    assert DrandRound(chain, case["round"]).accept(case["value"]) == case["value"]


@pytest.mark.parametrize("case", VECTORS["forged"], ids=lambda c: c["note"])
def test_forged_values_fail(case: dict[str, Any]) -> None:
    form = DrandRound(KNOWN_CHAINS[case["chain"]], case["round"])
    error = BeaconError if case["error"] == "beacon" else SourceValueError
    with pytest.raises(error):
        form.accept(case["value"])


def test_every_single_bit_flip_of_a_real_signature_fails() -> None:
    real = bytes.fromhex(VECTORS["valid"][3]["value"])
    assert VECTORS["valid"][3]["round"] == 30662982
    # Flipping any bit breaks the encoding or the pairing check; 48 spread-out
    # positions keep this test to seconds.
    for bit in range(0, 8 * len(real), 8):
        forged = bytearray(real)
        forged[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(BeaconError):
            verify_beacon(QUICKNET, 30662982, bytes(forged))


def test_chained_rounds_need_the_previous_signature_and_unchained_refuse_one() -> None:
    real = VECTORS["valid"][3]
    with pytest.raises(BeaconError, match="unchained"):
        verify_beacon(QUICKNET, real["round"], bytes.fromhex(real["value"]), previous_signature=b"")
    chained = next(c for c in VECTORS["valid"] if c["chain"] == "default")
    signature, _ = _split("default", chained["value"])
    with pytest.raises(BeaconError, match="chained"):
        verify_beacon(DEFAULT, chained["round"], signature)


def test_wrong_lengths_and_rounds_are_refused() -> None:
    with pytest.raises(BeaconError, match="48 bytes"):
        verify_beacon(QUICKNET, 5, bytes(47))
    for bad in (0, -1, True, 2**53):
        with pytest.raises(InputError, match="round"):
            QUICKNET.round_time(bad)


def test_only_known_chains_are_accepted() -> None:
    assert chain_named("quicknet") is QUICKNET
    with pytest.raises(InputError, match="default or quicknet"):
        chain_named("fastnet")
    made_up = type(QUICKNET)(
        name="quicknet",
        hash=QUICKNET.hash,
        public_key=DEFAULT.public_key + bytes(48),
        scheme=QUICKNET.scheme,
        genesis_time=QUICKNET.genesis_time,
        period=QUICKNET.period,
    )
    with pytest.raises(InputError, match="published parameters"):
        DrandRound(made_up, 30662982)


def test_checking_a_beacon_leaves_the_recursion_limit_alone() -> None:
    """py-ecc raises it to 100,000 on import; deep JSON must still be refused, not crash."""
    before = sys.getrecursionlimit()
    case = VECTORS["valid"][0]
    verify_beacon(QUICKNET, case["round"], bytes.fromhex(case["value"]))
    assert sys.getrecursionlimit() == before
