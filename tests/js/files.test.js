// Reading the public files strictly: records, rules, result lines, envelopes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as alloc from '../../alloc/web/src/index.js';

const record = (reg, extra = {}) =>
  alloc.recordLine({ registration_number: reg, choices: ['K1'], ...extra }) + '\n';

describe('records file (spec 8.1)', () => {
  test('canonical lines in order are read back', () => {
    const file = record('R1', { facts: [{ fact: 'owner', kindergarten: 'K1' }], tier: 'local' }) + record('R2', { group: 'G' });
    const { records, lines } = alloc.parseRecords(alloc.utf8(file));
    assert.equal(lines.length, 2);
    assert.deepEqual(records[0].facts, [{ fact: 'owner', kindergarten: 'K1' }]);
    assert.equal(records[1].group, 'G');
  });
  const refused = {
    'a missing final line break': record('R1').slice(0, -1),
    'registration numbers out of order': record('R2') + record('R1'),
    'a registration number twice': record('R1') + record('R1'),
    'a space in the JSON': record('R1').replace(':', ': '),
    'an unknown key': record('R1').replace('{', '{"extra":1,'),
    'facts out of order': alloc.canonicalJson({
      choices: ['K1'],
      facts: [{ fact: 'staff', kindergarten: 'K1' }, { fact: 'owner', kindergarten: 'K1' }],
      group: null,
      identity: null,
      registration_number: 'R1',
      tier: null,
    }) + '\n',
    'an upper-case identity commitment': record('R1', { identity: 'AB'.repeat(32) }),
    'identity commitments in some records only': record('R1', { identity: 'ab'.repeat(32) }) + record('R2'),
    'a tier that is not an identifier': record('R1', { tier: ' local' }),
    'a byte-order mark': '\ufeff' + record('R1'),
    'an escaped character where a plain one is canonical': record('R1').replace('"K1"', '"\\u004b1"'),
  };
  for (const [what, file] of Object.entries(refused)) {
    test(`refuses ${what}`, () => {
      assert.throws(() => alloc.parseRecords(alloc.utf8(file)), alloc.InputError);
    });
  }
  test('invalid UTF-8 is refused', () => {
    assert.throws(() => alloc.parseRecords(Uint8Array.of(0xff, 0x0a)), alloc.InputError);
  });
});

describe('code point order (spec 1)', () => {
  test('a supplementary-plane character sorts after U+FFFD, unlike UTF-16 order', () => {
    assert.ok(alloc.compareCodePoints('\u{20000}', '\ufffd') > 0);
    assert.ok('\u{20000}' < '\ufffd'); // what JavaScript's own comparison says
    assert.ok(alloc.compareCodePoints('a', 'ab') < 0);
    assert.equal(alloc.compareCodePoints('张', '张'), 0);
  });
});

