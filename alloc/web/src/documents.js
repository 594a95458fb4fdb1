// The signed parts of announcements and transcripts (spec 9.2, 9.3), read
// strictly (spec 2.4): exactly their keys, each of its type, lists in their
// one order, times in their one form. The envelope itself is canonical
// (parseEnvelope), so what is read here is exactly what was signed.

import { compareCodePoints } from './bytes.js';
import { SPEC_VERSION, checkIdentifier } from './canonical.js';
import { DRAND_CHAINS, MAX_SOURCE_COUNT, MAX_SOURCE_NUMBER } from './seed.js';
import { Fields } from './strictjson.js';

const TIME_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$/;

/**
 * The instant (milliseconds since 1970) of a time in its one form (spec 4.7),
 * or null if the text is not one.
 */
export function parseTime(text) {
  const m = typeof text === 'string' ? TIME_RE.exec(text) : null;
  if (!m) return null;
  const [year, month, day, hour, minute, second, oh, om] = [1, 2, 3, 4, 5, 6, 8, 9].map((i) => Number(m[i]));
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  const real =
    year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60 && oh < 24 && om < 60;
  if (!real) return null;
  return date.getTime() - (m[7] === '-' ? -1 : 1) * (oh * 60 + om) * 60000;
}

function time(fields, key) {
  const text = fields.string(key);
  if (parseTime(text) === null) throw fields.error(key, 'not a time in the form YYYY-MM-DDTHH:MM:SS+08:00', text);
  return text;
}

function identifier(fields, key) {
  const value = fields.string(key);
  try {
    return checkIdentifier(value, key);
  } catch (error) {
    throw fields.error(key, error.problem, value);
  }
}

function sortedNames(fields, key, names, by) {
  for (let i = 1; i < names.length; i++) {
    if (compareCodePoints(names[i - 1], names[i]) >= 0) throw fields.error(key, `not sorted by ${by}, each once`);
  }
}

function readSource(f) {
  const source = { name: identifier(f, 'name'), kind: f.string('kind'), description: f.string('description') };
  const count = () => f.integer('count', { minimum: 1, maximum: MAX_SOURCE_COUNT });
  if (source.kind === 'digits') {
    Object.assign(source, { count: count(), drawn_at: time(f, 'drawn_at') });
  } else if (source.kind === 'numbers') {
    Object.assign(source, {
      count: count(),
      min: f.integer('min', { minimum: 0, maximum: MAX_SOURCE_NUMBER }),
      max: f.integer('max', { minimum: 0, maximum: MAX_SOURCE_NUMBER }),
      ordered: f.boolean('ordered'),
      distinct: f.boolean('distinct'),
      drawn_at: time(f, 'drawn_at'),
    });
    if (source.min >= source.max) throw f.error('max', 'must be above min', source.max);
    if (source.distinct && source.count > source.max - source.min + 1) throw f.error('count', 'that many distinct numbers do not fit', source.count);
  } else if (source.kind === 'drand') {
    const chain = f.object('chain');
    const name = chain.string('name');
    const known = DRAND_CHAINS[name];
    if (known === undefined || !Object.prototype.hasOwnProperty.call(DRAND_CHAINS, name)) {
      throw chain.error('name', 'not a drand chain alloc knows (quicknet or default)', name);
    }
    for (const key of ['hash', 'public_key', 'scheme']) {
      if (chain.string(key) !== known[key]) throw chain.error(key, `not drand ${name}'s published ${key}`, chain.data[key]);
    }
    for (const key of ['genesis_time', 'period']) {
      if (chain.integer(key) !== known[key]) throw chain.error(key, `not drand ${name}'s published ${key}`, chain.data[key]);
    }
    chain.done();
    Object.assign(source, { chain: known, round: f.integer('round', { minimum: 1 }) });
  } else {
    throw f.error('kind', 'unknown source kind (digits, numbers or drand)', source.kind);
  }
  return source;
}

function readPlan(f) {
  const plan = {
    draw_id: identifier(f, 'draw_id'),
    parties: f.each('parties', (p) => ({ name: identifier(p, 'name'), commitment: p.hex('commitment', 32), fallback: identifier(p, 'fallback') })),
    sources: f.each('sources', readSource),
    fallbacks: f.each('fallbacks', readSource),
  };
  sortedNames(f, 'parties', plan.parties.map((p) => p.name), 'party name');
  sortedNames(f, 'sources', plan.sources.map((s) => s.name), 'source name');
  sortedNames(f, 'fallbacks', plan.fallbacks.map((s) => s.name), 'source name');
  const names = [...plan.sources, ...plan.fallbacks].map((s) => s.name);
  if (new Set(names).size !== names.length) throw f.error('fallbacks', 'a source name appears twice');
  const fallbacks = new Set(plan.fallbacks.map((s) => s.name));
  for (const p of plan.parties) {
    if (!fallbacks.has(p.fallback)) throw f.error('parties', `party '${p.name}' names an undeclared fallback`, p.fallback);
  }
  if (plan.sources.length === 0) throw f.error('sources', 'a seed plan needs at least one source that is always read');
  return plan;
}

