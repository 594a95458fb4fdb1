"""RFC 9162 section 2.1 Merkle trees: roots, inclusion proofs, verification.

Exactly the Certificate Transparency hashing (leaf prefix 0x00, node prefix
0x01, split at the largest power of two below n, SHA-256 of nothing for the
empty tree), so existing transparency-log tooling and test vectors apply.
Trees are built bottom-up, carrying an unpaired last node up a level, which
gives the same tree as the RFC's recursive definition.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from itertools import islice

from alloc.errors import InputError
from alloc.i18n import _

__all__ = [
    "EMPTY_ROOT",
    "MerkleAccumulator",
    "MerkleTree",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_from_inclusion_proof",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = hashlib.sha256(b"\x00")
_NODE_PREFIX = hashlib.sha256(b"\x01")


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    h = _LEAF_PREFIX.copy()
    h.update(leaf)
    return h.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    h = _NODE_PREFIX.copy()
    h.update(left)
    h.update(right)
    return h.digest()


def _leaf_hashes(leaves: Iterable[bytes], prefix: bytes = b"") -> list[bytes]:
    """SHA-256(0x00 || prefix || leaf) for every leaf.

    The prefix (a tagged-message head shared by every leaf of a file) is
    hashed once and the state copied per leaf, so no leaf is ever copied.
    """
    state = _LEAF_PREFIX.copy()
    state.update(prefix)
    copy = state.copy
    out: list[bytes] = []
    append = out.append
    for leaf in leaves:
        h = copy()
        h.update(leaf)
        append(h.digest())
    return out


def _next_level(level: list[bytes]) -> list[bytes]:
    copy = _NODE_PREFIX.copy
    out: list[bytes] = []
    append = out.append
    for left, right in zip(level[0::2], level[1::2], strict=False):
        h = copy()
        h.update(left)
        h.update(right)
        append(h.digest())
    if len(level) % 2:
        append(level[-1])
    return out


def _root_of_hashes(level: list[bytes]) -> bytes:
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


#: Leaves hashed into one perfect subtree at a time (a power of two).
_BLOCK = 1 << 12


class MerkleAccumulator:
    """An RFC 9162 root over leaves given a few at a time, holding a few hashes.

    Leaves are hashed in blocks of :data:`_BLOCK`; each full block is reduced
    to the root of its perfect subtree at once, and equal-sized subtrees are
    joined as they complete (a binary counter), so a file of any length is
    committed with a logarithmic number of hashes in memory. The root is the
    one :func:`merkle_root` gives over all the leaves added, in order.
    """

    __slots__ = ("_count", "_leaf", "_pending", "_subtrees")

    def __init__(self, *, prefix: bytes = b"") -> None:
        """With ``prefix``, each leaf is hashed as ``prefix || leaf``."""
        state = _LEAF_PREFIX.copy()
        state.update(prefix)
        self._leaf = state
        self._pending: list[bytes] = []  # leaf hashes of the block being filled
        self._subtrees: list[tuple[int, bytes]] = []  # sizes halve from left to right
        self._count = 0

    @property
    def count(self) -> int:
        """How many leaves have been added."""
        return self._count

    def add(self, leaves: Iterable[bytes]) -> None:
        """Add ``leaves`` (raw leaf data) after those added before."""
        copy = self._leaf.copy
        pending = self._pending
        append = pending.append
        source = iter(leaves)
        while True:
            before = len(pending)
            for leaf in islice(source, _BLOCK - before):
                h = copy()
                h.update(leaf)
                append(h.digest())
            self._count += len(pending) - before
            if len(pending) < _BLOCK:
                return
            self._fold()

    def _fold(self) -> None:
        subtrees = self._subtrees
        size, node = _BLOCK, _root_of_hashes(self._pending)
        self._pending.clear()
        while subtrees and subtrees[-1][0] == size:
            left = subtrees.pop()[1]
            size, node = 2 * size, node_hash(left, node)
        subtrees.append((size, node))

    def root(self) -> bytes:
        """The root over every leaf added so far (more may be added after)."""
        nodes = [node for _, node in self._subtrees]
        if self._pending:
            nodes.append(_root_of_hashes(self._pending))
        if not nodes:
            return EMPTY_ROOT
        root = nodes[-1]
        for left in reversed(nodes[:-1]):
            root = node_hash(left, root)
        return root


def merkle_root(leaves: Iterable[bytes], *, prefix: bytes = b"") -> bytes:
    """The RFC 9162 Merkle Tree Hash of ``leaves`` (raw leaf data, not hashes).

    With ``prefix``, leaf ``i`` is ``prefix || leaves[i]``: the same root as
    passing the concatenations, without building them. Memory does not grow
    with the number of leaves (:class:`MerkleAccumulator`).
    """
    accumulator = MerkleAccumulator(prefix=prefix)
    accumulator.add(leaves)
    return accumulator.root()


class MerkleTree:
    """A tree kept in memory so many inclusion proofs can be cut from it."""

    __slots__ = ("_levels",)

    def __init__(self, leaves: Iterable[bytes], *, prefix: bytes = b"") -> None:
        """A tree over ``leaves``; with ``prefix``, leaf ``i`` is ``prefix || leaves[i]``."""
        level = _leaf_hashes(leaves, prefix)
        self._levels = [level]
        while len(level) > 1:
            level = _next_level(level)
            self._levels.append(level)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    @property
    def root(self) -> bytes:
        return self._levels[-1][0] if self.size else EMPTY_ROOT

    def leaf_hash(self, index: int) -> bytes:
        """Raises: InputError if ``index`` is out of range."""
        self._check(index)
        return self._levels[0][index]

    def _check(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise InputError(
                _("leaf index out of range for a tree of {size} leaves").format(size=self.size),
                code="merkle.index-range",
                field="index",
                value=index,
            )

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The RFC 9162 audit path PATH(index, D[n]), nearest sibling first.

        Raises:
            InputError: if ``index`` is out of range.
        """
        self._check(index)
        proof = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                proof.append(level[sibling])
            index >>= 1
        return proof


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of ``leaves[index]``.

    Raises:
        InputError: if ``index`` is out of range.
    """
    return MerkleTree(leaves).inclusion_proof(index)


def root_from_inclusion_proof(
    leaf_hash_value: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes | None:
    """The root implied by a leaf hash and its audit path (RFC 9162 2.1.3.2), or None."""
    if not 0 <= index < size or len(leaf_hash_value) != HASH_SIZE:
        return None
    fn, sn = index, size - 1
    r = leaf_hash_value
    for p in proof:
        if sn == 0 or len(p) != HASH_SIZE:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if ``leaf`` (raw data) is leaf ``index`` of the ``size``-leaf tree with ``root``.

    Never raises: any malformed argument simply fails verification.
    """
    try:
        computed = root_from_inclusion_proof(leaf_hash(bytes(leaf)), index, size, proof)
        return computed is not None and hmac.compare_digest(computed, bytes(root))
    except (TypeError, ValueError):
        return False
