// Tests the WIT TextMate grammar with the engine VS Code itself uses
// (vscode-textmate + vscode-oniguruma).
//
//   node test/grammar.test.mjs [DIR...]
//
// Every .wit file under each DIR must tokenize; files outside a
// parse-fail/ directory (wit-parser accepts them) must also get a real scope
// on every non-blank character, no invalid.illegal token, and end with no
// rule left open (no unclosed comment, block, generic or parameter list).
// The spot checks pin the scopes themes colour: keywords, types, names,
// comments, strings and versions. The Go test in editors/ runs this script
// with the conformance corpus and the repository's own WIT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.dirname(fileURLToPath(import.meta.url));
const grammarPath = path.join(here, '..', 'syntaxes', 'wit.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.wit') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  return registry.loadGrammar('source.wit');
}

const grammar = await loadGrammar();

// tokenize returns every token as {line, text, scopes} and the rule stack
// depth after the last line (1 = back at the top level).
function tokenize(src) {
  const out = [];
  let state = vsctm.INITIAL;
  const lines = src.split(/\r?\n/);
  lines.forEach((line, i) => {
    // A hang guard: a line that takes over 10 s is a runaway regex (the
    // corpus's 64 KB line takes under a second).
    const r = grammar.tokenizeLine(line, state, 10000);
    if (r.stoppedEarly) throw new Error(`line ${i + 1}: tokenizing stopped early (time limit)`);
    for (const t of r.tokens) {
      out.push({ line: i + 1, col: t.startIndex + 1, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = r.ruleStack;
  });
  return { tokens: out, depth: state.depth };
}

// A scope that says what a token is (rather than only where it is).
const leaf = /^(comment|keyword|storage|support|entity|variable|constant|string|punctuation)\./;

function problems(src) {
  const { tokens, depth } = tokenize(src);
  const out = [];
  for (const t of tokens) {
    if (t.scopes.some((s) => s.startsWith('invalid.'))) {
      out.push(`${t.line}:${t.col}: ${JSON.stringify(t.text)} is ${t.scopes.at(-1)}`);
    } else if (t.text.trim() !== '' && !t.scopes.some((s) => leaf.test(s))) {
      out.push(`${t.line}:${t.col}: ${JSON.stringify(t.text)} has no scope (only ${t.scopes.join(' ')})`);
    }
  }
  if (depth !== 1) out.push(`end of file: ${depth - 1} rule(s) still open`);
  return out;
}

function witFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...witFiles(p));
    } else if (e.name.endsWith('.wit')) {
      out.push(p);
    }
  }
  return out.sort();
}

const dirs = process.argv.slice(2);
for (const dir of dirs) {
  test(`corpus ${dir}`, () => {
    const files = witFiles(dir);
    assert.ok(files.length > 0, `${dir}: no .wit files`);
    let valid = 0;
    const bad = [];
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      const rel = path.relative(dir, f);
      if (rel.split(path.sep).includes('parse-fail')) {
        tokenize(src); // must not throw or run away; errors are expected
        continue;
      }
      valid++;
      for (const p of problems(src)) bad.push(`${rel}:${p}`);
    }
    console.log(`# ${dir}: ${files.length} files tokenized, ${valid} checked as valid WIT`);
    assert.deepEqual(bad, [], `grammar problems in valid WIT:\n${bad.join('\n')}`);
  });
}

// scopeOf finds the nth token whose text is exactly `text` on the line
// containing `marker`, and returns its scopes.
function scopesOf(tokens, text, nth = 0) {
  const hits = tokens.filter((t) => t.text === text);
  assert.ok(hits.length > nth, `no token ${JSON.stringify(text)} (#${nth}); tokens: ${tokens.map((t) => JSON.stringify(t.text)).join(' ')}`);
  return hits[nth].scopes;
}

