#!/usr/bin/env node
// Checks frontend guests against fixtures/guests/frontend-expected.json.
//
//   node check-frontend.mjs GUEST.wasm...
//
// Each guest may be a component or a core module with a component-type
// section. Exit status 1 if any guest's output differs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { callResult, loadGuest } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const expected = JSON.parse(await readFile(join(here, '../../fixtures/guests/frontend-expected.json'), 'utf8'));

// toWire turns jco's JS values into the host CLI's JSON: kebab-case field
// names and null for an absent option.
function toWire(v) {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), toWire(x)]));
  }
  return v;
}

// digestLarge replaces a string by {sha256, length} where the golden file
// stores that form (see fixtures/guests/README.md).
function digestLarge(got, want) {
  if (Array.isArray(want) && Array.isArray(got)) return got.map((g, i) => digestLarge(g, want[i]));
  if (want && typeof want === 'object' && got && typeof got === 'object') {
    return Object.fromEntries(Object.entries(got).map(([k, g]) => [k, digestLarge(g, want[k])]));
  }
  if (typeof got === 'string' && want && typeof want === 'object' && 'sha256' in want) {
    const bytes = Buffer.from(got, 'utf8');
    return { sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length };
  }
  return got;
}

let failed = false;
for (const path of process.argv.slice(2)) {
  const guest = await loadGuest(path);
  const plugin = guest.backstageFrontendPlugin ?? guest['backstage:plugins/backstage-frontend-plugin@0.1.0'];
  const calls = {
    'backstage-frontend-plugin#get-node-deps': () => plugin.getNodeDeps(),
    'backstage-frontend-plugin#get-component-files': () => plugin.getComponentFiles(),
  };
  for (const [name, fn] of Object.entries(calls)) {
    const t0 = performance.now();
    const got = digestLarge(toWire(callResult(fn)), expected[name]);
    const ms = (performance.now() - t0).toFixed(1);
    if (isDeepStrictEqual(got, expected[name])) {
      console.log(`ok   ${path} ${name} (${ms} ms)`);
    } else {
      failed = true;
      console.log(`FAIL ${path} ${name}\n got:  ${JSON.stringify(got)}\n want: ${JSON.stringify(expected[name])}`);
    }
  }
}
process.exit(failed ? 1 : 0);
