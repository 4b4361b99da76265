// Prints the moment a create-app release was complete on the registry, as
// an ISO time: the latest publish time among create-app's own version and
// every @backstage/* version its templates pin (create-app embeds that
// table in dist/lib/versions.cjs.js). The latest, not create-app's own
// time: a release is published package by package, and the registry
// mirror here even records some of a release's packages days after
// create-app itself (create-app 0.9.2: 2026-09-18, plugin-signals 0.0.35
// of the same release 1.55.0: 2026-09-20), so a cutoff at create-app's
// time would quarantine the template's own pins.
//
//   node release-cutoff.mjs CREATE_APP_PACKAGE_DIR
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const dir = process.argv[2];
const require = createRequire(join(dir, 'package.json'));
const self = require('./package.json');
const { packageVersions } = require('./dist/lib/versions.cjs.js');
const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/$/, '');

const wanted = [[self.name, self.version], ...Object.entries(packageVersions).filter(([n]) => n.startsWith('@'))];
let latest = '', latestOf = '';
await Promise.all(wanted.map(async ([name, version]) => {
  const res = await fetch(`${registry}/${name.replace('/', '%2f')}`);
  if (!res.ok) throw new Error(`${registry}/${name}: HTTP ${res.status}`);
  const t = (await res.json()).time?.[version];
  if (!t) throw new Error(`${name}@${version}: the registry has no publish time for it`);
  const iso = new Date(t).toISOString();
  if (iso > latest) { latest = iso; latestOf = `${name}@${version}`; }
}));
console.error(`release complete at ${latest} (last: ${latestOf}, of ${wanted.length} pinned versions)`);
console.log(latest);