describe('rules (spec 9.2)', () => {
  const base = {
    spec: 2,
    draw_id: 'd',
    kindergartens: [{ id: 'K1', name: 'K 1', seats: 2, blocks: [{ name: 'owners', seats: 1, fact: 'owner' }] }],
  };
  test('defaults as Python reads them, and the digest over the full document', () => {
    const rules = alloc.parseRules(base);
    assert.equal(rules.mechanism, 'deferred-acceptance');
    assert.equal(rules.multiples, 'separate');
    assert.deepEqual(alloc.rulesJson(rules).phases, []);
    assert.equal(alloc.rulesDigest(rules).length, 32);
    // The later rounds' options (spec 9.2, 11), with their defaults, are in the digested document.
    assert.deepEqual([rules.unanswered, rules.round_seed], ['decline', 'fresh']);
    const full = alloc.rulesJson(rules);
    assert.deepEqual([full.unanswered, full.round_seed], ['decline', 'fresh']);
    const other = alloc.parseRules({ ...base, unanswered: 'confirm', round_seed: 'same' });
    assert.deepEqual([other.unanswered, other.round_seed], ['confirm', 'same']);
    assert.notDeepEqual(alloc.rulesDigest(other), alloc.rulesDigest(rules));
    assert.deepEqual(alloc.rulesDigest(alloc.parseRules(full)), alloc.rulesDigest(rules));
  });
  const bad = {
    'no kindergartens': { ...base, kindergartens: [] },
    'an unknown mechanism': { ...base, mechanism: 'boston' },
    'a block named open': { ...base, kindergartens: [{ id: 'K1', seats: 2, blocks: [{ name: 'open', seats: 1, fact: 'f' }] }] },
    'blocks above capacity': { ...base, kindergartens: [{ id: 'K1', seats: 1, blocks: [{ name: 'b', seats: 2, fact: 'f' }] }] },
    'a kindergarten twice': { ...base, kindergartens: [base.kindergartens[0], base.kindergartens[0]] },
    'merge-after with the independent lottery': { ...base, mechanism: 'independent', multiples: 'merge-after' },
    'a phase with an undeclared tier': { ...base, phases: [{ name: 'p', tiers: ['x'] }] },
    'a phase with an unknown block': { ...base, phases: [{ name: 'p', blocks: ['x'] }] },
    'too small an open share': { ...base, min_lottery_percent: 60 },
    'seats as a boolean': { ...base, kindergartens: [{ id: 'K1', seats: true }] },
    'a bidirectional override in a name': { ...base, title: 'a\u202eb' },
    'a misspelt key': { ...base, tie_brake: 'single' },
    'spec 1': { ...base, spec: 1 },
    'no spec': (({ spec, ...rest }) => rest)(base),
    'merge_over_capacity as 1': { ...base, merge_over_capacity: 1 },
    'a time zone that is not an IANA name': { ...base, time_zone: 'Beijing' },
    'an unknown unanswered': { ...base, unanswered: 'ignore' },
    'an unknown round_seed': { ...base, round_seed: 'new' },
    'round_seed as null': { ...base, round_seed: null },
  };
  for (const [what, data] of Object.entries(bad)) {
    test(`refuses ${what}`, () => assert.throws(() => alloc.parseRules(data), alloc.AllocError));
  }
});

describe('the draw refuses bad applicants, naming them', () => {
  const rules = alloc.parseRules({
    spec: 2,
    draw_id: 'd',
    tiers: ['a'],
    kindergartens: [{ id: 'K1', seats: 1 }, { id: 'K2', seats: 1 }],
  });
  const seed = new Uint8Array(32);
  const child = (reg, extra = {}) => ({ registration_number: reg, choices: ['K1'], facts: [], group: null, identity: null, tier: 'a', ...extra });
  const cases = {
    'an unknown kindergarten': [child('R1', { choices: ['K9'] })],
    'no choice': [child('R1', { choices: [] })],
    'a kindergarten twice': [child('R1', { choices: ['K1', 'K1'] })],
    'an undeclared tier': [child('R1', { tier: 'b' })],
    'a missing tier': [child('R1', { tier: null })],
    'a fact at an unknown kindergarten': [child('R1', { facts: [{ fact: 'owner', kindergarten: 'K9' }] })],
    'a group of one': [child('R1', { group: 'G' })],
    'siblings with different choices': [child('R1', { group: 'G' }), child('R2', { group: 'G', choices: ['K2'] })],
  };
  for (const [what, records] of Object.entries(cases)) {
    test(what, () => {
      assert.throws(() => alloc.draw(rules, records, seed), (e) => e instanceof alloc.InputError && e.message.includes('R'));
    });
  }
});

