import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCharts } from './charts.js';
import type { ReportInput } from './collect.js';
import { formatHtml } from './html.js';
import { formatMarkdown } from './markdown.js';
import { summarize } from './summary.js';

/** Writes `<outDir>/report.md` and `<outDir>/report.html`; the same input gives the same bytes. Returns their paths. */
export function writeReport(input: ReportInput, outDir: string): { markdown: string; html: string } {
  const summary = summarize(input);
  const markdown = join(outDir, 'report.md');
  const html = join(outDir, 'report.html');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(markdown, formatMarkdown(input.title, summary));
  writeFileSync(html, formatHtml(input.title, summary, buildCharts(input, summary)));
  return { markdown, html };
}
