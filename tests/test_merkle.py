"""RFC 9162 Merkle trees: properties beyond the reference vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alloc import merkle
from alloc.errors import InputError
from alloc.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    MerkleTree,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)


def recursive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1 written as the RFC writes it."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(recursive_root(leaves[:k]), recursive_root(leaves[k:]))


leaves_strategy = st.lists(st.binary(max_size=12), max_size=70, unique=True)


@given(leaves_strategy)
def test_bottom_up_tree_equals_the_recursive_definition(leaves: list[bytes]) -> None:
    assert merkle_root(leaves) == recursive_root(leaves)
    assert MerkleTree(leaves).root == recursive_root(leaves)


@given(
    st.lists(st.binary(max_size=6), max_size=140),
    st.lists(st.integers(0, 40), max_size=12),
    st.sampled_from([1, 2, 4, 8, 64]),
    st.binary(max_size=9),
)
def test_a_root_accumulated_in_any_pieces_is_the_root(
    leaves: list[bytes], cuts: list[int], block: int, prefix: bytes
) -> None:
    # Small blocks make full blocks, carries and a partial last block occur at
    # these sizes; the pieces the leaves arrive in cut across the blocks.
    expected = recursive_root([prefix + leaf for leaf in leaves])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merkle, "_BLOCK", block)
        accumulator = MerkleAccumulator(prefix=prefix)
        at = 0
        for cut in [*cuts, len(leaves)]:
            accumulator.add(iter(leaves[at : at + cut]))
            at = min(at + cut, len(leaves))
            assert accumulator.count == at
            assert accumulator.root() == recursive_root([prefix + leaf for leaf in leaves[:at]])
        assert accumulator.root() == expected
        assert merkle_root(leaves, prefix=prefix) == expected


@given(leaves_strategy.filter(bool), st.data())
def test_every_proof_verifies_and_nothing_else_does(
    leaves: list[bytes], data: st.DataObject
) -> None:
    tree = MerkleTree(leaves)
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = tree.inclusion_proof(index)
    assert proof == inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, size, proof, tree.root)
    assert not verify_inclusion(leaves[index] + b"x", index, size, proof, tree.root)
    assert not verify_inclusion(leaves[index], index, size * 2, proof, tree.root)
    if size > 1:
        assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, tree.root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], tree.root)
        assert not verify_inclusion(leaves[index], index, size, [*proof, proof[0]], tree.root)
        flipped = bytearray(proof[0])
        flipped[0] ^= 1
        assert not verify_inclusion(
            leaves[index], index, size, [bytes(flipped), *proof[1:]], tree.root
        )


def test_verify_never_raises_on_garbage() -> None:
    assert not verify_inclusion(b"x", -1, 0, [], b"")
    assert not verify_inclusion(b"x", 0, 1, [b"short"], b"")
    assert not verify_inclusion(b"x", 0, 1, "nonsense", None)  # type: ignore[arg-type]


def test_out_of_range_index() -> None:
    with pytest.raises(InputError, match="out of range"):
        inclusion_proof([b"a"], 1)
