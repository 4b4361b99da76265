#!/usr/bin/env node
// Checks the ABI torture guests value for value.
//
//   node check-torture.mjs
//
// Runs every case of fixtures/guests/abi-torture/cases.json (and c/cases.json for
// the C utf16 guest) under node through jco. Cases are written in the JSON
// shape `bigband-dev call` prints, so the host tests can reuse them; this
// script converts them to jco's JS values using the WIT's resolved types
// (from `bigband-dev wit json`). It also drives the counter resource, which
// a JSON case can't express.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { callResult, loadGuest } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(root, 'fixtures/guests/abi-torture');

// readCases parses a cases file, keeping integers beyond 2^53 exact: they
// become {$big: "digits"} before JSON.parse can round them.
async function readCases(path) {
  const text = await readFile(path, 'utf8');
  return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.\deE])/g, (m) => (m[0] === '"' ? m : `{"$big":"${m}"}`)));
}

function witJSON(witDir) {
  const out = execFileSync('go', ['run', './cmd/bigband-dev', 'wit', 'json', witDir], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out);
}

const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

// Converter turns wire JSON into the JS values jco passes and returns.
class Converter {
  constructor(resolve) {
    this.types = resolve.types;
  }

  // kind resolves a type reference to a primitive name or a type kind.
  kind(t) {
    while (typeof t === 'number') {
      const k = this.types[t].kind;
      if (k.type === undefined) return k;
      t = k.type; // an alias: follow it
    }
    return t;
  }

  // toJS converts one value.
  toJS(t, v) {
    const k = this.kind(t);
    if (typeof k === 'string') {
      if (k === 'u64' || k === 's64') return BigInt(v?.$big ?? v);
      if ((k === 'f32' || k === 'f64') && typeof v === 'string') return Number(v); // "NaN", "Infinity"
      return v;
    }
    if (k.list !== undefined) return v.map((x) => this.toJS(k.list, x));
    if (k.record) return Object.fromEntries(k.record.fields.map((f) => [camel(f.name), this.toJS(f.type, v[f.name])]));
    if (k.tuple) return k.tuple.types.map((et, i) => this.toJS(et, v[i]));
    if (k.flags) return Object.fromEntries(k.flags.flags.map((f) => [camel(f.name), v.includes(f.name)]));
    if (k.enum) return v;
    if (k.variant) {
      const [name, payload] = Object.entries(v)[0];
      const c = k.variant.cases.find((c) => c.name === name);
      return c.type == null ? { tag: name } : { tag: name, val: this.toJS(c.type, payload) };
    }
    if (k.option !== undefined) {
      // option<option<T>>: jco writes the outer one as {tag}; the wire as
      // null | {"some": inner}.
      if (this.isOption(k.option)) return v === null ? { tag: 'none' } : { tag: 'some', val: this.toJS(k.option, v.some) };
      return v === null ? undefined : this.toJS(k.option, v);
    }
    if (k.result !== undefined) {
      const [tag, payload] = Object.entries(v)[0];
      const pt = k.result[tag];
      return { tag, val: pt == null ? undefined : this.toJS(pt, payload) };
    }
    throw new Error(`unsupported type ${JSON.stringify(k)}`);
  }

  isOption(t) {
    const k = this.kind(t);
    return typeof k === 'object' && k.option !== undefined;
  }
}

