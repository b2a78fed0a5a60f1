import { formatDuration } from '../train/progress.js';
import type { Stat, Summary } from './summary.js';
import { describeScore } from './task-score.js';

/** `61.00 ± 1.20 (3)`: mean ± sample std (n); no std for one value; an em dash for none. */
export function formatStat(stat: Stat | undefined): string {
  if (stat === undefined) return '—';
  return stat.std === null ? `${stat.mean.toFixed(2)} (1)` : `${stat.mean.toFixed(2)} ± ${stat.std.toFixed(2)} (${stat.n})`;
}

/** `+1.23` / `-0.40`; an em dash when either side is missing. */
export function formatGain(gain: number | undefined): string {
  if (gain === undefined) return '—';
  const text = gain.toFixed(2);
  return gain >= 0 && !text.startsWith('-') ? `+${text}` : text;
}

/** User text in Markdown: pipes and line breaks would end a table cell or row, `<` would open raw HTML. */
function cellText(text: string): string {
  return text.replace(/[\\|<>]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

function table(header: string[], rows: string[][]): string[] {
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(cellText).join(' | ')} |`);
}

/** The legend of the results table: what each column's number is. */
export function scoreLegend(summary: Summary): string {
  const parts = summary.columns.map((c) => `${c}: ${describeScore(c)}`);
  const outside = summary.columns.filter((c) => !summary.averaged.includes(c));
  const note = outside.length === 0 ? '' : ` The average leaves out ${outside.join(', ')}.`;
  return `Dev scores ×100, mean ± sample standard deviation over seeds (number of seeds in parentheses); ${parts.join('; ')}. The average is taken per seed over ${summary.averaged.join(', ')}, then over the seeds that have all of them.${note}`;
}

/** Rows of the pretraining table: [what, value]. */
export function pretrainRows(summary: Summary): string[][] {
  const p = summary.pretrain;
  if (p === undefined) return [];
  const rows = [
    ['encoder', p.model_name],
    ['steps', `${p.steps} of ${p.total_steps}`],
    ['examples (Σ examples/s × logged interval)', String(Math.round(p.examples))],
    ['training time', formatDuration(p.seconds)],
  ];
  if (p.heldout !== undefined) {
    rows.push(
      [`held-out MLM loss (step ${p.heldout.step})`, p.heldout.mlm_loss.toFixed(4)],
      [`held-out MLM accuracy (step ${p.heldout.step})`, `${(100 * p.heldout.mlm_accuracy).toFixed(2)}%`],
    );
  }
  return rows;
}

/** report.md: results table with averages, gains over the baseline, pretraining budget, missing runs. */
export function formatMarkdown(title: string, summary: Summary): string {
  const lines: string[] = [`# ${cellText(title)}`, ''];
  lines.push('## Dev results', '', scoreLegend(summary), '');
  const header = ['method', ...summary.columns, 'average'];
  lines.push(...table(header, summary.rows.map((row) => [row.group, ...summary.columns.map((c) => formatStat(row.cells[c])), formatStat(row.average)])), '');
  const gainRows = summary.rows.filter((row) => row.gain !== undefined);
  if (summary.baseline !== undefined && gainRows.length > 0) {
    lines.push(`## Gain over ${summary.baseline}`, '', `Mean score minus the mean score of ${summary.baseline}.`, '');
    lines.push(
      ...table(
        header,
        gainRows.map((row) => [row.group, ...summary.columns.map((c) => formatGain(row.gain?.cells[c])), formatGain(row.gain?.average)]),
      ),
      '',
    );
  }
  if (summary.pretrain !== undefined) lines.push('## Pretraining', '', ...table(['quantity', 'value'], pretrainRows(summary)), '');
  if (summary.missing.length > 0) {
    lines.push('## Missing runs', '', `${summary.missing.length} run(s) without a results.json yet:`, '');
    for (const run of summary.missing) lines.push(`- ${cellText(run.model_name)}${run.progress === undefined ? '' : ` (${run.progress})`}`);
    lines.push('');
  }
  return lines.join('\n');
}
