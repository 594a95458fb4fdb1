// A parent's proof (spec 9.5) and the published proof files (spec 9.8):
// one child's record and result lines with their Merkle paths, checked with
// the receipt, the child's number and name, the signed announcement and
// transcript and a trust policy. checkParentProof never throws: it returns
// every step, named, with what it found.
//
// A proof's `rounds` (one part per later round, spec 11.7) is read strictly
// but not checked: this library reads no round documents, so a proof that
// spans later rounds fails the `rounds` step rather than showing the draw's
// result as the child's current one.

import { fromHex, toHex, utf8 } from './bytes.js';
import { Tag, checkIdentifier, taggedHash } from './canonical.js';
import { AllocError } from './errors.js';
import { documentDigest, evaluatePolicy, fingerprint, parsePin } from './envelope.js';
import { identityCommitment } from './identity.js';
import { inclusionProof, verifyInclusion } from './merkle.js';
import { parseRecords, parseResultLine, recordLeaf, resultLeaf } from './records.js';
import { Fields, parseJson } from './strictjson.js';
import { groupTicket, ticket } from './tickets.js';

/** Where publish writes the proof files, beside the page's folder. */
export const PROOF_FOLDER = 'proofs';

/**
 * The path of a child's published proof file below the proofs folder (spec
 * 9.8): `<first 2 hex>/<32 hex>.json` of SHA-256(tagged_message("alloc/v1/proof-file",
 * draw_id, registration_number)).
 * @throws {InputError} for a malformed identifier
 */
export function proofFileName(drawId, registrationNumber) {
  const id = toHex(
    taggedHash(Tag.PROOF_FILE, checkIdentifier(drawId, 'draw_id'), checkIdentifier(registrationNumber, 'registration_number')),
  ).slice(0, 32);
  return `${id.slice(0, 2)}/${id}.json`;
}

/**
 * Read a proof strictly (spec 9.5, 2.4).
 * @param {Uint8Array|string} data
 * @returns {{draw_id: string, record: {line, index, count, path: Uint8Array[]}, result: {...}}}
 * @throws {MalformedDocumentError}
 */
export function parseProof(data, { document = 'proof' } = {}) {
  const fields = Fields.of(parseJson(data, { document }), { document });
  const drawId = fields.string('draw_id');
  try {
    checkIdentifier(drawId, 'draw_id');
  } catch (error) {
    throw fields.error('draw_id', error.problem, drawId);
  }
  const inclusion = (p) => {
    const count = p.integer('count', { minimum: 1 });
    const out = {
      line: p.string('line'),
      index: p.integer('index', { minimum: 0, maximum: count - 1 }),
      count,
      path: p.strings('path').map((node, i) => {
        if (!/^[0-9a-f]{64}$/.test(node)) throw p.error(`path[${i}]`, 'expected 64 lower-case hexadecimal digits', node);
        return fromHex(node);
      }),
    };
    p.done();
    return out;
  };
  const part = (f, key) => inclusion(f.object(key));
  const optionalPart = (f, key) => (f.has(key) && f.data[key] === null ? f.value(key) : part(f, key));
  const proof = { draw_id: drawId, record: part(fields, 'record'), result: part(fields, 'result') };
  proof.rounds = fields.each('rounds', (r) => ({
    round: r.integer('round', { minimum: 2 }),
    standing: part(r, 'standing'),
    response: optionalPart(r, 'response'),
    record: optionalPart(r, 'record'),
    result: optionalPart(r, 'result'),
  }));
  proof.rounds.forEach((r, i) => {
    if (r.round !== i + 2) throw fields.error('rounds', 'the rounds must be 2, 3, … in order, none missing');
  });
  fields.done();
  return proof;
}

/** The named checks of a parent's proof, in order (ids are stable; the page labels them). */
export const PARENT_STEPS = Object.freeze([
  'documents',
  'signatures',
  'fingerprints',
  'identity',
  'record',
  'ticket',
  'result',
  'rounds',
]);

