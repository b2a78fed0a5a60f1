import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Chart } from './charts.js';
import { formatGain, formatStat, pretrainRows, scoreLegend } from './markdown.js';
import type { Summary } from './summary.js';

/**
 * report.html: one self-contained page that opens offline from file://. The tables of report.md, then the charts,
 * rendered as SVG by Vega, whose minified build is read from node_modules and inlined.
 */

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside a <script> element: `<`, `>` and `&` are written as \u escapes (so no "</script>" or
 * "<!--" can appear), as are U+2028/U+2029, which older JavaScript parsers read as line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Vega's minified browser build, checked to be safe to inline in a <script> element. */
export function vegaScript(): string {
  const path = createRequire(import.meta.url).resolve('vega/build/vega.min.js');
  const source = readFileSync(path, 'utf8');
  if (/<\/script|<!--/i.test(source)) throw new Error(`${path} contains "</script" or "<!--" and cannot be inlined as it is`);
  return source;
}

function htmlTable(header: string[], rows: string[][]): string {
  const cells = (tag: string, row: string[]) => `<tr>${row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table>\n<thead>${cells('th', header)}</thead>\n<tbody>\n${rows.map((r) => cells('td', r)).join('\n')}\n</tbody>\n</table>`;
}

const STYLE = `body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}.chart{margin:1em 0 2em}.caption{color:#555}.error{color:#b00}`;

/** Renders every chart into its container; an error is shown in place and logged to the console. */
const BOOT = `const charts = JSON.parse(document.getElementById('bam-charts').textContent);
for (const chart of charts) {
  const container = document.getElementById(chart.id);
  new vega.View(vega.parse(chart.spec), { renderer: 'svg', container, hover: true }).runAsync().catch((e) => {
    container.textContent = 'chart failed: ' + e.message;
    container.className += ' error';
    console.error(chart.id, e);
  });
}`;

export function formatHtml(title: string, summary: Summary, charts: Chart[]): string {
  const header = ['method', ...summary.columns, 'average'];
  const parts: string[] = [`<h1>${escapeHtml(title)}</h1>`, '<h2>Dev results</h2>', `<p>${escapeHtml(scoreLegend(summary))}</p>`];
  parts.push(htmlTable(header, summary.rows.map((row) => [row.group, ...summary.columns.map((c) => formatStat(row.cells[c])), formatStat(row.average)])));
  const gainRows = summary.rows.filter((row) => row.gain !== undefined);
  if (summary.baseline !== undefined && gainRows.length > 0) {
    parts.push(`<h2>Gain over ${escapeHtml(summary.baseline)}</h2>`);
    parts.push(htmlTable(header, gainRows.map((row) => [row.group, ...summary.columns.map((c) => formatGain(row.gain?.cells[c])), formatGain(row.gain?.average)])));
  }
  if (summary.pretrain !== undefined) parts.push('<h2>Pretraining</h2>', htmlTable(['quantity', 'value'], pretrainRows(summary)));
  if (summary.missing.length > 0) {
    const items = summary.missing.map((run) => `<li>${escapeHtml(run.model_name)}${run.progress === undefined ? '' : ` (${escapeHtml(run.progress)})`}</li>`);
    parts.push('<h2>Missing runs</h2>', `<p>${summary.missing.length} run(s) without a results.json yet:</p>`, `<ul>\n${items.join('\n')}\n</ul>`);
  }
  parts.push('<h2>Charts</h2>');
  for (const chart of charts) {
    parts.push(`<section><h3>${escapeHtml(chart.title)}</h3><p class="caption">${escapeHtml(chart.caption)}</p>`);
    if (chart.spec !== undefined) parts.push(`<div class="chart" id="${chart.id}"></div>`);
    parts.push('</section>');
  }
  const drawn = charts.filter((chart) => chart.spec !== undefined).map(({ id, spec }) => ({ id, spec }));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
${parts.join('\n')}
<script>
${vegaScript()}
</script>
<script type="application/json" id="bam-charts">${scriptJson(drawn)}</script>
<script>
${BOOT}
</script>
</body>
</html>
`;
}
