import fs from 'node:fs';
import path from 'node:path';
import type { ArmFigures, SimulationFigures } from './figures';

/** The last day's figures of an arm, the run's headline. */
export function finalDay(arm: ArmFigures) {
  return arm.chainDays.at(-1)!;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** A Markdown table of the last day of each arm (the README's table). */
export function summaryTable(figures: SimulationFigures): string {
  const rows = figures.arms.map((a) => {
    const d = finalDay(a);
    const nudges = a.chainDays.reduce((n, c) => n + c.nudges, 0);
    return `| ${a.arm === 'on' ? 'checks on' : 'checks off (plain ledger)'} | ${pct(d.hitRateExact)} | ${pct(d.hitRateWithinTolerance)} | ${pct(d.valueAccuracy)} | ${nudges} | ${d.meanScore === null ? '—' : d.meanScore.toFixed(1)} | ${(a.durationMs / 1000).toFixed(0)} s |`;
  });
  return [
    `${figures.options.stores} stores × ${figures.options.days} days, seed ${figures.options.seed}, ${figures.options.database}; figures of day ${figures.options.days} (23:50)`,
    '',
    '| arm | hit rate (book = shelf) | hit rate (±2%) | value accuracy | nudges (tasks, whole run) | mean health score | run time |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * report.html: the figures as ECharts line charts per day (echarts.min.js inlined, so the file
 * opens anywhere offline), the summary table and each arm's tally.
 */
export function writeReport(figures: SimulationFigures, outDir: string): { html: string; json: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'figures.json');
  fs.writeFileSync(json, JSON.stringify(figures, null, 2));
  const echarts = fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  const days = figures.arms[0]?.chainDays.map((d) => d.date) ?? [];
  const series = (pick: (d: ArmFigures['chainDays'][number]) => number | null, scale = 100) =>
    figures.arms.map((a) => ({
      name: a.arm === 'on' ? 'checks on' : 'checks off',
      type: 'line',
      data: a.chainDays.map((d) => {
        const v = pick(d);
        return v === null ? null : Number((v * scale).toFixed(2));
      }),
    }));
  const charts = [
    { id: 'hitTol', title: 'SKU×store hit rate within ±2% (%)', series: series((d) => d.hitRateWithinTolerance) },
    { id: 'hitExact', title: 'SKU×store hit rate, book = shelf (%)', series: series((d) => d.hitRateExact) },
    { id: 'value', title: 'Value accuracy 1 − Σ|book − shelf|·cost / Σ shelf·cost (%)', series: series((d) => d.valueAccuracy) },
    { id: 'nudges', title: 'Nudges: tasks opened per day (chain)', series: series((d) => d.nudges, 1) },
    { id: 'score', title: 'Mean store health score this month so far (%)', series: series((d) => d.meanScore, 1) },
  ];
  const table = (rows: string[][]) => `<table>${rows.map((r, i) => `<tr>${r.map((c) => (i === 0 ? `<th>${escape(c)}</th>` : `<td>${escape(c)}</td>`)).join('')}</tr>`).join('')}</table>`;
  const summary = table([
    ['arm', 'hit rate (book = shelf)', 'hit rate (±2%)', 'value accuracy', 'nudges (whole run)', 'mean health score', 'run time'],
    ...figures.arms.map((a) => {
      const d = finalDay(a);
      return [
        a.arm,
        pct(d.hitRateExact),
        pct(d.hitRateWithinTolerance),
        pct(d.valueAccuracy),
        String(a.chainDays.reduce((n, c) => n + c.nudges, 0)),
        d.meanScore === null ? '—' : d.meanScore.toFixed(1),
        `${(a.durationMs / 1000).toFixed(0)} s`,
      ];
    }),
  ]);
  const tallies = figures.arms
    .map(
      (a) =>
        `<h3>${a.arm}</h3>${table([['what', 'count'], ...Object.entries(a.tally).map(([k, v]) => [k, String(v)]), ...Object.entries(a.timingMs).map(([k, v]) => [`time in ${k} (ms)`, String(v)])])}${Object.keys(a.refusals).length ? table([['answer to an entry it did not book', 'times'], ...Object.entries(a.refusals).map(([k, v]) => [k, String(v)])]) : ''}`,
    )
    .join('');
  const c = figures.campaigns;
  const campaigns = c
    ? table([
        ['seeds', 'members a seed', 'true uplift (repeat rate, intention to treat)', 'mean estimate', '95% CI coverage', 'bias ± its SE'],
        [String(c.seeds), String(c.membersPerSeed), c.meanTrueEffect.toFixed(4), c.meanEstimate.toFixed(4), pct(c.coverage), `${c.bias.toFixed(4)} ± ${c.biasStandardError.toFixed(4)}`],
      ])
    : '<p>Not part of this run: <code>--campaign-seeds 200</code> adds it (or <code>npm run simulate:campaigns</code> alone).</p>';
  const html = `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>门店助手 simulation — seed ${figures.options.seed}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.chart{height:320px}</style></head><body>
<h1>Simulated chain: ${figures.options.stores} stores × ${figures.options.days} days (seed ${figures.options.seed}, ${figures.options.database})</h1>
<h2>Last day</h2>${summary}
${charts.map((c) => `<h2>${escape(c.title)}</h2><div class="chart" id="${c.id}"></div>`).join('\n')}
<h2>Campaigns</h2>${campaigns}
<h2>What was sent</h2>${tallies}
<script>${echarts.replace(/<\/script/gi, '<\\/script')}</script>
<script>
const days = ${JSON.stringify(days)};
for (const c of ${JSON.stringify(charts)}) {
  echarts.init(document.getElementById(c.id)).setOption({ tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: days }, yAxis: { type: 'value', scale: true }, series: c.series });
}
</script></body></html>`;
  const file = path.join(outDir, 'report.html');
  fs.writeFileSync(file, html);
  return { html: file, json };
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
