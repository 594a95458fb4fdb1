// The rules document (spec 9.2), read strictly (spec 2.4) into a frozen
// plain object: an unknown key, a key missing that has no default, a value
// of another type or another spec version is refused; then the rules are
// checked as spec section 7 requires.

import { SPEC_VERSION, Tag, canonicalBytes, checkIdentifier, taggedHash } from './canonical.js';
import { DuplicateError, RulesError } from './errors.js';
import { Fields, parseJson } from './strictjson.js';
import { TIME_ZONES } from './zones.js';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export const OPEN_BLOCK = 'open';
export const MAX_BLOCKS = 8;
export const MAX_CHOICES = 32;

export const Mechanism = Object.freeze({
  INDEPENDENT: 'independent',
  FIRST_CHOICE_FIRST: 'first-choice-first',
  DEFERRED_ACCEPTANCE: 'deferred-acceptance',
});
export const TieBreak = Object.freeze({ SINGLE: 'single', PER_KINDERGARTEN: 'per-kindergarten' });
export const Multiples = Object.freeze({
  SEPARATE: 'separate',
  BUNDLE: 'bundle',
  BUNDLE_OVER_PLAN: 'bundle-over-plan',
  MERGE_AFTER: 'merge-after',
});
/** What a family holding an unconfirmed seat counts as if it does not answer (spec 11.1). */
export const Unanswered = Object.freeze({ DECLINE: 'decline', CONFIRM: 'confirm' });
/** Which seed a second-round draw uses (spec 11.5). */
export const RoundSeed = Object.freeze({ FRESH: 'fresh', SAME: 'same' });

function enumValue(kind, value, field) {
  const allowed = Object.values(kind);
  if (!allowed.includes(value)) {
    throw new RulesError(`The ${field} is unknown.`, {
      field,
      value,
      hint: `Use one of ${allowed.map((v) => `'${v}'`).join(', ')}.`,
    });
  }
  return value;
}

function identifier(value, field) {
  try {
    return checkIdentifier(value, field);
  } catch (error) {
    throw new RulesError(error.problem, { field, value: error.value, hint: error.hint });
  }
}

