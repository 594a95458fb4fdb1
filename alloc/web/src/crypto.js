// Hashes, HMAC, HKDF, AES-GCM and signatures, from the vendored, audited @noble packages
// only. They are pure JavaScript and synchronous: a page served over plain
// http has no crypto.subtle, and older phone browsers have no WebCrypto
// Ed25519, so nothing here depends on either.

import { sha256 as nobleSha256, sha512 as nobleSha512 } from '../vendor/noble-hashes/sha2.js';
import { hmac } from '../vendor/noble-hashes/hmac.js';
import { hkdf } from '../vendor/noble-hashes/hkdf.js';
import { gcm } from '../vendor/noble-ciphers/aes.js';
import * as ed25519 from '../vendor/noble-ed25519/index.js';

// @noble/ed25519 takes its SHA-512 from the caller; this is the one place it is set.
ed25519.hashes.sha512 = nobleSha512;

/** SHA-256 of the concatenation of byte arrays. */
export function sha256(...parts) {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SHA-512 of bytes. */
export function sha512(bytes) {
  return nobleSha512(bytes);
}

/** HMAC-SHA256 (RFC 2104) of a message under a key. */
export function hmacSha256(key, message) {
  return hmac(nobleSha256, key, message);
}

/**
 * HMAC-SHA256 under one fixed key, for many messages: the key's inner and
 * outer hash states are computed once and copied for every message.
 * @param {Uint8Array} key
 * @returns {(message: Uint8Array) => Uint8Array}
 */
export function hmacSha256With(key) {
  const keyed = hmac.create(nobleSha256, key);
  return (message) => keyed.clone().update(message).digest();
}

/**
 * Incremental SHA-256 whose state after a fixed prefix is reused: returns
 * `hash(...parts)` = SHA-256(prefix || parts...).
 */
export function sha256With(prefix) {
  const base = nobleSha256.create().update(prefix);
  return (...parts) => {
    const h = base.clone();
    for (const p of parts) h.update(p);
    return h.digest();
  };
}

/**
 * Verify an Ed25519 signature (RFC 8032), strictly: non-canonical point
 * encodings and small-order public keys are rejected (noble's zip215: false).
 * Never throws; malformed input is simply not a valid signature.
 */
export function ed25519Verify(publicKey, message, signature) {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** HKDF-SHA256 (RFC 5869) of length bytes. */
export function hkdfSha256(ikm, salt, info, length) {
  return hkdf(nobleSha256, ikm, salt, info, length);
}

/**
 * AES-256-GCM decryption (NIST SP 800-38D) of ciphertext || 16-byte tag.
 * @returns {Uint8Array|null} the plaintext, or null if the tag does not verify
 */
export function aesGcmOpen(key, nonce, sealed, associatedData) {
  try {
    return gcm(key, nonce, associatedData).decrypt(sealed);
  } catch {
    return null;
  }
}

/** AES-256-GCM encryption: ciphertext || 16-byte tag (for tests and tools). */
export function aesGcmSeal(key, nonce, plaintext, associatedData) {
  return gcm(key, nonce, associatedData).encrypt(plaintext);
}