/**
 * A parent's whole check (spec 9.5), step by step; never throws.
 *
 * Steps: `documents` (the announcement and transcript belong together and
 * to the proof's draw), `signatures` (each satisfies the trust policy: every
 * role reaches its threshold and no trusted key's signature is invalid),
 * `fingerprints` (the signers' fingerprints equal the ones the parent typed
 * from the bureau's notice; "unchecked" when none were typed), `identity`
 * (the commitment of the receipt, number and name is the record's),
 * `record` (the record is under the announced input root), `ticket` (the
 * lottery number is the HMAC of the seed), `result` (the result is under the
 * transcript's results root), `rounds` (the proof covers the draw alone:
 * a proof spanning later rounds fails here, since their documents are not
 * checked by this library).
 *
 * @param {object} input {proof (parsed), registrationNumber, salt (16 bytes), documentType,
 *   documentNumber, name, announcement, transcript (envelopes, parsed and read), policy,
 *   expected: {bureau?: string, notary?: string} fingerprints as typed}
 * @returns {{ok: boolean, steps: {id: string, status: 'pass'|'fail'|'unchecked'|'skipped', detail: string}[],
 *   result: object|null, signers: object}}
 */
export function checkParentProof(input) {
  const steps = [];
  const state = {};
  const run = (id, body, { needs = [] } = {}) => {
    if (needs.some((n) => !steps.find((s) => s.id === n && s.status !== 'fail'))) {
      steps.push({ id, status: 'skipped', detail: 'not checked: an earlier check it needs failed' });
      return;
    }
    try {
      const out = body();
      steps.push(typeof out === 'string' ? { id, status: 'pass', detail: out } : { id, ...out });
    } catch (error) {
      steps.push({ id, status: 'fail', detail: error instanceof AllocError ? error.message : String(error) });
    }
  };
  const { proof, registrationNumber, announcement, transcript, policy } = input;
  const fail = (text) => {
    throw new AllocError(text);
  };

  run('documents', () => {
    const a = announcement.signed;
    const t = transcript.signed;
    if (t.announcement !== toHex(documentDigest(announcement))) fail('The transcript names a different announcement.');
    if (t.draw_id !== a.draw_id) fail(`The announcement is for draw '${a.draw_id}', the transcript for '${t.draw_id}'.`);
    if (proof.draw_id !== a.draw_id) fail(`The proof is for draw '${proof.draw_id}', the announcement and transcript for '${a.draw_id}'.`);
    if (t.records.root !== a.records.root || t.records.count !== a.records.count) fail('The transcript repeats another records commitment than the announcement.');
    // A rehearsal (spec 9.7) is never a real draw: a parent's page refuses it.
    if (a.rehearsal || t.rehearsal) fail(`Draw '${a.draw_id}' is marked as a rehearsal (演练): a practice draw on a throw-away seed, never a real result.`);
    return `announcement and transcript of draw '${a.draw_id}'`;
  });

  run('signatures', () => {
    const out = [];
    state.signers = {};
    for (const [kind, envelope] of [['announcement', announcement], ['transcript', transcript]]) {
      const report = evaluatePolicy(envelope, policy);
      state.signers[kind] = report;
      for (const role of report.roles) {
        if (role.invalid.length) {
          fail(`${kind}: the signature of the ${role.role} key with fingerprint ${fingerprint(role.invalid[0])} does not verify: the document was changed after it was signed.`);
        }
        if (!role.ok) {
          const others = report.untrusted.map(fingerprint).join(', ');
          fail(`${kind}: ${role.role} signed by ${role.valid} of the ${role.threshold} keys required` + (others ? `; signed instead by keys not in the trust file: ${others}` : '') + '.');
        }
      }
      out.push(`${kind}: ` + report.roles.map((r) => `${r.role} ${r.valid}/${r.threshold}`).join(', '));
    }
    return out.join('; ');
  }, { needs: ['documents'] });

  run('fingerprints', () => {
    const expected = input.expected ?? {};
    const typed = Object.entries(expected).filter(([, v]) => typeof v === 'string' && v.trim() !== '');
    if (typed.length === 0) return { status: 'unchecked', detail: 'compare the fingerprints shown with the bureau notice and the livestream' };
    for (const [role, text] of typed) {
      let pin;
      try {
        pin = parsePin(text.trim());
      } catch (error) {
        fail(`The ${role} fingerprint typed is not eight groups of five digits.`);
      }
      for (const kind of ['announcement', 'transcript']) {
        const report = state.signers?.[kind] ?? evaluatePolicy(kind === 'announcement' ? announcement : transcript, policy);
        const signed = report.roles.find((r) => r.role === role);
        if (!signed || !signed.signers.some((id) => fingerprint(id) === pin)) {
          fail(`The ${kind} is not signed by the ${role} key with the fingerprint typed from the notice (${pin}).`);
        }
      }
    }
    return `the ${typed.map(([r]) => r).join(' and ')} fingerprints equal the ones from the notice`;
  }, { needs: ['documents'] });

  run('identity', () => {
    const { records } = parseRecords(proof.record.line + '\n');
    state.record = records[0];
    if (state.record.registration_number !== registrationNumber) fail('The proof is for another registration number than the receipt.');
    if (state.record.identity === null) fail('The record carries no identity commitment.');
    const expected = identityCommitment({
      drawId: proof.draw_id,
      registrationNumber,
      documentType: input.documentType,
      documentNumber: input.documentNumber,
      name: input.name,
      salt: input.salt,
    });
    if (toHex(expected) !== state.record.identity) {
      fail("The record's identity commitment does not match this receipt code, ID number and name.");
    }
    return "the record's identity commitment matches the receipt code, ID number and name";
  });

  run('record', () => {
    const a = announcement.signed;
    const leaf = recordLeaf(proof.draw_id, utf8(proof.record.line));
    if (proof.record.count !== a.records.count || !verifyInclusion(leaf, proof.record.index, proof.record.count, proof.record.path, fromHex(a.records.root))) {
      fail('The record is not under the announced input root: it is not the record frozen before the draw.');
    }
    return `record ${proof.record.index + 1} of ${proof.record.count} is under the announced input root`;
  }, { needs: ['documents'] });

  run('ticket', () => {
    const result = parseResultLine(proof.result.line);
    state.result = result;
    if (result.registration_number !== registrationNumber) fail('The result line is for another registration number.');
    const seed = fromHex(transcript.signed.seed);
    const own = toHex(ticket(seed, proof.draw_id, registrationNumber));
    if (result.ticket === own) return `lottery number ${own} = HMAC-SHA256(seed, registration number)`;
    const group = state.record?.group;
    if (group) {
      const shared = toHex(groupTicket(seed, proof.draw_id, group));
      if (result.ticket === shared) return `lottery number ${shared} = HMAC-SHA256(seed, multiples group '${group}')`;
    }
    fail(`The published lottery number ${result.ticket.slice(0, 16)}… is not HMAC-SHA256(seed, child) = ${own.slice(0, 16)}….`);
  }, { needs: ['documents'] });

  run('result', () => {
    const t = transcript.signed;
    const leaf = resultLeaf(proof.draw_id, utf8(proof.result.line));
    if (proof.result.count !== t.results.count || !verifyInclusion(leaf, proof.result.index, proof.result.count, proof.result.path, fromHex(t.results.root))) {
      fail("The result is not under the transcript's results root: it is not the signed result.");
    }
    return `result ${proof.result.index + 1} of ${proof.result.count} is under the results root`;
  }, { needs: ['documents'] });

  run('rounds', () => {
    const later = proof.rounds ?? [];
    if (later.length) {
      fail(
        `This proof also covers round${later.length > 1 ? 's' : ''} ${later.map((r) => r.round).join(', ')} after the draw, which this verifier does not check; ` +
          'the result above may have changed since. Check the proof with `alloc proof check`.',
      );
    }
    return 'the proof covers the draw (round 1) alone';
  });

  const ok = steps.every((s) => s.status === 'pass' || s.status === 'unchecked');
  return { ok, steps, result: ok ? state.result : null, resultSeen: state.result ?? null, signers: state.signers ?? null };
}

/**
 * A child's proof cut from the whole records and results files (what the
 * page does when a parent chose those files instead of the proof file).
 * @param {string} drawId
 * @param {string[]} recordLines
 * @param {string[]} resultLines
 * @param {string} registrationNumber
 * @returns {object|null} the proof, or null if the registration number has no record or result
 */
export function makeProof(drawId, recordLines, resultLines, registrationNumber) {
  const quoted = JSON.stringify(registrationNumber);
  const find = (lines) => lines.findIndex((line) => line.includes(quoted) && JSON.parse(line).registration_number === registrationNumber);
  const at = find(recordLines);
  const resultAt = find(resultLines);
  if (at < 0 || resultAt < 0) return null;
  const empty = new Uint8Array(0);
  const path = (lines, index, prefix) => inclusionProof(lines.map(utf8), index, { prefix });
  return {
    draw_id: drawId,
    record: { line: recordLines[at], index: at, count: recordLines.length, path: path(recordLines, at, recordLeaf(drawId, empty)) },
    result: { line: resultLines[resultAt], index: resultAt, count: resultLines.length, path: path(resultLines, resultAt, resultLeaf(drawId, empty)) },
    rounds: [],
  };
}
