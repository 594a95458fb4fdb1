// Re-run draws with the JavaScript engine, many in one process.
//
//   node alloc/web/tools/rerun.mjs DIRECTORY [--lines]
//
// DIRECTORY holds one sub-directory per draw with rules.json (the rules
// document), records.jsonl (the records file) and seed.hex (64 hex digits).
// For each draw, in name order, one JSON line is printed: {"name",
// "rules_digest", "input_root", "results_root", "count", "unplaced", "summaries", "ms"} and,
// with --lines, "lines" (the result lines); or {"name", "error"} if the draw
// cannot be re-run. tests/test_js.py compares these with Python's.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rerunDraw } from '../src/index.js';

const [directory, ...flags] = process.argv.slice(2);
if (!directory) {
  console.error('usage: node alloc/web/tools/rerun.mjs DIRECTORY [--lines]');
  process.exit(2);
}
const withLines = flags.includes('--lines');
const names = readdirSync(directory)
  .filter((name) => statSync(join(directory, name)).isDirectory())
  .sort();
for (const name of names) {
  const at = join(directory, name);
  const files = {
    rules: readFileSync(join(at, 'rules.json'), 'utf8'),
    records: new Uint8Array(readFileSync(join(at, 'records.jsonl'))),
    seed: readFileSync(join(at, 'seed.hex'), 'utf8').trim(),
  };
  const start = performance.now();
  let out;
  try {
    const result = rerunDraw(files);
    out = {
      name,
      rules_digest: result.rulesDigest,
      input_root: result.inputRoot,
      results_root: result.resultsRoot,
      count: result.count,
      unplaced: result.unplaced,
      summaries: result.summaries,
      ms: Math.round((performance.now() - start) * 10) / 10,
    };
    if (withLines) out.lines = result.lines;
  } catch (error) {
    out = { name, error: `${error.name}: ${error.message}` };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
