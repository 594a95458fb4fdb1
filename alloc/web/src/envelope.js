// Signed documents (spec 9.1): envelopes in their one canonical byte form,
// Ed25519 signatures over JCS(signed), key ids and the fingerprints people
// compare, trust files and the policy rule. Keys come from a policy the
// person holds or compared by fingerprint, never from the envelope checked.

import { fromHex, toHex } from './bytes.js';
import { SPEC_VERSION, Tag, canonicalBytes, canonicalJson, checkIdentifier, taggedHash } from './canonical.js';
import { ed25519Verify, sha256 } from './crypto.js';
import { InputError, MalformedDocumentError, TrustError } from './errors.js';
import { Fields, parseJson } from './strictjson.js';

/** Roles every trust policy has (spec 9.1). */
export const REQUIRED_ROLES = Object.freeze(['bureau', 'notary']);

const KEY_ID_RE = /^[0-9a-f]{64}$/;
const FINGERPRINT_RE = /^[0-9]{5}(?: [0-9]{5}){7}$/;

/** The key id of a 32-byte Ed25519 public key: lower-case hex SHA-256 (spec 9.1). */
export function keyId(publicKey) {
  return toHex(sha256(publicKey));
}

/**
 * The digits a person compares (spec 9.1): the key id's first 16 bytes as
 * eight big-endian 16-bit numbers of five digits, separated by spaces.
 * @throws {InputError} if keyid is not 64 lower-case hex digits
 */
export function fingerprint(keyid) {
  if (typeof keyid !== 'string' || !KEY_ID_RE.test(keyid)) {
    throw new InputError('Not a key id (64 lower-case hex digits).', { field: 'keyid', value: keyid });
  }
  const groups = [];
  for (let i = 0; i < 32; i += 4) groups.push(String(parseInt(keyid.slice(i, i + 4), 16)).padStart(5, '0'));
  return groups.join(' ');
}

/**
 * A pinned key as typed (spec 9.1): exactly its fingerprint, or its full key id.
 * @returns {string} the fingerprint either way
 * @throws {TrustError} for anything else
 */
export function parsePin(text) {
  if (typeof text === 'string' && FINGERPRINT_RE.test(text) && text.split(' ').every((g) => Number(g) <= 0xffff)) {
    return text;
  }
  if (typeof text === 'string' && KEY_ID_RE.test(text)) return fingerprint(text);
  throw new TrustError('Not a key fingerprint or key id.', {
    field: 'pin',
    value: text,
    hint: 'Give eight groups of five digits separated by single spaces, or the 64-digit key id.',
  });
}

/**
 * Read a signed file, insisting on its one canonical form (spec 9.1, 2.4):
 * JCS(envelope) plus one line break, signatures sorted by key id, no key id twice.
 * @param {Uint8Array|string} file
 * @param {{expectedType?: string, document?: string}} [options]
 * @returns {{signed: object, signatures: {keyid: string, sig: Uint8Array}[]}}
 * @throws {MalformedDocumentError}
 */
export function parseEnvelope(file, { expectedType, document } = {}) {
  const name = document ?? expectedType ?? 'signed document';
  const parsed = parseJson(file, { document: name });
  const fields = Fields.of(parsed, { document: name });
  const signed = fields.object('signed').data;
  const signatures = fields.each('signatures', (item) => {
    const keyid = item.string('keyid');
    if (!KEY_ID_RE.test(keyid)) throw item.error('keyid', 'expected 64 lower-case hexadecimal digits', keyid);
    return { keyid, sig: fromHex(item.hex('sig', 64)) };
  });
  fields.done();
  const ids = signatures.map((s) => s.keyid);
  if (new Set(ids).size !== ids.length) {
    throw new MalformedDocumentError('A key signed twice; a key counts once, so a repeated signature can only be tampering.', {
      source: name,
      field: 'signatures',
    });
  }
  if (ids.some((id, i) => i > 0 && ids[i - 1] > id)) {
    throw new MalformedDocumentError('The signatures are not sorted by key id.', {
      source: name,
      field: 'signatures',
      hint: 'alloc writes them sorted; the file was edited.',
    });
  }
  const text = typeof file === 'string' ? file : new TextDecoder().decode(file);
  let canonical;
  try {
    canonical = canonicalJson(parsed) + '\n';
  } catch (error) {
    throw new MalformedDocumentError(`The signed part is not canonical-JSON safe (${error.problem}).`, { source: name });
  }
  if (canonical !== text) {
    throw new MalformedDocumentError('The file is not in canonical form (RFC 8785 plus one line break).', {
      source: name,
      hint: 'The file was edited or re-encoded after signing.',
    });
  }
  if (expectedType !== undefined && signed.type !== expectedType) {
    throw new MalformedDocumentError(`The document is not a ${expectedType}.`, {
      source: name,
      field: 'signed.type',
      value: signed.type,
    });
  }
  return { signed, signatures };
}

