// A small harness around vscode-jsonrpc: starts `journey lsp`, records what it publishes.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

export const JOURNEY = process.env.JOURNEY;
if (!JOURNEY) throw new Error('set JOURNEY to the path of the journey binary');

export const uriOf = (path) => pathToFileURL(path).href;

export class Server {
  constructor(args = ['--debounce-ms', '10']) {
    this.child = spawn(JOURNEY, ['lsp', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.connection = rpc.createMessageConnection(
      new rpc.StreamMessageReader(this.child.stdout),
      new rpc.StreamMessageWriter(this.child.stdin),
    );
    this.published = new Map();
    this.publishCount = 0;
    this.waiters = [];
    this.connection.onNotification('textDocument/publishDiagnostics', (params) => {
      this.published.set(params.uri, params);
      this.publishCount++;
      this.waiters = this.waiters.filter((w) => !w(params));
    });
    this.logs = [];
    this.connection.onNotification('window/logMessage', (params) => this.logs.push(params));
    this.connection.onError(() => {});
    this.connection.listen();
  }

  async initialize() {
    const result = await this.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await this.notify('initialized', {});
    return result;
  }

  request(method, params) {
    return this.connection.sendRequest(method, params);
  }

  notify(method, params) {
    return this.connection.sendNotification(method, params);
  }

  // Resolves with the first publication for `uri` that satisfies `predicate`, the latest one
  // included; rejects after `ms`.
  diagnostics(uri, predicate = () => true, ms = 20000) {
    return new Promise((resolve, reject) => {
      const latest = this.published.get(uri);
      if (latest && predicate(latest)) return resolve(latest);
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} in ${ms} ms; stderr: ${this.stderr}`)), ms);
      this.waiters.push((params) => {
        if (params.uri !== uri || !predicate(params)) return false;
        clearTimeout(timer);
        resolve(params);
        return true;
      });
    });
  }

  open(uri, text, version = 1) {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'journey', version, text } });
  }

  change(uri, version, changes) {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  // Raw bytes to the server's stdin, for malformed input.
  raw(text) {
    this.child.stdin.write(text);
  }

  async stop() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }
}

// `journey check --format json` on a file, parsed.
export function checkJson(path) {
  const run = spawnSync(JOURNEY, ['check', '--format', 'json', path], { encoding: 'utf8' });
  return JSON.parse(run.stdout);
}

export function formatStdout(path) {
  return spawnSync(JOURNEY, ['fmt', '--stdout', path], { encoding: 'utf8' }).stdout;
}

// Applies protocol TextEdits (UTF-16 positions, as JS strings count) to a text.
export function applyEdits(text, edits) {
  const offsetOf = (pos) => {
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < pos.line && i < lines.length; i++) offset += lines[i].length + 1;
    return offset + pos.character;
  };
  const sorted = [...edits].sort((a, b) => offsetOf(b.range.start) - offsetOf(a.range.start));
  for (const edit of sorted) {
    text = text.slice(0, offsetOf(edit.range.start)) + edit.newText + text.slice(offsetOf(edit.range.end));
  }
  return text;
}

// The protocol position of the `nth` occurrence of `needle` in `text` (+ `delta` characters).
export function positionOf(text, needle, nth = 0, delta = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not found`);
  }
  at += delta;
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}
