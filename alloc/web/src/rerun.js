// Re-running a whole draw from the public files: what a parent's page does
// for "re-run the whole draw" and what the transcript check (spec 9.4 step
// 9) compares with the signed results root and summaries.

import { fromHex, toHex } from './bytes.js';
import { canonicalJson } from './canonical.js';
import { draw } from './engine.js';
import { parseRecords, recordsRoot, resultLine, resultsRoot } from './records.js';
import { parseRules } from './rules.js';

/**
 * Re-run a draw from its public files.
 * @param {{rules: object|string, records: Uint8Array|string, seed: Uint8Array|string}} files
 *   rules as its JSON document (object or text), the records file, the seed (bytes or 64 hex)
 * @returns {{inputRoot: string, count: number, lines: string[], resultsRoot: string,
 *   summaries: object[], unplaced: number, results: object[]}} roots as lower-case hex
 * @throws {InputError|RulesError} for files that cannot be read or drawn
 */
export function rerunDraw({ rules, records, seed }) {
  const parsedRules = parseRules(typeof rules === 'string' ? JSON.parse(rules) : rules);
  const seedBytes = typeof seed === 'string' ? fromHex(seed, { field: 'seed', length: 32 }) : seed;
  const parsed = parseRecords(records);
  const outcome = draw(parsedRules, parsed.records, seedBytes);
  const lines = outcome.results.map(resultLine);
  return {
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
