// The seed ceremony's arithmetic (spec section 4): commitments, canonical
// source values and the seed derivation. (Re-checking a whole ceremony
// record is the verifier's job; these are the pieces it needs.)

import { PYTHON_SPACE, compareCodePoints, toHex } from './bytes.js';
import { SPEC_VERSION, Tag, canonicalBytes, checkIdentifier, taggedHash } from './canonical.js';
import { InputError } from './errors.js';

export const MIN_SECRET_SIZE = 16;
export const MAX_SECRET_SIZE = 64;

/**
 * SHA-256("alloc/v1/commitment" 0 draw_id 0 party 0 secret) (spec 4.2).
 * @throws {InputError} for a malformed identifier or a secret not 16 to 64 bytes
 */
export function commitment(drawId, party, secret) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(party, 'party');
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_SIZE || secret.length > MAX_SECRET_SIZE) {
    throw new InputError(`A secret must be ${MIN_SECRET_SIZE} to ${MAX_SECRET_SIZE} bytes.`, {
      field: `party '${party}'.secret`,
    });
  }
  return taggedHash(Tag.COMMITMENT, drawId, party, secret);
}

/**
 * A source value in its canonical text form (spec 4.4).
 * @param {'numbers'|'text'|'hex'} kind
 * @param {number[]|string|Uint8Array} value
 * @throws {InputError} if the value does not fit the kind
 */
export function canonicalSourceValue(kind, value, name = 'source') {
  const field = `source '${name}'`;
  if (kind === 'numbers') {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InputError('Expected a non-empty list of integers.', { field, value });
    }
    for (const n of value) {
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new InputError('Numbers must be non-negative integers.', { field, value: n });
      }
    }
    return [...value].sort((a, b) => a - b).map((n) => `${n}.`).join('') + '/';
  }
  if (kind === 'text') {
    if (typeof value !== 'string') throw new InputError('Expected text.', { field });
    // Python's str.strip(): Unicode white space and U+001C..U+001F.
    const edges = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'gu');
    const text = value.normalize('NFC').replace(edges, '');
    if (!text) throw new InputError('The text is empty.', { field });
    if (/[\p{Cc}\p{Cf}\p{Cs}]/u.test(text)) {
      throw new InputError('The text contains a control character.', { field });
    }
    return text;
  }
  if (kind === 'hex') {
    let bytes = value;
    if (typeof value === 'string') {
      const digits = value.replace(new RegExp(`[${PYTHON_SPACE}]+`, 'gu'), '');
      if (digits.length % 2) {
        throw new InputError(`The value has an odd number of hex digits (${digits.length}).`, {
          field,
          hint: 'A byte is two hex digits; check for a lost digit.',
        });
      }
      if (!/^[0-9a-fA-F]*$/.test(digits)) {
        throw new InputError('The value is not hexadecimal.', { field, hint: 'Use only 0-9 and a-f.' });
      }
      bytes = Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
    }
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new InputError('Expected non-empty bytes or hex.', { field });
    }
    return toHex(bytes);
  }
  throw new InputError('The source kind must be numbers, text or hex.', { field, value: kind });
}

/**
 * The seed input document (spec 4.5): contributions sorted by party and
 * sources by name.
 * @param {{drawId: string, announcement: string, contributions: object[], sources: object[]}} input
 *   contributions are {party, reveal} or {party, fallback}; sources {name, kind, value}
 */
export function seedInput({ drawId, announcement, contributions, sources }) {
  checkIdentifier(drawId, 'draw_id');
  if (typeof announcement !== 'string' || !/^[0-9a-f]{64}$/.test(announcement)) {
    throw new InputError('The announcement digest must be 64 lower-case hex digits.', { field: 'announcement' });
  }
  const byKey = (key) => (a, b) => compareCodePoints(a[key], b[key]);
  return {
    spec: SPEC_VERSION,
    draw_id: drawId,
    announcement,
    contributions: [...contributions].sort(byKey('party')).map((c) => ({ ...c })),
    sources: [...sources].sort(byKey('name')).map((s) => ({ ...s })),
  };
}

/** seed = SHA-256(tagged_message("alloc/v1/seed", JCS(seed input))) (spec 4.5). */
export function deriveSeed(input) {
  return taggedHash(Tag.SEED, canonicalBytes(seedInput(input)));
}
