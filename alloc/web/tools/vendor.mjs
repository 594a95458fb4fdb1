// Copy the audited npm packages the page needs from node_modules (installed
// by `npm ci`, which checks every tarball against package-lock.json's
// integrity hash) into alloc/web/vendor/, byte for byte, and write
// vendor/MANIFEST.json: package, version, tarball integrity and the SHA-256
// of every vendored file. tests/js/vendor.test.js checks all of it again.
//
//   node alloc/web/tools/vendor.mjs

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(WEB, '..', '..');

/** What is vendored: each package's directory under vendor/ and the files kept. */
export const VENDORED = [
  {
    package: '@noble/hashes',
    directory: 'noble-hashes',
    // SHA-256, SHA-512, HMAC and HKDF (lookup entries), and what they import.
    files: ['LICENSE', '_md.js', '_u64.js', 'hkdf.js', 'hmac.js', 'sha2.js', 'utils.js'],
  },
  {
    package: '@noble/ciphers',
    directory: 'noble-ciphers',
    // AES-256-GCM (lookup entries), and what it imports.
    files: ['LICENSE', '_polyval.js', 'aes.js', 'utils.js'],
  },
  {
    package: '@noble/ed25519',
    directory: 'noble-ed25519',
    files: ['LICENSE', 'index.js'],
  },
];

export function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The manifest that the files in node_modules and package-lock.json call for. */
export function expectedManifest() {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  return {
    description:
      'Files copied verbatim from npm packages installed by `npm ci` (package-lock.json). ' +
      'Regenerate with `node alloc/web/tools/vendor.mjs`; tests/js/vendor.test.js checks it.',
    packages: VENDORED.map((entry) => {
      const locked = lock.packages[`node_modules/${entry.package}`];
      const installed = JSON.parse(
        readFileSync(join(ROOT, 'node_modules', entry.package, 'package.json'), 'utf8'),
      );
      if (!locked || installed.version !== locked.version) {
        throw new Error(`${entry.package}: node_modules does not hold the locked version; run npm ci`);
      }
      return {
        package: entry.package,
        version: locked.version,
        integrity: locked.integrity,
        directory: `vendor/${entry.directory}`,
        files: Object.fromEntries(
          entry.files.map((f) => [f, sha256File(join(ROOT, 'node_modules', entry.package, f))]),
        ),
      };
    }),
  };
}

function main() {
  const manifest = expectedManifest();
  rmSync(join(WEB, 'vendor'), { recursive: true, force: true });
  for (const entry of VENDORED) {
    const target = join(WEB, 'vendor', entry.directory);
    mkdirSync(target, { recursive: true });
    for (const f of entry.files) copyFileSync(join(ROOT, 'node_modules', entry.package, f), join(target, f));
  }
  writeFileSync(join(WEB, 'vendor', 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`vendored ${VENDORED.length} packages into ${join(WEB, 'vendor')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
