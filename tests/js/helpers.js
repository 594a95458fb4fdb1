// Shared by the node tests: paths and the test vectors.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB = join(ROOT, 'alloc', 'web');

/** A vector file of tests/vectors, parsed. */
export function vectors(name) {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'vectors', `${name}.json`), 'utf8'));
}

/**
 * True if the tests that need `npm ci`'s node_modules must run: CI sets
 * ALLOC_REQUIRE_NODE=1, which turns their skip into a failure.
 */
export const REQUIRE_NODE_MODULES = process.env.ALLOC_REQUIRE_NODE === '1';
