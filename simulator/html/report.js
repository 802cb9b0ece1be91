// The HTML report's script (docs/report.md). It reads the JSON document embedded in the page
// (#jr-data: a `journey-simulation/1` report, or a `journey-comparison/1` comparison) and draws
// every chart and table from it with Apache ECharts. It uses no clock, no randomness and no
// network, so the same JSON draws the same page.
//
// Contract with tests/report (and anyone who reads the page):
// - <html data-ready="true"> once everything is drawn; <html data-error="..."> on any error.
// - Every chart is an element [data-chart=NAME] holding the chart's SVG.
// - Every figure in a KPI table is a row [data-kpi=PATH] where PATH locates the figure in the
//   JSON (`overall.conversion`, `personas.1.days_to_goal.mean`); its cells carry the exact
//   numbers as data-value, data-low, data-high beside their rounded text.
// - Every other figure checked against the JSON (the milestone and retention tables) is a cell
//   [data-path=PATH] with the exact number in data-value, or, for an interval, data-low and
//   data-high.
// - In a comparison, a KPI row's PATH is `groups.G.kpis.K`: its cells td.jr-old and td.jr-new
//   carry the versions' values, td.jr-value and td.jr-ci the difference (`delta`) and its
//   interval; the row's data-significance is yes, no, same, added or removed.
(function () {
  'use strict';

  const root = document.documentElement;

  function fail(error) {
    const message = error && error.message ? error.message : String(error);
    if (!root.dataset.error) root.dataset.error = message;
    const app = document.getElementById('jr-app');
    if (app) {
      const box = el('p', { class: 'jr-banner jr-error', role: 'alert' },
        'The report could not be drawn: ' + message);
      app.prepend(box);
    }
  }
  window.addEventListener('error', (event) => fail(event.error || event.message));
  window.addEventListener('unhandledrejection', (event) => fail(event.reason));

  // DOM helpers ---------------------------------------------------------------------------------

  /** An element with attributes and children (strings become text, never markup). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let sections = 0;
  function section(title, explain, ...children) {
    sections += 1;
    const id = `jr-section-${sections}`;
    return el('section', { class: 'jr-section', 'aria-labelledby': id },
      el('h2', { id }, title), explain ? el('p', { class: 'jr-explain' }, explain) : null,
      ...children);
  }

  // Numbers ---------------------------------------------------------------------------------------

  const locale = 'en-US';
  const isNumber = (x) => typeof x === 'number' && Number.isFinite(x);
  function fixed(x, digits) {
    if (!isNumber(x)) return '–';
    return x.toLocaleString(locale, {
      minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: true,
    });
  }
  const count = (n) => (isNumber(n) ? n.toLocaleString(locale) : '–');
  const percent = (x, digits = 1) => (isNumber(x) ? fixed(x * 100, digits) + '%' : '–');

  /** How a kind of figure is written: its text, and the text of its interval. */
  const formats = {
    percent: { text: (x) => percent(x), bounds: (i) => `${fixed(i.low * 100, 1)}–${fixed(i.high * 100, 1)}%` },
    days: { text: (x) => (isNumber(x) ? fixed(x, 1) + ' d' : '–'), bounds: (i) => `${fixed(i.low, 1)}–${fixed(i.high, 1)} d` },
    money: { text: (x) => fixed(x, 2), bounds: (i) => `${fixed(i.low, 2)} to ${fixed(i.high, 2)}` },
    number: { text: (x) => fixed(x, 2), bounds: (i) => `${fixed(i.low, 2)} to ${fixed(i.high, 2)}` },
    hours: { text: (x) => (isNumber(x) ? fixed(x, 2) + ' h' : '–'), bounds: (i) => `${fixed(i.low, 2)}–${fixed(i.high, 2)} h` },
    count: { text: (x) => count(x), bounds: () => '' },
  };

  const hasInterval = (i) => i && isNumber(i.low) && isNumber(i.high);

  // Reading a report ------------------------------------------------------------------------------

  /** The groups of a report: everyone, then each persona, with their JSON paths. */
  function groupsOf(report) {
    const groups = [{ key: 'overall', label: 'All customers', data: report.overall }];
    (report.personas || []).forEach((persona, index) => {
      groups.push({ key: `personas.${index}`, label: persona.persona, data: persona });
    });
    return groups;
  }

  const kindOf = (report) => {
    const kinds = new Map();
    for (const row of report.overall.funnel) kinds.set(row.stage, row.kind);
    return kinds;
  };

  function outcomeLabel(outcome) {
    if (outcome.stage) return outcome.stage;
    return {
      in_progress: 'In progress at the horizon',
      unrouted_at_entry: 'Unrouted at entry',
      looping: 'Looping',
      failed: 'Failed',
      step_limit: 'Stopped at the step limit',
    }[outcome.kind] || outcome.kind;
  }

  function kindBadge(kind) {
    if (kind !== 'goal' && kind !== 'exit') return null;
    return el('span', { class: `jr-kind jr-kind-${kind}` }, kind);
  }

  // Charts ----------------------------------------------------------------------------------------

  const palette = ['#2f5fb3', '#e08a2e', '#2e9a6b', '#b3412f', '#7a52b3', '#3a9fb8', '#b38f2f',
    '#8a8f99'];
  const charts = [];

  function chartBox(name, label, tall) {
    return el('div', {
      class: tall ? 'jr-chart jr-chart-tall' : 'jr-chart', 'data-chart': name, role: 'img',
      'aria-label': label,
    });
  }

  /**
   * Draws `option` into `box` (SVG, no animation: the same picture every time). With `empty`, a
   * chart without data says so in its middle, and its box is marked data-empty.
   */
  function draw(box, option, empty) {
    let chart = window.echarts.getInstanceByDom(box);
    if (!chart) {
      chart = window.echarts.init(box, null, { renderer: 'svg', locale: 'EN' });
      charts.push(chart);
    }
    if (empty) {
      box.dataset.empty = 'true';
      option.title = { text: empty, left: 'center', top: 'middle', textStyle: { color: '#5b6475', fontSize: 14, fontWeight: 'normal' } };
    } else {
      delete box.dataset.empty;
    }
    chart.setOption(Object.assign({
      animation: false,
      aria: { enabled: true },
      color: palette,
      textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' },
    }, option), true);
    return chart;
  }

  /** Sets a chart box's height in pixels (charts whose rows vary), resizing its chart. */
  function sized(box, height) {
    const px = `${Math.round(height)}px`;
    if (box.style.height === px) return box;
    box.style.height = px;
    const chart = window.echarts.getInstanceByDom(box);
    if (chart) chart.resize();
    return box;
  }

  function resizeAll() {
    for (const chart of charts) chart.resize();
  }
  window.addEventListener('resize', resizeAll);
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);

  const tooltip = { trigger: 'item', confine: true };

  /** Error bars: a custom series drawing [low, high] at each category. */
  function whiskers(intervals, horizontal) {
    return {
      type: 'custom',
      name: '95% CI',
      silent: true,
      z: 10,
      data: intervals.map((i, index) => [index, hasInterval(i) ? i.low : NaN, hasInterval(i) ? i.high : NaN]),
      renderItem(params, api) {
        const low = api.value(1);
        const high = api.value(2);
        if (!Number.isFinite(low) || !Number.isFinite(high)) return null;
        const at = api.value(0);
        const a = horizontal ? api.coord([low, at]) : api.coord([at, low]);
        const b = horizontal ? api.coord([high, at]) : api.coord([at, high]);
        const cap = 6;
        const style = { stroke: '#1d2330', lineWidth: 1.5 };
        const line = (x1, y1, x2, y2) => ({ type: 'line', shape: { x1, y1, x2, y2 }, style });
        return {
          type: 'group',
          children: horizontal
            ? [line(a[0], a[1], b[0], b[1]), line(a[0], a[1] - cap, a[0], a[1] + cap),
              line(b[0], b[1] - cap, b[0], b[1] + cap)]
            : [line(a[0], a[1], b[0], b[1]), line(a[0] - cap, a[1], a[0] + cap, a[1]),
              line(b[0] - cap, b[1], b[0] + cap, b[1])],
        };
      },
    };
  }

  function funnelOption(group) {
    const rows = group.data.funnel.filter((row) => row.kind !== 'exit');
    return {
      tooltip: Object.assign({}, tooltip, {
        formatter: (p) => {
          const row = rows[p.dataIndex];
          const ci = hasInterval(row.reached) ? ` (95% CI ${formats.percent.bounds(row.reached)})` : '';
          return `${p.name}<br>reached by ${percent(row.reached.value)}${ci}<br>${count(row.reached_count)} customers`;
        },
      }),
      series: [{
        type: 'funnel',
        name: 'Reached',
        sort: 'none',
        left: '2%',
        width: '58%',
        top: 10,
        bottom: 10,
        min: 0,
        max: 100,
        minSize: '2%',
        gap: 2,
        label: {
          position: 'right',
          formatter: (p) => `${p.name}  ${percent(rows[p.dataIndex].reached.value)}`,
          color: '#1d2330',
        },
        labelLine: { show: true, length: 12, lineStyle: { color: '#b7bcc6' } },
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        data: rows.map((row, index) => ({
          name: row.stage,
          value: isNumber(row.reached.value) ? row.reached.value * 100 : 0,
          itemStyle: { color: row.kind === 'goal' ? '#2e9a6b' : palette[index % 2 === 0 ? 0 : 5] },
        })),
      }],
    };
  }

  /** The Sankey diagram's nodes and links, loops cut (docs/report.md). */
  function flowGraph(report, group) {
    const order = new Map();
    report.overall.funnel.forEach((row, index) => order.set(row.stage, index));
    const kinds = kindOf(report);
    const nodes = new Map();
    const node = (id, label, color) => {
      if (!nodes.has(id)) nodes.set(id, { name: id, label, itemStyle: { color } });
      return id;
    };
    const stageColor = (stage) => ({ goal: '#2e9a6b', exit: '#b3412f' }[kinds.get(stage)] || palette[0]);
    const endings = {
      in_progress: ['In progress at the horizon', '#8a8f99'],
      unrouted_at_entry: ['Unrouted at entry', '#b38f2f'],
      looping: ['Looping', '#b38f2f'],
      failed: ['Failed', '#b38f2f'],
      step_limit: ['Step limit', '#b38f2f'],
    };
    const links = [];
    const loops = [];
    for (const flow of group.data.flows) {
      const from = flow.from === null ? node('entry', 'Entry', '#5b6475')
        : node('stage:' + flow.from, flow.from, stageColor(flow.from));
      let to;
      if (flow.ended) {
        const [label, color] = endings[flow.ended] || [flow.ended, '#8a8f99'];
        to = node('end:' + flow.ended, label, color);
      } else if (flow.from !== null && order.get(flow.to) <= order.get(flow.from)) {
        // A move back (or to the same stage): drawn into a "back to" node, so the diagram stays
        // acyclic, and listed in the loops table.
        loops.push(flow);
        to = node('back:' + flow.to, '↺ back to ' + flow.to, '#b7bcc6');
      } else {
        to = node('stage:' + flow.to, flow.to, stageColor(flow.to));
      }
      links.push({ source: from, target: to, value: flow.count });
    }
    return { nodes: [...nodes.values()], links, loops };
  }

  function sankeyOption(report, group, graph) {
    const labels = new Map(graph.nodes.map((n) => [n.name, n.label]));
    const customers = group.data.customers || 1;
    return {
      tooltip: Object.assign({}, tooltip, {
        formatter: (p) => {
          if (p.dataType === 'edge') {
            return `${labels.get(p.data.source)} → ${labels.get(p.data.target)}<br>${count(p.data.value)} moves (${fixed(p.data.value / customers, 3)} per customer)`;
          }
          return `${labels.get(p.name)}<br>${count(p.value)}`;
        },
      }),
      series: [{
        type: 'sankey',
        left: 8,
        right: 150,
        top: 12,
        bottom: 12,
        nodeWidth: 14,
        nodeGap: 10,
        layoutIterations: 32,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        label: { formatter: (p) => labels.get(p.name), fontSize: 12 },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        data: graph.nodes,
        links: graph.links,
      }],
    };
  }

  function emotionOption(report) {
    const groups = groupsOf(report);
    const stages = report.overall.funnel.filter((row) => isNumber(row.emotion_on_entry)).map((row) => row.stage);
    const series = groups.map((group, index) => {
      const byStage = new Map(group.data.funnel.map((row) => [row.stage, row.emotion_on_entry]));
      return {
        type: 'line',
        name: group.label,
        data: stages.map((stage) => (isNumber(byStage.get(stage)) ? byStage.get(stage) : null)),
        connectNulls: false,
        symbolSize: 6,
        lineStyle: index === 0 ? { width: 3, type: 'dashed' } : { width: 2 },
        color: index === 0 ? '#1d2330' : palette[(index - 1) % palette.length],
      };
    });
    return {
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => (isNumber(v) ? fixed(v, 2) : '–') },
      legend: { top: 0, right: 0, type: 'scroll' },
      grid: { left: 48, right: 20, top: 48, bottom: 70 },
      xAxis: { type: 'category', data: stages, axisLabel: { rotate: stages.length > 6 ? 30 : 0, interval: 0 } },
      yAxis: { type: 'value', name: 'emotion on entry', nameTextStyle: { align: 'left' } },
      series,
    };
  }

  function timeToGoalOption(group) {
    const histogram = group.data.time_to_goal_histogram || { start_days: 0, bin_days: 1, counts: [] };
    const width = histogram.bin_days;
    const start = histogram.start_days || 0;
    const labels = histogram.counts.map((_, b) => fixed(start + b * width, width < 10 ? 1 : 0));
    const days = group.data.days_to_goal;
    // Labels at different heights along their lines, so that close lines stay readable.
    const marks = [['median', days.median, 'insideEndTop'], ['mean', days.mean.value, 'insideMiddleTop'],
      ['p90', days.p90, 'insideEndTop']]
      .filter(([, x]) => isNumber(x) && histogram.counts.length > 0)
      .map(([name, x, position]) => ({
        name,
        xAxis: Math.max(0, Math.min(histogram.counts.length - 1, Math.floor((x - start) / width))),
        label: { formatter: `${name} ${fixed(x, 1)} d`, position, backgroundColor: 'rgba(255,255,255,0.8)' },
      }));
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (ps) => {
          const b = ps[0].dataIndex;
          return `${fixed(start + b * width, 1)}–${fixed(start + (b + 1) * width, 1)} days<br>${count(ps[0].value)} customers`;
        },
      },
      grid: { left: 60, right: 20, top: 30, bottom: 50 },
      xAxis: { type: 'category', data: labels, name: 'days', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'value', name: 'converted customers' },
      series: [{
        type: 'bar',
        name: 'Converted customers',
        data: histogram.counts,
        barCategoryGap: '8%',
        itemStyle: { color: '#2e9a6b' },
        markLine: { symbol: 'none', silent: true, lineStyle: { color: '#1d2330', type: 'dashed' }, data: marks },
      }],
    };
  }

  function moneyOption(report, group) {
    const d = group.data;
    const items = [['Cost per customer', d.cost_per_customer], ['Value per customer', d.value_per_customer],
      ['Cost per conversion', d.cost_per_conversion]];
    const colors = ['#b3412f', '#2e9a6b', '#e08a2e'];
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (ps) => {
          const [name, i] = items[ps[0].dataIndex];
          const ci = hasInterval(i) ? `<br>95% CI ${formats.money.bounds(i)}` : '';
          return `${name}: ${fixed(i.value, 2)} ${report.currency || ''}${ci}`;
        },
      },
      grid: { left: 150, right: 40, top: 20, bottom: 40 },
      yAxis: { type: 'category', data: items.map(([name, i]) => `${name}\n${fixed(i.value, 2)}`), inverse: true },
      xAxis: { type: 'value', name: report.currency || '', nameLocation: 'end' },
      series: [
        {
          type: 'bar',
          name: 'Mean',
          data: items.map(([, i], index) => ({ value: isNumber(i.value) ? i.value : null, itemStyle: { color: colors[index] } })),
          barWidth: '50%',
        },
        whiskers(items.map(([, i]) => i), true),
      ],
    };
  }

  function roiOption(report) {
    const groups = groupsOf(report);
    const rois = groups.map((g) => g.data.roi || { value: null, low: null, high: null });
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (ps) => {
          const i = rois[ps[0].dataIndex];
          const ci = hasInterval(i) ? `<br>95% CI ${formats.number.bounds(i)}` : '';
          return `${groups[ps[0].dataIndex].label}: ROI ${fixed(i.value, 2)}${ci}`;
        },
      },
      grid: { left: 150, right: 40, top: 20, bottom: 40 },
      yAxis: { type: 'category', data: groups.map((g, index) => `${g.label}\n${fixed(rois[index].value, 2)}`), inverse: true },
      xAxis: { type: 'value', name: '(value − cost) / cost', nameLocation: 'middle', nameGap: 26 },
      series: [
        {
          type: 'bar',
          name: 'ROI',
          barWidth: '50%',
          data: rois.map((i, index) => ({
            value: isNumber(i.value) ? i.value : null,
            itemStyle: { color: index === 0 ? '#1d2330' : palette[(index - 1) % palette.length] },
          })),
        },
        whiskers(rois, true),
      ],
    };
  }

  // Tables ----------------------------------------------------------------------------------------

  /** A KPI row: label, value, interval; `path` is where the figure is in the JSON. */
  function kpiRow(path, label, figure, format) {
    const interval = figure !== null && typeof figure === 'object' ? figure : null;
    const value = interval ? interval.value : figure;
    const f = formats[format];
    return el('tr', { 'data-kpi': path, 'data-format': format },
      el('th', { scope: 'row' }, label),
      el('td', { class: 'jr-value', 'data-value': isNumber(value) ? value : '' }, f.text(value)),
      el('td', {
        class: 'jr-ci', 'data-low': hasInterval(interval) ? interval.low : '',
        'data-high': hasInterval(interval) ? interval.high : '',
      }, hasInterval(interval) ? f.bounds(interval) : ''));
  }

  function kpiTable(report, group) {
    const d = group.data;
    const p = group.key;
    const money = report.currency ? ` (${report.currency})` : '';
    const rows = [
      kpiRow(`${p}.customers`, 'Customers', d.customers, 'count'),
      kpiRow(`${p}.conversion`, conversionLabel(d, 'Converted (reached a goal)'), d.conversion, 'percent'),
    ];
    if (d.goal_conversion) rows.push(kpiRow(`${p}.goal_conversion`, 'Reached a goal', d.goal_conversion, 'percent'));
    d.outcomes.forEach((o, index) => {
      const label = o.stage ? `Ended in ${o.stage} (${o.kind})` : outcomeLabel(o);
      rows.push(kpiRow(`${p}.outcomes.${index}.share`, label, o.share, 'percent'));
    });
    rows.push(
      kpiRow(`${p}.days_to_goal.mean`, 'Days to goal, mean', d.days_to_goal.mean, 'days'),
      kpiRow(`${p}.days_to_goal.median`, 'Days to goal, median', d.days_to_goal.median, 'days'),
      kpiRow(`${p}.days_to_goal.p90`, 'Days to goal, 90th percentile', d.days_to_goal.p90, 'days'),
      kpiRow(`${p}.cost_per_customer`, `Cost to serve per customer${money}`, d.cost_per_customer, 'money'),
      kpiRow(`${p}.cost_per_conversion`, `Cost per conversion${money}`, d.cost_per_conversion, 'money'),
      kpiRow(`${p}.value_per_customer`, `Value per customer${money}`, d.value_per_customer, 'money'));
    if (d.roi) rows.push(kpiRow(`${p}.roi`, 'ROI, (value − cost) / cost', d.roi, 'number'));
    rows.push(
      kpiRow(`${p}.final_emotion`, 'Final emotion, mean', d.final_emotion, 'number'),
      kpiRow(`${p}.effort_hours_per_customer`, 'Effort per customer (hours)', d.effort_hours_per_customer, 'number'));
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-kpis', 'data-group': p },
      el('caption', {}, `${group.label}: ${count(d.customers)} customers; 95% confidence intervals`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Measure'), el('th', { scope: 'col' }, 'Value'),
        el('th', { scope: 'col' }, '95% CI'))),
      el('tbody', {}, rows)));
  }

  function stageTable(report, group) {
    const rows = group.data.funnel.map((row) => el('tr', {},
      el('th', { scope: 'row' }, row.stage, kindBadge(row.kind)),
      el('td', {}, percent(row.reached.value)),
      el('td', { class: 'jr-ci' }, hasInterval(row.reached) ? formats.percent.bounds(row.reached) : ''),
      el('td', {}, percent(row.step_conversion)),
      el('td', {}, fixed(row.visits_per_customer, 2)),
      el('td', {}, row.kind === 'stage' ? fixed(row.days_per_visit, 1) : ''),
      el('td', {}, percent(row.ended_here.value)),
      el('td', {}, fixed(row.emotion_on_entry, 2))));
    const head = ['Stage', 'Reached', '95% CI', 'Step', 'Visits', 'Days per visit', 'Ended here', 'Emotion in'];
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-stages' },
      el('caption', {}, 'Stages in journey order. Step: reached over the previous stage\'s reached. Visits: per customer who reached it. Ended here: finished there, or still there at the horizon.'),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  function loopTable(group, loops) {
    const customers = group.data.customers || 1;
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-loops' },
      el('caption', {}, 'Moves back to an earlier stage (or the same one), drawn as “↺ back to” in the diagram'),
      el('thead', {}, el('tr', {}, ['From', 'Back to', 'Moves', 'Per customer'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, loops.map((f) => el('tr', {}, el('th', { scope: 'row' }, f.from), el('td', {}, f.to),
        el('td', {}, count(f.count)), el('td', {}, fixed(f.count / customers, 3)))))));
  }

  function personaTable(report) {
    const groups = groupsOf(report);
    const line = (label, cell) => el('tr', {}, el('th', { scope: 'row' }, label),
      groups.map((g) => el('td', {}, cell(g.data))));
    const rows = [
      line('Customers', (d) => `${count(d.customers)} (${percent(d.share.value)})`),
      line(conversionLabel(report.overall, 'Converted'), (d) => percent(d.conversion.value)),
    ];
    report.overall.outcomes.forEach((o) => {
      rows.push(line(outcomeLabel(o), (d) => {
        const same = d.outcomes.find((x) => x.kind === o.kind && (x.stage || '') === (o.stage || ''));
        return same ? percent(same.share.value) : '–';
      }));
    });
    rows.push(
      line('Days to goal, mean', (d) => fixed(d.days_to_goal.mean.value, 1)),
      line('Cost per customer', (d) => fixed(d.cost_per_customer.value, 2)),
      line('Value per customer', (d) => fixed(d.value_per_customer.value, 2)),
      line('Final emotion', (d) => fixed(d.final_emotion.value, 2)));
    if (report.overall.lifetime) {
      report.overall.lifetime.kpis.forEach((kpi, k) => {
        const format = formats[unitFormats[kpi.unit] || 'number'];
        rows.push(line(declaredLabel(kpi, true), (d) => format.text(d.lifetime.kpis[k].value.value)));
      });
      rows.push(line('Lifetime value, mean', (d) => fixed(d.lifetime.lifetime_value.mean.value, 2)));
    }
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-personas' },
      el('caption', {}, 'Each persona beside everyone'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ''), groups.map((g) => el('th', { scope: 'col' }, g.label)))),
      el('tbody', {}, rows)));
  }

  function channelTable(report, group) {
    const customers = group.data.customers || 1;
    const rows = group.data.channels.filter((c) => c.delivered || c.dropped || c.deferred).map((c) => el('tr', {},
      el('th', { scope: 'row' }, c.channel), el('td', {}, count(c.delivered)), el('td', {}, fixed(c.delivered / customers, 2)),
      el('td', {}, fixed(c.cost, 2)), el('td', {}, count(c.dropped)), el('td', {}, count(c.deferred))));
    const money = report.currency ? ` (${report.currency})` : '';
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-channels' },
      el('caption', {}, 'Deliveries by channel; dropped and deferred by quiet hours and caps'),
      el('thead', {}, el('tr', {}, ['Channel', 'Delivered', 'Per customer', `Cost${money}`, 'Dropped', 'Deferred'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  function card(label, figure, format, path) {
    const interval = figure !== null && typeof figure === 'object' ? figure : null;
    const value = interval ? interval.value : figure;
    return el('div', { class: 'jr-card', 'data-card': path },
      el('div', { class: 'jr-label' }, label),
      el('div', { class: 'jr-big' }, formats[format].text(value)),
      el('div', { class: 'jr-ci' }, hasInterval(interval) ? '95% CI ' + formats[format].bounds(interval) : ' '));
  }

  // Lifetime journeys ------------------------------------------------------------------------------

  /** How a declared KPI of each `unit` is written. */
  const unitFormats = { share: 'percent', money: 'money', days: 'days', hours: 'hours', number: 'number', ratio: 'number' };

  /** The declared KPI that `conversion` means (`conversion_kpi`), or null. */
  function primaryKpi(data) {
    if (!data.conversion_kpi || !data.lifetime) return null;
    return data.lifetime.kpis.find((kpi) => kpi.name === data.conversion_kpi) || null;
  }

  /** A declared KPI's label: its display text, a badge when primary, its name as in gates. */
  function declaredLabel(kpi, badge) {
    return [kpi.display || kpi.name,
      badge && kpi.primary ? el('span', { class: 'jr-kind jr-kind-primary' }, 'primary') : null,
      kpi.display ? el('code', { class: 'jr-gate-name' }, kpi.name) : null];
  }

  /** What the conversion card and row say: the primary KPI when there is one. */
  function conversionLabel(data, plain) {
    const kpi = primaryKpi(data);
    return kpi ? declaredLabel(kpi, false) : plain;
  }

  /**
   * Cells whose figure is at `path` in the JSON (for tests/report): a number, exact in
   * data-value, or an interval, exact in data-low and data-high.
   */
  function figureCell(path, x, format) {
    return el('td', { 'data-path': path, 'data-format': format, 'data-value': isNumber(x) ? x : '' }, formats[format].text(x));
  }
  function intervalCell(path, interval, format) {
    const shown = hasInterval(interval);
    return el('td', {
      class: 'jr-ci', 'data-path': path, 'data-format': format,
      'data-low': shown ? interval.low : '', 'data-high': shown ? interval.high : '',
    }, shown ? formats[format].bounds(interval) : '');
  }

  function declaredKpiTable(report, group) {
    const p = group.key;
    const kpis = group.data.lifetime.kpis;
    const rows = kpis.map((kpi, k) => kpiRow(`${p}.lifetime.kpis.${k}.value`, declaredLabel(kpi, true), kpi.value,
      unitFormats[kpi.unit] || 'number'));
    const money = report.currency && kpis.some((kpi) => kpi.unit === 'money') ? `; money in ${report.currency}` : '';
    const partial = kpis.filter((kpi) => kpi.customers < group.data.customers)
      .map((kpi) => `${kpi.name} over ${count(kpi.customers)} customers`);
    const left = partial.length > 0 ? `; ${partial.join(', ')} (the others could not be evaluated)` : '';
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-kpis jr-declared', 'data-group': p },
      el('caption', {}, `${group.label}: shares for yes-or-no KPIs, means per customer for the others; 95% confidence intervals${money}${left}`),
      el('thead', {}, el('tr', {}, ['KPI', 'Value', '95% CI'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  function lifetimeValueTable(report, group) {
    const p = `${group.key}.lifetime.lifetime_value`;
    const value = group.data.lifetime.lifetime_value;
    const money = report.currency ? ` (${report.currency})` : '';
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-kpis jr-lifetime-value', 'data-group': group.key },
      el('caption', {}, `${group.label}: value minus cost to serve per customer, ${value.discounted ? 'discounted' : 'not discounted'}; 95% confidence interval of the mean`),
      el('thead', {}, el('tr', {}, ['Measure', 'Value', '95% CI'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {},
        kpiRow(`${p}.mean`, `Mean per customer${money}`, value.mean, 'money'),
        kpiRow(`${p}.median`, `Median${money}`, value.median, 'money'),
        kpiRow(`${p}.p90`, `90th percentile${money}`, value.p90, 'money'),
        el('tr', { 'data-discounted': String(value.discounted) }, el('th', { scope: 'row' }, 'Discounted'),
          el('td', {}, value.discounted ? 'yes, by the journey’s discount' : 'no'), el('td', {})))));
  }

  function milestoneTable(group) {
    const rows = group.data.lifetime.milestones.map((m, i) => {
      const at = `${group.key}.lifetime.milestones.${i}`;
      const again = m.repeat_shares.length > 0 ? 1 - m.repeat_shares[0] : null;
      return el('tr', { 'data-milestone': at },
        el('th', { scope: 'row' }, m.stage),
        figureCell(`${at}.reached.value`, m.reached.value, 'percent'),
        intervalCell(`${at}.reached`, m.reached, 'percent'),
        figureCell(`${at}.days_to_reach.mean.value`, m.days_to_reach.mean.value, 'days'),
        intervalCell(`${at}.days_to_reach.mean`, m.days_to_reach.mean, 'days'),
        figureCell(`${at}.days_to_reach.median`, m.days_to_reach.median, 'days'),
        figureCell(`${at}.days_to_reach.p90`, m.days_to_reach.p90, 'days'),
        figureCell(`${at}.visits_per_customer`, m.visits_per_customer, 'number'),
        el('td', {}, percent(again)));
    });
    const head = ['Milestone', 'Reached', '95% CI', 'Days to reach, mean', '95% CI', 'Median', '90th percentile', 'Visits', '2+ times'];
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-milestones', 'data-group': group.key },
      el('caption', {}, `${group.label}. Reached: by the horizon. Days to reach: to the first visit, of those who reached it. Visits: per customer who reached it. 2+ times: the share of those who reached it again.`),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  const dayText = (day) => fixed(day, Number.isInteger(day) ? 0 : 1);

  /** Retention of everyone and each persona at every point of the grid, with the churn hazard. */
  function retentionTable(report) {
    const groups = groupsOf(report).filter((g) => g.data.lifetime);
    const rows = report.overall.lifetime.retention.map((point, k) => el('tr', {},
      el('th', { scope: 'row' }, dayText(point.day)),
      figureCell(`overall.lifetime.retention.${k}.active.value`, point.active.value, 'percent'),
      intervalCell(`overall.lifetime.retention.${k}.active`, point.active, 'percent'),
      figureCell(`overall.lifetime.retention.${k}.hazard`, point.hazard, 'percent'),
      groups.slice(1).map((g) => {
        const same = g.data.lifetime.retention[k];
        return figureCell(`${g.key}.lifetime.retention.${k}.active.value`, same ? same.active.value : null, 'percent');
      })));
    const head = ['Day', 'All customers', '95% CI', 'Churn in period', ...groups.slice(1).map((g) => g.label)];
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-retention' },
      el('caption', {}, 'Active: not left at an exit by that day. Churn in period: the share of those active at the start of the period who left during it.'),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  function retentionOption(report) {
    const groups = groupsOf(report).filter((g) => g.data.lifetime);
    const points = report.overall.lifetime.retention;
    const band = points.filter((q) => hasInterval(q.active)).map((q) => [q.day, q.active.low * 100, q.active.high * 100]);
    // The hazard of a period, drawn over the period: from the previous point (or day 0) to its own.
    const periods = points.map((q, k) => [k === 0 ? 0 : points[k - 1].day, q.day, isNumber(q.hazard) ? q.hazard * 100 : NaN]);
    const nearest = (day) => points.reduce((best, q, k) => (Math.abs(q.day - day) < Math.abs(points[best].day - day) ? k : best), 0);
    return {
      tooltip: {
        trigger: 'axis', confine: true,
        formatter: (ps) => {
          const k = nearest(ps.length > 0 ? Number(ps[0].axisValue) : 0);
          const all = points[k];
          const ci = hasInterval(all.active) ? ` (95% CI ${formats.percent.bounds(all.active)})` : '';
          const lines = [`Day ${dayText(all.day)}: share active`, `All customers: ${percent(all.active.value)}${ci}`];
          for (const g of groups.slice(1)) lines.push(`${g.label}: ${percent(g.data.lifetime.retention[k].active.value)}`);
          lines.push(`Churn in the period: ${percent(all.hazard)}`);
          return lines.join('<br>');
        },
      },
      legend: { top: 0, right: 0, type: 'scroll' },
      grid: { left: 56, right: 64, top: 48, bottom: 50 },
      xAxis: {
        type: 'value', name: 'days', nameLocation: 'middle', nameGap: 30, min: 0,
        max: isNumber(report.horizon_days) ? report.horizon_days : null, axisPointer: { snap: true },
      },
      yAxis: [
        { type: 'value', name: 'active', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        { type: 'value', name: 'churn in period', min: 0, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
      ],
      series: [
        {
          type: 'custom',
          name: 'Churn in period',
          yAxisIndex: 1,
          silent: true,
          z: 1,
          itemStyle: { color: 'rgba(179, 65, 47, 0.2)' },
          encode: { x: [0, 1], y: 2 },
          data: periods,
          renderItem(params, api) {
            const hazard = api.value(2);
            if (!Number.isFinite(hazard)) return null;
            const a = api.coord([api.value(0), hazard]);
            const b = api.coord([api.value(1), 0]);
            const gap = Math.min(2, (b[0] - a[0]) / 4);
            return {
              type: 'rect',
              shape: { x: a[0] + gap, y: a[1], width: Math.max(1, b[0] - a[0] - 2 * gap), height: b[1] - a[1] },
              style: { fill: 'rgba(179, 65, 47, 0.2)' },
            };
          },
        },
        {
          type: 'custom',
          name: '95% CI, all customers',
          silent: true,
          z: 2,
          itemStyle: { color: 'rgba(29, 35, 48, 0.15)' },
          encode: { x: 0, y: [1, 2] },
          data: band,
          renderItem(params, api) {
            // One polygon for the whole band, drawn with the first point.
            if (params.dataIndex !== 0 || band.length < 2) return null;
            const upper = band.map((b) => api.coord([b[0], b[2]]));
            const lower = band.map((b) => api.coord([b[0], b[1]])).reverse();
            return { type: 'polygon', shape: { points: upper.concat(lower) }, style: { fill: 'rgba(29, 35, 48, 0.15)' } };
          },
        },
        ...groups.map((group, index) => ({
          type: 'line',
          name: group.label,
          // Everyone's dashed line above the personas'.
          z: index === 0 ? 6 : 5,
          data: group.data.lifetime.retention.map((q) => [q.day, isNumber(q.active.value) ? q.active.value * 100 : null]),
          symbolSize: 5,
          lineStyle: index === 0 ? { width: 3, type: 'dashed' } : { width: 2 },
          color: index === 0 ? '#1d2330' : palette[(index - 1) % palette.length],
        })),
      ],
    };
  }

  /**
   * The parts of a journey with lifetime figures (`lifetime` in the JSON): the declared KPIs and
   * the lifetime value (`top`), the milestones and retention (`middle`); `draw()` once they are on
   * the page, `show(group)` for the parts that follow the persona selector. Nothing otherwise.
   */
  function lifetimeParts(report) {
    const lifetime = report.overall.lifetime;
    if (!lifetime) return { top: [], middle: [], draw: () => {}, show: () => {} };
    const kpis = el('div');
    const value = el('div');
    const milestones = el('div');
    const retention = chartBox('retention', 'Line chart: share of customers still active over time, for everyone with its 95% interval and per persona; bars: churn in each period');
    const top = el('div', { class: 'jr-grid' },
      lifetime.kpis.length > 0 ? section('KPIs declared in the spec', 'The spec’s own KPIs, evaluated once per customer when their journey ends.'
        + (report.overall.conversion_kpi ? ' The primary one is what conversion means in this report.' : ''), kpis) : null,
      section('Customer lifetime value', 'Value minus cost to serve, per customer, over the horizon. It is skewed: a few customers bring most of it, so the median and the 90th percentile say more than the mean alone.', value));
    const middle = [
      lifetime.milestones.length > 0 ? section('Milestones', 'Stages customers reach and go on from.', milestones) : null,
      section('Retention', 'Share of customers who have not left at an exit, per persona (dashed: all customers, with its 95% interval, shaded); bars: churn in each period (right axis).',
        retention, el('details', { class: 'jr-details' }, el('summary', {}, 'Retention table'), retentionTable(report))),
    ].filter((part) => part !== null);
    return {
      top: [top],
      middle,
      draw: () => draw(retention, retentionOption(report)),
      show(group) {
        if (!group.data.lifetime) return;
        kpis.replaceChildren(declaredKpiTable(report, group));
        value.replaceChildren(lifetimeValueTable(report, group));
        milestones.replaceChildren(milestoneTable(group));
      },
    };
  }

  // The journey map -------------------------------------------------------------------------------

  /** The page's maps (inline SVG put there by the generator), moved into `into`. */
  function placeMaps(into, filter) {
    const sources = [...document.querySelectorAll('#jr-maps > .jr-map-source')];
    for (const source of sources) {
      if (filter && !filter(source.dataset.label)) continue;
      if (source.dataset.note !== undefined) {
        into.append(el('p', { class: 'jr-note', 'data-map-note': '' }, source.dataset.note));
        continue;
      }
      const svg = source.querySelector('svg');
      if (!svg) continue;
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', 'Journey map' + (source.dataset.label ? ': ' + source.dataset.label : ''));
      const figure = el('figure', { class: 'jr-map', 'data-map': source.dataset.label || 'map', title: 'Click to switch between fit and actual size' }, svg);
      figure.addEventListener('click', () => figure.classList.toggle('jr-actual'));
      into.append(figure);
    }
  }

  // A simulation report ---------------------------------------------------------------------------

  /** Draws one `journey-simulation/1` report into `app`. */
  function renderSimulation(app, report) {
    const groups = groupsOf(report);
    const title = report.display || report.journey;

    app.append(el('header', {},
      el('h1', {}, title),
      el('p', { class: 'jr-sub' }, 'Simulation report of ', el('code', {}, report.journey),
        report.source ? [' from ', el('code', {}, report.source)] : null),
      el('dl', { class: 'jr-facts' },
        el('div', {}, el('dt', {}, 'Customers'), el('dd', {}, count(report.customers))),
        el('div', {}, el('dt', {}, 'Seed'), el('dd', {}, String(report.seed))),
        el('div', {}, el('dt', {}, 'Horizon'), el('dd', {}, fixed(report.horizon_days, 0) + ' days')),
        report.currency ? el('div', {}, el('dt', {}, 'Currency'), el('dd', {}, report.currency)) : null,
        el('div', {}, el('dt', {}, 'Personas'), el('dd', {}, (report.personas || []).map((p) => p.persona).join(', '))))));
    const overridden = (report.params || []).filter((p) => p.overridden);
    if (overridden.length > 0) {
      app.append(el('p', { class: 'jr-banner' }, 'Params set for this run: ',
        overridden.map((p, i) => [i ? ', ' : '', el('code', {}, `${p.name} = ${p.value}`)])));
    }
    if (report.interrupted) {
      app.append(el('p', { class: 'jr-banner', role: 'status' },
        'Interrupted: these results cover the customers simulated before the run was stopped.'));
    }

    // Persona selector: the cards, KPI tables, funnel, flow, time to goal and money follow it.
    const select = el('select', { id: 'jr-group', 'data-group-select': '' },
      groups.map((g, index) => el('option', { value: String(index) }, index === 0 ? g.label : `Persona ${g.label}`)));
    const printedGroup = el('p', { class: 'jr-print-only jr-explain' });
    if (groups.length > 1) {
      app.append(el('div', { class: 'jr-toolbar' }, el('label', { for: select.id }, 'Show'), select,
        el('span', { class: 'jr-hint' }, report.overall.lifetime
          ? 'The emotion curve, retention, ROI and persona table show every persona at once.'
          : 'The emotion curve, ROI and persona table show every persona at once.')));
      app.append(printedGroup);
    }

    const cards = el('div', { class: 'jr-cards' });
    const kpis = el('div');
    const funnel = chartBox('funnel', 'Funnel: share of customers who reached each stage, in journey order', true);
    const stages = el('div');
    const sankey = chartBox('sankey', 'Sankey diagram: customers moving between stages and where they ended', true);
    const loops = el('div');
    const flowNote = el('div');
    const timeToGoal = chartBox('time-to-goal', 'Histogram of the time converted customers took to reach a goal');
    const money = chartBox('money', 'Cost and value per customer and cost per conversion, with 95% confidence intervals');
    const channels = el('div');
    const maps = el('div');
    const lifetime = lifetimeParts(report);

    app.append(cards);
    app.append(...lifetime.top);
    app.append(el('div', { class: 'jr-grid' },
      section('Key figures', 'Every share has a Wilson 95% interval, every mean a normal interval, ratios a delta-method interval.', kpis),
      section('Funnel', 'Share of customers who entered each stage at least once, in journey order (stages as declared, then goals).', funnel)));
    app.append(section('Stages', null, stages));
    app.append(...lifetime.middle);
    app.append(section('Customer flow', 'Every move between stages: from the entry on the left to where customers ended on the right. Link width is the number of moves.', flowNote, sankey, loops));
    app.append(el('div', { class: 'jr-grid' },
      section('Emotion along the journey', 'Mean emotion on entering each stage, per persona (dashed: all customers).',
        chartBox('emotion', 'Line chart: mean emotion on entering each stage, per persona')),
      section('Time to goal', 'Days converted customers took to reach a goal; dashed lines: mean, median and 90th percentile.', timeToGoal),
      section('Cost and value', 'Means per customer and per conversion; bars: 95% confidence intervals.', money),
      section('Return on investment', 'ROI = (value − cost) / cost, with its 95% interval, for everyone and each persona.',
        chartBox('roi', 'Bar chart: return on investment per persona with 95% confidence intervals'))));
    app.append(section('Channels', null, channels));
    if (groups.length > 1) app.append(section('Personas', null, personaTable(report)));
    app.append(section('Journey map', 'The map of the spec (journey graph): stages, touchpoints, transitions and rules. Click it to switch between fit and actual size.', maps));
    const warnings = report.warnings || [];
    if (warnings.length > 0) {
      app.append(section('Run-time warnings', null, el('ul', { class: 'jr-warnings' }, warnings.map((w) =>
        el('li', {}, el('code', {}, w.place), ` ${w.kind.replace(/_/g, ' ')}: ${count(w.count)} times`)))));
    }

    placeMaps(maps);
    if (!maps.querySelector('figure, p')) maps.append(el('p', { class: 'jr-note', 'data-map-note': '' }, 'No map in this report.'));
    draw(app.querySelector('[data-chart="emotion"]'), emotionOption(report));
    draw(app.querySelector('[data-chart="roi"]'), roiOption(report));
    lifetime.draw();

    function show(index) {
      const group = groups[index];
      printedGroup.textContent = `Figures for: ${group.label}`;
      cards.replaceChildren(
        card(conversionLabel(group.data, 'Converted'), group.data.conversion, 'percent', `${group.key}.conversion`),
        card('Days to goal, mean', group.data.days_to_goal.mean, 'days', `${group.key}.days_to_goal.mean`),
        card(`Cost per conversion${report.currency ? ' (' + report.currency + ')' : ''}`, group.data.cost_per_conversion, 'money', `${group.key}.cost_per_conversion`),
        card('ROI', group.data.roi, 'number', `${group.key}.roi`),
        card('Final emotion', group.data.final_emotion, 'number', `${group.key}.final_emotion`));
      kpis.replaceChildren(kpiTable(report, group));
      lifetime.show(group);
      stages.replaceChildren(stageTable(report, group));
      channels.replaceChildren(channelTable(report, group));
      draw(funnel, funnelOption(group));
      const converted = (group.data.time_to_goal_histogram || { counts: [] }).counts.length > 0;
      draw(timeToGoal, timeToGoalOption(group), converted ? null : 'No customer reached a goal');
      draw(money, moneyOption(report, group));
      if (Array.isArray(group.data.flows)) {
        const graph = flowGraph(report, group);
        flowNote.replaceChildren();
        sankey.hidden = false;
        draw(sankey, sankeyOption(report, group, graph));
        loops.replaceChildren(graph.loops.length > 0 ? loopTable(group, graph.loops) : '');
      } else {
        sankey.hidden = true;
        flowNote.replaceChildren(el('p', { class: 'jr-note' }, 'This report has no flows: its JSON came from a run that did not count them.'));
      }
    }
    select.addEventListener('change', () => show(Number(select.value)));
    show(0);
  }

  // A comparison of two versions (`journey compare --format html`) ------------------------------

  /** How a comparison KPI's figures are written, by `unit`; `scale` turns the JSON into the text. */
  const signed = (x, digits) => (isNumber(x) ? (x > 0 ? '+' : '') + fixed(x, digits) : '–');
  function unitFormat(unit, currency) {
    const money = currency ? ` ${currency}` : '';
    const make = (scale, valueDigits, deltaDigits, suffix, deltaSuffix = suffix) => ({
      scale,
      value: (x) => (isNumber(x) ? fixed(x * scale, valueDigits) + suffix : '–'),
      bound: (x) => (isNumber(x) ? fixed(x * scale, valueDigits) : '–'),
      delta: (x) => (isNumber(x) ? signed(x * scale, deltaDigits) + deltaSuffix : '–'),
      interval: (i) => `${signed(i.low * scale, deltaDigits)} to ${signed(i.high * scale, deltaDigits)}${deltaSuffix}`,
      axis: deltaSuffix.trim(),
    });
    return {
      share: make(100, 2, 2, '%', ' pt'),
      days: make(1, 1, 2, ' d'),
      hours: make(1, 2, 3, ' h'),
      money: make(1, 2, 2, '', money),
      number: make(1, 2, 3, ''),
      ratio: make(1, 3, 3, ''),
    }[unit] || make(1, 3, 3, '');
  }

  const specialOutcomes = new Set(['unrouted_at_entry', 'looping', 'failed', 'step_limit']);

  /** The KPI's label: `New ← Old` for a renamed item, as in the text report. */
  function kpiItemLabel(kpi) {
    if (kpi.old_item !== null && kpi.new_item !== null && kpi.old_item !== kpi.new_item) {
      return `${kpi.new_item} ← ${kpi.old_item}`;
    }
    return kpi.item;
  }
  /**
   * What a comparison's KPIs are called in its versions' specs: the display text of each
   * declared KPI by name, and the primary KPI's (what `conversion` means), if any.
   */
  function declaredNames(data) {
    const displays = new Map();
    let primary = null;
    for (const side of ['old', 'new']) {
      const overall = data.reports[side].overall;
      for (const kpi of overall.lifetime ? overall.lifetime.kpis : []) {
        displays.set(kpi.name, kpi.display || kpi.name);
        if (kpi.name === overall.conversion_kpi) primary = kpi.display || kpi.name;
      }
    }
    return { displays, primary };
  }

  function kpiLabel(kpi, declared) {
    const item = kpiItemLabel(kpi);
    if (kpi.item === '' && declared.displays.has(kpi.metric)) return declared.displays.get(kpi.metric);
    switch (kpi.metric) {
      case 'conversion': return declared.primary ? `${declared.primary} (primary KPI)` : 'Converted (reached a goal)';
      case 'goal_conversion': return 'Reached a goal';
      case 'milestone': return `Reached milestone ${item}`;
      case 'days_to_milestone_mean': return `Days to ${item}, mean`;
      case 'visits_per_customer': return `${item}: visits per customer who reached it`;
      case 'retention': return 'Active at the horizon (retention)';
      case 'clv_per_customer': return 'Customer lifetime value, mean';
      case 'outcome': return specialOutcomes.has(kpi.item) || kpi.item === 'in_progress'
        ? outcomeLabel({ kind: kpi.item }) : `Ended in ${item}`;
      case 'days_to_goal_mean': return 'Days to goal, mean';
      case 'reached': return `Reached ${item}`;
      case 'cost_per_customer': return 'Cost to serve per customer';
      case 'cost_per_conversion': return 'Cost per conversion';
      case 'value_per_customer': return 'Value per customer';
      case 'roi': return 'ROI, (value − cost) / cost';
      case 'final_emotion': return 'Final emotion, mean';
      case 'effort_hours_per_customer': return 'Effort per customer';
      case 'touchpoint_delivered_per_customer': return `Touchpoint ${item}: deliveries per customer`;
      case 'channel_delivered_per_customer': return `Channel ${item}: deliveries per customer`;
      case 'channel_cost_per_customer': return `Channel ${item}: cost per customer`;
      case 'rule_runs_per_customer': return `Rule ${item}: runs per customer`;
      default: return kpi.item ? `${kpi.metric}(${item})` : kpi.metric;
    }
  }

  /** Unrouted, looping, failed and step-limit outcomes and channels only when they happened. */
  function kpiHidden(kpi) {
    const nonzero = (x) => x !== null && isNumber(x.value) && x.value !== 0;
    const zero = !nonzero(kpi.old) && !nonzero(kpi.new);
    const special = kpi.metric === 'outcome' && specialOutcomes.has(kpi.item);
    return (special || kpi.metric.startsWith('channel_')) && zero;
  }

  /** What a difference says: significant, not significant, the same for everyone, or one-sided. */
  function verdict(kpi, group) {
    if (kpi.old === null) return { key: 'added', text: 'only in new' };
    if (kpi.new === null) return { key: 'removed', text: 'only in old' };
    if (group.paired && kpi.differing_customers === 0) return { key: 'same', text: 'identical' };
    if (kpi.significant) return { key: 'yes', text: kpi.delta.value > 0 ? 'significant ▲' : 'significant ▼' };
    if (!hasInterval(kpi.delta)) return { key: 'no', text: 'no interval' };
    return { key: 'no', text: 'not significant' };
  }
  const verdictBadge = (v) => el('span', { class: `jr-sig jr-sig-${v.key}` }, v.text);
  const verdictColor = { yes: '#2f5fb3', no: '#8a8f99', same: '#b7bcc6', added: '#b7bcc6', removed: '#b7bcc6' };

  /** One version's figures for a comparison group: `overall`, or the persona of that name. */
  function reportGroup(report, name) {
    if (name === null) return null;
    if (name === 'all') return report.overall;
    return (report.personas || []).find((p) => p.persona === name) || null;
  }

  /**
   * The stages of both versions in one order: the new version's funnel order, each row with its
   * old and new names (null where the version lacks it); a removed stage after its old
   * predecessor.
   */
  function alignedStages(data, keep) {
    const renamed = new Map();
    for (const m of data.matching) if (m.kind === 'stage' && m.old !== null && m.new !== null) renamed.set(m.new, m.old);
    const oldOf = (name) => (renamed.has(name) ? renamed.get(name) : null);
    const rows = data.reports.new.overall.funnel.filter(keep).map((row) => ({ new: row.stage, old: oldOf(row.stage), kind: row.kind }));
    const matchedOld = new Set(rows.map((r) => r.old).filter((x) => x !== null));
    let after = -1;
    for (const row of data.reports.old.overall.funnel.filter(keep)) {
      const at = rows.findIndex((r) => r.old === row.stage);
      if (at >= 0) {
        after = at;
      } else if (!matchedOld.has(row.stage)) {
        rows.splice(after + 1, 0, { new: null, old: row.stage, kind: row.kind });
        after += 1;
      }
    }
    return rows.map((r) => Object.assign(r, {
      label: r.new === null ? `${r.old} (removed)` : r.old === null ? `${r.new} (added)`
        : r.old !== r.new ? `${r.new} ← ${r.old}` : r.new,
    }));
  }

  const sideColors = { old: '#8a8f99', new: '#e08a2e' };

  /** `width`: the chart's width in pixels, for the stage names between the two halves. */
  function funnelsOption(stages, oldGroup, newGroup, width) {
    const reachedOf = (group, name) => {
      if (!group || name === null) return null;
      const row = group.funnel.find((r) => r.stage === name);
      return row && isNumber(row.reached.value) ? row.reached : null;
    };
    const sides = [['old', 'Old', oldGroup], ['new', 'New', newGroup]];
    const series = sides.map(([side, label, group], index) => ({
      type: 'bar',
      name: label,
      xAxisIndex: index,
      yAxisIndex: index,
      barWidth: '62%',
      barMaxWidth: 30,
      itemStyle: { color: sideColors[side] },
      label: {
        show: true, position: index === 0 ? 'left' : 'right', color: '#1d2330',
        formatter: (p) => (p.value === null ? '' : percent(p.value / 100)),
      },
      data: stages.map((row) => {
        const reached = reachedOf(group, row[side]);
        return {
          value: reached ? reached.value * 100 : null,
          itemStyle: row.kind === 'goal' ? { color: side === 'old' ? '#7fb89b' : '#2e9a6b' } : undefined,
        };
      }),
    }));
    const labels = stages.map((r) => r.label);
    // Old grows leftwards and new rightwards from a middle column that holds the stage names.
    const gap = Math.max(150, Math.min(240, Math.round(width * 0.22)));
    const half = Math.max(60, Math.floor((width - 2 * 64 - gap) / 2));
    return {
      tooltip: Object.assign({}, tooltip, {
        formatter: (p) => {
          const row = stages[p.dataIndex];
          const side = p.seriesIndex === 0 ? 'old' : 'new';
          const reached = reachedOf(p.seriesIndex === 0 ? oldGroup : newGroup, row[side]);
          if (!reached) return `${row.label}<br>not in the ${side} version`;
          const ci = hasInterval(reached) ? ` (95% CI ${formats.percent.bounds(reached)})` : '';
          return `${p.seriesName}: ${row[side]}<br>reached by ${percent(reached.value)}${ci}`;
        },
      }),
      title: [
        { text: 'Old', left: 64 + half / 2, top: 0, textAlign: 'center', textStyle: { fontSize: 13, color: '#5b6475' } },
        { text: 'New', left: 64 + half + gap + half / 2, top: 0, textAlign: 'center', textStyle: { fontSize: 13, color: '#5b6475' } },
      ],
      grid: [
        { left: 64, width: half, top: 28, bottom: 10 },
        { left: 64 + half + gap, width: half, top: 28, bottom: 10 },
      ],
      xAxis: [
        { type: 'value', gridIndex: 0, inverse: true, min: 0, max: 100, show: false },
        { type: 'value', gridIndex: 1, min: 0, max: 100, show: false },
      ],
      yAxis: [
        {
          type: 'category', gridIndex: 0, data: labels, inverse: true, position: 'right', axisTick: { show: false },
          axisLabel: { align: 'center', margin: gap / 2, width: gap - 12, overflow: 'truncate', color: '#1d2330' },
        },
        { type: 'category', gridIndex: 1, data: labels, inverse: true, axisLabel: { show: false }, axisTick: { show: false } },
      ],
      series,
    };
  }

  function comparedEmotionOption(stages, oldGroup, newGroup) {
    const emotionOf = (group, name) => {
      if (!group || name === null) return null;
      const row = group.funnel.find((r) => r.stage === name);
      return row && isNumber(row.emotion_on_entry) ? row.emotion_on_entry : null;
    };
    const rows = stages.filter((r) => emotionOf(oldGroup, r.old) !== null || emotionOf(newGroup, r.new) !== null);
    return {
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => (isNumber(v) ? fixed(v, 2) : '–') },
      legend: { top: 0, right: 0 },
      grid: { left: 48, right: 20, top: 40, bottom: 80 },
      xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { rotate: rows.length > 12 ? 30 : 0, interval: 0 } },
      yAxis: { type: 'value', name: 'emotion on entry', nameTextStyle: { align: 'left' } },
      series: [['old', 'Old', oldGroup, 'dashed'], ['new', 'New', newGroup, 'solid']].map(([side, label, group, type]) => ({
        type: 'line',
        name: label,
        data: rows.map((r) => emotionOf(group, r[side])),
        connectNulls: false,
        symbolSize: 7,
        lineStyle: { width: 2.5, type },
        color: sideColors[side],
      })),
    };
  }

  /**
   * A forest plot: each row a KPI's difference (point) with its 95% interval (bars) around 0,
   * coloured by significance. `rows`: { label, value, low, high, verdict, text }.
   */
  function forestOption(rows, axisName) {
    const finite = rows.flatMap((r) => [r.value, r.low, r.high]).filter(isNumber);
    // Symmetric around 0; a nominal scale when every difference is 0.
    let reach = Math.max(0, ...finite.map(Math.abs));
    if (!(reach > 1e-12)) reach = 1;
    // A round bound a little beyond the widest interval, so that the axis ends on a label.
    const step = 10 ** Math.floor(Math.log10(reach * 1.05));
    const bound = [1, 2, 2.5, 5, 10].map((m) => m * step).find((b) => b >= reach * 1.05);
    return {
      tooltip: Object.assign({}, tooltip, { formatter: (p) => `${rows[p.dataIndex].label}<br>${rows[p.dataIndex].text}` }),
      grid: { left: 230, right: 30, top: 10, bottom: 46 },
      xAxis: {
        type: 'value', name: axisName, nameLocation: 'middle', nameGap: 28, min: -bound, max: bound, interval: bound / 2,
        axisLabel: { formatter: (v) => fixed(v, bound <= 0.1 ? 3 : bound <= 10 ? 2 : 0) },
      },
      yAxis: {
        type: 'category', inverse: true, data: rows.map((r) => r.label),
        axisLabel: { width: 220, overflow: 'truncate' }, axisTick: { show: false },
      },
      series: [
        {
          type: 'custom',
          name: '95% CI',
          z: 5,
          data: rows.map((r, index) => [index, isNumber(r.low) ? r.low : NaN, isNumber(r.high) ? r.high : NaN]),
          renderItem(params, api) {
            const low = api.value(1);
            const high = api.value(2);
            if (!Number.isFinite(low) || !Number.isFinite(high)) return null;
            const a = api.coord([low, api.value(0)]);
            const b = api.coord([high, api.value(0)]);
            const style = { stroke: verdictColor[rows[params.dataIndex].verdict.key], lineWidth: 2 };
            const line = (x1, y1, x2, y2) => ({ type: 'line', shape: { x1, y1, x2, y2 }, style });
            return {
              type: 'group',
              children: [line(a[0], a[1], b[0], b[1]), line(a[0], a[1] - 6, a[0], a[1] + 6), line(b[0], b[1] - 6, b[0], b[1] + 6)],
            };
          },
        },
        {
          type: 'scatter',
          name: 'Difference',
          z: 10,
          symbol: 'diamond',
          symbolSize: 12,
          data: rows.map((r) => ({ value: [isNumber(r.value) ? r.value : null, r.label], itemStyle: { color: verdictColor[r.verdict.key] } })),
          markLine: { symbol: 'none', silent: true, label: { show: false }, lineStyle: { color: '#1d2330', type: 'solid', width: 1 }, data: [{ xAxis: 0 }] },
        },
      ],
    };
  }

  /** A comparison KPI row: old, new, difference and its interval, significance. */
  function comparedRow(path, kpi, group, currency, declared) {
    const f = unitFormat(kpi.unit, currency);
    const v = verdict(kpi, group);
    const valueCell = (cls, figure) => el('td', {
      class: cls, 'data-value': figure !== null && isNumber(figure.value) ? figure.value : '',
    }, figure === null ? '–' : f.value(figure.value));
    const delta = kpi.delta;
    const interval = delta !== null && hasInterval(delta) ? delta : null;
    return el('tr', { 'data-kpi': path, 'data-unit': kpi.unit, 'data-significance': v.key, class: `jr-row-${v.key}` },
      el('th', { scope: 'row' }, kpiLabel(kpi, declared), ' ', el('code', { class: 'jr-gate-name' }, kpi.name)),
      valueCell('jr-old', kpi.old),
      valueCell('jr-new', kpi.new),
      el('td', { class: 'jr-value', 'data-value': delta !== null && isNumber(delta.value) ? delta.value : '' },
        delta === null ? '' : f.delta(delta.value)),
      el('td', {
        class: 'jr-ci', 'data-low': interval ? interval.low : '', 'data-high': interval ? interval.high : '',
      }, interval && v.key !== 'same' ? f.interval(interval) : ''),
      el('td', {}, verdictBadge(v)));
  }

  function comparedTable(data, group, index) {
    const declared = declaredNames(data);
    const currency = data.new.currency || data.old.currency;
    const rows = [];
    group.kpis.forEach((kpi, k) => {
      if (!kpiHidden(kpi)) rows.push(comparedRow(`groups.${index}.kpis.${k}`, kpi, group, currency, declared));
    });
    const money = currency ? `; money in ${currency}` : '';
    return el('div', { class: 'jr-table-wrap' }, el('table', { class: 'jr-kpis jr-compared', 'data-group': `groups.${index}` },
      el('caption', {}, `${group.group === 'all' ? 'All customers' : group.group}: new − old, with the 95% interval from ${group.paired ? 'the paired customers' : 'independent samples'}; differences of shares in percentage points${money}`),
      el('thead', {}, el('tr', {}, ['KPI', 'Old', 'New', 'Difference', '95% CI', 'Significance'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
  }

  function comparedCard(label, data, group, index, metric) {
    const k = group.kpis.findIndex((kpi) => kpi.metric === metric && kpi.item === '');
    if (k < 0) return null;
    const kpi = group.kpis[k];
    const f = unitFormat(kpi.unit, data.new.currency || data.old.currency);
    const v = verdict(kpi, group);
    const show = (x) => (x === null ? '–' : f.value(x.value));
    return el('div', { class: `jr-card jr-card-${v.key}`, 'data-card': `groups.${index}.kpis.${k}.delta` },
      el('div', { class: 'jr-label' }, label),
      el('div', { class: 'jr-big' }, kpi.delta === null ? '–' : f.delta(kpi.delta.value)),
      el('div', { class: 'jr-ci' }, kpi.delta !== null && hasInterval(kpi.delta) && v.key !== 'same' ? '95% CI ' + f.interval(kpi.delta) : ' '),
      el('div', { class: 'jr-was' }, `${show(kpi.old)} → ${show(kpi.new)}`),
      verdictBadge(v));
  }

  /** The forest plots' rows: shares in points, the other headline KPIs relative to old. */
  function forestRows(data, group, shares) {
    const declared = declaredNames(data);
    const currency = data.new.currency || data.old.currency;
    const rows = [];
    for (const kpi of group.kpis) {
      if (kpiHidden(kpi) || kpi.delta === null || !isNumber(kpi.delta.value)) continue;
      const v = verdict(kpi, group);
      const f = unitFormat(kpi.unit, currency);
      const interval = hasInterval(kpi.delta) && v.key !== 'same' ? ` (95% CI ${f.interval(kpi.delta)})` : '';
      const text = `${f.delta(kpi.delta.value)}${interval}<br>${f.value(kpi.old.value)} → ${f.value(kpi.new.value)}; ${v.text}`;
      if (shares) {
        if (kpi.unit !== 'share' || kpi.metric === 'reached' || kpi.metric === 'milestone') continue;
        rows.push({ label: kpiLabel(kpi, declared), value: kpi.delta.value * 100, low: kpi.delta.low === null ? null : kpi.delta.low * 100,
          high: kpi.delta.high === null ? null : kpi.delta.high * 100, verdict: v, text });
      } else {
        if (!['days_to_goal_mean', 'cost_per_customer', 'cost_per_conversion', 'value_per_customer', 'roi',
          'final_emotion', 'effort_hours_per_customer', 'clv_per_customer'].includes(kpi.metric)) continue;
        const base = kpi.old.value;
        if (!isNumber(base) || base === 0) continue;
        const scale = 100 / Math.abs(base);
        rows.push({ label: kpiLabel(kpi, declared), value: kpi.delta.value * scale, low: kpi.delta.low === null ? null : kpi.delta.low * scale,
          high: kpi.delta.high === null ? null : kpi.delta.high * scale, verdict: v, text: `${text}<br>${signed(kpi.delta.value * scale, 2)}% of the old value` });
      }
    }
    return rows;
  }

  function matchedList(data) {
    const how = {
      option: (m) => [`${m.kind} `, el('code', {}, m.old), ' (old) is ', el('code', {}, m.new), ' (new): ', el('code', {}, '--rename')],
      guessed: (m) => [`${m.kind} `, el('code', {}, m.old), ' (old) is ', el('code', {}, m.new), ' (new): a likely rename',
        m.reasons ? `: ${m.reasons.join('; ')}` : ''],
      added: (m) => [`${m.kind} `, el('code', {}, m.new), ': added (only in new)'],
      removed: (m) => [`${m.kind} `, el('code', {}, m.old), ': removed (only in old)'],
      name: (m) => [`${m.kind} `, el('code', {}, m.new), ': matched by name, changed: ', (m.reasons || []).join('; ')],
    };
    const listed = data.matching.filter((m) => m.how !== 'name' || (m.reasons && m.reasons.length > 0));
    const byName = data.matching.filter((m) => m.how === 'name').length;
    const items = listed.map((m) => el('li', { 'data-match': m.how }, el('span', { class: `jr-how jr-how-${m.how}` }, m.how), ' ', how[m.how] ? how[m.how](m) : JSON.stringify(m)));
    const renamed = listed.some((m) => m.how !== 'name');
    return [
      items.length > 0 ? el('ul', { class: 'jr-matched' }, items) : null,
      el('p', { class: 'jr-explain' }, renamed
        ? `The other ${count(byName)} personas, stages, touchpoints, channels and rules are matched by name. (\`--rename [KIND:]OLD=NEW\` pairs two names; \`--exact-names\` turns guessing off.)`
        : `All ${count(byName)} personas, stages, touchpoints, channels and rules are matched by name.`),
    ];
  }

  /** Draws a `journey-comparison/1` document (docs/planning.md) into `app`. */
  function renderComparison(app, data) {
    if (!data.groups || !data.reports || !data.old || !data.new) throw new Error('the embedded JSON is not a journey comparison');
    const name = (side) => side.display || side.journey;
    const sameJourney = data.old.journey === data.new.journey;
    const all = data.groups[0];
    const diverged = data.customers > 0 ? all.diverged / data.customers : 0;
    app.append(el('header', {},
      el('h1', {}, sameJourney ? `${name(data.new)}: two versions compared` : `${name(data.old)} compared with ${name(data.new)}`),
      el('p', { class: 'jr-sub' }, 'Comparison report: the new version minus the old one, on the same customers'),
      el('dl', { class: 'jr-facts' },
        el('div', {}, el('dt', {}, 'Old'), el('dd', {}, el('code', {}, data.old.file), sameJourney ? null : ` (${data.old.journey})`)),
        el('div', {}, el('dt', {}, 'New'), el('dd', {}, el('code', {}, data.new.file), sameJourney ? null : ` (${data.new.journey})`)),
        el('div', {}, el('dt', {}, 'Customers'), el('dd', {}, count(data.customers))),
        el('div', {}, el('dt', {}, 'Seed'), el('dd', {}, String(data.seed))),
        el('div', {}, el('dt', {}, 'Horizon'), el('dd', {}, data.old.horizon_days === data.new.horizon_days
          ? `${fixed(data.new.horizon_days, 0)} days` : `${fixed(data.old.horizon_days, 0)} days (old), ${fixed(data.new.horizon_days, 0)} days (new)`)),
        data.new.currency || data.old.currency ? el('div', {}, el('dt', {}, 'Currency'), el('dd', {}, data.new.currency || data.old.currency)) : null)),
      el('p', { class: 'jr-crn' }, `Both versions met the same ${count(data.customers)} synthetic customers (common random numbers, seed ${data.seed}), so each difference is measured on paired customers: its 95% interval is much narrower than two independent runs would give. `,
        `${count(all.diverged)} customers (${percent(diverged, 2)}) had a different outcome, cost or delivery in the two versions; the others went through both alike.`));
    for (const side of ['old', 'new']) {
      const overridden = (data[side].params || []).filter((p) => p.overridden);
      if (overridden.length > 0) {
        app.append(el('p', { class: 'jr-banner' }, `Params set for the ${side} version: `,
          overridden.map((p, i) => [i ? ', ' : '', el('code', {}, `${p.name} = ${p.value}`)])));
      }
    }
    if (data.persona_mismatches > 0) {
      app.append(el('p', { class: 'jr-banner' }, `${count(data.persona_mismatches)} customers drew a different persona in the two versions (their personas or shares differ): the persona groups compare independent samples.`));
    }
    if (data.interrupted) {
      app.append(el('p', { class: 'jr-banner', role: 'status' },
        'Interrupted: these results cover the customers simulated before the run was stopped.'));
    }

    const select = el('select', { id: 'jr-group', 'data-group-select': '' },
      data.groups.map((g, index) => el('option', { value: String(index) },
        index === 0 ? 'All customers' : `Persona ${g.group}${g.paired ? '' : ' (independent samples)'}`)));
    const printedGroup = el('p', { class: 'jr-print-only jr-explain' });
    if (data.groups.length > 1) {
      app.append(el('div', { class: 'jr-toolbar' }, el('label', { for: select.id }, 'Show'), select,
        el('span', { class: 'jr-hint' }, 'Every part of the page but the maps and the matching follows this choice.')));
      app.append(printedGroup);
    }

    const cards = el('div', { class: 'jr-cards' });
    const shares = chartBox('differences-shares', 'Forest plot: differences of shares in percentage points with their 95% intervals');
    const relative = chartBox('differences-relative', 'Forest plot: differences of the other headline KPIs as a percentage of the old value, with their 95% intervals');
    const funnels = chartBox('funnels', 'Funnels of both versions side by side: share of customers who reached each stage', true);
    const emotion = chartBox('emotion', 'Line chart: mean emotion on entering each stage, old and new');
    const table = el('div');
    const maps = el('div', { class: 'jr-side-by-side' });

    app.append(cards);
    app.append(section('Differences', 'Each KPI\'s difference (new − old, ◆) with its 95% interval (bars) around 0. Blue: significant (the interval excludes 0); grey: not significant; light grey: the same for every customer.',
      el('div', { class: 'jr-grid' },
        el('div', {}, el('h3', {}, 'Shares: conversion and outcomes, in percentage points'), shares),
        el('div', {}, el('h3', {}, 'Time, money, ROI and emotion, as % of the old value'), relative))));
    app.append(section('Funnels', 'Share of customers who entered each stage at least once, old on the left and new on the right, stages matched as in the comparison (renames as “new ← old”).', funnels));
    app.append(section('Emotion along the journey', 'Mean emotion on entering each stage, in both versions.', emotion));
    app.append(section('Every KPI', 'Old, new and the difference with its 95% interval. Significant: the interval excludes 0; identical: no customer\'s contribution differs. The code is the KPI\'s name for `--fail-if` gates.', table));
    app.append(section('Matched', 'How the declarations of the two versions were paired for the comparison.', matchedList(data)));
    app.append(section('Journey maps', 'The maps of both specs (journey graph), old on the left. Click a map to switch between fit and actual size.', maps));

    for (const side of ['old', 'new']) {
      const column = el('div', { 'data-side': side }, el('h3', {}, side === 'old' ? `Old: ${data.old.file}` : `New: ${data.new.file}`));
      placeMaps(column, (label) => label === side);
      if (!column.querySelector('figure, p')) column.append(el('p', { class: 'jr-note', 'data-map-note': '' }, 'No map in this report.'));
      maps.append(column);
    }

    const stages = alignedStages(data, (row) => row.kind !== 'exit');
    const personaOld = new Map();
    for (const m of data.matching) if (m.kind === 'persona' && m.old !== null && m.new !== null) personaOld.set(m.new, m.old);

    function show(index) {
      const group = data.groups[index];
      printedGroup.textContent = `Figures for: ${index === 0 ? 'All customers' : group.group}`;
      const money = data.new.currency ? ` (${data.new.currency})` : '';
      cards.replaceChildren(...[
        comparedCard(declaredNames(data).primary || 'Converted', data, group, index, 'conversion'),
        comparedCard(`Cost per customer${money}`, data, group, index, 'cost_per_customer'),
        comparedCard('ROI', data, group, index, 'roi'),
        comparedCard('Final emotion', data, group, index, 'final_emotion'),
      ].filter((c) => c !== null));
      table.replaceChildren(comparedTable(data, group, index));
      const shareRows = forestRows(data, group, true);
      const relativeRows = forestRows(data, group, false);
      // Both plots the same height, rows of at least 34 pixels.
      const forestHeight = Math.max(260, 70 + 34 * Math.max(shareRows.length, relativeRows.length));
      draw(sized(shares, forestHeight), forestOption(shareRows, 'difference (percentage points)'), shareRows.length ? null : 'No shares to compare');
      draw(sized(relative, forestHeight), forestOption(relativeRows, 'difference (% of the old value)'), relativeRows.length ? null : 'No KPI to compare');
      const oldName = index === 0 ? 'all' : (personaOld.has(group.group) ? personaOld.get(group.group) : null);
      const oldGroup = reportGroup(data.reports.old, oldName);
      const newGroup = reportGroup(data.reports.new, index === 0 ? 'all' : group.group);
      draw(sized(funnels, Math.max(240, 50 + 38 * stages.length)), funnelsOption(stages, oldGroup, newGroup, funnels.clientWidth || 900));
      draw(emotion, comparedEmotionOption(alignedStages(data, () => true), oldGroup, newGroup));
    }
    select.addEventListener('change', () => show(Number(select.value)));
    show(0);
  }

  // Start -----------------------------------------------------------------------------------------

  function main() {
    const app = document.getElementById('jr-app');
    app.replaceChildren();
    if (!window.echarts) throw new Error('the chart library did not load');
    const data = JSON.parse(document.getElementById('jr-data').textContent);
    const kind = document.body.dataset.kind || 'simulation';
    if (kind === 'comparison') {
      renderComparison(app, data);
    } else {
      if (!data.overall) throw new Error('the embedded JSON is not a simulation report');
      renderSimulation(app, data);
    }
    const generator = document.body.dataset.generator;
    app.append(el('footer', {}, `Made by ${generator || 'journey'}. Charts drawn by Apache ECharts (Apache License 2.0), inlined: this page needs no network. The numbers are in the JSON document inside this file (schema ${data.schema || 'unknown'}).`));
    root.dataset.ready = 'true';
  }

  try {
    main();
  } catch (error) {
    fail(error);
  }
}());
