// Line-per-child public files (spec section 8): applicant records and results.
// A line is JCS of one object; each line is followed by 0x0A; each line is a
// Merkle leaf tagged_message(tag, draw_id, line).

import { compareCodePoints, fromUtf8, utf8 } from './bytes.js';
import { Tag, canonicalJson, checkIdentifier, taggedMessage } from './canonical.js';
import { merkleRoot } from './merkle.js';
import { InputError } from './errors.js';
import { Fields, parseJson } from './strictjson.js';

const RECORD_KEYS = ['choices', 'facts', 'group', 'identity', 'registration_number', 'tier'];
const FACT_KEYS = ['fact', 'kindergarten'];

/** The record object of one applicant in canonical field order, facts sorted (spec 8.1). */
export function recordObject({ registration_number, choices, facts = [], group = null, identity = null, tier = null }) {
  const sorted = [...facts].sort(
    (a, b) => compareCodePoints(a.fact, b.fact) || compareCodePoints(a.kindergarten, b.kindergarten),
  );
  return {
    choices: [...choices],
    facts: sorted.map((f) => ({ fact: f.fact, kindergarten: f.kindergarten })),
    group,
    identity,
    registration_number,
    tier,
  };
}

/** JCS(record) of one applicant (spec 8.1). */
export function recordLine(record) {
  return canonicalJson(recordObject(record));
}

/** The Merkle leaf of a record line. */
export function recordLeaf(drawId, line) {
  return taggedMessage(Tag.RECORD, drawId, typeof line === 'string' ? utf8(line) : line);
}

/** The Merkle leaf of a result line. */
export function resultLeaf(drawId, line) {
  return taggedMessage(Tag.RESULT, drawId, typeof line === 'string' ? utf8(line) : line);
}

/**
 * Split a line-per-record file into its lines: every line ends in 0x0A.
 * @param {Uint8Array|string} file
 * @returns {string[]}
 * @throws {InputError}
 */
export function splitLines(file, source) {
  const text = typeof file === 'string' ? file : fromUtf8(file, source);
  if (text === '') return [];
  if (!text.endsWith('\n')) {
    throw new InputError('The file does not end with a line break; it may have been cut short.', {
      source,
      hint: 'Every line, the last included, ends in a line break (0x0A).',
    });
  }
  return text.slice(0, -1).split('\n');
}

function lineError(problem, row, hint) {
  return new InputError(problem, { row, source: 'records', hint });
}

function exactKeys(value, keys) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(value, k));
}

function optionalIdentifier(value, field, row) {
  if (value === null) return null;
  try {
    return checkIdentifier(value, field);
  } catch (error) {
    throw lineError(`${error.problem} (field '${field}')`, row);
  }
}

/**
 * Read a records file (spec 8.1): every line canonical, in ascending
 * registration-number order, identities in every record or in none.
 * @param {Uint8Array|string} file the records file
 * @returns {{records: object[], lines: string[]}} records as {registration_number,
 *   choices, facts: [{fact, kindergarten}], group, identity, tier}
 * @throws {InputError} naming the 1-based line at fault
 */
export function parseRecords(file) {
  const lines = splitLines(file, 'records');
  const records = [];
  let previous = null;
  let withIdentity = null;
  for (let i = 0; i < lines.length; i++) {
    const row = i + 1;
    const line = lines[i];
    let data;
    try {
      data = JSON.parse(line);
    } catch (cause) {
      throw lineError('The record line is not JSON.', row);
    }
    if (!exactKeys(data, RECORD_KEYS)) {
      throw lineError(`A record line has exactly the keys ${RECORD_KEYS.join(', ')}.`, row);
    }
    const reg = optionalIdentifier(data.registration_number, 'registration_number', row);
    if (reg === null) throw lineError('The registration number is missing.', row);
    if (!Array.isArray(data.choices)) throw lineError('The choices are not a list.', row);
    const choices = data.choices.map((c) => optionalIdentifier(c, 'choices', row) ?? missing(row));
    if (!Array.isArray(data.facts)) throw lineError('The facts are not a list.', row);
    const facts = data.facts.map((f) => {
      if (!exactKeys(f, FACT_KEYS)) throw lineError('A fact has exactly the keys fact and kindergarten.', row);
      return {
        fact: optionalIdentifier(f.fact, 'facts.fact', row) ?? missing(row),
        kindergarten: optionalIdentifier(f.kindergarten, 'facts.kindergarten', row) ?? missing(row),
      };
    });
    const group = optionalIdentifier(data.group, 'group', row);
    const tier = optionalIdentifier(data.tier, 'tier', row);
    const identity = data.identity;
    if (identity !== null && (typeof identity !== 'string' || !/^[0-9a-f]{64}$/.test(identity))) {
      throw lineError('The identity commitment is not 64 lower-case hex digits.', row);
    }
    if (withIdentity === null) withIdentity = identity !== null;
    else if (withIdentity !== (identity !== null)) {
      throw lineError('Some records carry an identity commitment and some do not.', row);
    }
    const record = { registration_number: reg, choices, facts, group, identity, tier };
    if (recordLine(record) !== line) {
      throw lineError('The record line is not in RFC 8785 canonical form.', row, 'Lines must be exactly as alloc writes them.');
    }
    if (previous !== null && compareCodePoints(reg, previous) <= 0) {
      throw lineError('The records are not in ascending registration-number order.', row);
    }
    previous = reg;
    records.push(record);
  }
  return { records, lines };
}

function missing(row) {
  throw lineError('A value in the record is null where text is required.', row);
}

/** The input root: the Merkle root over record lines (spec 8.1). */
export function recordsRoot(drawId, lines) {
  return merkleRoot(lines.map(utf8), { prefix: recordLeaf(drawId, new Uint8Array(0)) });
}

/** The results root: the Merkle root over result lines (spec 8.2). */
export function resultsRoot(drawId, lines) {
  return merkleRoot(lines.map(utf8), { prefix: resultLeaf(drawId, new Uint8Array(0)) });
}

/** The result line (spec 8.2) of a result object {registration_number, ticket, ...}. */
export function resultLine(result) {
  return canonicalJson(result);
}

const TICKET_RE = /^[0-9a-f]{64}$/;

/**
 * Decode one result line strictly (spec 8.2, 2.4): exactly its keys, each of
 * its type, in canonical form.
 * @returns {object} the result object
 * @throws {MalformedDocumentError|InputError}
 */
export function parseResultLine(line) {
  const document = 'result line';
  const fields = Fields.of(parseJson(line, { document }), { document });
  fields.optionalString('block');
  fields.strings('choice_tickets').forEach((t, i) => {
    if (!TICKET_RE.test(t)) throw fields.error(`choice_tickets[${i}]`, 'expected 64 lower-case hexadecimal digits', t);
  });
  fields.optionalString('moved_from');
  fields.boolean('over_capacity');
  fields.optionalString('phase');
  fields.optionalString('placed');
  fields.string('registration_number');
  fields.hex('ticket', 32);
  fields.each('waitlist', (w) => [w.string('kindergarten'), w.integer('position', { minimum: 1 })]);
  fields.each('wins', (w) => [w.string('block'), w.string('kindergarten'), w.optionalString('phase')]);
  fields.done();
  if (canonicalJson(fields.data) !== (typeof line === 'string' ? line : fromUtf8(line))) {
    throw new InputError('The result line is not in RFC 8785 canonical form.', { source: 'results' });
  }
  return fields.data;
}
