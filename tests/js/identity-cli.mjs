// Helper for tests/test_js.py (not a test file): reads a JSON list of cases
// from standard input and prints the JavaScript answer for each, so Python
// can compare normalisation with alloc/identity.py on generated text.
// A case is {"kind": "name" | "mask_name" | "number" | "salt", "raw", "type"?};
// an answer is {"ok": value} or {"error": field}.

import * as alloc from '../../alloc/web/src/index.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const run = {
  name: (c) => alloc.normaliseName(c.raw),
  mask_name: (c) => alloc.maskName(c.raw),
  number: (c) => alloc.normaliseDocumentNumber(c.type, c.raw),
  mask_number: (c) => alloc.maskDocumentNumber(c.type, c.raw),
  salt: (c) => alloc.toHex(alloc.parseSalt(c.raw)),
};
const answers = cases.map((c) => {
  try {
    return { ok: run[c.kind](c) };
  } catch (error) {
    if (!(error instanceof alloc.InputError)) throw error;
    return { error: error.field };
  }
});
process.stdout.write(JSON.stringify(answers));
