// A randomized client: thousands of messages over the whole protocol, requests and
// notifications, with random params shapes, out-of-range positions, unknown URIs, edits to
// documents that are not open, huge versions and ill-formed Unicode. The server must answer
// every request with a result or a JSON-RPC error, stay alive, and still answer correctly at
// the end. The seed is fixed, so a failure replays; JOURNEY_LSP_SEED picks another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, uriOf, positionOf } from './client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const trialPath = path.join(here, 'fixtures/trial.journey');
const trialText = fs.readFileSync(trialPath, 'utf8');
const seed = Number(process.env.JOURNEY_LSP_SEED ?? 20261207);
const messages = 3000;

// mulberry32: small, fast and the same on every platform.
function random(state) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => rand() < p;

  const trialUri = uriOf(trialPath);
  const uris = [
    trialUri,
    'untitled:Untitled-1',
    'file:///nonexistent/dir/missing.journey',
    'file:///tmp/%ZZbad%escape.journey',
    'http://example.com/spec.journey',
    '',
    'not a uri at all',
  ];
  const requests = [
    'initialize', 'textDocument/hover', 'textDocument/definition', 'textDocument/references',
    'textDocument/prepareRename', 'textDocument/rename', 'textDocument/documentSymbol',
    'workspace/symbol', 'textDocument/completion', 'textDocument/formatting',
    'textDocument/semanticTokens/full', 'textDocument/foldingRange', 'textDocument/codeAction',
    'textDocument/unknown', 'journey/nothing', '', '$/cancelRequest',
  ];
  const notifications = [
    'textDocument/didOpen', 'textDocument/didChange', 'textDocument/didChange',
    'textDocument/didChange', 'textDocument/didClose', 'textDocument/didSave',
    'workspace/didChangeWatchedFiles', 'workspace/didChangeConfiguration', '$/cancelRequest',
    '$/setTrace', 'textDocument/willSave', 'initialized', 'journey/unknown', '',
  ];

  const number = () =>
    pick([0, 1, 2, 3, 7, 20, 41, 99999, -1, -2147483648, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, 1.5, -0.5]);
  const junk = (depth = 0) => {
    const kind = int(depth > 2 ? 4 : 7);
    if (kind === 0) return null;
    if (kind === 1) return number();
    if (kind === 2) return text();
    if (kind === 3) return chance(0.5);
    if (kind === 4) return Array.from({ length: int(4) }, () => junk(depth + 1));
    const object = {};
    for (let i = int(4); i > 0; i--) object[pick(['line', 'character', 'uri', 'text', 'range', 'x'])] = junk(depth + 1);
    return object;
  };
  const lineOrCharacter = () => (chance(0.7) ? int(45) : chance(0.8) ? number() : junk(2));
  const position = () => (chance(0.9) ? { line: lineOrCharacter(), character: lineOrCharacter() } : junk(1));
  const range = () => (chance(0.9) ? { start: position(), end: position() } : junk(1));
  const uri = () => (chance(0.6) ? trialUri : chance(0.9) ? pick(uris) : junk(2));
  const text = () => {
    switch (int(8)) {
      case 0: return '';
      case 1: return trialText;
      case 2: return trialText.slice(int(trialText.length));
      case 3: return '\ud800';                       // a lone surrogate: not well-formed Unicode
      case 4: return 'é\udc00😀\r\n\u0000\t"\\';
      case 5: return '}'.repeat(int(50));
      case 6: return 'stage X { after 1d -> '.repeat(1 + int(5));
      default: return trialText.slice(int(trialText.length), int(trialText.length)) + '\n';
    }
  };
  const version = () => (chance(0.7) ? int(1000) : chance(0.7) ? number() : junk(2));
  const textDocument = () => (chance(0.9) ? { uri: uri(), version: version() } : junk(1));
  const change = () => {
    if (chance(0.15)) return { text: text() };
    if (chance(0.1)) return junk(1);
    const result = { range: range(), text: chance(0.8) ? text() : junk(2) };
    if (chance(0.2)) result.rangeLength = number();
    return result;
  };

  const paramsFor = (method) => {
    if (chance(0.08)) return junk();
    switch (method) {
      case 'textDocument/didOpen':
        return { textDocument: { uri: uri(), languageId: 'journey', version: version(), text: text() } };
      case 'textDocument/didChange':
        return {
          textDocument: textDocument(),
          contentChanges: chance(0.95) ? Array.from({ length: 1 + int(3) }, change) : junk(1),
        };
      case 'textDocument/rename':
        return { textDocument: textDocument(), position: position(), newName: chance(0.8) ? pick(['Renamed', 'x', '1bad', 'stage', 'email', '']) : junk(2) };
      case 'textDocument/codeAction':
        return { textDocument: textDocument(), range: range(), context: { diagnostics: [] } };
      case 'textDocument/references':
        return { textDocument: textDocument(), position: position(), context: chance(0.8) ? { includeDeclaration: chance(0.5) } : junk(2) };
      case 'workspace/symbol':
        return { query: chance(0.8) ? pick(['', 'a', 'Paid', '\ud800']) : junk(2) };
      case 'workspace/didChangeWatchedFiles':
        return { changes: [{ uri: uri(), type: 1 + int(3) }] };
      default:
        return { textDocument: textDocument(), position: position() };
    }
  };

  return { int, pick, chance, requests, notifications, paramsFor };
}

