// The public lookup index (spec 10.7, 10.8): a child's entry is named and
// sealed with keys only the receipt salt, the registration number and the
// child's number and name give. HKDF-SHA256 and AES-256-GCM come from the
// vendored @noble packages, so a page without crypto.subtle (plain http)
// can read the index too.

import { fromHex, toHex, utf8, fromUtf8 } from './bytes.js';
import { SPEC_VERSION, Tag, checkIdentifier, taggedMessage } from './canonical.js';
import { aesGcmOpen, aesGcmSeal, hkdfSha256 } from './crypto.js';
import { MalformedDocumentError, InputError } from './errors.js';
import { DocumentType, normaliseDocumentNumber, normaliseName, SALT_SIZE } from './identity.js';
import { Fields, parseJson } from './strictjson.js';

export const LOOKUP_INDEX_FILE = 'index.json';
export const MAX_SHARD_DIGITS = 4;
const NONCE = new Uint8Array(12);

/**
 * The input keying material of a child's entry (spec 10.7): the tagged
 * message over the normalised number and name and the raw salt.
 * @throws {InputError} naming the field at fault
 */
export function lookupEntryIkm({ drawId, registrationNumber, documentType, documentNumber, name, salt }) {
  if (documentType !== DocumentType.RESIDENT_ID && documentType !== DocumentType.PASSPORT) {
    throw new InputError('The document type is unknown.', { field: 'document_type', value: documentType });
  }
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
    throw new InputError(`A salt must be exactly ${SALT_SIZE} bytes.`, { field: 'salt' });
  }
  return taggedMessage(
    Tag.LOOKUP_ENTRY,
    checkIdentifier(drawId, 'draw_id'),
    checkIdentifier(registrationNumber, 'registration_number'),
    documentType,
    normaliseDocumentNumber(documentType, documentNumber),
    normaliseName(name),
    salt,
  );
}

/**
 * A child's entry id (16 bytes) and AES key (32 bytes) under the transcript digest (spec 10.7).
 * @param {object} fields as lookupEntryIkm, and transcriptDigest (32 bytes)
 * @returns {{ikm: Uint8Array, entryId: string, key: Uint8Array}} entryId as lower-case hex
 */
export function lookupEntryKeys({ transcriptDigest, ...fields }) {
  if (!(transcriptDigest instanceof Uint8Array) || transcriptDigest.length !== 32) {
    throw new InputError('The transcript digest must be 32 bytes.', { field: 'transcript' });
  }
  const ikm = lookupEntryIkm(fields);
  return {
    ikm,
    entryId: toHex(hkdfSha256(ikm, transcriptDigest, utf8(Tag.LOOKUP_ENTRY_ID), 16)),
    key: hkdfSha256(ikm, transcriptDigest, utf8(Tag.LOOKUP_ENTRY_KEY), 32),
  };
}

/** Seal an answer (its canonical JSON) for an entry: what `alloc publish` writes (spec 10.8). */
export function sealLookupEntry(keys, plaintext) {
  return toHex(aesGcmSeal(keys.key, NONCE, typeof plaintext === 'string' ? utf8(plaintext) : plaintext, utf8(keys.entryId)));
}

