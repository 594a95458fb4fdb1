// The rules document (spec 9.2), read as alloc.model.DrawRules.from_json
// reads it, with the same checks, into a frozen plain object.

import { Tag, canonicalBytes, checkIdentifier, taggedHash } from './canonical.js';
import { DuplicateError, RulesError } from './errors.js';

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

function nonNegative(value, field) {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RulesError('The value must be a non-negative integer.', { field, value });
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

function get(data, key, fallback) {
  return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : fallback;
}

function required(data, key) {
  if (!Object.prototype.hasOwnProperty.call(data, key)) {
    throw new RulesError('A required field is missing.', {
      field: key,
      hint: 'See docs/spec.md section 9.2 for the rules format.',
    });
  }
  return data[key];
}

function object(value, field) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RulesError('The value must be a JSON object.', { field });
  }
  return value;
}

function list(value, field) {
  if (!Array.isArray(value)) throw new RulesError('The value must be a list.', { field });
  return value;
}

function parseKindergarten(data) {
  object(data, 'kindergartens');
  const id = identifier(required(data, 'id'), 'kindergarten.id');
  const where = `kindergarten '${id}'`;
  const name = displayText(get(data, 'name', ''), `${where}.name`);
  const seats = required(data, 'seats');
  if (!Number.isSafeInteger(seats) || seats <= 0) {
    throw new RulesError('The capacity must be a positive integer.', {
      field: `${where}.seats`,
      value: seats,
      hint: 'Give the number of places offered (classes × class size).',
    });
  }
  const blocks = list(get(data, 'blocks', []), `${where}.blocks`).map((b) => {
    object(b, `${where}.blocks`);
    const blockName = identifier(required(b, 'name'), 'block.name');
    const fact = identifier(required(b, 'fact'), 'block.fact');
    if (blockName === OPEN_BLOCK) {
      throw new RulesError(`'${OPEN_BLOCK}' names the unreserved seats and cannot be a block name.`, {
        field: 'block.name',
        value: blockName,
      });
    }
    const blockSeats = required(b, 'seats');
    if (!Number.isSafeInteger(blockSeats) || blockSeats < 0) {
      throw new RulesError('Block seats must be a non-negative integer.', {
        field: `block '${blockName}'.seats`,
        value: blockSeats,
      });
    }
    return Object.freeze({ name: blockName, seats: blockSeats, fact });
  });
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

function parsePhase(data) {
  object(data, 'phases');
  const name = identifier(required(data, 'name'), 'phase.name');
  const tiers = get(data, 'tiers', null);
  const blocks = get(data, 'blocks', null);
  const fact = get(data, 'fact', null);
  const choices = get(data, 'choices', null);
  if (fact !== null) identifier(fact, `phase '${name}'.fact`);
  if (choices !== null && (!Number.isSafeInteger(choices) || choices < 1)) {
    throw new RulesError('The value must be a positive integer.', { field: `phase '${name}'.choices`, value: choices });
  }
  return Object.freeze({
    name,
    tiers: tiers === null ? null : Object.freeze([...list(tiers, `phase '${name}'.tiers`)]),
    fact,
    blocks: blocks === null ? null : Object.freeze([...list(blocks, `phase '${name}'.blocks`)]),
    choices,
  });
}

/**
 * The rules from their JSON document (DrawRules.to_json()), checked as
 * alloc.model.DrawRules checks them. Missing optional fields take Python's
 * defaults.
 * @throws {RulesError} naming the field at fault
 */
export function parseRules(data) {
  object(data, 'rules');
  const drawId = identifier(required(data, 'draw_id'), 'draw_id');
  const rules = {
    draw_id: drawId,
    title: displayText(get(data, 'title', ''), 'title'),
    authority: displayText(get(data, 'authority', ''), 'authority'),
    mechanism: enumValue(Mechanism, get(data, 'mechanism', Mechanism.DEFERRED_ACCEPTANCE), 'mechanism'),
    tie_break: enumValue(TieBreak, get(data, 'tie_break', TieBreak.SINGLE), 'tie_break'),
    tiers: Object.freeze([...list(get(data, 'tiers', []), 'tiers')]),
    multiples: enumValue(Multiples, get(data, 'multiples', Multiples.SEPARATE), 'multiples'),
    // Python reads this field with bool(): any JSON value is accepted.
    merge_over_capacity: truthy(get(data, 'merge_over_capacity', false)),
    waitlist_length: nonNegative(get(data, 'waitlist_length', 0), 'waitlist_length'),
    min_lottery_percent: nonNegative(get(data, 'min_lottery_percent', 0), 'min_lottery_percent'),
    phases: Object.freeze(list(get(data, 'phases', []), 'phases').map(parsePhase)),
    kindergartens: Object.freeze(list(required(data, 'kindergartens'), 'kindergartens').map(parseKindergarten)),
  };
  if (rules.kindergartens.length === 0) {
    throw new RulesError('The rules list no kindergartens.', {
      field: 'kindergartens',
      hint: 'List at least one kindergarten.',
    });
  }
  noDuplicates(rules.kindergartens.map((k) => k.id), 'kindergartens.id');
  for (const t of rules.tiers) identifier(t, 'tiers');
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

function truthy(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** The rules document as DrawRules.to_json() writes it (what the rules digest covers). */
export function rulesJson(rules) {
  return {
    draw_id: rules.draw_id,
    title: rules.title,
    authority: rules.authority,
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
  };
}

/** SHA-256(tagged_message("alloc/v1/rules", draw_id, JCS(rules))) (spec 9.2). */
export function rulesDigest(rules) {
  return taggedHash(Tag.RULES, rules.draw_id, canonicalBytes(rulesJson(rules)));
}
