// The public API of alloc's JavaScript verifier library: a second,
// independent implementation of docs/spec.md. The page uses the bundle of
// this module (alloc/web/alloc.js, global `alloc`); node tests import it.

export * from './bytes.js';
export * from './errors.js';
export { sha256, sha512, hmacSha256, hkdfSha256, aesGcmOpen, aesGcmSeal, ed25519Verify } from './crypto.js';
export * from './strictjson.js';
export * from './canonical.js';
export * from './merkle.js';
export * from './tickets.js';
export * from './seed.js';
export * from './identity.js';
export * from './rules.js';
export * from './records.js';
export { draw } from './engine.js';
export * from './rerun.js';
export * from './envelope.js';
export * from './documents.js';
export * from './lookup.js';
export * from './proof.js';
