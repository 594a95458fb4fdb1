// Computes tests/vectors/lookup.json with node's WebCrypto, independently of
// alloc's Python code (docs/spec.md section 10.7 and 10.8): the same calls a
// browser makes. `node tests/vectors/lookup.mjs` prints the file; the Python
// tests check that it still prints exactly what is pinned.
const { subtle } = globalThis.crypto;
const utf8 = (text) => new TextEncoder().encode(text);
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const unhex = (text) => new Uint8Array(Buffer.from(text, "hex"));

// tag 0x00 field 0x00 ... 0x00 last (section 2.3); the last field may be bytes
function taggedMessage(tag, fields, last) {
  const parts = [utf8(tag)];
  for (const field of fields) parts.push(Uint8Array.of(0), utf8(field));
  parts.push(Uint8Array.of(0), last);
  return Buffer.concat(parts);
}

// RFC 8785 for the values used here: sorted keys, JSON.stringify's escaping
function canonical(value) {
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

async function hkdf(ikm, salt, info, bytes) {
  const key = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt, info: utf8(info) }, key, 8 * bytes);
  return new Uint8Array(bits);
}

async function entry(c) {
  const ikm = taggedMessage("alloc/v1/lookup-entry",
    [c.draw_id, c.registration_number, c.document_type, c.normalised_number, c.normalised_name],
    unhex(c.salt));
  const digest = unhex(c.transcript_digest);
  const id = await hkdf(ikm, digest, "alloc/v1/lookup-entry-id", 16);
  const key = await hkdf(ikm, digest, "alloc/v1/lookup-entry-key", 32);
  const plaintext = canonical(c.payload);
  const aes = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
  const sealed = await subtle.encrypt(
    { name: "AES-GCM", iv: new Uint8Array(12), additionalData: utf8(hex(id)) },
    aes, utf8(plaintext));
  const { payload, ...inputs } = c;
  return { ...inputs, ikm: hex(ikm), entry_id: hex(id), key: hex(key), plaintext,
    ciphertext: hex(new Uint8Array(sealed)) };
}

const T1 = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
const T2 = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
const placed = (reg, kg, name, ticket) => ({
  registration_number: reg, ticket, placed: kg, block: null, phase: "social-1",
  wins: [{ kindergarten: kg, block: null, phase: "social-1" }], waitlist: [],
  over_capacity: false, moved_from: null, placed_name: name,
});
const cases = [
  {
    note: "mainland id, placed",
    draw_id: "2026-tianhe-kg", transcript_digest: T1, registration_number: "TH-2026-000123",
    document_type: "resident-id", document_number: "440105202203151234",
    normalised_number: "440105202203151234", name: "张三明", normalised_name: "张三明",
    salt: "000102030405060708090a0b0c0d0e0f", receipt: "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4",
    payload: {
      registration_number: "TH-2026-000123", masked_name: "张**",
      masked_document_number: "**************1234",
      result: placed("TH-2026-000123", "K01", "天河一幼", "1f".repeat(32)),
    },
  },
  {
    note: "the same child and receipt under another transcript: unrelated id and key",
    draw_id: "2026-tianhe-kg", transcript_digest: T2, registration_number: "TH-2026-000123",
    document_type: "resident-id", document_number: "440105202203151234",
    normalised_number: "440105202203151234", name: "张三明", normalised_name: "张三明",
    salt: "000102030405060708090a0b0c0d0e0f", receipt: "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4",
    payload: {
      registration_number: "TH-2026-000123", masked_name: "张**",
      masked_document_number: "**************1234",
      result: placed("TH-2026-000123", "K02", "天河二幼", "1f".repeat(32)),
    },
  },
  {
    note: "typed with full-width digits, a lower-case x and a padded two-character name; waitlisted",
    draw_id: "2026-tianhe-kg", transcript_digest: T1, registration_number: "TH-2026-000124",
    document_type: "resident-id", document_number: "４４０１０６２０２３０９１７１０７ｘ",
    normalised_number: "44010620230917107X", name: "李\u3000娜", normalised_name: "李娜",
    salt: "ffeeddccbbaa99887766554433221100", receipt: "77XN-3TF3-VKMY-Q53G-KVCD-GIQR-AA",
    payload: {
      registration_number: "TH-2026-000124", masked_name: "**",
      masked_document_number: "**************107X",
      result: {
        registration_number: "TH-2026-000124", ticket: "e0".repeat(32), placed: null,
        block: null, phase: null, wins: [], waitlist: [{ kindergarten: "K01", position: 3 }],
        over_capacity: false, moved_from: null,
      },
    },
  },
  {
    note: "passport, name in parts, not placed",
    draw_id: "2026-tianhe-kg", transcript_digest: T1, registration_number: "TH-2026-000125",
    document_type: "passport", document_number: "e1234567",
    normalised_number: "E1234567", name: "John R Smith", normalised_name: "JOHN R SMITH",
    salt: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", receipt: "LJNF-UWS2-LJNF-UWS2-LJNF-UWS2-LI",
    payload: {
      registration_number: "TH-2026-000125", masked_name: "J*** * *****",
      masked_document_number: "E1****67",
      result: {
        registration_number: "TH-2026-000125", ticket: "00".repeat(31) + "01", placed: null,
        block: null, phase: null, wins: [], waitlist: [], over_capacity: false, moved_from: null,
      },
    },
  },
];

const out = {
  spec: 2,
  description:
    "docs/spec.md sections 10.7-10.8: public lookup index entries. ikm is the tagged message" +
    " alloc/v1/lookup-entry over the normalised fields and the receipt salt; entry_id (16 bytes)" +
    " and key (32 bytes) are HKDF-SHA256 of ikm with the transcript digest as salt and the info" +
    " alloc/v1/lookup-entry-id / -key; ciphertext is AES-256-GCM(key, 12 zero bytes, plaintext," +
    " associated data = entry_id as hex text). Computed by tests/vectors/lookup.mjs with node's" +
    " WebCrypto.",
  entries: [],
};
for (const c of cases) out.entries.push(await entry(c));
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
