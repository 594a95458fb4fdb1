// One strict reader for the JSON documents alloc reads (spec 2.4): bytes
// that are UTF-8 without a byte-order mark; RFC 8259 JSON without fractions,
// exponents, NaN or Infinity; integers within ±(2^53 − 1); no key twice in an
// object; at most 32 levels of nesting. JSON.parse keeps the last of two
// equal keys and reads 1.0 as 1, so it is not used for documents.
//
// Fields then reads one object key by key and, on done(), refuses every key
// it never read, naming the document and the path ($.roles[0].threshold).

import { fromUtf8 } from './bytes.js';
import { MalformedDocumentError } from './errors.js';

export const MAX_DEPTH = 32;
export const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

function refuse(document, where, problem, value) {
  return new MalformedDocumentError(problem, { source: document, field: where, value });
}

/**
 * Parse one JSON text strictly.
 * @param {Uint8Array|string} data
 * @param {{document: string}} options document names the text in errors
 * @throws {MalformedDocumentError} naming the document and the reason
 */
export function parseJson(data, { document }) {
  let text = data;
  if (typeof data !== 'string') {
    try {
      text = fromUtf8(data);
    } catch {
      throw refuse(document, '$', 'not UTF-8 text');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) throw refuse(document, '$', 'starts with a byte-order mark (BOM)');
  let at = 0;
  const fail = (problem) => refuse(document, '$', `not valid JSON (${problem} at character ${at + 1})`);
  const space = () => {
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) at++;
      else return;
    }
  };
  const literal = (word, value) => {
    if (text.startsWith(word, at)) {
      at += word.length;
      return value;
    }
    if (/^(?:-?Infinity|NaN)/.test(text.slice(at, at + 9))) throw refuse(document, '$', 'not a JSON value', text.slice(at, at + 9).match(/^-?\w+/)[0]);
    throw fail('unexpected character');
  };
  const string = () => {
    at++; // the opening quote
    let out = '';
    let start = at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (Number.isNaN(c)) throw fail('unterminated string');
      if (c === 0x22) {
        out += text.slice(start, at);
        at++;
        return out;
      }
      if (c < 0x20) throw fail('control character in a string');
      if (c === 0x5c) {
        out += text.slice(start, at);
        const e = text[at + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
        if (simple !== undefined) {
          out += simple;
          at += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else {
          throw fail('bad escape');
        }
        start = at;
      } else {
        at++;
      }
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(at, at + 400));
    if (!match) throw fail('bad number');
    at += match[0].length;
    if (match[1] !== undefined || match[2] !== undefined) {
      throw refuse(document, '$', 'number with a fraction or exponent (alloc has none)', match[0]);
    }
    const value = Number(match[0]);
    if (Math.abs(value) > MAX_INTEGER) throw refuse(document, '$', 'integer outside ±(2^53 − 1)', match[0]);
    return value === 0 ? 0 : value;
  };
  const value = (depth) => {
    space();
    const c = text[at];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) throw refuse(document, '$', `nested deeper than ${MAX_DEPTH} levels`);
      at++;
      space();
      if (c === '[') {
        const items = [];
        if (text[at] === ']') {
          at++;
          return items;
        }
        for (;;) {
          items.push(value(depth + 1));
          space();
          if (text[at] === ',') at++;
          else if (text[at] === ']') {
            at++;
            return items;
          } else throw fail('expected , or ]');
        }
      }
      const object = {};
      if (text[at] === '}') {
        at++;
        return object;
      }
      for (;;) {
        space();
        if (text[at] !== '"') throw fail('expected a key');
        const key = string();
        if (Object.prototype.hasOwnProperty.call(object, key)) throw refuse(document, '$', 'duplicate key', key);
        space();
        if (text[at] !== ':') throw fail('expected :');
        at++;
        const item = value(depth + 1);
        // defineProperty: a key "__proto__" is data, never the prototype.
        Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return object;
        } else throw fail('expected , or }');
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === undefined) throw fail('unexpected end');
    return literal('\u0000', null); // names NaN and Infinity, refuses the rest
  };
  const result = value(0);
  space();
  if (at !== text.length) throw fail('extra text after the value');
  return result;
}

function typeName(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'true/false';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'integer';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

const HEX_RE = /^[0-9a-f]*$/;

/** Reads one JSON object key by key; done() refuses the keys never read. */
export class Fields {
  constructor(data, { document, path = '$' }) {
    this.data = data;
    this.document = document;
    this.path = path;
    this.read = new Set();
  }

  /** @throws {MalformedDocumentError} if value is not an object */
  static of(value, { document, path = '$' }) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw refuse(document, path, `expected an object, found ${typeName(value)}`);
    }
    return new Fields(value, { document, path });
  }

  /** An error located at key of this object. */
  error(key, problem, value) {
    return refuse(this.document, `${this.path}.${key}`, problem, value);
  }

  has(key) {
    return Object.prototype.hasOwnProperty.call(this.data, key);
  }

  value(key) {
    if (!this.has(key)) throw this.error(key, 'missing key');
    this.read.add(key);
    return this.data[key];
  }

  typed(key, type, expected) {
    const value = this.value(key);
    if (typeName(value) !== type) throw this.error(key, `expected ${expected}, found ${typeName(value)}`);
    return value;
  }

  string(key) {
    return this.typed(key, 'text', 'text');
  }

  optionalString(key) {
    if (this.has(key) && this.data[key] === null) return this.value(key);
    return this.string(key);
  }

  integer(key, { minimum, maximum } = {}) {
    const value = this.typed(key, 'integer', 'an integer');
    if (minimum !== undefined && value < minimum) throw this.error(key, `must be at least ${minimum}`, value);
    if (maximum !== undefined && value > maximum) throw this.error(key, `must be at most ${maximum}`, value);
    return value;
  }

  optionalInteger(key, bounds) {
    if (this.has(key) && this.data[key] === null) return this.value(key);
    return this.integer(key, bounds);
  }

  boolean(key) {
    return this.typed(key, 'true/false', 'true or false');
  }

  array(key) {
    return this.typed(key, 'array', 'an array');
  }

  strings(key) {
    const values = this.array(key);
    values.forEach((item, i) => {
      if (typeof item !== 'string') throw this.error(`${key}[${i}]`, `expected text, found ${typeName(item)}`);
    });
    return values;
  }

  /** Lower-case hex of exactly size bytes, as text (the one accepted form). */
  hex(key, size) {
    const value = this.string(key);
    if (value.length !== 2 * size || !HEX_RE.test(value)) {
      throw this.error(key, `expected ${2 * size} lower-case hexadecimal digits`, value);
    }
    return value;
  }

  optionalHex(key, size) {
    if (this.has(key) && this.data[key] === null) return this.value(key);
    return this.hex(key, size);
  }

  object(key) {
    return Fields.of(this.value(key), { document: this.document, path: `${this.path}.${key}` });
  }

  objects(key) {
    return this.array(key).map((item, i) =>
      Fields.of(item, { document: this.document, path: `${this.path}.${key}[${i}]` }),
    );
  }

  /** Read every object of an array with read(fields), refusing unknown keys in each. */
  each(key, read) {
    return this.objects(key).map((item) => {
      const out = read(item);
      item.done();
      return out;
    });
  }

  /** @throws {MalformedDocumentError} naming the first key never read */
  done() {
    const unknown = Object.keys(this.data)
      .filter((k) => !this.read.has(k))
      .sort();
    if (unknown.length) throw this.error(unknown[0], 'unknown key (not in the specification)');
  }
}