function displayText(value, field) {
  if (typeof value !== 'string') throw new RulesError('The value must be text.', { field, value });
  const bad = value.match(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
  if (bad) {
    const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new RulesError(`The text contains the control or format character U+${code}.`, {
      field,
      value,
      hint: 'Remove it; it can make the text display differently from what it says.',
    });
  }
  return value;
}

function noDuplicates(values, field) {
  const seen = new Set();
  for (const v of values) {
    if (seen.has(v)) throw new DuplicateError('The value appears twice.', { field, value: v });
    seen.add(v);
  }
}

function readKindergarten(fields) {
  const id = identifier(fields.string('id'), 'kindergarten.id');
  const where = `kindergarten '${id}'`;
  const name = displayText(fields.has('name') ? fields.string('name') : '', `${where}.name`);
  const seats = fields.integer('seats');
  if (seats <= 0) {
    throw new RulesError('The capacity must be a positive integer.', {
      field: `${where}.seats`,
      value: seats,
      hint: 'Give the number of places offered (classes × class size).',
    });
  }
  const blocks = fields.has('blocks')
    ? fields.each('blocks', (b) => {
        const blockName = identifier(b.string('name'), 'block.name');
        const blockSeats = b.integer('seats');
        const fact = identifier(b.string('fact'), 'block.fact');
        if (blockName === OPEN_BLOCK) {
          throw new RulesError(`'${OPEN_BLOCK}' names the unreserved seats and cannot be a block name.`, {
            field: 'block.name',
            value: blockName,
          });
        }
        if (blockSeats < 0) {
          throw new RulesError('Block seats must be a non-negative integer.', {
            field: `block '${blockName}'.seats`,
            value: blockSeats,
          });
        }
        return Object.freeze({ name: blockName, seats: blockSeats, fact });
      })
    : [];
  if (blocks.length > MAX_BLOCKS) {
    throw new RulesError(`A kindergarten has at most ${MAX_BLOCKS} seat blocks.`, {
      field: `${where}.blocks`,
      value: blocks.length,
    });
  }
  noDuplicates(blocks.map((b) => b.name), `${where}.blocks`);
  const reserved = blocks.reduce((sum, b) => sum + b.seats, 0);
  if (reserved > seats) {
    throw new RulesError(`The seat blocks add up to ${reserved}, more than the capacity ${seats}.`, {
      field: `${where}.blocks`,
      hint: 'Reduce the blocks or raise the capacity.',
    });
  }
  return Object.freeze({ id, name, seats, blocks: Object.freeze(blocks), reserved });
}

function readPhase(fields) {
  const name = identifier(fields.string('name'), 'phase.name');
  const where = `phase '${name}'`;
  const identifiers = (key) => {
    if (!fields.has(key) || fields.data[key] === null) {
      if (fields.has(key)) fields.value(key);
      return null;
    }
    return Object.freeze(fields.strings(key).map((v) => identifier(v, `${where}.${key}`)));
  };
  const tiers = identifiers('tiers');
  const blocks = identifiers('blocks');
  const fact = fields.has('fact') ? fields.optionalString('fact') : null;
  if (fact !== null) identifier(fact, `${where}.fact`);
  const choices = fields.has('choices') ? fields.optionalInteger('choices') : null;
  if (choices !== null && choices < 1) {
    throw new RulesError('The value must be a positive integer.', { field: `${where}.choices`, value: choices });
  }
  return Object.freeze({ name, tiers, fact, blocks, choices });
}

/**
 * Read a rules document strictly (spec 9.2, 2.4) and check the rules as
 * alloc.model.DrawRules does. Fields left out take their defaults.
 * @param {object|string|Uint8Array} data the document, parsed or as text or bytes
 * @throws {MalformedDocumentError} naming the key path, for an unknown or missing key,
 *   a wrong type or another spec version
 * @throws {RulesError} naming the field, for a value the rules do not allow
 */
export function parseRules(data, { document = 'rules' } = {}) {
  const value = typeof data === 'string' || data instanceof Uint8Array ? parseJson(data, { document }) : data;
  const fields = Fields.of(value, { document });
  const spec = fields.value('spec');
  if (spec !== SPEC_VERSION) {
    throw fields.error('spec', `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
  }
  const text = (key, fallback) => (fields.has(key) ? fields.string(key) : fallback);
  const drawId = identifier(fields.string('draw_id'), 'draw_id');
  const timeZone = text('time_zone', DEFAULT_TIME_ZONE);
  if (!TIME_ZONES.has(timeZone)) {
    throw new RulesError('The value is not an IANA time zone name.', {
      field: 'time_zone',
      value: timeZone,
      hint: `Use a name such as '${DEFAULT_TIME_ZONE}' (Area/City, as in the tz database).`,
    });
  }
  const rules = {
    draw_id: drawId,
    title: displayText(text('title', ''), 'title'),
    authority: displayText(text('authority', ''), 'authority'),
    time_zone: timeZone,
    mechanism: enumValue(Mechanism, text('mechanism', Mechanism.DEFERRED_ACCEPTANCE), 'mechanism'),
    tie_break: enumValue(TieBreak, text('tie_break', TieBreak.SINGLE), 'tie_break'),
    tiers: Object.freeze(fields.has('tiers') ? fields.strings('tiers').map((t) => identifier(t, 'tiers')) : []),
    multiples: enumValue(Multiples, text('multiples', Multiples.SEPARATE), 'multiples'),
    merge_over_capacity: fields.has('merge_over_capacity') ? fields.boolean('merge_over_capacity') : false,
    waitlist_length: fields.has('waitlist_length') ? fields.integer('waitlist_length') : 0,
    min_lottery_percent: fields.has('min_lottery_percent') ? fields.integer('min_lottery_percent') : 0,
    phases: Object.freeze(fields.has('phases') ? fields.each('phases', readPhase) : []),
    kindergartens: Object.freeze(fields.each('kindergartens', readKindergarten)),
    unanswered: enumValue(Unanswered, text('unanswered', Unanswered.DECLINE), 'unanswered'),
    round_seed: enumValue(RoundSeed, text('round_seed', RoundSeed.FRESH), 'round_seed'),
  };
  fields.done();
  for (const key of ['waitlist_length', 'min_lottery_percent']) {
    if (rules[key] < 0) throw new RulesError('The value must be a non-negative integer.', { field: key, value: rules[key] });
  }
  if (rules.kindergartens.length === 0) {
    throw new RulesError('The rules list no kindergartens.', {
      field: 'kindergartens',
      hint: 'List at least one kindergarten.',
    });
  }
  noDuplicates(rules.kindergartens.map((k) => k.id), 'kindergartens.id');
  noDuplicates(rules.tiers, 'tiers');
  if (rules.min_lottery_percent > 100) {
    throw new RulesError('The value must be at most 100.', {
      field: 'min_lottery_percent',
      value: rules.min_lottery_percent,
    });
  }
  for (const kg of rules.kindergartens) {
    if (kg.reserved * 100 > kg.seats * (100 - rules.min_lottery_percent)) {
      throw new RulesError(
        `The blocks reserve ${kg.reserved} of ${kg.seats} seats, leaving less than ${rules.min_lottery_percent}% to the open lottery.`,
        { field: `kindergarten '${kg.id}'.blocks`, hint: 'Shrink the blocks or lower min_lottery_percent.' },
      );
    }
  }
  if (rules.multiples === Multiples.MERGE_AFTER && rules.mechanism === Mechanism.INDEPENDENT) {
    throw new RulesError(
      'merge-after needs one placement per child; the independent lottery lets parents choose among several wins instead.',
      { field: 'multiples', value: rules.multiples, hint: 'Use separate, bundle or bundle-over-plan.' },
    );
  }
  const blockNames = new Set(rules.kindergartens.flatMap((k) => k.blocks.map((b) => b.name)));
  noDuplicates(rules.phases.map((p) => p.name), 'phases.name');
  for (const phase of rules.phases) {
    for (const tier of phase.tiers ?? []) {
      if (!rules.tiers.includes(tier)) {
        throw new RulesError('The phase names a tier not declared in the rules.', {
          field: `phase '${phase.name}'.tiers`,
          value: tier,
        });
      }
    }
    for (const block of phase.blocks ?? []) {
      if (!blockNames.has(block)) {
        throw new RulesError('The phase names a seat block no kindergarten has.', {
          field: `phase '${phase.name}'.blocks`,
          value: block,
        });
      }
    }
  }
  return Object.freeze(rules);
}

/** The complete rules document, every default filled in (what the rules digest covers, spec 9.2). */
export function rulesJson(rules) {
  return {
    spec: SPEC_VERSION,
    draw_id: rules.draw_id,
    title: rules.title,
    authority: rules.authority,
    time_zone: rules.time_zone,
    mechanism: rules.mechanism,
    tie_break: rules.tie_break,
    tiers: [...rules.tiers],
    multiples: rules.multiples,
    merge_over_capacity: rules.merge_over_capacity,
    waitlist_length: rules.waitlist_length,
    min_lottery_percent: rules.min_lottery_percent,
    phases: rules.phases.map((p) => ({
      name: p.name,
      tiers: p.tiers === null ? null : [...p.tiers],
      fact: p.fact,
      blocks: p.blocks === null ? null : [...p.blocks],
      choices: p.choices,
    })),
    kindergartens: rules.kindergartens.map((k) => ({
      id: k.id,
      name: k.name,
      seats: k.seats,
      blocks: k.blocks.map((b) => ({ name: b.name, seats: b.seats, fact: b.fact })),
    })),
    unanswered: rules.unanswered,
    round_seed: rules.round_seed,
  };
}

/** SHA-256(tagged_message("alloc/v1/rules", draw_id, JCS(rules))) (spec 9.2). */
export function rulesDigest(rules) {
  return taggedHash(Tag.RULES, rules.draw_id, canonicalBytes(rulesJson(rules)));
}
