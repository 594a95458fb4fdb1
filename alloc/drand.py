"""drand randomness beacons: the League of Entropy's chains, round times, offline checks.

A drand round is a BLS signature by the League of Entropy's threshold key on
the round number (spec section 4.5). Nobody, not even the bureau, knows it
before the round's time, and anyone can check it offline against the chain's
public key, which is what makes it a seed source no one can choose::

    QUICKNET.round_time(30662982)          # 2026-07-23T07:38:30+00:00
    verify_beacon(QUICKNET, 30662982, signature)   # raises BeaconError if forged

alloc knows the chains by their published parameters (:data:`KNOWN_CHAINS`)
and accepts no other: a plan naming a key nobody can compare with drand's
own publication would let its author know every "future" value.

The pairing check uses py-ecc (pure Python), imported only when a beacon is
checked; one check takes about a second.
"""

from __future__ import annotations

import enum
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from alloc.errors import BeaconError, InputError
from alloc.i18n import _, pgettext

__all__ = [
    "DEFAULT",
    "KNOWN_CHAINS",
    "QUICKNET",
    "DrandChain",
    "DrandScheme",
    "beacon_randomness",
    "chain_named",
    "verify_beacon",
]

#: Largest round alloc accepts: a round number is a 64-bit integer in drand,
#: and documents keep integers within I-JSON's ±(2^53 − 1).
MAX_ROUND: Final = 2**53 - 1


class DrandScheme(enum.Enum):
    """How a chain signs its rounds (drand's ``schemeID``)."""

    #: Signatures on G1 (48 bytes), key on G2, message SHA-256(round), RFC 9380
    #: hashing to G1: drand's quicknet.
    UNCHAINED_G1 = "bls-unchained-g1-rfc9380"
    #: Signatures on G2 (96 bytes), key on G1, message SHA-256(previous
    #: signature ‖ round): drand's original mainnet chain ("default").
    CHAINED = "pedersen-bls-chained"

    @property
    def signature_size(self) -> int:
        return 48 if self is DrandScheme.UNCHAINED_G1 else 96

    @property
    def public_key_size(self) -> int:
        return 96 if self is DrandScheme.UNCHAINED_G1 else 48

    @property
    def dst(self) -> bytes:
        """The hash-to-curve domain separation tag drand uses for this scheme."""
        if self is DrandScheme.UNCHAINED_G1:
            return b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
        return b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_"


@dataclass(frozen=True)
class DrandChain:
    """A drand chain as drand publishes it (``/info``): what a plan names."""

    #: drand's beacon id, e.g. ``quicknet``.
    name: str
    #: The chain hash, drand's identifier of the chain.
    hash: bytes
    public_key: bytes
    scheme: DrandScheme
    #: Unix time of round 1.
    genesis_time: int
    #: Seconds between rounds.
    period: int

    def round_time(self, round_number: int) -> datetime:
        """When round ``round_number`` is published: genesis + (round − 1) × period.

        Raises:
            InputError: for a round below 1.
        """
        _check_round(round_number)
        seconds = self.genesis_time + (round_number - 1) * self.period
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)

    def first_round_after(self, moment: datetime) -> int:
        """The first round published strictly after ``moment``."""
        elapsed = (moment - self.round_time(1)) // timedelta(seconds=1)
        if elapsed < 0:
            return 1
        return elapsed // self.period + 2

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "hash": self.hash.hex(),
            "public_key": self.public_key.hex(),
            "scheme": self.scheme.value,
            "genesis_time": self.genesis_time,
            "period": self.period,
        }


