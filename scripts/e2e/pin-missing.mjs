// Reads a failed `yarn install` log, finds the packages Yarn could not
// resolve ("YN0082 … No candidates found": versions the registry mirror
// lacks, typically optional binaries for other platforms that are never
// installed here) and pins each to the registry's latest version in the
// app's root package.json "resolutions". When the missing package is one
// of a family of platform binaries, the whole family is checked at once,
// because Yarn stops at the first failure and a retry costs ~15 s.
//
//   node pin-missing.mjs APP_DIR INSTALL_LOG   -> exit 0: pinned something
//                                                 exit 3: nothing to pin
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [appDir, logFile] = process.argv.slice(2);
const log = readFileSync(logFile, 'utf8');
const missing = [...log.matchAll(/YN0082: │ (@?[^@\s]+)@npm:(\S+): No candidates found/g)].map(m => ({ name: m[1], version: m[2] }));
if (missing.length === 0) process.exit(3);

function npmView(spec, field) {
  try {
    const out = execFileSync('npm', ['view', '--json', spec, field], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() ? JSON.parse(out) : undefined;
  } catch {
    return undefined;
  }
}

// Parents whose optionalDependencies list a family of platform binaries,
// keyed by the family's name prefix.
const families = { '@swc/core-': '@swc/core', '@unrs/resolver-binding-': 'unrs-resolver', '@rollup/rollup-': 'rollup' };

const pkgPath = join(appDir, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.resolutions ??= {};
const cutoff = process.env.E2E_CUTOFF;
// The newest stable version published at or before the cutoff.
const asOfCutoff = name => {
  const times = npmView(name, 'time') ?? {};
  const ok = Object.entries(times)
    .filter(([v, t]) => /^\d+\.\d+\.\d+$/.test(v) && new Date(t).toISOString() <= cutoff)
    .map(([v]) => v.split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return ok.length ? ok[ok.length - 1].join('.') : undefined;
};
const pin = name => {
  if (pkg.resolutions[name]) return;
  const version = cutoff ? asOfCutoff(name) : npmView(name, 'dist-tags.latest');
  if (!version) throw new Error(`${name}: no version in the registry${cutoff ? ` published before ${cutoff}` : ''}`);
  pkg.resolutions[name] = version;
  console.log(`pinned ${name} -> ${version}`);
};
for (const { name, version } of missing) {
  pin(name);
  const prefix = Object.keys(families).find(p => name.startsWith(p));
  if (!prefix) continue;
  const siblings = Object.keys(npmView(`${families[prefix]}@${version}`, 'optionalDependencies') ?? {});
  for (const sib of siblings) {
    if (sib.startsWith(prefix) && !npmView(`${sib}@${version}`, 'version')) pin(sib);
  }
}
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
