// The Journey extension's client: starts `journey lsp` and connects VS Code to it.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

async function start() {
  const config = vscode.workspace.getConfiguration('journey');
  const command = config.get('server.path') || 'journey';
  const debounce = String(config.get('server.debounceMs', 50));
  const executable = { command, args: ['lsp', '--debounce-ms', debounce], transport: TransportKind.stdio };
  const serverOptions = { run: executable, debug: executable };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'journey' },
      { scheme: 'untitled', language: 'journey' },
    ],
    // Libraries brought in by `use` may change on disk: the server checks again.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.journey') },
  };
  client = new LanguageClient('journey', 'Journey language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `Journey: cannot start \`${command} lsp\` (${error.message}). Set "journey.server.path" to the journey executable.`,
    );
  }
}

async function activate(context) {
  await start();
  context.subscriptions.push(
    vscode.commands.registerCommand('journey.restartServer', async () => {
      if (client) await client.stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('journey.server')) {
        if (client) await client.stop();
        await start();
      }
    }),
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
