import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHeader, formatRate, formatReport, formatTables, reportJson, throughputRatio, type BenchReport, type BenchRow } from '../../src/bench/bench-report.js';
import type { Measurement, Timing, WorkerResult } from '../../src/bench/worker-result.js';

/** A synthetic timing at batch 32 with throughput `rate`. */
const timing = (rate: number): Timing => ({ ms_median: 32000 / rate, ms_all: [32000 / rate], examples_per_s: rate, cpu_per_wall: 1 });

/** A synthetic worker result with the given throughputs and RSS. */
function result<M extends Measurement>(backend: string, rates: Record<M, number>, rss: number): WorkerResult<M> {
  const timings = Object.fromEntries(Object.entries(rates).map(([m, rate]) => [m, timing(rate as number)])) as Record<M, Timing>;
  return { backend, threads: 1, parameters: backend === 'onnxruntime' ? null : 1000, timings, peak_rss_mb: rss };
}

const rows: BenchRow[] = [
  {
    model: 'tiny', threads: 1,
    bam: result('native', { train: 500, infer: 2400, infer_all_rows: 1500 }, 120.4),
    torch: result('torch', { train: 400, infer: 3000 }, 338.6),
    onnxruntime: result('onnxruntime', { infer: 1200 }, 161.2),
    bamMlm: result('native', { train: 300 }, 250),
    torchMlm: result('torch', { train: 120 }, 700.5),
  },
  {
    model: 'base', threads: 8,
    bam: result('native', { train: 3.5, infer: 12.25, infer_all_rows: 8 }, 2048),
    torch: result('torch', { train: 7, infer: 9.8 }, 3100),
    onnxruntime: result('onnxruntime', { infer: 10 }, 900),
    bamMlm: result('native', { train: 3 }, 2500),
    torchMlm: result('torch', { train: 2 }, 3300),
  },
];

const report: BenchReport = {
  machine: {
    cpu: 'Test CPU @ 3GHz', cores: 8, openblas: '0.3.21', node: 'v20.0.0', torch: '1.13.1', onnxruntime: '1.30.0',
    date: '2025-01-02T03:04:05.000Z',
  },
  shape: { batch: 32, seq: 128, warmup: 2, runs: 5 },
  rows,
};

/** The tables of formatTables: each title line and its cells, split at '|' and trimmed. */
function tables(text: string): { title: string; cells: string[][] }[] {
  return text.split('\n\n').reduce<{ title: string; cells: string[][] }[]>((out, block) => {
    if (block.startsWith('|')) out[out.length - 1].cells = block.split('\n').map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    else out.push({ title: block, cells: [] });
    return out;
  }, []);
}

test('throughputRatio is bam / other, null without the other number', () => {
  assert.equal(throughputRatio(500, 400), 1.25);
  assert.equal(throughputRatio(3.5, 7), 0.5);
  assert.equal(throughputRatio(3.5, undefined), null);
  assert.equal(throughputRatio(undefined, 7), null);
  assert.equal(throughputRatio(3.5, 0), null);
});

test('formatRate keeps about three significant digits', () => {
  assert.equal(formatRate(2400.4), '2400');
  assert.equal(formatRate(12.25), '12.3');
  assert.equal(formatRate(3.456), '3.46');
});

