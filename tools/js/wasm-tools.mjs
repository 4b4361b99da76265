#!/usr/bin/env node
// Thin CLI over jco's wasm-tools API (the `jco embed` CLI is broken in 1.35).
//
//   node wasm-tools.mjs embed  --wit DIR --world W [--encoding utf8|utf16|compact-utf16] IN.wasm OUT.wasm
//   node wasm-tools.mjs new    [--wit DIR --world W] [--adapter reactor|command|none] IN.wasm OUT.wasm
//   node wasm-tools.mjs wit    IN.wasm
//
// embed adds a component-type custom section to a core module; new turns
// such a module into a component (embedding first when given --wit), adapting
// wasi_snapshot_preview1 imports with the adapter jco ships.
import './preopen.mjs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { componentEmbed, componentNew, componentWit } from '@bytecodealliance/jco-transpile/wasm-tools';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    wit: { type: 'string' },
    world: { type: 'string' },
    encoding: { type: 'string', default: 'utf8' },
    adapter: { type: 'string', default: 'reactor' },
  },
});
const [cmd, input, output] = positionals;
const usage = 'usage: wasm-tools.mjs embed|new|wit [flags] IN.wasm [OUT.wasm]';
if (!cmd || !input) throw new Error(usage);

function embed(binary) {
  return componentEmbed({
    binary,
    witPath: resolve(opts.wit), // absolute: the tool sees "/" only
    world: opts.world,
    stringEncoding: opts.encoding,
  });
}

let bytes = new Uint8Array(await readFile(input));
switch (cmd) {
  case 'embed': {
    if (!opts.wit || !opts.world || !output) throw new Error(usage);
    await writeFile(output, await embed(bytes));
    break;
  }
  case 'new': {
    if (!output) throw new Error(usage);
    if (opts.wit) bytes = await embed(bytes);
    const adapters = [];
    if (opts.adapter !== 'none') {
      // The preview1 -> preview2 adapters ship inside the jco package.
      // (jco's package.json "exports" hide lib/, so find it by path.)
      const here = dirname(fileURLToPath(import.meta.url));
      const lib = join(here, 'node_modules', '@bytecodealliance', 'jco', 'lib');
      const adapter = await readFile(join(lib, `wasi_snapshot_preview1.${opts.adapter}.wasm`));
      adapters.push(['wasi_snapshot_preview1', new Uint8Array(adapter)]);
    }
    await writeFile(output, await componentNew(bytes, adapters));
    break;
  }
  case 'wit':
    process.stdout.write(await componentWit(bytes));
    break;
  default:
    throw new Error(usage);
}
