// @ts-check
// The WIT extension: a language client that runs `bigband-dev lsp` over
// stdio. Everything WIT-specific (diagnostics, contract checks, navigation,
// formatting) lives in the server; this file only starts, restarts and
// configures it.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/**
 * serverCommand reads bigband.server.path and bigband.server.args. A bare
 * name is left for the OS to find on PATH; a relative path is taken from the
 * first workspace folder, so a repository can point at its own build
 * (e.g. "bin/bigband-dev").
 * @returns {{ command: string, args: string[] }}
 */
function serverCommand() {
  const cfg = vscode.workspace.getConfiguration('bigband.server');
  let command = cfg.get('path', 'bigband-dev') || 'bigband-dev';
  const args = cfg.get('args', ['lsp']);
  if (command.startsWith('~/')) {
    command = path.join(require('os').homedir(), command.slice(2));
  } else if (!path.isAbsolute(command) && command.includes('/')) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) command = path.join(folder.uri.fsPath, command);
  }
  return { command, args: Array.isArray(args) ? args.map(String) : ['lsp'] };
}

/** @param {vscode.ExtensionContext} context */
async function startClient(context) {
  const { command, args } = serverCommand();
  /** @type {import('vscode-languageclient/node').ServerOptions} */
  const serverOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  /** @type {import('vscode-languageclient/node').LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'wit' }],
    synchronize: {
      // The server re-checks when a package file, a dep or a built plugin
      // changes on disk, not only on edits made in the editor.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.wit'),
        vscode.workspace.createFileSystemWatcher('**/*.wasm'),
        vscode.workspace.createFileSystemWatcher('**/bigband.toml'),
      ],
    },
  };
  client = new LanguageClient('bigband', 'WIT (bigband-dev)', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `Could not start the WIT language server "${command} ${args.join(' ')}": ${msg}. ` +
        'Install bigband-dev (go install github.com/bigband-dev/bigband/cmd/bigband-dev@latest) ' +
        'or set "bigband.server.path".',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'bigband.server');
    }
  }
}

async function stopClient() {
  const c = client;
  client = undefined;
  if (c) await c.stop().catch(() => undefined);
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('bigband.restartServer', async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('bigband.server')) {
        await stopClient();
        await startClient(context);
      }
    }),
  );
  await startClient(context);
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