/**
 * Read a trust file strictly (spec 9.1): spec 2, roles with unique names and
 * thresholds, each key's key id and fingerprint the ones its public key gives;
 * a bureau and a notary role, and no key or fingerprint in two roles.
 * @param {Uint8Array|string|object} data the file, or its parsed JSON
 * @returns {{roles: {name: string, threshold: number, keys: {keyid: string, fingerprint: string, public: Uint8Array}[]}[]}}
 * @throws {MalformedDocumentError|TrustError}
 */
export function parseTrust(data, { document = 'trust policy' } = {}) {
  const value = data instanceof Uint8Array || typeof data === 'string' ? parseJson(data, { document }) : data;
  const fields = Fields.of(value, { document });
  const spec = fields.value('spec');
  if (spec !== SPEC_VERSION) {
    throw fields.error('spec', `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
  }
  const roles = fields.each('roles', (item) => {
    const name = item.string('name');
    try {
      checkIdentifier(name, 'role.name');
    } catch (error) {
      throw item.error('name', error.problem, name);
    }
    const keys = item.each('keys', (entry) => {
      const raw = fromHex(entry.hex('public', 32));
      const id = keyId(raw);
      if (entry.string('keyid') !== id) throw entry.error('keyid', 'does not match the public key', entry.data.keyid);
      if (entry.string('fingerprint') !== fingerprint(id)) {
        throw entry.error('fingerprint', 'does not match the public key', entry.data.fingerprint);
      }
      return { keyid: id, fingerprint: fingerprint(id), public: raw };
    });
    const threshold = item.integer('threshold', { minimum: 1, maximum: Math.max(keys.length, 1) });
    if (keys.length === 0) throw item.error('keys', 'a role needs at least one key');
    if (new Set(keys.map((k) => k.keyid)).size !== keys.length) {
      throw item.error('keys', 'a key is listed twice; a key counts once');
    }
    return { name, threshold, keys };
  });
  fields.done();
  const names = roles.map((r) => r.name);
  for (const required of REQUIRED_ROLES) {
    if (!names.includes(required)) {
      throw new TrustError(`A trust policy needs a '${required}' role.`, { source: document, field: 'roles', value: names });
    }
  }
  if (new Set(names).size !== names.length) throw new TrustError('A role is named twice.', { source: document, field: 'roles' });
  const owner = new Map();
  for (const role of roles) {
    for (const key of role.keys) {
      const other = owner.get(key.fingerprint) ?? role.name;
      if (other !== role.name) {
        throw new TrustError(
          `The key with fingerprint ${key.fingerprint} is in both roles '${other}' and '${role.name}': one key would count as two independent signers.`,
          { source: document, field: `role '${role.name}'.keys` },
        );
      }
      owner.set(key.fingerprint, role.name);
    }
  }
  return { roles };
}

/**
 * How each role of a policy signed a document (spec 9.1); never throws.
 * A role is ok when its distinct valid signers reach the threshold and none
 * of its keys has an invalid signature: an invalid signature by a trusted
 * key fails the document.
 * @returns {{roles: {role: string, threshold: number, signers: string[], invalid: string[], ok: boolean}[],
 *   untrusted: string[], ok: boolean}} key ids; untrusted: signers in no role (not counted)
 */
export function evaluatePolicy(envelope, policy) {
  let message;
  try {
    message = canonicalBytes(envelope.signed);
  } catch {
    message = null;
  }
  const trusted = new Set();
  const roles = policy.roles.map((role) => {
    const keys = new Map(role.keys.map((k) => [k.keyid, k.public instanceof Uint8Array ? k.public : fromHex(k.public, { length: 32 })]));
    for (const id of keys.keys()) trusted.add(id);
    const signers = new Set();
    const invalid = new Set();
    for (const s of envelope.signatures) {
      const pub = keys.get(s.keyid);
      if (pub === undefined) continue;
      if (message !== null && ed25519Verify(pub, message, s.sig)) signers.add(s.keyid);
      else invalid.add(s.keyid);
    }
    const threshold = role.threshold ?? 1;
    return {
      role: role.name,
      threshold,
      keys: keys.size,
      signers: [...signers].sort(),
      invalid: [...invalid].sort(),
      valid: signers.size,
      ok: signers.size >= threshold && invalid.size === 0,
    };
  });
  const untrusted = envelope.signatures.map((s) => s.keyid).filter((id) => !trusted.has(id));
  return { roles, untrusted, ok: roles.every((r) => r.ok) };
}

/** The digest of an announcement or transcript (spec 9.1), 32 bytes. */
export function documentDigest(envelope) {
  const tag = { announcement: Tag.ANNOUNCEMENT, transcript: Tag.TRANSCRIPT }[envelope.signed.type];
  if (tag === undefined || typeof envelope.signed.draw_id !== 'string') {
    throw new InputError('The document has no known type or draw id.', { field: 'signed.type' });
  }
  return taggedHash(tag, envelope.signed.draw_id, canonicalBytes(envelope.signed));
}
