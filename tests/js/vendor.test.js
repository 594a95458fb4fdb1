// The vendored @noble files are byte for byte the files of the packages
// `npm ci` installed and checked against package-lock.json's integrity
// hashes, and MANIFEST.json records exactly those packages and files.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REQUIRE_NODE_MODULES, ROOT, WEB } from './helpers.js';

const INSTALLED = existsSync(join(ROOT, 'node_modules', '@noble', 'hashes', 'package.json'));
const skip = !INSTALLED && !REQUIRE_NODE_MODULES && 'node_modules is missing: run `npm ci` in the repository root';

const manifest = JSON.parse(readFileSync(join(WEB, 'vendor', 'MANIFEST.json'), 'utf8'));
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('every vendored file has the hash the manifest records, and nothing else is vendored', () => {
  const listed = new Set(['MANIFEST.json']);
  for (const entry of manifest.packages) {
    for (const [file, digest] of Object.entries(entry.files)) {
      assert.equal(sha256(join(WEB, entry.directory, file)), digest, `${entry.package}/${file}`);
      listed.add(`${entry.directory.replace('vendor/', '')}/${file}`);
    }
  }
  const present = readdirSync(join(WEB, 'vendor'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name).slice(join(WEB, 'vendor').length + 1));
  assert.deepEqual(present.filter((f) => !listed.has(f)), []);
});

test('the manifest names the locked versions and integrity hashes', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const entry of manifest.packages) {
    const locked = lock.packages[`node_modules/${entry.package}`];
    assert.equal(entry.version, locked.version, entry.package);
    assert.equal(entry.integrity, locked.integrity, entry.package);
    assert.equal(pkg.dependencies[entry.package], entry.version, `${entry.package} is pinned exactly`);
    assert.match(entry.integrity, /^sha512-/);
  }
});

test('the vendored files equal the installed, integrity-checked packages', { skip }, async () => {
  assert.ok(INSTALLED, 'node_modules is missing: CI must run `npm ci` before the tests (ALLOC_REQUIRE_NODE=1)');
  const { expectedManifest } = await import('../../alloc/web/tools/vendor.mjs');
  const expected = expectedManifest();
  assert.deepEqual(manifest.packages, expected.packages);
  for (const entry of manifest.packages) {
    for (const file of Object.keys(entry.files)) {
      const installed = readFileSync(join(ROOT, 'node_modules', entry.package, file));
      assert.ok(installed.equals(readFileSync(join(WEB, entry.directory, file))), `${entry.package}/${file}`);
    }
  }
});
