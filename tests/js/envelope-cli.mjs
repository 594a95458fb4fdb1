// Helper for tests/test_js.py (not a test file): reads {"documents":
// {name: file text}, "trust": trust file text} from standard input and
// prints, per document, the policy's role results, the document digest and
// whether its signed part reads strictly as an announcement or transcript
// (or the error), and the trust file's fingerprints.

import * as alloc from '../../alloc/web/src/index.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { documents, trust } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const policy = alloc.parseTrust(trust);
const answers = { fingerprints: Object.fromEntries(policy.roles.map((r) => [r.name, r.keys.map((k) => k.fingerprint)])) };
for (const [name, text] of Object.entries(documents)) {
  try {
    const envelope = alloc.parseEnvelope(text);
    const report = alloc.evaluatePolicy(envelope, policy);
    answers[name] = {
      roles: report.roles.map((r) => ({ role: r.role, valid: r.valid, invalid: r.invalid.length, ok: r.ok })),
      untrusted: report.untrusted,
      digest: alloc.toHex(alloc.documentDigest(envelope)),
    };
    try {
      (envelope.signed.type === 'announcement' ? alloc.readAnnouncement : alloc.readTranscript)(envelope);
      answers[name].read = 'ok';
    } catch (error) {
      answers[name].read = error.message;
    }
  } catch (error) {
    answers[name] = { error: error.message };
  }
}
process.stdout.write(JSON.stringify(answers));
