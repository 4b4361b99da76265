#!/usr/bin/env node
// Builds a component from a JS module with componentize-js (StarlingMonkey).
//
//   node componentize.mjs --wit DIR --world W [--disable http,fetch-event] SRC.js OUT.wasm
//
// --disable takes componentize-js feature names (stdio, random, clocks, http,
// fetch-event, or "all"); each disabled feature drops the WASI imports the
// engine would otherwise need for it.
import './preopen.mjs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { componentize } from '@bytecodealliance/componentize-js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    wit: { type: 'string' },
    world: { type: 'string' },
    disable: { type: 'string', default: '' },
  },
});
const [src, out] = positionals;
if (!src || !out || !opts.wit || !opts.world) {
  throw new Error('usage: componentize.mjs --wit DIR --world W [--disable a,b] SRC.js OUT.wasm');
}
let disableFeatures = opts.disable ? opts.disable.split(',') : [];
if (disableFeatures.includes('all')) disableFeatures = ['stdio', 'random', 'clocks', 'http', 'fetch-event'];

const { component } = await componentize({
  sourcePath: resolve(src),
  witPath: resolve(opts.wit),
  worldName: opts.world,
  disableFeatures,
});
await writeFile(out, component);
