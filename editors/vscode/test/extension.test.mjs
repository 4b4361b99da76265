// Runs src/extension.js against stand-ins for the `vscode` API and the
// language client, and checks what it starts: the configured binary and
// arguments over stdio, for WIT documents, restarted when the settings change,
// and a clear message when the binary cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

function harness(settings, { failStart = false } = {}) {
  const h = { clients: [], errors: [], commands: {}, configListeners: [], watchers: [] };
  const vscode = {
    workspace: {
      workspaceFolders: [{ uri: { fsPath: '/work/proj' } }],
      getConfiguration: (section) => ({
        get: (key, dflt) => {
          const v = settings[`${section}.${key}`];
          return v === undefined ? dflt : v;
        },
      }),
      createFileSystemWatcher: (glob) => {
        h.watchers.push(glob);
        return { glob };
      },
      onDidChangeConfiguration: (fn) => {
        h.configListeners.push(fn);
        return { dispose() {} };
      },
    },
    window: {
      showErrorMessage: async (msg) => {
        h.errors.push(msg);
        return undefined;
      },
    },
    commands: {
      registerCommand: (name, fn) => {
        h.commands[name] = fn;
        return { dispose() {} };
      },
      executeCommand: async () => undefined,
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      h.clients.push(this);
    }
    async start() {
      if (failStart) throw new Error('spawn ENOENT');
      this.started = true;
    }
    async stop() {
      this.stopped = true;
    }
  }
  const lc = { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } };
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return lc;
    return load.call(this, request, ...rest);
  };
  const file = require.resolve(path.join(here, '..', 'src', 'extension.js'));
  delete require.cache[file];
  try {
    h.ext = require(file);
  } finally {
    Module._load = load;
  }
  h.context = { subscriptions: [] };
  return h;
}

test('starts bigband-dev lsp from PATH by default', async () => {
  const h = harness({});
  await h.ext.activate(h.context);
  assert.equal(h.clients.length, 1);
  const c = h.clients[0];
  assert.equal(c.id, 'bigband');
  assert.deepEqual(c.serverOptions.run, { command: 'bigband-dev', args: ['lsp'], transport: 0 });
  assert.deepEqual(c.clientOptions.documentSelector, [{ scheme: 'file', language: 'wit' }]);
  assert.ok(c.started);
  assert.ok(h.watchers.includes('**/*.wit') && h.watchers.includes('**/*.wasm'));
  assert.deepEqual(h.errors, []);
});

test('a relative server path is taken from the workspace folder', async () => {
  const h = harness({ 'bigband.server.path': 'bin/bigband-dev', 'bigband.server.args': ['lsp', '--log', '/tmp/l'] });
  await h.ext.activate(h.context);
  assert.deepEqual(h.clients[0].serverOptions.run.command, '/work/proj/bin/bigband-dev');
  assert.deepEqual(h.clients[0].serverOptions.run.args, ['lsp', '--log', '/tmp/l']);
});

test('restart: the command and a settings change stop the client and start a new one', async () => {
  const h = harness({});
  await h.ext.activate(h.context);
  await h.commands['bigband.restartServer']();
  assert.equal(h.clients.length, 2);
  assert.ok(h.clients[0].stopped && h.clients[1].started);
  for (const fn of h.configListeners) await fn({ affectsConfiguration: (s) => s === 'bigband.server' });
  assert.equal(h.clients.length, 3);
  for (const fn of h.configListeners) await fn({ affectsConfiguration: () => false });
  assert.equal(h.clients.length, 3, 'an unrelated setting restarts nothing');
  await h.ext.deactivate();
  assert.ok(h.clients[2].stopped);
});

test('a server that cannot start is reported with its command and the setting', async () => {
  const h = harness({ 'bigband.server.path': '/nope/bigband-dev' }, { failStart: true });
  await h.ext.activate(h.context);
  assert.equal(h.errors.length, 1);
  assert.match(h.errors[0], /\/nope\/bigband-dev lsp/);
  assert.match(h.errors[0], /spawn ENOENT/);
  assert.match(h.errors[0], /bigband\.server\.path/);
});

test('the manifest points at files that exist and declares the settings the code reads', async () => {
  const fs = await import('node:fs');
  const root = path.join(here, '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.ok(fs.existsSync(path.join(root, pkg.main)), pkg.main);
  for (const l of pkg.contributes.languages) {
    JSON.parse(fs.readFileSync(path.join(root, l.configuration), 'utf8'));
    assert.deepEqual(l.extensions, ['.wit']);
  }
  for (const g of pkg.contributes.grammars) {
    const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), 'utf8'));
    assert.equal(grammar.scopeName, g.scopeName);
  }
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const key of ['bigband.server.path', 'bigband.server.args', 'bigband.trace.server']) {
    assert.ok(props.includes(key), `${key} not declared`);
  }
  assert.ok(pkg.contributes.commands.some((c) => c.command === 'bigband.restartServer'));
});
