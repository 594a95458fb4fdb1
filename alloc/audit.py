"""Commitments, proofs and verification.

For now: the RFC 9162 Merkle functions used to commit to applicant records
and results (see :mod:`alloc.merkle`).
"""

from __future__ import annotations

from alloc.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "MerkleTree",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "verify_inclusion",
]
