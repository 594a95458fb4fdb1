// Helper for tests/test_js.py (not a test file): reads {"documents":
// {name: file text}, "policy": policy} from standard input and prints, per
// document, the policy's role results and the document digest (or the error).

import * as alloc from '../../alloc/web/src/index.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { documents, policy } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answers = {};
for (const [name, text] of Object.entries(documents)) {
  try {
    const envelope = alloc.parseEnvelope(text);
    answers[name] = {
      roles: alloc.evaluatePolicy(envelope, policy).map((r) => ({ role: r.role, valid: r.valid, ok: r.ok })),
      digest: alloc.toHex(alloc.documentDigest(envelope)),
    };
  } catch (error) {
    answers[name] = { error: error.message };
  }
}
process.stdout.write(JSON.stringify(answers));