function readHead(fields, type) {
  if (fields.string('type') !== type) throw fields.error('type', `expected '${type}'`, fields.data.type);
  const spec = fields.value('spec');
  if (spec !== SPEC_VERSION) throw fields.error('spec', `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
  return { drawId: fields.string('draw_id'), transcript: fields.hex('transcript', 32) };
}

/**
 * Read the index header index.json strictly.
 * @returns {{drawId: string, transcript: string, count: number, digits: number}}
 * @throws {MalformedDocumentError}
 */
export function parseLookupHeader(data) {
  const document = 'lookup index';
  const fields = Fields.of(parseJson(data, { document }), { document });
  const head = readHead(fields, 'lookup-index');
  const header = {
    ...head,
    count: fields.integer('count', { minimum: 0 }),
    digits: fields.integer('shard_digits', { minimum: 1, maximum: MAX_SHARD_DIGITS }),
  };
  fields.done();
  return header;
}

/**
 * Read one shard strictly; it must name the header's draw and transcript and its own prefix.
 * @returns {Map<string, string>} entry id to sealed hex
 * @throws {MalformedDocumentError}
 */
export function parseLookupShard(data, header, prefix) {
  const document = `lookup index shard ${prefix}.json`;
  const fields = Fields.of(parseJson(data, { document }), { document });
  const head = readHead(fields, 'lookup-shard');
  if (head.drawId !== header.drawId) throw fields.error('draw_id', 'the shard is for another draw than its index');
  if (head.transcript !== header.transcript) throw fields.error('transcript', 'the shard is for another transcript than its index');
  if (fields.string('prefix') !== prefix) throw fields.error('prefix', `expected '${prefix}'`, fields.data.prefix);
  const entries = fields.object('entries');
  const out = new Map();
  for (const id of Object.keys(entries.data)) {
    const sealed = entries.string(id);
    if (!/^[0-9a-f]{32}$/.test(id) || !id.startsWith(prefix)) throw entries.error(id, 'not an entry id of this shard');
    if (sealed.length % 2 || !/^[0-9a-f]*$/.test(sealed)) throw entries.error(id, 'expected lower-case hexadecimal');
    out.set(id, sealed);
  }
  entries.done();
  fields.done();
  return out;
}

/**
 * Open a sealed entry with its keys.
 * @returns {{registration_number: string, masked_name: string, masked_document_number: string, result: object}}
 * @throws {MalformedDocumentError} if it does not decrypt (the file was altered) or is malformed
 */
export function openLookupEntry(sealed, keys) {
  const plain = aesGcmOpen(keys.key, NONCE, fromHex(sealed, { field: 'entry' }), utf8(keys.entryId));
  if (plain === null) {
    throw new MalformedDocumentError(
      "This child's entry in the lookup index does not decrypt: the index file is damaged or was altered.",
      { source: 'lookup index', hint: 'Download the index again; check the result against the signed files.' },
    );
  }
  const document = 'lookup index entry';
  const fields = Fields.of(parseJson(fromUtf8(plain), { document }), { document });
  const answer = {
    registration_number: fields.string('registration_number'),
    masked_name: fields.string('masked_name'),
    masked_document_number: fields.string('masked_document_number'),
    result: fields.object('result').data,
  };
  fields.done();
  return answer;
}

/**
 * Look a child up in the public index as a browser does (spec 10.8).
 * @param {(name: string) => Promise<Uint8Array|string>} read reads index.json or a shard
 * @param {object} query {registrationNumber, salt (16 bytes), documentType, documentNumber, name}
 * @param {{transcriptDigest?: Uint8Array}} [options] a verified transcript's digest the index must name
 * @returns {Promise<object|null>} the answer, or null for "not found" (every kind of miss)
 */
export async function publicLookup(read, query, { transcriptDigest } = {}) {
  const header = parseLookupHeader(await read(LOOKUP_INDEX_FILE));
  if (transcriptDigest !== undefined && toHex(transcriptDigest) !== header.transcript) {
    throw new MalformedDocumentError('The lookup index was made for another transcript than the one given.', {
      source: 'lookup index',
    });
  }
  const keys = lookupEntryKeys({ ...query, drawId: header.drawId, transcriptDigest: fromHex(header.transcript) });
  const prefix = keys.entryId.slice(0, header.digits);
  const entries = parseLookupShard(await read(`${prefix}.json`), header, prefix);
  const sealed = entries.get(keys.entryId);
  if (sealed === undefined) return null;
  const answer = openLookupEntry(sealed, keys);
  if (answer.registration_number !== query.registrationNumber) {
    throw new MalformedDocumentError('A lookup index entry names another registration number than its receipt.', {
      source: 'lookup index',
    });
  }
  return answer;
}
