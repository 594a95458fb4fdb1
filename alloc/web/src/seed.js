// The seed ceremony's arithmetic (spec section 4): secrets and commitments,
// the one written form of each source value, the seed input and the seed,
// and reading the seed plan and the ceremony record strictly. What this
// module does not do is check a drand value's BLS signature (4.5): a
// verifier page re-derives the seed from the recorded values; `alloc verify`
// checks the beacon.

import { compareCodePoints, toHex } from './bytes.js';
import { SPEC_VERSION, Tag, canonicalBytes, checkIdentifier, taggedHash } from './canonical.js';
import { InputError } from './errors.js';

export const SECRET_SIZE = 32;
export const MIN_DISTINCT_SECRET_BYTES = 20;
export const MAX_SOURCE_COUNT = 64;
export const MAX_SOURCE_NUMBER = 999999;

/** drand chains alloc accepts, with exactly their published parameters (spec 4.5). */
export const DRAND_CHAINS = Object.freeze({
  quicknet: Object.freeze({
    name: 'quicknet',
    hash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
    public_key:
      '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
    scheme: 'bls-unchained-g1-rfc9380',
    genesis_time: 1692803367,
    period: 3,
  }),
  default: Object.freeze({
    name: 'default',
    hash: '8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce',
    public_key: '868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31',
    scheme: 'pedersen-bls-chained',
    genesis_time: 1595431050,
    period: 30,
  }),
});

/**
 * Why a secret is refused (spec 4.2), or null for an acceptable one.
 * @param {Uint8Array} secret
 */
export function secretWeakness(secret) {
  if (!(secret instanceof Uint8Array)) return 'it is not bytes';
  if (secret.length !== SECRET_SIZE) return `it is ${secret.length} bytes, not ${SECRET_SIZE}`;
  const distinct = new Set(secret).size;
  if (distinct < MIN_DISTINCT_SECRET_BYTES) return `only ${distinct} distinct byte values`;
  let text = null;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(secret);
  } catch {
    text = null;
  }
  if (text !== null && !/[\p{Cc}]/u.test(text.replace(/[\t\n\r]/g, ''))) return 'it reads as text';
  const step = (secret[1] - secret[0] + 256) % 256;
  if (secret.every((b, i) => i === 0 || (b - secret[i - 1] + 256) % 256 === step)) {
    return 'its bytes count up or down in equal steps';
  }
  return null;
}

/**
 * SHA-256("alloc/v1/commitment" 0 draw_id 0 party 0 secret) (spec 4.2).
 * @throws {InputError} for a malformed identifier or a secret spec 4.2 refuses
 */
export function commitment(drawId, party, secret) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(party, 'party');
  const weakness = secretWeakness(secret);
  if (weakness !== null) {
    throw new InputError(`The secret is refused: ${weakness}.`, { field: `party '${party}'.secret` });
  }
  return taggedHash(Tag.COMMITMENT, drawId, party, secret);
}

const NUMBER_FORM_RE = /^(?:0|[1-9][0-9]*)(?: (?:0|[1-9][0-9]*))*$/;

/**
 * Why a source value is not in its source's one written form (spec 4.4), or
 * null if it is. A drand value is checked for its form only, not its signature.
 * @param {object} source a source of the seed plan (4.3)
 * @param {string} value
 */
export function sourceValueProblem(source, value) {
  if (typeof value !== 'string') return 'a source value is text';
  if (source.kind === 'digits') {
    return new RegExp(`^[0-9]{${source.count}}$`).test(value) ? null : `not exactly ${source.count} digits 0-9`;
  }
  if (source.kind === 'numbers') {
    if (!NUMBER_FORM_RE.test(value)) return 'not numbers without leading zeros separated by single spaces';
    const numbers = value.split(' ').map(Number);
    if (numbers.length !== source.count) return `${numbers.length} numbers instead of ${source.count}`;
    if (numbers.some((n) => n < source.min || n > source.max)) return `a number outside ${source.min}-${source.max}`;
    if (source.distinct && new Set(numbers).size !== numbers.length) return 'a number given twice';
    if (!source.ordered && numbers.some((n, i) => i > 0 && n < numbers[i - 1])) return 'numbers not in ascending order';
    return null;
  }
  if (source.kind === 'drand') {
    const chained = source.chain.scheme === 'pedersen-bls-chained';
    const form = chained ? /^[0-9a-f]{192} [0-9a-f]{192}$/ : /^[0-9a-f]{96}$/;
    return form.test(value) ? null : 'not the round signature in lower-case hex as drand publishes it';
  }
  return 'unknown source kind';
}

