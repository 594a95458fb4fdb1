// RFC 9162 Merkle tree hashes and inclusion proofs (spec section 6).

import { bytesEqual, concatBytes } from './bytes.js';
import { sha256, sha256With } from './crypto.js';

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf) {
  return sha256(LEAF, leaf);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left, right) {
  return sha256(NODE, left, right);
}

/**
 * The Merkle Tree Hash of the leaves prefix || leaves[i] (RFC 9162 2.1.1).
 * A common prefix (a tagged message's tag and draw id) is hashed once.
 * @param {Uint8Array[]} leaves
 * @param {{prefix?: Uint8Array}} [options]
 */
export function merkleRoot(leaves, { prefix = new Uint8Array(0) } = {}) {
  if (leaves.length === 0) return sha256();
  const hashLeaf = sha256With(concatBytes(LEAF, prefix));
  let level = leaves.map((leaf) => hashLeaf(leaf));
  return rootOfHashes(level);
}

/** The root over leaf hashes: pairs left to right, an odd last node carried up (equal to MTH). */
export function rootOfHashes(hashes) {
  if (hashes.length === 0) return sha256();
  let level = hashes;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** The RFC 9162 audit path of leaves[index] (2.1.3.1). */
export function inclusionProof(leaves, index, { prefix = new Uint8Array(0) } = {}) {
  if (!(Number.isInteger(index) && index >= 0 && index < leaves.length)) {
    throw new RangeError('The leaf index is outside the tree.');
  }
  const hashLeaf = sha256With(concatBytes(LEAF, prefix));
  let level = leaves.map((leaf) => hashLeaf(leaf));
  const proof = [];
  let at = index;
  while (level.length > 1) {
    const sibling = at ^ 1;
    if (sibling < level.length) proof.push(level[sibling]);
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
    at >>= 1;
  }
  return proof;
}

/**
 * The root implied by a leaf hash and its audit path (RFC 9162 2.1.3.2),
 * or null if the path cannot belong to a tree of that size.
 */
export function rootFromInclusionProof(leafHashValue, index, size, proof) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
  if (leafHashValue.length !== 32) return null;
  // Big sizes exceed 32 bits: halve with Math.floor, not >>.
  let fn = index;
  let sn = size - 1;
  let r = leafHashValue;
  for (const p of proof) {
    if (sn === 0 || p.length !== 32) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** True if `leaf` (raw bytes) is leaf `index` of the `size`-leaf tree with `root`. Never throws. */
export function verifyInclusion(leaf, index, size, proof, root) {
  try {
    const computed = rootFromInclusionProof(leafHash(leaf), index, size, proof);
    return computed !== null && bytesEqual(computed, root);
  } catch {
    return false;
  }
}
