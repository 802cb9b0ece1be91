// Opens an HTML report in headless Chromium through the DevTools protocol (over
// --remote-debugging-pipe: node's built-in modules only, no npm package) and checks it:
//   - no JavaScript error, no console error or warning, no failed or refused load;
//   - no network request: every request the page makes is the page itself or a data: URL;
//   - the page says it is drawn (<html data-ready="true">) and every chart holds a drawn SVG;
//   - the journey map is there (or, with --expect-map-note, a note saying why not);
//   - no object written as text ("[object HTMLElement]");
//   - the JSON embedded in the page equals the `--format json --flows` output (--json);
//   - every KPI row's numbers (data-value/-low/-high) equal the JSON's at its path, and the
//     rounded text shown equals them to the digits shown, for every persona in the selector;
//   - for a journey with lifetime figures (`lifetime` in the JSON): the retention chart, a row
//     for each declared KPI and the lifetime value in the KPI rows, the conversion card named
//     after the primary KPI, and every cell [data-path] of the milestone and retention tables
//     equal to the JSON's at its path; without them, none of these parts;
//   - with --comparison (a `journey compare --format html` page): its four charts, both maps, and
//     every KPI row's old, new, difference and interval equal to the `--format json` output's
//     at its path (`groups.G.kpis.K`), with the significance the JSON says, for every group
//     (a lifetime journey's declared KPIs, milestones, retention and lifetime value among them);
//   - takes a full-page screenshot (--screenshot), or of the page down to the section that holds
//     an element (--screenshot-until SELECTOR; docs/make-images.sh).
// Usage: node check_page.mjs --chromium PATH --page report.html [--json report.json]
//          [--screenshot out.png [--screenshot-until SELECTOR]] [--width 1280]
//          [--expect-map-note] [--expect-loops] [--comparison]
// Exit 0: all good; 1: a check failed (each failure on stderr); 2: could not run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const flag = (name) => args.includes(name);
const chromium = option('--chromium', 'chromium');
const page = resolve(option('--page'));
const jsonPath = option('--json');
const screenshot = option('--screenshot');
const screenshotUntil = option('--screenshot-until');
const width = Number(option('--width', '1280'));
const pageUrl = pathToFileURL(page).href;
const comparison = flag('--comparison');

const failures = [];
const fail = (message) => failures.push(message);
const profile = mkdtempSync(join(tmpdir(), 'journey-report-chromium-'));

// Chromium --------------------------------------------------------------------------------------

// Flags from /work/shared/toolchain-facts.md; no network, no first-run work, a fresh profile.
const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio', '--remote-debugging-pipe',
  `--user-data-dir=${profile}`, 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let browserLog = '';
browser.stderr.on('data', (chunk) => { browserLog = (browserLog + chunk).slice(-4000); });
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffered = '';
fromBrowser.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let end;
  while ((end = buffered.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id !== undefined && pending.has(message.id)) {
      const { resolve: done, reject, method } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`${method}: ${message.error.message}`));
      else done(message.result);
    } else if (message.method) {
      for (const listener of listeners) listener(message);
    }
  }
});

function send(method, params = {}, sessionId = undefined) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  toBrowser.write(JSON.stringify(message) + '\0');
  return new Promise((done, reject) => pending.set(id, { resolve: done, reject, method }));
}

