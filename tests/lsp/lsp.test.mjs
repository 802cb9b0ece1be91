// End-to-end tests of `journey lsp`, driven by a real client library (vscode-jsonrpc).
// Run: JOURNEY=build/cli/journey node --test tests/lsp/  (lsp_test.sh does it for ctest)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, uriOf, checkJson, formatStdout, applyEdits, positionOf } from './client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const trialPath = path.join(here, 'fixtures/trial.journey');
const trialText = fs.readFileSync(trialPath, 'utf8');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'journey-lsp-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function write(name, text) {
  const file = path.join(work, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('a session on a clean journey', () => {
  const server = new Server();
  const uri = uriOf(trialPath);
  let capabilities;
  before(async () => {
    capabilities = (await server.initialize()).capabilities;
    server.open(uri, trialText);
    await server.diagnostics(uri);
  });
  after(async () => assert.equal(await server.stop(), 0));

  test('initialize announces the features', () => {
    assert.equal(capabilities.textDocumentSync.change, 2);
    assert.ok(capabilities.hoverProvider && capabilities.definitionProvider && capabilities.referencesProvider);
    assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
    assert.ok(capabilities.semanticTokensProvider.legend.tokenTypes.includes('class'));
    assert.equal(capabilities.positionEncoding, 'utf-16');
  });

  test('a clean file has no diagnostics', () => {
    assert.deepEqual(server.published.get(uri).diagnostics, []);
  });

  test('hover on a persona: kind, display, doc comment, share', async () => {
    const hover = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(trialText, 'for Team', 0, 5),
    });
    const text = hover.contents.value;
    assert.match(text, /\*\*persona\*\* `Team`/);
    assert.match(text, /Équipe/);
    assert.match(text, /Teams of several people/);
    assert.match(text, /share 70%/);
    assert.match(text, /seats = uniform\(min: 2, max: 50\)/);
  });

  test('hover on a stage: its outgoing probabilities', async () => {
    const hover = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(trialText, 'stage Active', 0, 7),
    });
    assert.match(hover.contents.value, /after 14d → \{ Paid 30%, Lost 70% \}/);
    assert.match(hover.contents.value, /for Team after 14d → \{ Paid 45%, Lost 55% \}/);
    assert.match(hover.contents.value, /touchpoint Welcome/);
  });

  test('hover on customer state and on nothing', async () => {
    const none = await server.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } });
    assert.equal(none, null);
    const builtin = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(trialText, 'received(Welcome)', 0, 2),
    });
    assert.match(builtin.contents.value, /\*\*built-in function\*\* `received\(/);
    const channel = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(trialText, 'via email', 0, 5),
    });
    assert.match(channel.contents.value, /\*\*channel\*\* `email`[\s\S]*built-in channel/);
  });

  test('definition of a goal used in a branch', async () => {
    const result = await server.request('textDocument/definition', {
      textDocument: { uri }, position: positionOf(trialText, 'Paid 30%', 0, 1),
    });
    assert.equal(result.length, 1);
    assert.equal(result[0].uri, uri);
    assert.deepEqual(result[0].range.start, positionOf(trialText, 'goal Paid', 0, 5));
  });

  test('references of a touchpoint, with and without its declaration', async () => {
    const position = positionOf(trialText, 'send Welcome', 0, 6);
    const all = await server.request('textDocument/references', {
      textDocument: { uri }, position, context: { includeDeclaration: true },
    });
    assert.equal(all.length, 3);
    const uses = await server.request('textDocument/references', {
      textDocument: { uri }, position, context: { includeDeclaration: false },
    });
    assert.equal(uses.length, 2);
  });

  test('rename an exit everywhere; invalid names are refused', async () => {
    const position = positionOf(trialText, 'exit Lost', 0, 6);
    const prepared = await server.request('textDocument/prepareRename', { textDocument: { uri }, position });
    assert.equal(prepared.placeholder, 'Lost');
    const edit = await server.request('textDocument/rename', { textDocument: { uri }, position, newName: 'Churned' });
    const edits = edit.changes[uri];
    assert.equal(edits.length, 4);
    const renamed = applyEdits(trialText, edits);
    assert.ok(!/\bLost\b/.test(renamed));
    assert.equal((renamed.match(/\bChurned\b/g) || []).length, 4);
    for (const [newName, why] of [['stage', /keyword/], ['Paid', /already declared as a goal/], ['9lives', /not a valid name/], ['seats', /already declared as a attribute/], ['emotion', /built-in/]]) {
      await assert.rejects(
        server.request('textDocument/rename', { textDocument: { uri }, position, newName }),
        (error) => why.test(error.message),
        newName,
      );
    }
  });

  test('a built-in channel cannot be renamed', async () => {
    await assert.rejects(
      server.request('textDocument/prepareRename', { textDocument: { uri }, position: positionOf(trialText, 'via email', 0, 5) }),
      /built-in channel/,
    );
  });

  test('document symbols: the outline', async () => {
    const symbols = await server.request('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0].name, 'Trial');
    const names = symbols[0].children.map((s) => s.name);
    assert.deepEqual(names, ['Team', 'Solo', 'Signup', 'Active', 'Paid', 'Lost', 'went_quiet', 'Nudge']);
    const active = symbols[0].children.find((s) => s.name === 'Active');
    assert.deepEqual(active.children.map((s) => s.name), ['Welcome']);
  });

  test('semantic tokens and folding ranges', async () => {
    const tokens = await server.request('textDocument/semanticTokens/full', { textDocument: { uri } });
    assert.equal(tokens.data.length % 5, 0);
    assert.ok(tokens.data.length / 5 > 20);
    // The first token is the journey's name, a namespace declaration.
    const first = positionOf(trialText, 'Trial');
    assert.deepEqual(tokens.data.slice(0, 5), [first.line, first.character, 5, 0, 1]);
    const folds = await server.request('textDocument/foldingRange', { textDocument: { uri } });
    assert.ok(folds.some((f) => f.startLine === positionOf(trialText, 'journey Trial').line));
    assert.ok(folds.some((f) => f.startLine === positionOf(trialText, 'rule Nudge').line));
  });

  test('completion in context', async () => {
    const labels = async (text, needle, delta) => {
      const version = Date.now();
      server.change(uri, version, [{ text }]);
      const result = await server.request('textDocument/completion', {
        textDocument: { uri }, position: positionOf(text, needle, 0, delta),
      });
      return result.items.map((i) => i.label);
    };
    const arrow = await labels(trialText.replace('-> { Active 80%', '->  { Active 80%'), '->  {', 3);
    assert.ok(['Signup', 'Active', 'Paid', 'Lost'].every((s) => arrow.includes(s)), arrow.join());
    assert.ok(!arrow.includes('Team'));
    const via = await labels(trialText.replace('via email', 'via  email'), 'via  ', 4);
    assert.ok(via.includes('email') && via.includes('sms') && !via.includes('Active'));
    const forPersona = await labels(trialText.replace('for Team after', 'for  after'), 'for  ', 4);
    assert.deepEqual(forPersona.sort(), ['Solo', 'Team']);
    const send = await labels(trialText.replace('send Welcome', 'send '), 'send ', 5);
    assert.deepEqual(send, ['Welcome']);
    const on = await labels(trialText.replace('on went_quiet', 'on '), 'on \n', 3);
    assert.ok(on.includes('went_quiet') && on.includes('enter') && on.includes('inactive'));
    const unit = await labels(trialText.replace('every 10d', 'every 10'), 'every 10', 8);
    assert.ok(unit.includes('10d') && unit.includes('10h') && unit.includes('10 USD'));
    const ruleItem = await labels(trialText.replace('    send Welcome\n', '    send Welcome\n    \n'), 'send Welcome\n    ', 17);
    assert.ok(['send', 'move', 'wait', 'priority'].every((k) => ruleItem.includes(k)), ruleItem.join());
    const expression = await labels(trialText.replace('if received(Welcome) > 0', 'if '), 'if \n', 3);
    assert.ok(['seats', 'emotion', 'received', 'persona'].every((k) => expression.includes(k)), expression.join());
    // While the text does not parse, names still come from the last clean analysis.
    const broken = await labels(trialText.replace('stage Signup {', 'stage Signup { after 1d -> \n'), '-> \n', 3);
    assert.ok(broken.includes('Paid'), broken.join());
    server.change(uri, Date.now(), [{ text: trialText }]);
  });
});

describe('a session on milestones, KPIs and value over time', () => {
  const server = new Server();
  const lifetimePath = path.join(here, 'fixtures/lifetime.journey');
  const text = fs.readFileSync(lifetimePath, 'utf8');
  const uri = uriOf(lifetimePath);
  before(async () => {
    await server.initialize();
    server.open(uri, text);
    await server.diagnostics(uri);
  });
  after(async () => assert.equal(await server.stop(), 0));

  test('a clean file has no diagnostics', () => {
    assert.deepEqual(server.published.get(uri).diagnostics, []);
  });

  test('hover on a milestone and on a primary KPI', async () => {
    const milestone = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(text, 'reached(FirstOrder)', 0, 9),
    });
    assert.match(milestone.contents.value, /\*\*milestone\*\* `FirstOrder` — “First order”/);
    assert.match(milestone.contents.value, /a milestone: reports count the customers who reach it/);
    const kpi = await server.request('textDocument/hover', {
      textDocument: { uri }, position: positionOf(text, 'ordered and', 0, 1),
    });
    assert.match(kpi.contents.value, /\*\*kpi\*\* `ordered`[\s\S]*primary[\s\S]*type `bool`/);
  });

  test('definition, rename and the outline', async () => {
    const position = positionOf(text, 'ordered and', 0, 1);
    const [definition] = await server.request('textDocument/definition', { textDocument: { uri }, position });
    assert.deepEqual(definition.range.start, positionOf(text, 'ordered "'));
    const edit = await server.request('textDocument/rename', { textDocument: { uri }, position, newName: 'buyers' });
    assert.equal(edit.changes[uri].length, 2);
    await assert.rejects(
      server.request('textDocument/rename', { textDocument: { uri }, position, newName: 'conversion' }),
      /KPI every simulation reports/,
    );
    const symbols = await server.request('textDocument/documentSymbol', { textDocument: { uri } });
    const details = Object.fromEntries(symbols[0].children.map((s) => [s.name, s.detail]));
    assert.equal(details.FirstOrder, 'milestone “First order”');
    assert.equal(details.referrals, 'kpi');
  });
});

describe('diagnostics', () => {
  const server = new Server();
  before(async () => server.initialize());
  after(async () => assert.equal(await server.stop(), 0));

  test('appear on open, move with edits, disappear when fixed', async () => {
    const uri = uriOf(path.join(work, 'typo.journey'));
    const text = trialText.replace('-> { Active 80%', '-> { Actve 80%');
    server.open(uri, text);
    const first = await server.diagnostics(uri, (p) => p.version === 1);
    assert.equal(first.diagnostics.length, 1);
    const [d] = first.diagnostics;
    assert.equal(d.code, 'unknown-name');
    assert.equal(d.severity, 1);
    assert.equal(d.source, 'journey');
    assert.match(d.message, /unknown stage `Actve`\nhelp: did you mean `Active`\?/);
    assert.deepEqual(d.range, { start: positionOf(text, 'Actve'), end: positionOf(text, 'Actve', 0, 5) });

    // The quick fix.
    const actions = await server.request('textDocument/codeAction', {
      textDocument: { uri }, range: d.range, context: { diagnostics: [d] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'quickfix');
    assert.equal(actions[0].title, 'Replace `Actve` with `Active`');
    const fixed = applyEdits(text, actions[0].edit.changes[uri]);
    assert.equal(fixed, trialText);

    // An edit above the mistake moves it down a line.
    server.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// moved\n' }]);
    const moved = await server.diagnostics(uri, (p) => p.version === 2);
    assert.equal(moved.diagnostics[0].range.start.line, d.range.start.line + 1);

    // Fixing it (an incremental edit) clears them.
    const start = { line: d.range.start.line + 1, character: d.range.start.character };
    const end = { line: d.range.end.line + 1, character: d.range.end.character };
    server.change(uri, 3, [{ range: { start, end }, text: 'Active' }]);
    const cleared = await server.diagnostics(uri, (p) => p.version === 3);
    assert.deepEqual(cleared.diagnostics, []);
  });

  test('the same findings as journey check, with witnesses as related information', async () => {
    const file = path.join(root, 'tests/golden/checks/fail_dead_end.journey');
    const text = fs.readFileSync(file, 'utf8');
    const uri = uriOf(file);
    server.open(uri, text);
    const published = await server.diagnostics(uri);
    const expected = checkJson(file).diagnostics;
    assert.ok(expected.length > 0);
    assert.equal(published.diagnostics.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      const got = published.diagnostics[i];
      const want = expected[i];
      assert.equal(got.code, want.code);
      assert.ok(got.message.startsWith(want.message), `${got.message} / ${want.message}`);
      assert.equal(got.range.start.line + 1, want.location.line);
      assert.equal(got.range.start.character + 1, want.location.column);
      assert.equal((got.relatedInformation || []).length, (want.labels || []).length);
    }
    const deadEnd = published.diagnostics.find((d) => d.code === 'dead-end');
    assert.ok(deadEnd.relatedInformation.every((r) => r.location.uri === uri && r.message.length > 0));
  });

  test('positions count UTF-16 code units after non-ASCII text', async () => {
    const uri = uriOf(path.join(work, 'unicode.journey'));
    const text = trialText.replace('stage Signup {', 'stage Signup "Inscription 😀 ü 日本" { after 1d -> Actve }\n  stage Old {');
    server.open(uri, text);
    const published = await server.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'unknown-name'));
    const d = published.diagnostics.find((x) => x.code === 'unknown-name');
    // JS strings count UTF-16 code units, as the protocol does.
    assert.deepEqual(d.range, { start: positionOf(text, 'Actve'), end: positionOf(text, 'Actve', 0, 5) });
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'Signup "Inscription') });
    assert.match(hover.contents.value, /Inscription 😀 ü 日本/);
    // A position inside the surrogate pair of 😀 and past the end of the line do not fail.
    const inside = positionOf(text, '😀', 0, 1);
    await server.request('textDocument/hover', { textDocument: { uri }, position: inside });
    await server.request('textDocument/hover', { textDocument: { uri }, position: { line: inside.line, character: 9999 } });
  });

  test('an untitled buffer is checked too', async () => {
    const uri = 'untitled:Untitled-1';
    server.open(uri, trialText.replace('send Welcome', 'send Welcom'));
    const published = await server.diagnostics(uri);
    assert.equal(published.diagnostics.length, 1);
    assert.match(published.diagnostics[0].message, /did you mean `Welcome`/);
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: positionOf(trialText, 'goal Paid', 0, 5) });
    assert.match(hover.contents.value, /goal/);
  });

  test('formatting gives journey fmt\'s layout', async () => {
    const messy = trialText.replace('  horizon 60d\n', 'horizon    60d\n').replace('share 30%', 'share    30%');
    const file = write('messy.journey', messy);
    const uri = uriOf(file);
    server.open(uri, messy);
    const edits = await server.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.ok(edits.length >= 1);
    assert.equal(applyEdits(messy, edits), formatStdout(file));
    // Text that does not parse is left alone.
    server.change(uri, 2, [{ text: messy + '\n stage {' }]);
    assert.deepEqual(await server.request('textDocument/formatting', { textDocument: { uri }, options: {} }), []);
  });
});

describe('several files', () => {
  const server = new Server();
  before(async () => server.initialize());
  after(async () => assert.equal(await server.stop(), 0));

  const library = `/// Shared channels.
channel letter "Paper letter" {
  cost 1.2 USD
}

touchpoint Reminder "Renewal reminder" via letter
`;
  const main = `use "lib/common.journey"

journey Renew {
  horizon 30d
  entry Start
  persona Everyone { share 100% }
  stage Start {
    after 1d -> Done
  }
  goal Done
  rule Remind {
    on enter Start
    send Reminder
  }
}
`;

  test('definition, hover and workspace symbols reach used files', async () => {
    const libFile = write('multi/lib/common.journey', library);
    const mainFile = write('multi/main.journey', main);
    const uri = uriOf(mainFile);
    server.open(uri, main);
    assert.deepEqual((await server.diagnostics(uri)).diagnostics, []);
    const result = await server.request('textDocument/definition', { textDocument: { uri }, position: positionOf(main, 'send Reminder', 0, 6) });
    assert.equal(result[0].uri, uriOf(libFile));
    assert.deepEqual(result[0].range.start, positionOf(library, 'Reminder'));
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: positionOf(main, 'send Reminder', 0, 6) });
    assert.match(hover.contents.value, /via letter/);
    assert.match(hover.contents.value, /declared in/);
    const symbols = await server.request('workspace/symbol', { query: 'letr' });
    assert.ok(symbols.some((s) => s.name === 'letter' && s.location.uri === uriOf(libFile)), JSON.stringify(symbols));
    const all = await server.request('workspace/symbol', { query: '' });
    assert.ok(['Renew', 'Start', 'Done', 'Remind', 'Reminder', 'letter'].every((n) => all.some((s) => s.name === n)));
  });

  test('an unsaved library buffer is what the journey is checked against', async () => {
    const libFile = path.join(work, 'multi/lib/common.journey');
    const mainUri = uriOf(path.join(work, 'multi/main.journey'));
    const libUri = uriOf(libFile);
    server.open(libUri, library);
    server.change(libUri, 2, [{ text: library.replace('Reminder', 'Nudge') }]);
    const broken = await server.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.code === 'unknown-name'));
    assert.match(broken.diagnostics[0].message, /Reminder/);
    // The library itself is checked as part of the journey that uses it: no missing-journey,
    // and a mistake in it shows in it (and at the `use` in the journey).
    await server.diagnostics(libUri, (p) => p.version === 2 && p.diagnostics.length === 0);
    const typo = library.replace('via letter', 'via lettr');
    server.change(libUri, 3, [{ text: typo }]);
    const inLibrary = await server.diagnostics(libUri, (p) => p.version === 3 && p.diagnostics.length === 1);
    assert.equal(inLibrary.diagnostics[0].code, 'unknown-name');
    assert.deepEqual(inLibrary.diagnostics[0].range.start, positionOf(typo, 'lettr'));
    const atUse = await server.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.message.includes('lettr')));
    assert.equal(atUse.diagnostics[0].range.start.line, 0);
    assert.equal(atUse.diagnostics[0].relatedInformation[0].location.uri, libUri);
    server.change(libUri, 4, [{ text: library }]);
    await server.diagnostics(mainUri, (p) => p.diagnostics.length === 0);
    await server.diagnostics(libUri, (p) => p.version === 4 && p.diagnostics.length === 0);
    server.notify('textDocument/didClose', { textDocument: { uri: libUri } });
  });

  test('a file deleted while open', async () => {
    const libFile = path.join(work, 'multi/lib/common.journey');
    const mainFile = path.join(work, 'multi/main.journey');
    const mainUri = uriOf(mainFile);
    fs.rmSync(libFile);
    fs.rmSync(mainFile);
    server.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(libFile), type: 3 }, { uri: mainUri, type: 3 }] });
    const published = await server.diagnostics(mainUri, (p) => p.diagnostics.some((d) => d.code === 'use-not-found'));
    assert.equal(published.diagnostics[0].range.start.line, 0);
    // The open buffer still answers.
    const hover = await server.request('textDocument/hover', { textDocument: { uri: mainUri }, position: positionOf(main, 'goal Done', 0, 6) });
    assert.match(hover.contents.value, /goal/);
    server.notify('textDocument/didClose', { textDocument: { uri: mainUri } });
    await server.diagnostics(mainUri, (p) => p.diagnostics.length === 0);
    // Closed and gone from disk: requests get empty answers.
    assert.equal(await server.request('textDocument/hover', { textDocument: { uri: mainUri }, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await server.request('textDocument/documentSymbol', { textDocument: { uri: mainUri } }), []);
  });
});

describe('bad input', () => {
  test('malformed messages, unknown methods, bad params, out-of-range positions', async () => {
    const server = new Server();
    await assert.rejects(server.request('textDocument/hover', { textDocument: { uri: 'file:///x' }, position: { line: 0, character: 0 } }), (e) => e.code === -32002);
    await server.initialize();
    const uri = uriOf(trialPath);
    server.open(uri, trialText);
    await server.diagnostics(uri);
    server.raw('Content-Length: 9\r\n\r\n{"jsonrp');            // malformed JSON
    server.raw('X-Header: 1\r\n\r\n');                          // no Content-Length
    server.raw('Content-Length: abc\r\n\r\n');                  // a bad one
    server.raw('Content-Length: 2\r\n\r\n[]');                  // not an object
    const deep = `{"jsonrpc":"2.0","method":"x","params":${'['.repeat(100000)}${']'.repeat(100000)}}`;
    server.raw(`Content-Length: ${deep.length}\r\n\r\n${deep}`);  // deep enough to overflow a stack
    server.raw('Content-Length: 25\r\n\r\n{"jsonrpc":"2.0","id":{}}'); // a bad id
    server.raw('Content-Length: 3\r\n\r\n{}}');                // one byte too many: junk
    server.notify('journey/unknownNotification', { x: 1 });
    await assert.rejects(server.request('journey/unknown', {}), (e) => e.code === -32601);
    await assert.rejects(server.request('textDocument/hover', { textDocument: { uri }, position: 'here' }), (e) => e.code === -32602);
    await assert.rejects(server.request('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 0 } }), (e) => e.code === -32602);
    await assert.rejects(server.request('textDocument/rename', { textDocument: { uri }, position: { line: 3, character: 2 } }), (e) => e.code === -32602);
    assert.equal(await server.request('textDocument/hover', { textDocument: { uri }, position: { line: 99999, character: 99999 } }), null);
    // Past the end of `  entry Signup`: clamped to the line's end, which touches the name.
    const clamped = await server.request('textDocument/definition', { textDocument: { uri }, position: { line: 3, character: 99999 } });
    assert.deepEqual(clamped[0].range.start, positionOf(trialText, 'stage Signup', 0, 6));
    server.change('file:///not/open.journey', 2, [{ text: 'x' }]);
    server.change(uri, 2, [{ range: { start: { line: 500, character: 3 }, end: { line: 900, character: 0 } }, text: '\n' }]);
    server.change(uri, 3, 'not a list');
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: positionOf(trialText, 'goal Paid', 0, 5) });
    assert.match(hover.contents.value, /goal/);
    assert.match(server.stderr, /malformed JSON/);
    assert.match(server.stderr, /Content-Length/);
    assert.match(server.stderr, /nested more than 512 deep/);
    assert.equal(await server.stop(), 0);
  });

  test('an edit at an impossible position is dropped and reported; the text resynchronises', async () => {
    const server = new Server();
    await server.initialize();
    const uri = uriOf(path.join(work, 'dropped.journey'));
    const text = trialText.replace('-> { Active 80%', '-> { Actve 80%');
    server.open(uri, text);
    await server.diagnostics(uri, (p) => p.version === 1);
    const goal = positionOf(text, 'goal Paid', 0, 5);
    const bad = [-1, 2 ** 31, 2 ** 53, 1.5, '3', null];
    let version = 1;
    for (const value of bad) {
      for (const key of ['line', 'character']) {
        const position = { line: 3, character: 2, [key]: value };
        // A request gets an error; the same position in an edit must not end the server.
        await assert.rejects(server.request('textDocument/hover', { textDocument: { uri }, position }), (e) => e.code === -32602);
        server.change(uri, ++version, [{ range: { start: { line: 0, character: 0 }, end: position }, text: 'x' }]);
      }
    }
    // Every change of a batch, or none: the first one here is fine, the second is not.
    server.change(uri, ++version, [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// kept out\n' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: -5 } }, text: '' },
    ]);
    server.change(uri, ++version, [{ text: 42 }]);
    const dropped = await server.diagnostics(uri, (p) => p.version === version);
    assert.equal(dropped.diagnostics[0].code, 'edit-dropped');
    assert.match(dropped.diagnostics[0].message, /could not apply an edit/);
    // The findings are still those of the last text that could be built, unchanged.
    assert.equal(dropped.diagnostics[1].code, 'unknown-name');
    assert.deepEqual(dropped.diagnostics[1].range.start, positionOf(text, 'Actve'));
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: goal });
    assert.match(hover.contents.value, /\*\*goal\*\* `Paid`/);
    assert.ok(server.logs.some((l) => l.type === 1 && /dropped/.test(l.message)), JSON.stringify(server.logs));
    assert.match(server.stderr, /could not be applied and was dropped: position\.line must be an integer/);
    // The whole text again: in step, and the notice goes.
    server.change(uri, ++version, [{ text: trialText }]);
    const resynced = await server.diagnostics(uri, (p) => p.version === version);
    assert.deepEqual(resynced.diagnostics, []);
    assert.equal(await server.stop(), 0);
  });

  test('a save brings a document that dropped an edit back in step with its file', async () => {
    const server = new Server();
    await server.initialize();
    const file = write('saved.journey', trialText);
    const uri = uriOf(file);
    server.open(uri, trialText);
    await server.diagnostics(uri, (p) => p.version === 1);
    server.change(uri, 2, [{ range: { start: { line: 0, character: 0.5 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    await server.diagnostics(uri, (p) => p.version === 2 && p.diagnostics[0]?.code === 'edit-dropped');
    server.notify('textDocument/didSave', { textDocument: { uri } });
    await server.diagnostics(uri, (p) => p.diagnostics.length === 0);
    assert.equal(await server.stop(), 0);
  });

  test('ill-formed Unicode in a message is read as U+FFFD, and the request is answered', async () => {
    const server = new Server();
    await server.initialize();
    const uri = uriOf(path.join(work, 'surrogate.journey'));
    // A lone surrogate, as an editor holds one while a pair is typed: one UTF-16 unit.
    server.open(uri, '// \ud83d\n' + trialText);
    await server.diagnostics(uri, (p) => p.version === 1 && p.diagnostics.length === 0);
    const at = positionOf(trialText, 'goal Paid', 0, 5);
    const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: { line: at.line + 1, character: at.character } });
    assert.match(hover.contents.value, /\*\*goal\*\* `Paid`/);
    assert.deepEqual(await server.request('workspace/symbol', { query: 'Paid\udc00' }), []);
    assert.match(server.stderr, /not well-formed Unicode/);
    assert.equal(await server.stop(), 0);
  });

  test('10,000 rapid edits, then the right diagnostics', async () => {
    const server = new Server(['--debounce-ms', '50']);
    await server.initialize();
    const uri = uriOf(path.join(work, 'rapid.journey'));
    server.open(uri, trialText);
    await server.diagnostics(uri);
    const at = positionOf(trialText, 'stage Signup');
    let version = 1;
    // Type a comment character by character, and delete it again, 5,000 times each.
    for (let i = 0; i < 5000; i++) {
      server.change(uri, ++version, [{ range: { start: at, end: at }, text: 'x' }]);
      server.change(uri, ++version, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }]);
    }
    server.change(uri, ++version, [{ range: { start: at, end: at }, text: '; ' }]);
    const final = await server.diagnostics(uri, (p) => p.version === version, 60000);
    assert.equal(final.diagnostics[0].code, 'unexpected-character');
    // Debounced: far fewer analyses than edits.
    assert.ok(server.publishCount < 200, `${server.publishCount} publications`);
    assert.equal(await server.stop(), 0);
  });

  test('exit without shutdown exits 1; end of input ends the server', async () => {
    const server = new Server();
    await server.initialize();
    server.notify('exit', null);
    assert.equal(await server.exited, 1);
    const other = new Server();
    await other.initialize();
    other.child.stdin.end();
    assert.equal(await other.exited, 1);
  });
});