function readCeremony(f) {
  const ceremony = {
    plan: readPlan(f.object('plan')),
    announcement: f.hex('announcement', 32),
    opened_at: time(f, 'opened_at'),
    contributions: f.each('contributions', (c) => {
      const item = { party: c.string('party') };
      if (c.has('reveal')) item.reveal = c.hex('reveal', 32);
      else item.fallback = c.string('fallback');
      item.at = time(c, 'at');
      return item;
    }),
    sources: f.each('sources', (s) => ({ name: s.string('name'), kind: s.string('kind'), value: s.string('value'), at: time(s, 'at') })),
    seed: f.hex('seed', 32),
  };
  sortedNames(f, 'contributions', ceremony.contributions.map((c) => c.party), 'party');
  sortedNames(f, 'sources', ceremony.sources.map((s) => s.name), 'source name');
  return ceremony;
}

function signedFields(envelope, kind) {
  const fields = Fields.of(envelope.signed, { document: kind, path: '$.signed' });
  const found = fields.value('type');
  if (found !== kind) throw fields.error('type', `not a ${kind}`, found);
  const spec = fields.value('spec');
  if (spec !== SPEC_VERSION) {
    throw fields.error('spec', `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
  }
  return fields;
}

function commitmentOf(fields, key) {
  const part = fields.object(key);
  const out = { root: part.hex('root', 32), count: part.integer('count', { minimum: 0 }) };
  part.done();
  return out;
}

/**
 * The signed part of an announcement, read strictly (spec 9.2).
 * @param {{signed: object}} envelope from parseEnvelope
 * @returns {object} the signed part
 * @throws {MalformedDocumentError} naming the path and the reason
 */
export function readAnnouncement(envelope) {
  const f = signedFields(envelope, 'announcement');
  identifier(f, 'draw_id');
  f.string('title');
  f.string('authority');
  f.hex('rules_digest', 32);
  commitmentOf(f, 'records');
  const plan = readPlan(f.object('seed_plan'));
  const window = f.object('window');
  const times = ['frozen_at', 'reveal_deadline', 'draw_at'].map((k) => parseTime(time(window, k)));
  window.done();
  if (!(times[0] < times[1] && times[1] < times[2])) {
    throw f.error('window', 'the times must satisfy frozen_at < reveal_deadline < draw_at');
  }
  f.boolean('rehearsal');
  f.string('software');
  f.done();
  if (plan.draw_id !== f.data.draw_id) throw f.error('seed_plan', 'the seed plan is for another draw', plan.draw_id);
  return f.data;
}

function readSummary(item) {
  item.string('id');
  item.string('name');
  for (const key of ['seats', 'applicants', 'first_choice', 'placed', 'left_over', 'over_capacity']) item.integer(key, { minimum: 0 });
  item.each('blocks', (b) => {
    b.string('name');
    b.integer('seats', { minimum: 0 });
    b.integer('placed', { minimum: 0 });
  });
  item.integer('waitlist', { minimum: 0 });
}

/**
 * The signed part of a transcript, read strictly (spec 9.3).
 * @returns {object} the signed part
 * @throws {MalformedDocumentError} naming the path and the reason
 */
export function readTranscript(envelope) {
  const f = signedFields(envelope, 'transcript');
  identifier(f, 'draw_id');
  f.hex('announcement', 32);
  f.hex('rules_digest', 32);
  commitmentOf(f, 'records');
  const ceremony = readCeremony(f.object('ceremony'));
  const seed = f.hex('seed', 32);
  if (seed !== ceremony.seed) throw f.error('seed', "differs from its ceremony record's seed", seed);
  commitmentOf(f, 'results');
  f.each('kindergartens', readSummary);
  f.integer('unplaced', { minimum: 0 });
  time(f, 'created');
  // A transcript is always the draw's, round 1 (spec 9.3); a later round has
  // a round transcript of its own (spec 11.7), which this library does not read.
  const round = f.integer('round', { minimum: 1 });
  const previous = f.optionalHex('previous', 32);
  if (round !== 1 || previous !== null) {
    throw f.error(
      round !== 1 ? 'round' : 'previous',
      "a transcript is round 1's, with no previous round (null); a later round is a round transcript of its own (spec 11.7)",
      round !== 1 ? round : previous,
    );
  }
  f.boolean('rehearsal');
  // The operator log's head (spec 9.6), or null for a draw made without one.
  if (f.value('log') !== null) {
    const log = f.object('log');
    log.integer('count', { minimum: 0 });
    log.hex('head', 32);
    log.done();
  }
  f.string('software');
  f.done();
  return f.data;
}