function waitFor(predicate, what, ms = 30000) {
  return new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    listeners.push((message) => {
      if (predicate(message)) {
        clearTimeout(timer);
        done(message);
      }
    });
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// Checks ----------------------------------------------------------------------------------------

const requests = [];
function watch(message) {
  const p = message.params || {};
  switch (message.method) {
    case 'Runtime.exceptionThrown': {
      const d = p.exceptionDetails || {};
      fail(`JavaScript exception: ${(d.exception && d.exception.description) || d.text}`);
      break;
    }
    case 'Runtime.consoleAPICalled':
      if (p.type === 'error' || p.type === 'warning' || p.type === 'assert') {
        const text = (p.args || []).map((a) => a.value ?? a.description ?? '').join(' ');
        fail(`console ${p.type}: ${text}`);
      }
      break;
    case 'Log.entryAdded':
      if (p.entry && (p.entry.level === 'error' || p.entry.level === 'warning')) {
        fail(`browser log ${p.entry.level} (${p.entry.source}): ${p.entry.text} ${p.entry.url || ''}`);
      }
      break;
    case 'Network.requestWillBeSent':
      requests.push(p.request.url);
      break;
    case 'Network.loadingFailed':
      fail(`a load failed: ${p.errorText} ${p.blockedReason || ''}`);
      break;
    default:
  }
}
listeners.push(watch);

async function evaluate(sessionId, expression) {
  const result = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
  if (result.exceptionDetails) throw new Error(`evaluation failed: ${result.exceptionDetails.text}`);
  return result.result.value;
}

/** The value at `path` ("overall.outcomes.2.share") in `data`. */
function at(data, path) {
  return path.split('.').reduce((node, key) => (node === undefined || node === null ? undefined : node[key]), data);
}

/** The numbers in a cell's text, without grouping commas: "26.4–27.7%" gives [26.4, 27.7]. */
function numbersIn(text) {
  return [...text.replace(/,/g, '').matchAll(/-?\d+(?:\.(\d+))?/g)].map((m) => ({
    value: Number(m[0]), digits: m[1] ? m[1].length : 0,
  }));
}

function sameShown(shown, exact, scale, where) {
  const tolerance = 0.5 * 10 ** -shown.digits + 1e-9 * Math.max(1, Math.abs(exact * scale));
  if (Math.abs(shown.value - exact * scale) > tolerance) {
    fail(`${where}: the page shows ${shown.value}, the JSON has ${exact} (×${scale})`);
  }
}

/** A value's text (one number) against the JSON's exact `value`. */
function checkText(where, text, value, scale) {
  const shown = numbersIn(text);
  if (shown.length !== 1) fail(`${where}: cannot read the value "${text}"`);
  else sameShown(shown[0], value, scale, `${where} value`);
}

/**
 * An interval's data-low/-high (`cell.low`, `cell.high`) and its text ("26.4–27.7%",
 * "1.20 to 3.40") against the JSON's.
 */
function checkInterval(where, cell, text, interval, scale) {
  if (Number(cell.low) !== interval.low || Number(cell.high) !== interval.high) {
    fail(`${where}: data-low/high ${cell.low}/${cell.high}, JSON ${interval.low}/${interval.high}`);
  }
  const bounds = numbersIn(text.replace(/(\d)–/g, '$1 ').replace(/ to /g, ' '));
  if (bounds.length !== 2) fail(`${where}: cannot read the interval "${text}"`);
  else {
    sameShown(bounds[0], interval.low, scale, `${where} low`);
    sameShown(bounds[1], interval.high, scale, `${where} high`);
  }
}

/** The KPI rows a group's table must have: the built-in ones, and the lifetime ones. */
function wantedKpis(data, group) {
  const wanted = ['conversion', 'days_to_goal.mean', 'cost_per_customer', 'cost_per_conversion',
    'value_per_customer', 'final_emotion', 'outcomes.0.share'];
  const figures = at(data, group);
  if (figures.conversion_kpi) wanted.push('goal_conversion');
  if (figures.lifetime) {
    figures.lifetime.kpis.forEach((_, k) => wanted.push(`lifetime.kpis.${k}.value`));
    for (const part of ['mean', 'median', 'p90']) wanted.push(`lifetime.lifetime_value.${part}`);
  }
  return wanted;
}

/** Checks the KPI rows of one persona group against the JSON. */
function checkKpis(rows, data, group) {
  if (rows.length === 0) fail(`${group}: no KPI rows`);
  const paths = new Set(rows.map((r) => r.path));
  for (const wanted of wantedKpis(data, group)) {
    if (!paths.has(`${group}.${wanted}`)) fail(`${group}: no KPI row for ${wanted}`);
  }
  for (const row of rows) {
    if (!row.path.startsWith(group + '.')) fail(`${row.path}: in the table of ${group}`);
    const figure = at(data, row.path);
    if (figure === undefined) {
      fail(`${row.path}: not in the JSON`);
      continue;
    }
    const interval = figure !== null && typeof figure === 'object' ? figure : null;
    const value = interval ? interval.value : figure;
    const scale = row.format === 'percent' ? 100 : 1;
    if (value === null) {
      if (row.value !== '') fail(`${row.path}: the JSON has null, the page ${row.value}`);
      continue;
    }
    if (Number(row.value) !== value) fail(`${row.path}: data-value ${row.value}, JSON ${value}`);
    checkText(row.path, row.text, value, scale);
    if (interval && interval.low !== null && interval.high !== null) checkInterval(row.path, row, row.ci, interval, scale);
  }
}

/**
 * Checks the lifetime tables of one persona group: every cell [data-path] against the JSON
 * (a number in data-value, or an interval in data-low/-high), and a cell for each milestone's
 * reach and each retention point, for everyone and each persona.
 */
function checkLifetime(cells, data, group) {
  const paths = new Set(cells.map((c) => c.path));
  const wanted = at(data, `${group}.lifetime`).milestones.map((_, i) => `${group}.lifetime.milestones.${i}.reached`);
  for (const key of ['overall', ...(data.personas || []).map((_, i) => `personas.${i}`)]) {
    at(data, `${key}.lifetime`).retention.forEach((_, k) => wanted.push(`${key}.lifetime.retention.${k}.active.value`));
  }
  for (const path of wanted) if (!paths.has(path)) fail(`${group}: no cell for ${path}`);
  for (const cell of cells) {
    const figure = at(data, cell.path);
    const scale = cell.format === 'percent' ? 100 : 1;
    if (figure === undefined) fail(`${cell.path}: not in the JSON`);
    else if (cell.interval) {
      if (figure === null || typeof figure !== 'object') fail(`${cell.path}: not an interval in the JSON`);
      else if (figure.low === null || figure.high === null) {
        if (cell.low !== '' || cell.high !== '') fail(`${cell.path}: the JSON has no interval, the page ${cell.low}/${cell.high}`);
      } else checkInterval(cell.path, cell, cell.text, figure, scale);
    } else if (figure === null) {
      if (cell.value !== '') fail(`${cell.path}: the JSON has null, the page ${cell.value}`);
    } else if (typeof figure !== 'number') fail(`${cell.path}: not a number in the JSON`);
    else {
      if (Number(cell.value) !== figure) fail(`${cell.path}: data-value ${cell.value}, JSON ${figure}`);
      checkText(cell.path, cell.text, figure, scale);
    }
  }
}

/** The conversion card says what conversion means: the primary KPI's name, when there is one. */
function checkCards(cards, data, group) {
  const conversion = cards.find((c) => c.path === `${group}.conversion`);
  const kpi = at(data, `${group}.conversion_kpi`);
  if (!conversion) fail(`${group}: no conversion card`);
  else if (kpi ? !conversion.label.includes(kpi) : conversion.label !== 'Converted') {
    fail(`${group}: the conversion card says "${conversion.label}", the JSON's conversion is ${kpi || 'reaching a goal'}`);
  }
}

/** Checks the rows of one group of a comparison page against the `journey-comparison/1` JSON. */
function checkCompared(rows, data, index) {
  const group = data.groups[index];
  const prefix = `groups.${index}.kpis.`;
  if (rows.length === 0) fail(`group ${group.group}: no KPI rows`);
  const metrics = new Set();
  for (const row of rows) {
    if (!row.path.startsWith(prefix)) {
      fail(`${row.path}: in the table of group ${index}`);
      continue;
    }
    const kpi = at(data, row.path);
    if (!kpi || typeof kpi !== 'object' || !('delta' in kpi)) {
      fail(`${row.path}: not a KPI of the JSON`);
      continue;
    }
    metrics.add(kpi.metric);
    const where = `${group.group} ${kpi.name}`;
    if (row.unit !== kpi.unit) fail(`${where}: unit ${row.unit}, JSON ${kpi.unit}`);
    const scale = kpi.unit === 'share' ? 100 : 1;
    for (const [side, cell] of [['old', row.old], ['new', row.new], ['delta', row.delta]]) {
      const figure = kpi[side];
      const value = figure === null ? null : figure.value;
      if (value === null) {
        if (cell.value !== '') fail(`${where} ${side}: the JSON has null, the page ${cell.value}`);
        continue;
      }
      if (Number(cell.value) !== value) fail(`${where} ${side}: data-value ${cell.value}, JSON ${value}`);
      const shown = numbersIn(cell.text);
      if (shown.length !== 1) fail(`${where} ${side}: cannot read "${cell.text}"`);
      else sameShown(shown[0], value, scale, `${where} ${side}`);
    }
    const delta = kpi.delta;
    const expected = kpi.old === null ? 'added' : kpi.new === null ? 'removed'
      : group.paired && kpi.differing_customers === 0 ? 'same' : kpi.significant ? 'yes' : 'no';
    if (row.significance !== expected) fail(`${where}: significance ${row.significance}, JSON says ${expected}`);
    if (delta !== null && delta.low !== null && delta.high !== null) {
      if (Number(row.low) !== delta.low || Number(row.high) !== delta.high) {
        fail(`${where}: data-low/high ${row.low}/${row.high}, JSON ${delta.low}/${delta.high}`);
      }
      if (expected !== 'same') {
        const bounds = numbersIn(row.ci.replace(/ to /g, ' '));
        if (bounds.length !== 2) fail(`${where}: cannot read the interval "${row.ci}"`);
        else {
          sameShown(bounds[0], delta.low, scale, `${where} low`);
          sameShown(bounds[1], delta.high, scale, `${where} high`);
        }
      }
    }
  }
  const wanted = ['conversion', 'outcome', 'cost_per_customer', 'roi', 'final_emotion', 'reached'];
  const lifetime = data.reports.new.overall.lifetime;
  if (lifetime) {
    wanted.push('retention', 'clv_per_customer', ...lifetime.kpis.map((kpi) => kpi.name));
    if (lifetime.milestones.length > 0) wanted.push('milestone', 'days_to_milestone_mean');
    if (data.reports.new.overall.conversion_kpi) wanted.push('goal_conversion');
  }
  for (const metric of wanted) {
    if (!metrics.has(metric)) fail(`group ${group.group}: no KPI row for ${metric}`);
  }
}

const readCompared = `[...document.querySelectorAll('tr[data-kpi]')].map((tr) => {
  const cell = (cls) => { const td = tr.querySelector('td.' + cls); return { text: td.textContent, value: td.dataset.value }; };
  const ci = tr.querySelector('td.jr-ci');
  return { path: tr.dataset.kpi, unit: tr.dataset.unit, significance: tr.dataset.significance,
    old: cell('jr-old'), new: cell('jr-new'), delta: cell('jr-value'),
    ci: ci.textContent, low: ci.dataset.low, high: ci.dataset.high };
})`;

const readKpis = `[...document.querySelectorAll('tr[data-kpi]')].map((tr) => ({
  path: tr.dataset.kpi, format: tr.dataset.format,
  text: tr.querySelector('td.jr-value').textContent, value: tr.querySelector('td.jr-value').dataset.value,
  ci: tr.querySelector('td.jr-ci').textContent, low: tr.querySelector('td.jr-ci').dataset.low,
  high: tr.querySelector('td.jr-ci').dataset.high }))`;

const readFigures = `[...document.querySelectorAll('[data-path]')].map((td) => ({
  path: td.dataset.path, format: td.dataset.format, interval: 'low' in td.dataset,
  value: td.dataset.value, low: td.dataset.low, high: td.dataset.high, text: td.textContent }))`;

const readCards = `[...document.querySelectorAll('[data-card]')].map((c) => ({
  path: c.dataset.card, label: c.querySelector('.jr-label').textContent }))`;

const readCharts = `[...document.querySelectorAll('[data-chart]')].map((box) => {
  const svg = box.querySelector('svg');
  const r = box.getBoundingClientRect();
  return { name: box.dataset.chart, hidden: box.hidden, width: r.width, height: r.height,
    empty: box.dataset.empty === 'true',
    svg: !!svg, shapes: svg ? svg.querySelectorAll('path, rect, circle, polyline, polygon, line').length : 0,
    texts: svg ? svg.querySelectorAll('text').length : 0 };
})`;

async function run() {
  await send('Target.setDiscoverTargets', { discover: true });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await send(`${domain}.enable`, {}, sessionId);
  await send('Emulation.setDeviceMetricsOverride', { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
  const loaded = waitFor((m) => m.method === 'Page.loadEventFired' && m.sessionId === sessionId, 'the page to load');
  await send('Page.navigate', { url: pageUrl }, sessionId);
  await loaded;

  let state = {};
  for (let i = 0; i < 200; i += 1) {
    state = await evaluate(sessionId, '({ ready: document.documentElement.dataset.ready, error: document.documentElement.dataset.error })');
    if (state.ready || state.error) break;
    await sleep(100);
  }
  if (state.error) fail(`the page reports an error: ${state.error}`);
  if (state.ready !== 'true') fail('the page never said it was drawn (data-ready)');

  // Every chart, drawn.
  const charts = await evaluate(sessionId, readCharts);
  const names = charts.map((c) => c.name);
  const wantedCharts = comparison ? ['differences-shares', 'differences-relative', 'funnels', 'emotion']
    : ['funnel', 'sankey', 'emotion', 'time-to-goal', 'money', 'roi'];
  for (const wanted of wantedCharts) {
    if (!names.includes(wanted)) fail(`no ${wanted} chart`);
  }
  for (const chart of charts) {
    // A chart without data (no conversions: no time to goal) is drawn with a note saying so.
    const drawn = chart.shapes >= 3 || (chart.empty && chart.texts >= 1);
    if (chart.hidden || !chart.svg || chart.width < 100 || chart.height < 100 || !drawn) {
      fail(`chart ${chart.name} is not drawn: ${JSON.stringify(chart)}`);
    }
  }
  const map = await evaluate(sessionId, `({ svg: document.querySelectorAll('.jr-map svg').length,
    note: [...document.querySelectorAll('[data-map-note]')].map((p) => p.textContent).join(' | '),
    nodes: document.querySelectorAll('.jr-map svg g.node').length })`);
  if (flag('--expect-map-note')) {
    if (map.svg !== 0 || !map.note) fail(`expected a note instead of the map: ${JSON.stringify(map)}`);
  } else if (map.svg !== (comparison ? 2 : 1) || map.nodes < 2) {
    fail(`the journey map is missing: ${JSON.stringify(map)}`);
  }
  if (flag('--expect-loops')) {
    const loops = await evaluate(sessionId, `document.querySelectorAll('table.jr-loops tbody tr').length`);
    if (loops < 1) fail('expected the table of moves back (the journey has a loop)');
  }
  // An object written as text ("[object HTMLElement]") is a mistake in the script.
  const objectText = await evaluate(sessionId, `document.getElementById('jr-app').textContent.indexOf('[object ')`);
  if (objectText >= 0) fail('the page shows an object as text ("[object ...]")');
  const tables = await evaluate(sessionId, `[...document.querySelectorAll('table')].map((t) => ({
    caption: !!t.querySelector('caption'), scoped: t.querySelectorAll('thead th[scope=col]').length }))`);
  tables.forEach((t, i) => { if (!t.scoped) fail(`table ${i} has no column headers with scope`); });

  // The numbers: the embedded JSON is the JSON report, and the KPI tables show it.
  if (jsonPath) {
    const data = JSON.parse(readFileSync(jsonPath, 'utf8'));
    const lifetime = !comparison && data.overall.lifetime !== undefined;
    if (lifetime !== names.includes('retention')) {
      fail(lifetime ? 'no retention chart' : 'a retention chart in the report of a journey without lifetime figures');
    }
    const embedded = await evaluate(sessionId, `JSON.parse(document.getElementById('jr-data').textContent)`);
    if (JSON.stringify(embedded) !== JSON.stringify(data)) fail('the JSON embedded in the page differs from the JSON report');
    const groups = await evaluate(sessionId, `(() => { const s = document.querySelector('[data-group-select]');
      return s ? [...s.options].map((o) => o.value) : null; })()`);
    const keys = comparison ? data.groups.map((g) => g.group)
      : ['overall', ...(data.personas || []).map((_, i) => `personas.${i}`)];
    if (groups === null) fail('no persona selector');
    else if (groups.length !== keys.length) {
      fail(`the persona selector has ${groups.length} entries, the JSON ${keys.length} groups`);
    }
    for (const value of groups || ['0']) {
      await evaluate(sessionId, `(() => { const s = document.querySelector('[data-group-select]');
        if (s) { s.value = ${JSON.stringify(value)}; s.dispatchEvent(new Event('change')); } })()`);
      if (comparison) checkCompared(await evaluate(sessionId, readCompared), data, Number(value));
      else {
        const group = keys[Number(value)];
        checkKpis(await evaluate(sessionId, readKpis), data, group);
        checkCards(await evaluate(sessionId, readCards), data, group);
        const cells = await evaluate(sessionId, readFigures);
        if (lifetime) checkLifetime(cells, data, group);
        else if (cells.length > 0) fail(`${group}: lifetime tables in the report of a journey without lifetime figures`);
      }
      const again = await evaluate(sessionId, readCharts);
      for (const chart of again) {
        if (!chart.hidden && chart.shapes < 3 && !(chart.empty && chart.texts >= 1)) {
          fail(`chart ${chart.name} is empty for group ${keys[Number(value)]}`);
        }
      }
    }
    await evaluate(sessionId, `(() => { const s = document.querySelector('[data-group-select]');
      if (s) { s.value = '0'; s.dispatchEvent(new Event('change')); } })()`);
    const cards = await evaluate(sessionId, `[...document.querySelectorAll('[data-card]')].map((c) => c.dataset.card)`);
    for (const card of cards) if (at(data, card) === undefined) fail(`card ${card}: not in the JSON`);
  }

  // No request but the page itself (and data: URLs, which are not requests to anywhere).
  for (const url of requests) {
    if (url !== pageUrl && !url.startsWith('data:')) fail(`the page made a network request: ${url}`);
  }

  if (screenshot) {
    const metrics = await send('Page.getLayoutMetrics', {}, sessionId);
    const size = metrics.cssContentSize || metrics.contentSize;
    let height = Math.ceil(size.height);
    if (screenshotUntil) {
      const bottom = await evaluate(sessionId, `(() => { const e = document.querySelector(${JSON.stringify(screenshotUntil)});
        const s = e && (e.closest('section') || e); return s ? s.getBoundingClientRect().bottom + window.scrollY : null; })()`);
      if (bottom === null) fail(`--screenshot-until: nothing matches ${screenshotUntil}`);
      else height = Math.min(height, Math.ceil(bottom) + 16);
    }
    const shot = await send('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true,
      clip: { x: 0, y: 0, width, height, scale: 1 },
    }, sessionId);
    writeFileSync(screenshot, Buffer.from(shot.data, 'base64'));
    if (readFileSync(screenshot).length < 10000) fail(`the screenshot ${screenshot} is suspiciously small`);
  }
  // Late messages (a chart's error after the checks) still count.
  await sleep(200);
}

const watchdog = setTimeout(() => {
  console.error(`check_page: timed out; browser said:\n${browserLog}`);
  browser.kill('SIGKILL');
  process.exit(2);
}, 90000);

let exitCode = 0;
try {
  await run();
  for (const failure of failures) console.error(`FAIL ${failure}`);
  exitCode = failures.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`check_page: ${error.message}\n${browserLog}`);
  exitCode = 2;
}
clearTimeout(watchdog);
try {
  await send('Browser.close');
} catch {
  // already gone
}
await new Promise((done) => {
  if (browser.exitCode !== null) done();
  browser.on('exit', done);
  setTimeout(() => { browser.kill('SIGKILL'); done(); }, 5000);
});
rmSync(profile, { recursive: true, force: true });
process.exit(exitCode);