// plain turns typed arrays (jco's lists of numbers) into arrays for comparison.
function plain(v) {
  if (ArrayBuffer.isView(v)) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// findFunc looks an export up in the resolved world: "iface#func" or "func".
function findFunc(resolve, exportName) {
  const world = resolve.worlds.at(-1);
  const [ifaceName, funcName] = exportName.includes('#') ? exportName.split('#') : [null, exportName];
  if (!ifaceName) return { fn: world.exports[funcName].function, iface: null };
  const iface = resolve.interfaces.find((i) => i.name === ifaceName);
  return { fn: iface.functions[funcName], iface };
}

let failures = 0;
function report(ok, what, detail = '') {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail}`);
}

async function runCases(wasm, witDir, casesPath) {
  const resolve = witJSON(witDir);
  const conv = new Converter(resolve);
  const cases = await readCases(casesPath);
  // trap poisons the instance, so it runs last; spin would hang node.
  const ordered = [...cases.filter((c) => !c.trap), ...cases.filter((c) => c.trap)];
  let guest = await loadGuest(wasm);
  for (const c of ordered) {
    const label = `${wasm.slice(root.length + 1)} ${c.export}(${JSON.stringify(c.args).slice(0, 60)})`;
    if (c.hangs) {
      console.log(`skip ${label}: never returns`);
      continue;
    }
    const { fn, iface } = findFunc(resolve, c.export);
    const target = iface ? guest[camel(iface.name)] : guest;
    if (!target?.[camel(fn.name)]) throw new Error(`${label}: no such export in the transpiled guest`);
    const f = target[camel(fn.name)];
    const args = fn.params.map((p, i) => conv.toJS(p.type, c.args[i]));
    if (c.trap) {
      try {
        f(...args);
        report(false, label, ': returned, want a trap');
      } catch (e) {
        report(e instanceof WebAssembly.RuntimeError, label, `: ${e.message}`);
      }
      continue;
    }
    let got, want;
    const k = fn.result == null ? null : conv.kind(fn.result);
    try {
      if (k && k.result !== undefined) {
        // jco returns ok values and throws err payloads at the top level.
        const r = callResult(() => f(...args));
        const tag = Object.keys(r)[0];
        got = { tag, val: r[tag] };
        want = conv.toJS(fn.result, c.result);
      } else {
        got = f(...args);
        want = fn.result == null ? undefined : conv.toJS(fn.result, c.result);
      }
    } catch (e) {
      report(false, label, `: ${e.message}`);
      guest = await loadGuest(wasm); // a trap poisons the instance
      continue;
    }
    const ok = isDeepStrictEqual(plain(got), plain(want));
    report(ok, label, ok ? '' : `\n   got:  ${String(JSON.stringify(plain(got), big))}\n   want: ${JSON.stringify(plain(want), big)}`);
  }
  return guest;
}

const big = (_, v) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v);

// The counter resource: constructor, methods, static, borrow and own.
function checkCounter(types) {
  const eq = (what, got, want) => report(got === want, `counter: ${what}`, got === want ? '' : ` = ${got}, want ${want}`);
  const c = new types.Counter(5);
  eq('new(5).inc(2)', c.inc(2), 7);
  eq('get()', c.get(), 7);
  eq('peek(borrow)', types.peek(c), 7);
  eq('get() after peek', c.get(), 7);
  const z = types.Counter.zero();
  eq('zero().get()', z.get(), 0);
  eq('zero().inc(41)', z.inc(41), 41);
  eq('zero().inc(1)', z.inc(1), 42);
  eq('consume(own)', types.consume(c), 7);
  let threw = false;
  try {
    c.get();
  } catch {
    threw = true;
  }
  report(threw, 'counter: a consumed handle is gone');
}

await runCases(join(dir, 'torture.wasm'), 'fixtures/guests/abi-torture/wit', join(dir, 'cases.json'));
// The trap case poisoned that instance; the resource checks get a new one.
checkCounter((await loadGuest(join(dir, 'torture.wasm'))).types);
// The C guest in UTF-16. jco 1.35 can't transpile the latin1+utf16 build
// (js-component-bindgen asserts the encoding is utf8 or utf16), so
// c/compact.*.wasm is checked by the host tests only.
const utf16 = await runCases(join(dir, 'c/utf16.component.wasm'), 'fixtures/guests/abi-torture/c/wit', join(dir, 'c/cases.json'));
const enc = utf16.strings.encoding();
report(enc === 'utf16', 'c/utf16.component.wasm strings#encoding', ` = ${enc}`);
console.log('skip fixtures/guests/abi-torture/c/compact.component.wasm: jco cannot transpile latin1+utf16');

console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
