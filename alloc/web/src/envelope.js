// Signed documents (spec 9.1): envelopes in their one canonical byte form,
// Ed25519 signatures over JCS(signed), trust policies with thresholds, and
// document digests. Keys come from a policy the person holds, never from the
// envelope being checked.

import { fromHex, fromUtf8, toHex } from './bytes.js';
import { Tag, canonicalBytes, canonicalJson, taggedHash } from './canonical.js';
import { ed25519Verify, sha256 } from './crypto.js';
import { InputError } from './errors.js';

/** The key id of a 32-byte Ed25519 public key: lower-case hex SHA-256 (spec 9.1). */
export function keyId(publicKey) {
  return toHex(sha256(publicKey));
}

function malformed(problem, hint) {
  return new InputError(problem, { source: 'signed document', hint });
}

/**
 * Read a signed file, insisting on its one canonical form: JCS(envelope)
 * plus one line break, signatures sorted by key id, no key id twice.
 * @param {Uint8Array|string} file
 * @param {{expectedType?: string}} [options]
 * @returns {{signed: object, signatures: {keyid: string, sig: Uint8Array}[]}}
 * @throws {InputError}
 */
export function parseEnvelope(file, { expectedType } = {}) {
  const text = typeof file === 'string' ? file : fromUtf8(file, 'signed document');
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed('The signed document is not valid JSON.', 'The file is damaged or was edited.');
  }
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(parsed) || Object.keys(parsed).sort().join() !== 'signatures,signed') {
    throw malformed('The file is not a signed envelope.', 'Expected {"signed": ..., "signatures": [...]}.');
  }
  const { signed, signatures } = parsed;
  if (!isObject(signed) || !Array.isArray(signatures)) throw malformed('The file is not a signed envelope.');
  const entries = signatures.map((item) => {
    if (!isObject(item) || Object.keys(item).sort().join() !== 'keyid,sig' || typeof item.keyid !== 'string') {
      throw malformed('A signature entry is malformed.');
    }
    return { keyid: item.keyid, sig: fromHex(item.sig, { field: 'sig' }) };
  });
  const ids = entries.map((e) => e.keyid);
  if (new Set(ids).size !== ids.length) {
    throw malformed('A key signed twice; a key counts once, so a repeated signature can only be tampering.');
  }
  if (ids.some((id, i) => i > 0 && ids[i - 1] > id)) {
    throw malformed('The signatures are not sorted by key id.', 'alloc writes them sorted; the file was edited.');
  }
  if (canonicalJson(parsed) + '\n' !== text) {
    throw malformed('The file is not in canonical form (RFC 8785 plus one line break).', 'The file was edited or re-encoded after signing.');
  }
  if (expectedType !== undefined && signed.type !== expectedType) {
    throw malformed(`The document is not a ${expectedType}.`);
  }
  return { signed, signatures: entries };
}

/**
 * Count valid signatures per role of a trust policy {roles: [{name, threshold,
 * keys: [{keyid, public}]}]}. Never throws for bad signatures.
 * @returns {{role: string, valid: number, threshold: number, keys: number, invalid: string[], ok: boolean}[]}
 * @throws {InputError} if the policy itself is malformed (a key id not matching its key)
 */
export function evaluatePolicy(envelope, policy) {
  const message = canonicalBytes(envelope.signed);
  return policy.roles.map((role) => {
    const trusted = new Map();
    for (const entry of role.keys) {
      const pub = fromHex(entry.public, { field: 'public', length: 32 });
      const id = keyId(pub);
      if (entry.keyid !== undefined && entry.keyid !== id) {
        throw new InputError('The key id does not match the public key.', { field: 'keyid', value: entry.keyid });
      }
      trusted.set(id, pub);
    }
    const valid = new Set();
    const invalid = [];
    for (const s of envelope.signatures) {
      const pub = trusted.get(s.keyid);
      if (pub === undefined) continue;
      if (ed25519Verify(pub, message, s.sig)) valid.add(s.keyid);
      else invalid.push(s.keyid);
    }
    const threshold = role.threshold ?? 1;
    return { role: role.name, valid: valid.size, threshold, keys: trusted.size, invalid, ok: valid.size >= threshold };
  });
}

/** The digest of an announcement or transcript (spec 9.1), 32 bytes. */
export function documentDigest(envelope) {
  const tag = { announcement: Tag.ANNOUNCEMENT, transcript: Tag.TRANSCRIPT }[envelope.signed.type];
  if (tag === undefined || typeof envelope.signed.draw_id !== 'string') {
    throw new InputError('The document has no known type or draw id.', { field: 'signed.type' });
  }
  return taggedHash(tag, envelope.signed.draw_id, canonicalBytes(envelope.signed));
}
