// Bytes, text and hex: the conversions every other module uses.

import { InputError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return encoder.encode(text);
}

/**
 * Text from UTF-8 bytes; a byte-order mark is kept (so it fails later checks).
 * @throws {InputError} if the bytes are not valid UTF-8
 */
export function fromUtf8(bytes, field = 'text') {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new InputError('The bytes are not valid UTF-8.', { field, hint: 'Use the file exactly as published.' });
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
export function toHex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/**
 * Bytes of lower-case hex (the only form alloc documents use).
 * @param {string} text
 * @param {{field?: string, length?: number}} [options] length: the exact byte count required
 * @throws {InputError} if the text is not lower-case hex of the required length
 */
export function fromHex(text, { field = 'hex', length } = {}) {
  if (typeof text !== 'string' || !HEX_RE.test(text)) {
    throw new InputError('The value is not lower-case hexadecimal.', {
      field,
      hint: 'Write bytes as pairs of the digits 0-9 and a-f.',
    });
  }
  if (length !== undefined && text.length !== 2 * length) {
    throw new InputError(`The value must be ${length} bytes (${2 * length} hex digits), not ${text.length / 2}.`, {
      field,
    });
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

/** The concatenation of byte arrays. */
export function concatBytes(...parts) {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True if two byte arrays are equal (not constant-time: everything compared here is public). */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compare two strings by Unicode code point (spec section 1), which is also
 * UTF-8 byte order. JavaScript's own `<` compares UTF-16 code units, which
 * puts U+E000..U+FFFF after the supplementary planes.
 */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) stand for code points above FFFF: lift them
      // above E000-FFFF, keeping both groups' own order.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** The number of code points of a string (what Python's len() counts). */
export function codePointLength(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True if the string holds a lone surrogate (not encodable as UTF-8). */
export function hasLoneSurrogate(text) {
  return /\p{Cs}/u.test(text);
}

/**
 * A regular-expression class body of the characters Python's str.isspace()
 * accepts: Unicode White_Space plus the controls U+001C..U+001F. (JavaScript's
 * \s differs: it has U+FEFF and lacks U+0085 and U+001C..U+001F.)
 */
export const PYTHON_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
