// Write alloc/web/src/zones.js: the IANA time zone names a rules document may
// name (spec 9.2), taken from the `zones` file of Python's tzdata package,
// which is the list alloc's Python side accepts. tests/test_js.py checks
// that the file equals what this tool makes from the installed tzdata.
//
//   node alloc/web/tools/zones.mjs "$(python -c 'import importlib.resources as r; print(r.files("tzdata") / "zones")')"

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The text of src/zones.js for the zone names in a tzdata `zones` file. */
export function zonesModule(text) {
  const names = text.split(/\s+/).filter(Boolean).sort();
  return (
    '// The IANA time zone names of the tzdata package (spec 9.2), written by\n' +
    '// alloc/web/tools/zones.mjs. Do not edit: regenerate.\n\n' +
    'export const TIME_ZONES = Object.freeze(new Set(\n' +
    `  ${JSON.stringify(names.join(' '))}.split(' '),\n` +
    '));\n'
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: node alloc/web/tools/zones.mjs PATH/TO/tzdata/zones');
    process.exit(2);
  }
  writeFileSync(join(WEB, 'src', 'zones.js'), zonesModule(readFileSync(source, 'utf8')));
}