const spots = [
  {
    src: 'package wasi:http@0.3.0-rc-2026-03-15;',
    want: [['package', 'keyword.other.package.wit'], ['wasi', 'entity.name.namespace.wit'],
      ['http', 'entity.name.namespace.wit'], ['@', 'punctuation.definition.version.wit'],
      ['0.3.0-rc-2026-03-15', 'constant.numeric.version.wit'], [';', 'punctuation.terminator.statement.wit']],
  },
  {
    src: '/// Handles a request.\n// plain\n/* a /* nested */ still */ interface handler {\n}',
    want: [[' Handles a request.', 'comment.line.documentation.wit'], [' plain', 'comment.line.double-slash.wit'],
      [' still ', 'comment.block.wit'], ['interface', 'keyword.declaration.interface.wit'],
      ['handler', 'entity.name.type.interface.wit'], ['{', 'punctuation.section.braces.begin.wit']],
  },
  {
    src: '/** Doc block. */\ninterface i {\n  handle: async func(request: request) -> result<response, error-code>;\n}',
    want: [[' Doc block. ', 'comment.block.documentation.wit'], ['handle', 'entity.name.function.wit'],
      ['async', 'storage.modifier.async.wit'], ['func', 'keyword.other.func.wit'],
      ['request', 'variable.parameter.wit'], ['request', 'entity.name.type.wit', 1],
      ['->', 'keyword.operator.arrow.wit'], ['result', 'support.type.builtin.wit'],
      ['<', 'punctuation.definition.generic.begin.wit'], ['error-code', 'entity.name.type.wit']],
  },
  {
    src: 'interface i {\n  type body = stream<u8>;\n  type done = future<result<_, error-context>>;\n  type m = map<string, list<u8, 4>>;\n}',
    want: [['type', 'keyword.declaration.type.wit'], ['body', 'entity.name.type.alias.wit'],
      ['stream', 'support.type.builtin.wit'], ['u8', 'support.type.primitive.wit'],
      ['future', 'support.type.builtin.wit'], ['_', 'variable.language.placeholder.wit'],
      ['error-context', 'support.type.primitive.wit'], ['map', 'support.type.builtin.wit'],
      ['string', 'support.type.primitive.wit'], ['4', 'constant.numeric.integer.wit']],
  },
  {
    src: 'package a:b@1.0.0;\n@since(version = 0.2.0)\n@deprecated(version = 1.0.0)\ninterface old {\n  @unstable(feature = fancy)\n  f: func();\n}',
    want: [['@since', 'storage.type.annotation.wit'], ['@deprecated', 'storage.type.annotation.wit'],
      ['@unstable', 'storage.type.annotation.wit'], ['version', 'variable.parameter.attribute.wit'],
      ['0.2.0', 'constant.numeric.version.wit'], ['fancy', 'constant.other.feature.wit'],
      ['f', 'entity.name.function.wit']],
  },
  {
    src: 'world proxy {\n  import wasi:http/types@0.2.0;\n  import primary: wasi:keyvalue/store;\n  export run: async func() -> result;\n  @external-id("x\\u{41}")\n  export handler;\n}',
    want: [['world', 'keyword.declaration.world.wit'], ['proxy', 'entity.name.type.world.wit'],
      ['import', 'keyword.other.import.wit'], ['types', 'entity.name.type.interface.wit'],
      ['0.2.0', 'constant.numeric.version.wit'], ['primary', 'entity.name.type.interface.wit'],
      ['store', 'entity.name.type.interface.wit'], ['export', 'keyword.other.export.wit'],
      ['run', 'entity.name.function.wit'], ['@external-id', 'storage.type.annotation.wit'],
      ['x', 'string.quoted.double.wit'], ['\\u{41}', 'constant.character.escape.wit'],
      ['handler', 'entity.name.type.wit']],
  },
  {
    src: 'interface t {\n  record point { x: u32, %type: option<s64> }\n  enum color { red, green }\n  flags perms { read }\n  variant shape { dot, circle(f64) }\n  resource conn {\n    constructor(addr: string);\n    open: static func() -> conn;\n    peek: func() -> borrow<conn>;\n  }\n}',
    want: [['record', 'keyword.declaration.record.wit'], ['point', 'entity.name.type.record.wit'],
      ['x', 'variable.other.member.wit'], ['%type', 'variable.other.member.wit'],
      ['option', 'support.type.builtin.wit'], ['color', 'entity.name.type.enum.wit'],
      ['red', 'variable.other.enummember.wit'], ['read', 'variable.other.enummember.wit'],
      ['circle', 'variable.other.enummember.wit'], ['f64', 'support.type.primitive.wit'],
      ['resource', 'keyword.declaration.resource.wit'], ['conn', 'entity.name.type.resource.wit'],
      ['constructor', 'keyword.other.constructor.wit'], ['addr', 'variable.parameter.wit'],
      ['static', 'storage.modifier.static.wit'], ['open', 'entity.name.function.wit'],
      ['borrow', 'support.type.builtin.wit']],
  },
  {
    src: 'package a:b;\nuse wasi:io/streams@0.2.0.{input-stream as is};\nworld w {\n  include c:d/e with { my-type as other }\n}\npackage c:d {\n  interface e {}\n}',
    want: [['use', 'keyword.other.use.wit'], ['streams', 'entity.name.type.interface.wit'],
      ['.', 'punctuation.accessor.wit'], ['input-stream', 'entity.name.type.wit'],
      ['as', 'keyword.other.as.wit'], ['include', 'keyword.other.include.wit'],
      ['with', 'keyword.other.with.wit'], ['my-type', 'entity.name.type.wit'],
      ['package', 'keyword.other.package.wit', 1], ['e', 'entity.name.type.interface.wit', 1]],
  },
];

for (const [i, s] of spots.entries()) {
  test(`spot check ${i + 1}: ${s.src.split('\n')[0]}`, () => {
    const { tokens } = tokenize(s.src);
    for (const [text, scope, nth] of s.want) {
      const scopes = scopesOf(tokens, text, nth ?? 0);
      assert.ok(scopes.includes(scope), `${JSON.stringify(text)}: want ${scope}, got ${scopes.join(' ')}`);
    }
    assert.deepEqual(problems(s.src), []);
  });
}

// The checks above must be able to fail: a character WIT has no token for,
// an unclosed comment and an unclosed block are all reported.
test('problems are reported', () => {
  assert.match(problems('interface x { # }').join('\n'), /"#" is invalid\.illegal/);
  assert.match(problems('/* open').join('\n'), /1 rule\(s\) still open/);
  assert.match(problems('interface x {\n  f: func();').join('\n'), /still open/);
  assert.deepEqual(problems('interface x {\n  f: func();\n}'), []);
});