describe('signed envelopes and trust (spec 9.1)', () => {
  // RFC 8032 TEST 1's and TEST 2's keys; a signature they never made on these bytes.
  const pub1 = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const pub2 = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
  const key = (pub) => {
    const keyid = alloc.keyId(alloc.fromHex(pub));
    return { fingerprint: alloc.fingerprint(keyid), keyid, public: pub };
  };
  const trust = (roles) => alloc.canonicalJson({ spec: 2, roles }) + '\n';
  const good = trust([
    { name: 'bureau', threshold: 1, keys: [key(pub1)] },
    { name: 'notary', threshold: 1, keys: [key(pub2)] },
  ]);
  const keyid = key(pub1).keyid;
  const envelope = { signed: { type: 'transcript', draw_id: 'd', spec: 2 }, signatures: [{ keyid, sig: '00'.repeat(64) }] };
  const file = alloc.canonicalJson(envelope) + '\n';
  test('the canonical form is read; any other form is refused', () => {
    assert.equal(alloc.parseEnvelope(file, { expectedType: 'transcript' }).signatures.length, 1);
    assert.throws(() => alloc.parseEnvelope(file.trim()), alloc.InputError);
    assert.throws(() => alloc.parseEnvelope(file, { expectedType: 'announcement' }), alloc.InputError);
    const twice = { ...envelope, signatures: [envelope.signatures[0], envelope.signatures[0]] };
    assert.throws(() => alloc.parseEnvelope(alloc.canonicalJson(twice) + '\n'), /twice/);
  });
  test('a trust file is read strictly, with a bureau and a notary and no key in both', () => {
    const policy = alloc.parseTrust(good);
    assert.deepEqual(policy.roles.map((r) => r.name), ['bureau', 'notary']);
    assert.throws(() => alloc.parseTrust(trust([{ name: 'bureau', threshold: 1, keys: [key(pub1)] }])), alloc.TrustError);
    assert.throws(
      () => alloc.parseTrust(trust([
        { name: 'bureau', threshold: 1, keys: [key(pub1)] },
        { name: 'notary', threshold: 1, keys: [key(pub1)] },
      ])),
      alloc.TrustError,
    );
    const wrongPrint = { ...key(pub1), fingerprint: key(pub2).fingerprint };
    assert.throws(() => alloc.parseTrust(trust([{ name: 'bureau', threshold: 1, keys: [wrongPrint] }, { name: 'notary', threshold: 1, keys: [key(pub2)] }])), /fingerprint/);
  });
  test('an invalid signature by a trusted key fails its role; unknown signers are listed, not counted', () => {
    const policy = alloc.parseTrust(good);
    const stranger = 'ff'.repeat(32);
    const parsed = alloc.parseEnvelope(alloc.canonicalJson({ ...envelope, signatures: [...envelope.signatures, { keyid: stranger, sig: '00'.repeat(64) }] }) + '\n');
    const report = alloc.evaluatePolicy(parsed, policy);
    const [bureau, notary] = report.roles;
    assert.deepEqual([bureau.valid, bureau.ok, bureau.invalid], [0, false, [keyid]]);
    assert.deepEqual([notary.valid, notary.ok], [0, false]);
    assert.deepEqual(report.untrusted, [stranger]);
    assert.equal(report.ok, false);
    assert.equal(alloc.documentDigest(parsed).length, 32);
  });
});

describe('proofs (spec 9.5, 9.8)', () => {
  const part = { line: '{}', index: 0, count: 1, path: [] };
  const proof = { draw_id: 'd', record: part, result: part, rounds: [] };
  const text = (data) => alloc.canonicalJson(data) + '\n';
  const later = { round: 2, standing: part, response: null, record: null, result: null };
  test('a proof of the draw alone has no later round', () => {
    assert.deepEqual(alloc.parseProof(text(proof)).rounds, []);
  });
  test('a proof spanning later rounds is read strictly', () => {
    const read = alloc.parseProof(text({ ...proof, rounds: [later, { ...later, round: 3, response: part }] }));
    assert.deepEqual(read.rounds.map((r) => [r.round, r.response === null]), [[2, true], [3, false]]);
  });
  const bad = {
    'no rounds key': (({ rounds, ...rest }) => rest)(proof),
    'a round missing': { ...proof, rounds: [{ ...later, round: 3 }] },
    'round 1 as a later round': { ...proof, rounds: [{ ...later, round: 1 }] },
    'no standing': { ...proof, rounds: [(({ standing, ...rest }) => rest)(later)] },
    'an unknown key in a round': { ...proof, rounds: [{ ...later, seed: null }] },
    'an unknown key': { ...proof, round: 1 },
  };
  for (const [what, data] of Object.entries(bad)) {
    test(`refuses ${what}`, () => assert.throws(() => alloc.parseProof(text(data)), alloc.MalformedDocumentError));
  }
  test('a proof spanning later rounds fails its rounds check, whatever else passes', () => {
    const check = (rounds) => {
      const report = alloc.checkParentProof({
        proof: alloc.parseProof(text({ ...proof, rounds })),
        registrationNumber: 'R1',
        announcement: { signed: {} },
        transcript: { signed: {} },
      });
      return [report.ok, report.steps.find((s) => s.id === 'rounds')];
    };
    const [ok, step] = check([later]);
    assert.equal(ok, false);
    assert.equal(step.status, 'fail');
    assert.match(step.detail, /round 2 after the draw, which this verifier does not check/);
    assert.equal(check([])[1].status, 'pass');
    assert.deepEqual(alloc.PARENT_STEPS.at(-1), 'rounds');
  });
});
