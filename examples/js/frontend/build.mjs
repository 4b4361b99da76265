// Builds the plugin into a WebAssembly component with componentize-js:
//
//   node build.mjs SRC.js --wit DIR --world WORLD [--disable a,b] -o OUT.wasm
//
// componentize-js's own CLI does the same, but its WIT reader runs under
// preview2-shim, which (since 0.26) grants no file system access unless
// told to: without the preopen below every path fails with "No such file
// or directory (os error 44)".
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// The tools come from this project's node_modules: say how to get them.
async function need(name) {
  try {
    return await import(name);
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    console.error(`build.mjs: ${name} is not installed: run \`npm install\` in ${process.cwd()}`);
    process.exit(1);
  }
}

const { _setPreopens } = await need('@bytecodealliance/preview2-shim/filesystem');
_setPreopens({ '/': '/' });
const { componentize } = await need('@bytecodealliance/componentize-js');

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    wit: { type: 'string' },
    world: { type: 'string' },
    disable: { type: 'string', default: '' },
    out: { type: 'string', short: 'o' },
  },
});
const [src] = positionals;
if (!src || !opts.out || !opts.wit || !opts.world) {
  console.error('usage: node build.mjs SRC.js --wit DIR --world WORLD [--disable a,b] -o OUT.wasm');
  process.exit(2);
}
const { component } = await componentize({
  sourcePath: resolve(src),
  witPath: resolve(opts.wit),
  worldName: opts.world,
  // Each disabled feature (stdio, random, clocks, http, fetch-event)
  // drops the WASI imports the engine would need for it.
  disableFeatures: opts.disable ? opts.disable.split(',') : [],
});
await mkdir(dirname(resolve(opts.out)), { recursive: true });
await writeFile(opts.out, component);
