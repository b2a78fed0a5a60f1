import { MASKED_PER_SEQUENCE } from './bench-batch.js';
import type { BenchShape } from './bench-options.js';
import type { MachineInfo } from './machine-info.js';
import type { BenchModel } from './model-sizes.js';
import type { AnyWorkerResult, Measurement, WorkerResult } from './worker-result.js';

/** One model at one thread count: every measurement of it (null where that part was not measured). */
export interface BenchRow {
  model: BenchModel;
  threads: number;
  /** The fine-tuning step and inference. */
  bam: WorkerResult<'train' | 'infer' | 'infer_all_rows'>;
  torch: WorkerResult<'train' | 'infer'> | null;
  /** onnxruntime-node's inference of bam's ONNX export of the same model. */
  onnxruntime: WorkerResult<'infer'> | null;
  /** The masked-LM pretraining step. */
  bamMlm: WorkerResult<'train'> | null;
  torchMlm: WorkerResult<'train'> | null;
}

export interface BenchReport {
  machine: MachineInfo;
  shape: BenchShape;
  rows: BenchRow[];
}

/** bam / other throughput (above 1: bam is faster), or null without the other number. */
export function throughputRatio(bam: number | undefined, other: number | undefined): number | null {
  return bam === undefined || other === undefined || other <= 0 ? null : bam / other;
}

