// Canonical bytes: RFC 8785 JSON for alloc's value set, identifiers (spec
// 2.1) and tagged messages (spec 2.3). Mirrors alloc/canonical.py.

import { PYTHON_SPACE, codePointLength, concatBytes, utf8 } from './bytes.js';
import { sha256 } from './crypto.js';
import { InputError } from './errors.js';

export const SPEC_VERSION = 2;
export const MAX_IDENTIFIER_LENGTH = 128;

/** Domain-separation tags (spec section 3). */
export const Tag = Object.freeze({
  COMMITMENT: 'alloc/v1/commitment',
  SEED: 'alloc/v1/seed',
  TICKET: 'alloc/v1/ticket',
  TICKET_KINDERGARTEN: 'alloc/v1/ticket-kindergarten',
  TICKET_GROUP: 'alloc/v1/ticket-group',
  TICKET_GROUP_KINDERGARTEN: 'alloc/v1/ticket-group-kindergarten',
  RECORD: 'alloc/v1/record',
  RESULT: 'alloc/v1/result',
  RULES: 'alloc/v1/rules',
  ANNOUNCEMENT: 'alloc/v1/announcement',
  TRANSCRIPT: 'alloc/v1/transcript',
  IDENTITY: 'alloc/v1/identity',
  LOOKUP_ENTRY: 'alloc/v1/lookup-entry',
  LOOKUP_ENTRY_ID: 'alloc/v1/lookup-entry-id',
  LOOKUP_ENTRY_KEY: 'alloc/v1/lookup-entry-key',
  PROOF_FILE: 'alloc/v1/proof-file',
});

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2**53 - 1, the I-JSON range

/**
 * RFC 8785 (JCS) text of a value made of strings, safe integers, booleans,
 * null, arrays and plain objects. Floats and other types are refused, as
 * alloc documents never hold them.
 * @throws {InputError} naming the JSON path of the value at fault
 */
export function canonicalJson(value) {
  return serialise(value, '$');
}

/** canonicalJson as UTF-8 bytes. */
export function canonicalBytes(value) {
  return utf8(canonicalJson(value));
}

function serialise(value, path) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      if (/\p{Cs}/u.test(value)) {
        throw new InputError('The text holds a lone surrogate and is not valid Unicode.', { field: path });
      }
      // ECMAScript's string serialisation is RFC 8785's (section 3.2.2.2).
      return JSON.stringify(value);
    case 'number':
      if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
        throw new InputError('Only integers within ±(2**53-1) may appear in a canonical document.', {
          field: path,
          value,
          hint: 'Encode large or fractional numbers as strings.',
        });
      }
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (Array.isArray(value)) {
        return '[' + value.map((item, i) => serialise(item, `${path}[${i}]`)).join(',') + ']';
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) break;
      // Keys in UTF-16 code unit order (RFC 8785 section 3.2.3): JavaScript's default sort.
      const keys = Object.keys(value).sort();
      const items = keys.map((k) => {
        if (/\p{Cs}/u.test(k)) {
          throw new InputError('An object key holds a lone surrogate.', { field: path });
        }
        return JSON.stringify(k) + ':' + serialise(value[k], `${path}.${k}`);
      });
      return '{' + items.join(',') + '}';
    }
    default:
      break;
  }
  throw new InputError(`A value of type ${typeof value} is not allowed in a canonical document.`, {
    field: path,
    hint: 'Use strings, integers, booleans, null, arrays and objects.',
  });
}

// General categories an identifier must not contain (spec 2.1).
const FORBIDDEN_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
const PRINTABLE_ASCII_RE = /^[\x20-\x7e]+$/;
// Python's str.strip() removes the characters for which str.isspace() is
// true; those are the Unicode White_Space characters plus U+001C..U+001F
// (controls, refused anyway).
const EDGE_SPACE_RE = new RegExp(`^[${PYTHON_SPACE}]|[${PYTHON_SPACE}]$`, 'u');

/**
 * Check an identifier (spec 2.1): non-empty, at most 128 code points, NFC,
 * no surrounding white space, no character of category Cc, Cf, Cs, Zl, Zp.
 * @returns {string} the identifier
 * @throws {InputError} naming the field
 */
export function checkIdentifier(value, field) {
  if (typeof value !== 'string') {
    throw new InputError('The value must be text.', { field, value });
  }
  if (
    PRINTABLE_ASCII_RE.test(value) &&
    value.length <= MAX_IDENTIFIER_LENGTH &&
    value[0] !== ' ' &&
    value[value.length - 1] !== ' '
  ) {
    return value;
  }
  if (!value) throw new InputError('The value must not be empty.', { field, value });
  if (/\p{Cs}/u.test(value)) {
    throw new InputError('The text is not valid Unicode (a lone surrogate).', { field });
  }
  if (codePointLength(value) > MAX_IDENTIFIER_LENGTH) {
    throw new InputError(`The value is longer than ${MAX_IDENTIFIER_LENGTH} characters.`, { field, value });
  }
  if (EDGE_SPACE_RE.test(value)) {
    throw new InputError('The value has leading or trailing white space.', { field, value, hint: 'Strip it.' });
  }
  const bad = value.match(FORBIDDEN_RE);
  if (bad) {
    const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new InputError(`The value contains the control or format character U+${code}.`, { field, value });
  }
  if (value.normalize('NFC') !== value) {
    throw new InputError('The value is not in Unicode NFC form.', {
      field,
      value,
      hint: 'Normalise it with NFC before use.',
    });
  }
  return value;
}

/**
 * tag || 0x00 || f1 || 0x00 || ... || fn (spec 2.3): text fields as UTF-8,
 * a Uint8Array field as its raw bytes.
 */
export function taggedMessage(tag, ...fields) {
  const parts = [utf8(tag)];
  const zero = new Uint8Array(1);
  for (const f of fields) {
    parts.push(zero, typeof f === 'string' ? utf8(f) : f);
  }
  return concatBytes(...parts);
}

/** SHA-256 of taggedMessage. */
export function taggedHash(tag, ...fields) {
  return sha256(taggedMessage(tag, ...fields));
}