/**
 * The seed input document (spec 4.6): contributions sorted by party and
 * sources by name, without times.
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
    contributions: [...contributions]
      .sort(byKey('party'))
      .map((c) => ('reveal' in c && c.reveal !== undefined ? { party: c.party, reveal: c.reveal } : { party: c.party, fallback: c.fallback })),
    sources: [...sources].sort(byKey('name')).map((s) => ({ name: s.name, kind: s.kind, value: s.value })),
  };
}

/** seed = SHA-256(tagged_message("alloc/v1/seed", JCS(seed input))) (spec 4.6), 32 bytes. */
export function deriveSeed(input) {
  return taggedHash(Tag.SEED, canonicalBytes(seedInput(input)));
}

/**
 * Re-derive the seed of a ceremony record (spec 4.8) from its reveals and
 * source values, checking every reveal against its commitment in the plan,
 * every default against the declared fallback and every source value's form.
 * Times and drand signatures are not checked here.
 * @param {object} ceremony the transcript's `ceremony` object
 * @param {string} drawId
 * @returns {{seed: string, problems: string[]}} the derived seed (hex) and what failed
 */
export function replaySeed(ceremony, drawId) {
  const problems = [];
  const plan = ceremony.plan;
  const parties = new Map(plan.parties.map((p) => [p.name, p]));
  const sources = new Map([...plan.sources, ...plan.fallbacks].map((s) => [s.name, s]));
  const seen = new Set();
  for (const c of ceremony.contributions) {
    const party = parties.get(c.party);
    seen.add(c.party);
    if (party === undefined) {
      problems.push(`party '${c.party}' is not in the seed plan`);
    } else if (c.reveal !== undefined) {
      const secret = Uint8Array.from(c.reveal.match(/../g), (h) => parseInt(h, 16));
      const weakness = secretWeakness(secret);
      if (weakness !== null) problems.push(`party '${c.party}' revealed a secret spec 4.2 refuses: ${weakness}`);
      else if (toHex(commitment(drawId, c.party, secret)) !== party.commitment) {
        problems.push(`party '${c.party}' revealed a secret that does not match its commitment`);
      }
    } else if (c.fallback !== party.fallback) {
      problems.push(`party '${c.party}' fell back to '${c.fallback}', not its declared '${party.fallback}'`);
    }
  }
  for (const name of parties.keys()) if (!seen.has(name)) problems.push(`party '${name}' neither revealed nor defaulted`);
  const needed = new Set(plan.sources.map((s) => s.name));
  for (const c of ceremony.contributions) if (c.fallback !== undefined) needed.add(c.fallback);
  for (const v of ceremony.sources) {
    const source = sources.get(v.name);
    if (source === undefined || !needed.has(v.name)) {
      problems.push(`source '${v.name}' was not announced or not needed`);
      continue;
    }
    needed.delete(v.name);
    if (v.kind !== source.kind) problems.push(`source '${v.name}' is recorded as ${v.kind}, announced as ${source.kind}`);
    const problem = sourceValueProblem(source, v.value);
    if (problem !== null) problems.push(`source '${v.name}': ${problem}`);
  }
  for (const name of needed) problems.push(`source '${name}' has no value`);
  const seed = toHex(
    deriveSeed({ drawId, announcement: ceremony.announcement, contributions: ceremony.contributions, sources: ceremony.sources }),
  );
  if (seed !== ceremony.seed) problems.push('the recorded seed is not the one the reveals and source values give');
  return { seed, problems };
}