#: drand quicknet (League of Entropy, 3-second rounds since 2023-08-23), as
#: published at https://api.drand.sh/v2/beacons/quicknet/info.
QUICKNET: Final = DrandChain(
    name="quicknet",
    hash=bytes.fromhex("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"),
    public_key=bytes.fromhex(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    scheme=DrandScheme.UNCHAINED_G1,
    genesis_time=1692803367,
    period=3,
)

#: drand's original mainnet chain (League of Entropy, 30-second chained rounds
#: since 2020-07-22), as published at https://api.drand.sh/v2/beacons/default/info.
DEFAULT: Final = DrandChain(
    name="default",
    hash=bytes.fromhex("8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce"),
    public_key=bytes.fromhex(
        "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31"
    ),
    scheme=DrandScheme.CHAINED,
    genesis_time=1595431050,
    period=30,
)

#: The chains alloc accepts, by beacon id.
KNOWN_CHAINS: Final = {chain.name: chain for chain in (QUICKNET, DEFAULT)}


def chain_named(name: str) -> DrandChain:
    """The known chain with beacon id ``name``.

    Raises:
        InputError: for any other name, listing the known ones.
    """
    try:
        return KNOWN_CHAINS[name]
    except KeyError:
        raise InputError(
            _("not a drand chain alloc knows"),
            code="source.unknown-drand-chain",
            field="chain",
            value=name,
            hint=_("use {chains}").format(
                chains=pgettext("alternatives", " or ").join(sorted(KNOWN_CHAINS))
            ),
        ) from None


def _check_round(round_number: object) -> None:
    if (
        isinstance(round_number, bool)
        or not isinstance(round_number, int)
        or not 1 <= round_number <= MAX_ROUND
    ):
        raise InputError(
            _("a drand round is a whole number from 1 to {maximum}").format(maximum=MAX_ROUND),
            code="source.drand-round",
            field="round",
            value=round_number,
        )


def beacon_randomness(signature: bytes) -> bytes:
    """A round's randomness as drand defines it: SHA-256 of its signature."""
    return hashlib.sha256(signature).digest()


def verify_beacon(
    chain: DrandChain,
    round_number: int,
    signature: bytes,
    *,
    previous_signature: bytes | None = None,
) -> None:
    """Check that ``signature`` is round ``round_number`` of ``chain``, offline.

    ``previous_signature`` is required by a chained scheme and refused by an
    unchained one. A signature must be the one canonical compressed encoding of
    a point of the right group (RFC 9380 / ZCash serialisation), not the point
    at infinity.

    Raises:
        InputError: for a malformed round.
        BeaconError: if the signature is malformed or does not verify under
            the chain's public key for this round.
    """
    _check_round(round_number)
    scheme = chain.scheme
    if scheme is DrandScheme.CHAINED:
        if previous_signature is None or len(previous_signature) != scheme.signature_size:
            raise BeaconError(
                _(
                    "chain {chain!r} is chained: round {round} is checked with"
                    " the previous round's {size}-byte signature"
                ).format(chain=chain.name, round=round_number, size=scheme.signature_size),
                code="ceremony.beacon-previous-missing",
            )
        message = hashlib.sha256(previous_signature + round_number.to_bytes(8, "big")).digest()
    else:
        if previous_signature is not None:
            raise BeaconError(
                _("chain {chain!r} is unchained: there is no previous signature").format(
                    chain=chain.name
                ),
                code="ceremony.beacon-previous-given",
            )
        message = hashlib.sha256(round_number.to_bytes(8, "big")).digest()
    if len(signature) != scheme.signature_size:
        raise BeaconError(
            _("a signature of chain {chain!r} is {size} bytes, not {length}").format(
                chain=chain.name, size=scheme.signature_size, length=len(signature)
            ),
            code="ceremony.beacon-size",
        )
    if not _pairing_check(scheme, chain.public_key, signature, message):
        raise BeaconError(
            _(
                "the value is not round {round} of drand chain {chain!r}: its"
                " signature does not verify under the chain's public key (a forged, mistyped"
                " or other round's value)"
            ).format(round=round_number, chain=chain.name)
        )


def _pairing_check(
    scheme: DrandScheme, public_key: bytes, signature: bytes, message: bytes
) -> bool:
    # Imported here: py-ecc takes a third of a second to import and only a
    # drand source needs it. Importing it raises the interpreter's recursion
    # limit to 100,000, which would let a deeply nested JSON document crash
    # the process instead of being refused (alloc.strictjson), so the limit is
    # put back. Its point types differ between G1 and G2, which this one
    # function handles both of, hence Any.
    limit = sys.getrecursionlimit()
    try:
        from py_ecc.bls import hash_to_curve, point_compression  # noqa: PLC0415
        from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12  # noqa: PLC0415
        from py_ecc.optimized_bls12_381 import optimized_curve, optimized_pairing  # noqa: PLC0415
    finally:
        sys.setrecursionlimit(limit)

    compression: Any = point_compression
    curve: Any = optimized_curve
    pairing: Any = optimized_pairing
    sha256: Any = hashlib.sha256

    def g1(data: bytes) -> Any:
        z = int.from_bytes(data, "big")
        point = compression.decompress_G1(z)
        if compression.compress_G1(point) != z:
            raise ValueError(_("not the canonical encoding"))
        return point

    def g2(data: bytes) -> Any:
        z = (int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big"))
        point = compression.decompress_G2(z)
        if tuple(compression.compress_G2(point)) != z:
            raise ValueError(_("not the canonical encoding"))
        return point

    key: Any
    sig: Any
    hashed: Any
    try:
        if scheme is DrandScheme.UNCHAINED_G1:
            key, sig = g2(public_key), g1(signature)
            hashed = hash_to_curve.hash_to_G1(message, scheme.dst, sha256)
        else:
            key, sig = g1(public_key), g2(signature)
            hashed = hash_to_curve.hash_to_G2(message, scheme.dst, sha256)
    except ValueError as exc:
        raise BeaconError(
            _(
                "the value is not a signature at all: it does not encode a curve point ({reason})"
            ).format(reason=exc),
            code="ceremony.beacon-not-a-point",
        ) from exc
    if curve.is_inf(sig) or not curve.is_inf(curve.multiply(sig, curve.curve_order)):
        raise BeaconError(
            _("the value is not a signature: the point is outside the signature group"),
            code="ceremony.beacon-not-a-point",
        )
    # e(sig, generator) == e(H(message), key), as one product of Miller loops
    # and one final exponentiation.
    loop = pairing.miller_loop
    if scheme is DrandScheme.UNCHAINED_G1:
        product = loop(curve.G2, curve.neg(sig), False) * loop(key, hashed, False)
    else:
        product = loop(curve.neg(sig), curve.G1, False) * loop(hashed, key, False)
    result: bool = pairing.final_exponentiate(product) == FQ12.one()
    return result
