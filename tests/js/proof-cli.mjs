// Helper for tests/test_cli_rounds.py (not a test file): reads {"proof",
// "registrationNumber", "salt", "documentType", "documentNumber", "name",
// "announcement", "transcript", "trust", "rounds": [file text, …]} from
// standard input, runs a parent's check as the verifier page does, and
// prints {"steps": [{id, status, detail}], "ok", "rounds": [error or "read"]}:
// whether each later round's document is read as a transcript.

import * as alloc from '../../alloc/web/src/index.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const announcement = alloc.parseEnvelope(input.announcement, { expectedType: 'announcement' });
alloc.readAnnouncement(announcement);
const transcript = alloc.parseEnvelope(input.transcript, { expectedType: 'transcript' });
alloc.readTranscript(transcript);
const report = alloc.checkParentProof({
  proof: alloc.parseProof(input.proof),
  registrationNumber: input.registrationNumber,
  salt: alloc.parseSalt(input.salt),
  documentType: input.documentType,
  documentNumber: input.documentNumber,
  name: input.name,
  announcement,
  transcript,
  policy: alloc.parseTrust(input.trust),
});
const rounds = input.rounds.map((text) => {
  try {
    alloc.readTranscript(alloc.parseEnvelope(text, { expectedType: 'transcript' }));
    return 'read';
  } catch (error) {
    return error.message;
  }
});
process.stdout.write(JSON.stringify({ ok: report.ok, steps: report.steps, rounds }));
