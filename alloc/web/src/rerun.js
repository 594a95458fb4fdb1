// Re-running a whole draw from the public files: what a parent's page does
// for "re-run the whole draw" and what the transcript check (spec 9.4 step
// 9) compares with the signed results root and summaries.

import { fromHex, toHex } from './bytes.js';
import { canonicalJson } from './canonical.js';
import { draw } from './engine.js';
import { VerificationError } from './errors.js';
import { parseRecords, recordsRoot, resultLine, resultsRoot } from './records.js';
import { parseRules, rulesDigest } from './rules.js';
import { replaySeed } from './seed.js';

/**
 * Re-run a draw from its public files.
 * @param {{rules: object|string, records: Uint8Array|string, seed: Uint8Array|string}} files
 *   rules as its JSON document (object or text), the records file, the seed (bytes or 64 hex)
 * @returns {{rulesDigest: string, inputRoot: string, count: number, lines: string[], resultsRoot: string,
 *   summaries: object[], unplaced: number, results: object[]}} roots as lower-case hex
 * @throws {InputError|RulesError} for files that cannot be read or drawn
 */
export function rerunDraw({ rules, records, seed }) {
  const parsedRules = parseRules(rules);
  const seedBytes = typeof seed === 'string' ? fromHex(seed, { field: 'seed', length: 32 }) : seed;
  const parsed = parseRecords(records);
  const outcome = draw(parsedRules, parsed.records, seedBytes);
  const lines = outcome.results.map(resultLine);
  return {
    rulesDigest: toHex(rulesDigest(parsedRules)),
    inputRoot: toHex(recordsRoot(parsedRules.draw_id, parsed.lines)),
    count: lines.length,
    lines,
    resultsRoot: toHex(resultsRoot(parsedRules.draw_id, lines)),
    summaries: outcome.summaries,
    unplaced: outcome.unplaced,
    results: outcome.results,
  };
}

/**
 * Compare a re-run with a transcript's signed part (spec 9.3): results root
 * and count, per-kindergarten summaries and the number unplaced.
 * @returns {string[]} the differences, empty if none
 */
export function compareWithTranscript(rerun, signed) {
  const problems = [];
  if (signed.results?.root !== rerun.resultsRoot) problems.push('The results root differs from the re-run.');
  if (signed.results?.count !== rerun.count) problems.push('The results count differs from the re-run.');
  if (canonicalJson(signed.kindergartens ?? null) !== canonicalJson(rerun.summaries)) {
    problems.push('The per-kindergarten summaries differ from the re-run.');
  }
  if (signed.unplaced !== rerun.unplaced) problems.push('The number unplaced differs from the re-run.');
  return problems;
}

/** The named stages of checkDraw, in order (ids are stable; the page labels them). */
export const DRAW_STAGES = Object.freeze(['rules', 'records', 'seed', 'draw', 'compare']);

/**
 * Re-run a whole draw from its public files and compare it with the signed
 * transcript (spec 9.4 steps 4, 5, 7 and 10, without times and drand
 * signatures). Never throws: every stage is reported.
 * @param {{rules: string|Uint8Array, records: string|Uint8Array, announcement: object,
 *   transcript: object}} files rules and records as file contents; announcement and
 *   transcript as parsed envelopes whose signed parts were read strictly
 * @param {{onStage?: (id: string, index: number) => void|Promise<void>}} [options]
 *   onStage is awaited before each stage (a page repaints there)
 * @returns {Promise<{ok: boolean, stages: {id, status, detail}[], count: number|null}>}
 */
export async function checkDraw({ rules, records, announcement, transcript }, { onStage } = {}) {
  const stages = [];
  const state = {};
  const a = announcement.signed;
  const t = transcript.signed;
  let index = 0;
  const stage = async (id, body) => {
    if (onStage) await onStage(id, index);
    index++;
    if (stages.some((s) => s.status !== 'pass')) {
      stages.push({ id, status: 'skipped', detail: 'not checked: an earlier stage failed' });
      return;
    }
    try {
      stages.push({ id, status: 'pass', detail: body() });
    } catch (error) {
      stages.push({ id, status: 'fail', detail: error.message ?? String(error) });
    }
  };
  const fail = (text) => {
    throw new VerificationError(text);
  };
  await stage('rules', () => {
    state.rules = parseRules(rules);
    if (toHex(rulesDigest(state.rules)) !== a.rules_digest) fail('The rules digest differs from the announced one: these are not the announced rules.');
    if (state.rules.draw_id !== a.draw_id) fail(`The rules are for draw '${state.rules.draw_id}', the announcement for '${a.draw_id}'.`);
    return `rules digest ${a.rules_digest.slice(0, 16)}… as announced`;
  });
  await stage('records', () => {
    state.parsed = parseRecords(records);
    const root = toHex(recordsRoot(a.draw_id, state.parsed.lines));
    if (state.parsed.lines.length !== a.records.count) fail(`The records file has ${state.parsed.lines.length} records, the announcement ${a.records.count}.`);
    if (root !== a.records.root) fail('The records file does not give the announced input root.');
    return `${state.parsed.lines.length} records under the announced input root`;
  });
  await stage('seed', () => {
    const { seed, problems } = replaySeed(t.ceremony, t.draw_id);
    if (t.ceremony.announcement !== t.announcement) problems.unshift('the ceremony was opened on another announcement');
    if (problems.length) fail(`The ceremony record does not replay: ${problems[0]}.`);
    return `seed ${seed.slice(0, 16)}… from the reveals and source values`;
  });
  await stage('draw', () => {
    state.outcome = draw(state.rules, state.parsed.records, fromHex(t.seed, { field: 'seed', length: 32 }));
    state.lines = state.outcome.results.map(resultLine);
    return `${state.lines.length} children drawn`;
  });
  await stage('compare', () => {
    const rerun = {
      resultsRoot: toHex(resultsRoot(t.draw_id, state.lines)),
      count: state.lines.length,
      summaries: state.outcome.summaries,
      unplaced: state.outcome.unplaced,
    };
    const problems = compareWithTranscript(rerun, t);
    if (problems.length) fail(problems.join(' '));
    return `results root ${rerun.resultsRoot.slice(0, 16)}… equals the transcript's`;
  });
  return { ok: stages.every((s) => s.status === 'pass'), stages, count: state.lines?.length ?? null };
}
