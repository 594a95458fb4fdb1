// Build alloc/web/alloc.js, the one classic script the parent's page loads:
// src/index.js and the vendored @noble files bundled by the pinned esbuild
// (package-lock.json) into an IIFE that defines the global `alloc`. A page
// opened from file:// cannot import ES modules from other files, so the page
// gets this single script; node and the tests import src/ directly.
// tests/js/bundle.test.js checks that the committed bundle is exactly what
// this build makes.
//
//   node alloc/web/tools/build.mjs          write alloc/web/alloc.js
//   node alloc/web/tools/build.mjs --check  exit 1 if it is out of date

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(WEB, 'alloc.js');

const BANNER =
  '// alloc.js: the verifier library of alloc, built by alloc/web/tools/build.mjs from\n' +
  '// alloc/web/src and alloc/web/vendor (see alloc/web/README.md). Do not edit: rebuild.';

/** The bundle's text, built in memory. */
export async function buildBundle() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(WEB, 'src', 'index.js')],
    absWorkingDir: WEB,
    bundle: true,
    format: 'iife',
    globalName: 'alloc',
    // Chrome 91 / Safari 15 / Firefox 90: BigInt (Ed25519), lookbehind and
    // Unicode property escapes (name normalisation), ??= and class fields.
    target: ['es2021'],
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'inline',
    minify: false,
    write: false,
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

async function main() {
  const text = await buildBundle();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(BUNDLE, 'utf8');
    if (committed !== text) {
      console.error('alloc/web/alloc.js is out of date: run node alloc/web/tools/build.mjs');
      process.exit(1);
    }
    console.log('alloc/web/alloc.js is up to date');
    return;
  }
  writeFileSync(BUNDLE, text);
  console.log(`wrote ${BUNDLE} (${text.length} characters)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
