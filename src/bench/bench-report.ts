import type { BenchShape } from './bench-options.js';
import type { MachineInfo } from './machine-info.js';
import type { BenchModel } from './model-sizes.js';
import type { WorkerResult } from './worker-result.js';

/** One model at one thread count: bam's measurement and PyTorch's (null when PyTorch was not measured). */
export interface BenchRow {
  model: BenchModel;
  threads: number;
  bam: WorkerResult;
  torch: WorkerResult | null;
}

export interface BenchReport {
  machine: MachineInfo;
  shape: BenchShape;
  rows: BenchRow[];
}

/** bam / PyTorch throughput (above 1: bam is faster), or null without a PyTorch number. */
export function throughputRatio(bam: number, torch: number | undefined): number | null {
  return torch === undefined || torch <= 0 ? null : bam / torch;
}

/** Examples per second with about three significant digits. */
export function formatRate(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatRatio(ratio: number | null): string {
  return ratio === null ? '—' : `${ratio.toFixed(2)}×`;
}

interface Column {
  title: string;
  /** Whether the column shows a PyTorch number (left out when PyTorch was not measured). */
  torch: boolean;
  cell(row: BenchRow): string;
}

const COLUMNS: Column[] = [
  { title: 'model', torch: false, cell: (r) => r.model },
  { title: 'threads', torch: false, cell: (r) => String(r.threads) },
  { title: 'bam train ex/s', torch: false, cell: (r) => formatRate(r.bam.examples_per_s_train) },
  { title: 'torch train ex/s', torch: true, cell: (r) => (r.torch ? formatRate(r.torch.examples_per_s_train) : '—') },
  { title: 'train ratio', torch: true, cell: (r) => formatRatio(throughputRatio(r.bam.examples_per_s_train, r.torch?.examples_per_s_train)) },
  { title: 'bam infer ex/s', torch: false, cell: (r) => formatRate(r.bam.examples_per_s_infer) },
  { title: 'torch infer ex/s', torch: true, cell: (r) => (r.torch ? formatRate(r.torch.examples_per_s_infer) : '—') },
  { title: 'infer ratio', torch: true, cell: (r) => formatRatio(throughputRatio(r.bam.examples_per_s_infer, r.torch?.examples_per_s_infer)) },
  { title: 'bam peak RSS MB', torch: false, cell: (r) => r.bam.peak_rss_mb.toFixed(0) },
  { title: 'torch peak RSS MB', torch: true, cell: (r) => (r.torch ? r.torch.peak_rss_mb.toFixed(0) : '—') },
];

/** The header lines: the machine and versions, then what was measured. */
export function formatHeader(report: BenchReport): string {
  const m = report.machine;
  const { batch, seq, warmup, runs } = report.shape;
  const kernels = [...new Set(report.rows.map((r) => r.bam.backend))].join('/') || 'none';
  const torch = m.torch === null ? 'PyTorch not measured' : `PyTorch ${m.torch}`;
  return [
    `Machine: ${m.cpu}, ${m.cores} cores · OpenBLAS ${m.openblas} · Node ${m.node} · ${torch} · ${m.date}`,
    `Whole training step (forward, backward, optimizer) and inference forward (last layer on [CLS] rows only, both sides) ` +
      `at batch ${batch}, sequence ${seq}; ` +
      `median of ${runs} runs after ${warmup} warm-up; bam kernels: ${kernels}` +
      (m.torch === null ? '' : '; ratio = bam / PyTorch examples/s (above 1: bam is faster)'),
  ].join('\n');
}

/** The results as a Markdown table, PyTorch columns included when any row has PyTorch numbers. */
export function formatTable(rows: BenchRow[]): string {
  const withTorch = rows.some((r) => r.torch !== null);
  const columns = COLUMNS.filter((c) => withTorch || !c.torch);
  const cells = [columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** The whole report as printed: header lines, a blank line, the table. */
export function formatReport(report: BenchReport): string {
  return `${formatHeader(report)}\n\n${formatTable(report.rows)}\n`;
}

/** The JSON form written by `bam bench --json`: the table's data, every timing, and the machine. */
export function reportJson(report: BenchReport): object {
  return {
    machine: report.machine,
    settings: report.shape,
    results: report.rows.map((r) => ({
      model: r.model,
      threads: r.threads,
      train_ratio: throughputRatio(r.bam.examples_per_s_train, r.torch?.examples_per_s_train),
      infer_ratio: throughputRatio(r.bam.examples_per_s_infer, r.torch?.examples_per_s_infer),
      bam: r.bam,
      torch: r.torch,
    })),
  };
}
