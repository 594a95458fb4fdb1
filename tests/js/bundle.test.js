// alloc/web/alloc.js, the page's one classic script, is exactly what the
// pinned esbuild makes of src/ and vendor/, and works as a classic script.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import * as modules from '../../alloc/web/src/index.js';
import { REQUIRE_NODE_MODULES, ROOT, WEB } from './helpers.js';

const INSTALLED = existsSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'));
const skip = !INSTALLED && !REQUIRE_NODE_MODULES && 'esbuild is missing: run `npm ci` in the repository root';

test('the committed bundle equals a fresh build', { skip }, async () => {
  assert.ok(INSTALLED, 'node_modules is missing: CI must run `npm ci` before the tests (ALLOC_REQUIRE_NODE=1)');
  const { buildBundle } = await import('../../alloc/web/tools/build.mjs');
  const fresh = await buildBundle();
  const committed = readFileSync(join(WEB, 'alloc.js'), 'utf8');
  assert.ok(committed === fresh, 'alloc/web/alloc.js is out of date: run node alloc/web/tools/build.mjs');
});

test('the bundle runs as a classic script without crypto.subtle and exposes the whole API', () => {
  // A page served over plain http has no crypto.subtle; give the script nothing but the language.
  const context = vm.createContext({ TextEncoder, TextDecoder });
  vm.runInContext(readFileSync(join(WEB, 'alloc.js'), 'utf8'), context, { filename: 'alloc.js' });
  const api = context.alloc;
  assert.deepEqual(Object.keys(api).sort(), Object.keys(modules).sort());
  const hex = api.toHex(api.sha256(new Uint8Array(0)));
  assert.equal(hex, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  const pub = api.fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = api.fromHex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );
  // Uint8Arrays from this context are foreign to the script's realm; noble accepts them.
  assert.ok(api.ed25519Verify(pub, new Uint8Array(0), sig));
});