// A notification whose text is not UTF-8 at all, framed by hand (a JavaScript string cannot
// carry such bytes).
function invalidUtf8Change(uri, version) {
  const before = Buffer.from(JSON.stringify({
    jsonrpc: '2.0', method: 'textDocument/didChange',
    params: { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '@@' }] },
  }));
  const at = before.indexOf('@@');
  const body = Buffer.concat([before.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), before.subarray(at + 2)]);
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

test(`a randomized client (seed ${seed}) neither kills nor hangs the server`, { timeout: 60000 }, async () => {
  const started = Date.now();
  const server = new Server();
  await server.initialize();
  const uri = uriOf(trialPath);
  server.open(uri, trialText);
  await server.diagnostics(uri);

  const rand = random(seed);
  const g = generator(rand);
  const pending = [];
  for (let i = 0; i < messages; i++) {
    if (g.chance(0.01)) {
      // The client writes a message's header and body separately: bytes of our own go in
      // once everything before them is written.
      await server.notify('$/setTrace', { value: 'off' });
      server.raw(invalidUtf8Change(uri, g.int(100)));
    } else if (g.chance(0.35)) {
      const method = g.pick(g.requests);
      pending.push(server.request(method, g.paramsFor(method)).then(
        () => null,
        (error) => ({ method, code: error.code, message: error.message }),
      ));
    } else {
      const method = g.pick(g.notifications);
      server.notify(method, g.paramsFor(method));
    }
    // Let the server's answers in now and then, as a real editor would.
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  const outcomes = await Promise.all(pending);
  const codes = new Set([-32700, -32600, -32601, -32602, -32002, -32803]);
  for (const failure of outcomes.filter(Boolean))
    assert.ok(codes.has(failure.code), `${failure.method}: ${failure.code} ${failure.message}`);
  assert.equal(server.child.exitCode, null, `the server died; stderr: ${server.stderr.slice(-2000)}`);
  assert.doesNotMatch(server.stderr, /terminate called|internal error/);
  assert.match(server.stderr, /not well-formed Unicode/);
  assert.match(server.stderr, /could not be applied and was dropped/);

  // Back in step: the whole text again, then a correct answer about it.
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'journey', version: 1, text: trialText } });
  server.change(uri, 2, [{ text: trialText }]);
  await server.diagnostics(uri, (p) => p.version === 2 && p.diagnostics.length === 0);
  const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: positionOf(trialText, 'goal Paid', 0, 5) });
  assert.match(hover.contents.value, /\*\*goal\*\* `Paid`/);
  assert.equal(await server.stop(), 0);
  assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
});
