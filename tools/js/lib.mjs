// Shared helpers for the fixture checks: load any guest (component, or core
// module with a component-type section) into node through jco.
import './preopen.mjs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';

const here = dirname(fileURLToPath(import.meta.url));

// isComponent tells a component (layer 1) from a core module by its preamble.
export function isComponent(bytes) {
  return bytes[4] === 0x0d && bytes[6] === 0x01;
}

let loads = 0;

// loadGuest transpiles a guest to JS and imports a fresh instance of it. Core modules are first
// turned into components with the reactor adapter, which needs the module's
// component-type section. The generated files go under tools/js/.check so
// their imports of preview2-shim resolve from this package's node_modules.
export async function loadGuest(path) {
  let bytes = new Uint8Array(await readFile(path));
  if (!isComponent(bytes)) {
    const adapter = await readFile(join(here, 'node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm'));
    bytes = await componentNew(bytes, [['wasi_snapshot_preview1', new Uint8Array(adapter)]]);
  }
  const name = 'guest';
  const { files } = await transpileBytes(bytes, { name });
  // Named by content: node caches modules by URL, so two guests must never
  // share a directory within one process.
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const outDir = join(here, '.check', `${basename(path, '.wasm')}-${digest}`);
  await rm(outDir, { recursive: true, force: true });
  for (const [file, data] of Object.entries(files)) {
    await mkdir(dirname(join(outDir, file)), { recursive: true });
    await writeFile(join(outDir, file), data);
  }
  // The query makes every call a new module, hence a new component instance.
  return import(`${pathToFileURL(join(outDir, `${name}.js`)).href}?load=${++loads}`);
}

// callResult runs a jco export that returns result<T, E>, in the host CLI's
// JSON shape. jco returns the ok value and throws the err payload (bare, or
// wrapped in a ComponentError's payload); traps are WebAssembly.RuntimeErrors.
export function callResult(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    if (e instanceof Error && 'payload' in e) return { err: e.payload };
    if (e instanceof Error) throw e;
    return { err: e };
  }
}