/** Examples per second with about three significant digits. */
export function formatRate(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const rateOf = (result: AnyWorkerResult | null, m: Measurement): number | undefined => result?.timings[m]?.examples_per_s;

/** The ratios of a row, as the tables and the JSON give them. */
export function rowRatios(r: BenchRow): { train: number | null; infer: number | null; onnxruntime: number | null; mlm: number | null } {
  return {
    train: throughputRatio(rateOf(r.bam, 'train'), rateOf(r.torch, 'train')),
    infer: throughputRatio(rateOf(r.bam, 'infer'), rateOf(r.torch, 'infer')),
    // Like for like: the exported graph computes every row, so it is compared with bam computing every row.
    onnxruntime: throughputRatio(rateOf(r.bam, 'infer_all_rows'), rateOf(r.onnxruntime, 'infer')),
    mlm: throughputRatio(rateOf(r.bamMlm, 'train'), rateOf(r.torchMlm, 'train')),
  };
}

const rate = (result: AnyWorkerResult | null, m: Measurement): string => {
  const value = rateOf(result, m);
  return value === undefined ? '—' : formatRate(value);
};
const ratio = (value: number | null): string => (value === null ? '—' : `${value.toFixed(2)}×`);
const rss = (result: AnyWorkerResult | null): string => (result ? result.peak_rss_mb.toFixed(0) : '—');

interface Column {
  title: string;
  /** The column is shown when some row has this result (always, without it). */
  needs?: (r: BenchRow) => AnyWorkerResult | null;
  cell(r: BenchRow): string;
}

interface Table {
  title: (shape: BenchShape) => string;
  /** The rows the table has a line for. */
  has: (r: BenchRow) => boolean;
  columns: Column[];
}

const MODEL_COLUMNS: Column[] = [
  { title: 'model', cell: (r) => r.model },
  { title: 'threads', cell: (r) => String(r.threads) },
];

const TABLES: Table[] = [
  {
    title: () => 'Fine-tuning training step (forward with dropout, backward, clipping, AdamWeightDecay; a 2-label head on the pooled [CLS]):',
    has: () => true,
    columns: [
      ...MODEL_COLUMNS,
      { title: 'bam ex/s', cell: (r) => rate(r.bam, 'train') },
      { title: 'torch ex/s', needs: (r) => r.torch, cell: (r) => rate(r.torch, 'train') },
      { title: 'bam/torch', needs: (r) => r.torch, cell: (r) => ratio(rowRatios(r).train) },
      { title: 'bam peak RSS MB', cell: (r) => rss(r.bam) },
      { title: 'torch peak RSS MB', needs: (r) => r.torch, cell: (r) => rss(r.torch) },
    ],
  },
  {
    title: () =>
      'Inference (bam and torch: the last layer computes only the [CLS] rows the pooler reads, as bam predict does; ' +
      '"all rows": bam computing every row, the work of the exported ONNX graph, which onnxruntime-node runs with ' +
      'intra-op threads = threads, 1 inter-op thread and graph optimisations at their default "all", after its logits ' +
      'matched bam\'s to 1e-4; peak RSS in the fine-tuning table is that of bam\'s process):',
    has: () => true,
    columns: [
      ...MODEL_COLUMNS,
      { title: 'bam ex/s', cell: (r) => rate(r.bam, 'infer') },
      { title: 'torch ex/s', needs: (r) => r.torch, cell: (r) => rate(r.torch, 'infer') },
      { title: 'bam/torch', needs: (r) => r.torch, cell: (r) => ratio(rowRatios(r).infer) },
      { title: 'bam all rows ex/s', cell: (r) => rate(r.bam, 'infer_all_rows') },
      { title: 'onnxruntime ex/s', needs: (r) => r.onnxruntime, cell: (r) => rate(r.onnxruntime, 'infer') },
      { title: 'bam all rows/onnxruntime', needs: (r) => r.onnxruntime, cell: (r) => ratio(rowRatios(r).onnxruntime) },
      { title: 'onnxruntime peak RSS MB', needs: (r) => r.onnxruntime, cell: (r) => rss(r.onnxruntime) },
    ],
  },
  {
    title: (shape) =>
      `Pretraining: masked-LM training step (${Math.min(MASKED_PER_SEQUENCE, shape.seq)} masked positions per sequence, ` +
      'vocabulary logits at those only, decoder tied to the word embeddings; AdamWeightDecay without layer-wise decay):',
    has: (r) => r.bamMlm !== null,
    columns: [
      ...MODEL_COLUMNS,
      { title: 'bam ex/s', cell: (r) => rate(r.bamMlm, 'train') },
      { title: 'torch ex/s', needs: (r) => r.torchMlm, cell: (r) => rate(r.torchMlm, 'train') },
      { title: 'bam/torch', needs: (r) => r.torchMlm, cell: (r) => ratio(rowRatios(r).mlm) },
      { title: 'bam peak RSS MB', cell: (r) => rss(r.bamMlm) },
      { title: 'torch peak RSS MB', needs: (r) => r.torchMlm, cell: (r) => rss(r.torchMlm) },
    ],
  },
];

/** The header lines: the machine and versions, then what was measured. */
export function formatHeader(report: BenchReport): string {
  const m = report.machine;
  const { batch, seq, warmup, runs } = report.shape;
  const kernels = [...new Set(report.rows.map((r) => r.bam.backend))].join('/') || 'none';
  const torch = m.torch === null ? 'PyTorch not measured' : `PyTorch ${m.torch}`;
  const onnxruntime = m.onnxruntime === null ? 'onnxruntime-node not measured' : `onnxruntime-node ${m.onnxruntime}`;
  return [
    `Machine: ${m.cpu}, ${m.cores} cores · OpenBLAS ${m.openblas} · Node ${m.node} · ${torch} · ${onnxruntime} · ${m.date}`,
    `Batch ${batch}, sequence ${seq} (full-length random sequences); median of ${runs} runs after ${warmup} warm-up, ` +
      `each configuration in its own process; bam kernels: ${kernels}` +
      (m.torch === null && m.onnxruntime === null ? '' : '; a ratio is bam / the other\'s examples/s (above 1: bam is faster)'),
  ].join('\n');
}

/** One table as Markdown, each column that `needs` a result shown when some row has it. */
function formatTable(table: Table, rows: BenchRow[]): string {
  const columns = table.columns.filter((c) => c.needs === undefined || rows.some((r) => c.needs?.(r) != null));
  const cells = [columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const line = (values: string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** The tables, each under its title line: fine-tuning, inference, and pretraining when it was measured. */
export function formatTables(rows: BenchRow[], shape: BenchShape): string {
  return TABLES.map((t) => ({ t, rows: rows.filter(t.has) }))
    .filter(({ rows: tableRows }) => tableRows.length > 0)
    .map(({ t, rows: tableRows }) => `${t.title(shape)}\n\n${formatTable(t, tableRows)}`)
    .join('\n\n');
}

/** The whole report as printed: header lines, then the tables, separated by blank lines. */
export function formatReport(report: BenchReport): string {
  return `${formatHeader(report)}\n\n${formatTables(report.rows, report.shape)}\n`;
}

/** The JSON form written by `bam bench --json`: the tables' data, every timing, and the machine. */
export function reportJson(report: BenchReport): object {
  return {
    machine: report.machine,
    settings: report.shape,
    results: report.rows.map((r) => {
      const ratios = rowRatios(r);
      return {
        model: r.model,
        threads: r.threads,
        train_ratio: ratios.train,
        infer_ratio: ratios.infer,
        onnxruntime_ratio: ratios.onnxruntime,
        mlm_ratio: ratios.mlm,
        bam: r.bam,
        torch: r.torch,
        onnxruntime: r.onnxruntime,
        bam_mlm: r.bamMlm,
        torch_mlm: r.torchMlm,
      };
    }),
  };
}