test('three tables: fine-tuning, inference beside PyTorch and onnxruntime, masked-LM pretraining; ratios computed', () => {
  const text = formatTables(rows, report.shape);
  const [finetune, infer, mlm] = tables(text);
  assert.match(finetune.title, /^Fine-tuning training step/);
  assert.deepEqual(finetune.cells[0], ['model', 'threads', 'bam ex/s', 'torch ex/s', 'bam/torch', 'bam peak RSS MB', 'torch peak RSS MB']);
  assert.ok(finetune.cells[1].every((c) => /^-+$/.test(c)));
  // tiny: 500/400 = 1.25; base: 3.5/7 = 0.50.
  assert.deepEqual(finetune.cells[2], ['tiny', '1', '500', '400', '1.25×', '120', '339']);
  assert.deepEqual(finetune.cells[3], ['base', '8', '3.50', '7.00', '0.50×', '2048', '3100']);

  assert.match(infer.title, /^Inference .*\[CLS\] rows.*"all rows".*intra-op threads = threads, 1 inter-op thread.*"all".*1e-4/);
  assert.deepEqual(infer.cells[0], [
    'model', 'threads', 'bam ex/s', 'torch ex/s', 'bam/torch', 'bam all rows ex/s', 'onnxruntime ex/s', 'bam all rows/onnxruntime',
    'onnxruntime peak RSS MB',
  ]);
  // tiny: 2400/3000 = 0.80 and all rows 1500/1200 = 1.25; base: 12.25/9.8 = 1.25 and 8/10 = 0.80.
  assert.deepEqual(infer.cells[2], ['tiny', '1', '2400', '3000', '0.80×', '1500', '1200', '1.25×', '161']);
  assert.deepEqual(infer.cells[3], ['base', '8', '12.3', '9.80', '1.25×', '8.00', '10.0', '0.80×', '900']);

  assert.match(mlm.title, /^Pretraining: masked-LM training step \(20 masked positions per sequence/);
  assert.deepEqual(mlm.cells[0], ['model', 'threads', 'bam ex/s', 'torch ex/s', 'bam/torch', 'bam peak RSS MB', 'torch peak RSS MB']);
  // tiny: 300/120 = 2.50; base: 3/2 = 1.50.
  assert.deepEqual(mlm.cells[2], ['tiny', '1', '300', '120', '2.50×', '250', '701']);
  assert.deepEqual(mlm.cells[3], ['base', '8', '3.00', '2.00', '1.50×', '2500', '3300']);
  for (const block of text.split('\n\n').filter((b) => b.startsWith('|'))) {
    assert.equal(new Set(block.split('\n').map((l) => l.length)).size, 1, 'all lines of a table have the same width');
  }
});

test('a short sequence masks at most its length', () => {
  assert.match(tables(formatTables(rows, { ...report.shape, seq: 8 }))[2].title, /\(8 masked positions per sequence/);
});

test('bam alone: no PyTorch or onnxruntime columns, and no pretraining table without its rows', () => {
  const alone = rows.map((r) => ({ ...r, torch: null, onnxruntime: null, bamMlm: null, torchMlm: null }));
  const t = tables(formatTables(alone, report.shape));
  assert.equal(t.length, 2);
  assert.deepEqual(t[0].cells[0], ['model', 'threads', 'bam ex/s', 'bam peak RSS MB']);
  assert.deepEqual(t[1].cells[0], ['model', 'threads', 'bam ex/s', 'bam all rows ex/s']);
  assert.deepEqual(t[1].cells[2], ['tiny', '1', '2400', '1500']);
  const mlmAlone = tables(formatTables(rows.map((r) => ({ ...r, torchMlm: null })), report.shape))[2];
  assert.deepEqual(mlmAlone.cells[0], ['model', 'threads', 'bam ex/s', 'bam peak RSS MB']);
});

test('a row missing a part among rows that have it shows dashes', () => {
  const t = tables(formatTables([rows[0], { ...rows[1], torch: null, onnxruntime: null, torchMlm: null }], report.shape));
  assert.deepEqual(t[0].cells[3], ['base', '8', '3.50', '—', '—', '2048', '—']);
  assert.deepEqual(t[1].cells[3], ['base', '8', '12.3', '—', '—', '8.00', '—', '—', '—']);
  assert.deepEqual(t[2].cells[3], ['base', '8', '3.00', '—', '—', '2500', '—']);
});

test('the header names the machine, versions, date and what was measured', () => {
  const [machine, settings] = formatHeader(report).split('\n');
  assert.equal(
    machine,
    'Machine: Test CPU @ 3GHz, 8 cores · OpenBLAS 0.3.21 · Node v20.0.0 · PyTorch 1.13.1 · onnxruntime-node 1.30.0 · 2025-01-02T03:04:05.000Z',
  );
  assert.match(settings, /^Batch 32, sequence 128 .*; median of 5 runs after 2 warm-up, each configuration in its own process; bam kernels: native; a ratio is bam \//);
  const alone = formatHeader({ ...report, machine: { ...report.machine, torch: null, onnxruntime: null } });
  assert.match(alone, /PyTorch not measured · onnxruntime-node not measured/);
  assert.doesNotMatch(alone, /a ratio is/);
  assert.ok(formatReport(report).startsWith(`${formatHeader(report)}\n\nFine-tuning training step`));
});

test('the JSON holds the machine, settings, every ratio and every raw result', () => {
  const json = JSON.parse(JSON.stringify(reportJson(report))) as {
    machine: unknown; settings: unknown;
    results: (Record<string, number | string | null> & { bam: unknown; torch: unknown; onnxruntime: unknown; bam_mlm: unknown; torch_mlm: unknown })[];
  };
  assert.deepEqual(json.machine, report.machine);
  assert.deepEqual(json.settings, report.shape);
  assert.equal(json.results.length, 2);
  const [tiny, base] = json.results;
  assert.deepEqual(
    [tiny.model, tiny.threads, tiny.train_ratio, tiny.infer_ratio, tiny.onnxruntime_ratio, tiny.mlm_ratio],
    ['tiny', 1, 1.25, 0.8, 1.25, 2.5],
  );
  assert.deepEqual([base.threads, base.train_ratio, base.infer_ratio, base.onnxruntime_ratio, base.mlm_ratio], [8, 0.5, 1.25, 0.8, 1.5]);
  assert.deepEqual(base.bam, rows[1].bam);
  assert.deepEqual(base.torch, rows[1].torch);
  assert.deepEqual(base.onnxruntime, rows[1].onnxruntime);
  assert.deepEqual(base.bam_mlm, rows[1].bamMlm);
  assert.deepEqual(base.torch_mlm, rows[1].torchMlm);
  const alone = reportJson({ ...report, rows: [{ ...rows[0], torch: null, onnxruntime: null, bamMlm: null, torchMlm: null }] }) as {
    results: Record<string, unknown>[];
  };
  const r = alone.results[0];
  assert.deepEqual([r.train_ratio, r.infer_ratio, r.onnxruntime_ratio, r.mlm_ratio, r.torch, r.onnxruntime, r.bam_mlm], [null, null, null, null, null, null, null]);
});
