import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHeader, formatRate, formatReport, formatTable, reportJson, throughputRatio, type BenchReport, type BenchRow } from '../../src/bench/bench-report.js';
import type { WorkerResult } from '../../src/bench/worker-result.js';

/** A synthetic worker result whose throughputs and RSS are given; times follow from batch 32. */
function result(backend: string, trainRate: number, inferRate: number, rss: number): WorkerResult {
  return {
    backend, threads: 1, parameters: 1000,
    train_ms_median: 32000 / trainRate, train_ms_all: [32000 / trainRate],
    infer_ms_median: 32000 / inferRate, infer_ms_all: [32000 / inferRate],
    examples_per_s_train: trainRate, examples_per_s_infer: inferRate, train_cpu_per_wall: 1, peak_rss_mb: rss,
  };
}

const rows: BenchRow[] = [
  { model: 'tiny', threads: 1, bam: result('native', 500, 2400, 120.4), torch: result('torch', 400, 3000, 338.6) },
  { model: 'base', threads: 8, bam: result('native', 3.5, 12.25, 2048), torch: result('torch', 7, 9.8, 3100) },
];

const report: BenchReport = {
  machine: { cpu: 'Test CPU @ 3GHz', cores: 8, openblas: '0.3.21', node: 'v20.0.0', torch: '1.13.1', date: '2025-01-02T03:04:05.000Z' },
  shape: { batch: 32, seq: 128, warmup: 2, runs: 5 },
  rows,
};

test('throughputRatio is bam / PyTorch, null without a PyTorch number', () => {
  assert.equal(throughputRatio(500, 400), 1.25);
  assert.equal(throughputRatio(3.5, 7), 0.5);
  assert.equal(throughputRatio(3.5, undefined), null);
  assert.equal(throughputRatio(3.5, 0), null);
});

test('formatRate keeps about three significant digits', () => {
  assert.equal(formatRate(2400.4), '2400');
  assert.equal(formatRate(12.25), '12.3');
  assert.equal(formatRate(3.456), '3.46');
});

test('the table has every column, the ratios and the RSS of both, aligned', () => {
  const lines = formatTable(rows).split('\n');
  assert.equal(lines.length, 4);
  const cells = lines.map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  assert.deepEqual(cells[0], [
    'model', 'threads', 'bam train ex/s', 'torch train ex/s', 'train ratio', 'bam infer ex/s', 'torch infer ex/s',
    'infer ratio', 'bam peak RSS MB', 'torch peak RSS MB',
  ]);
  assert.ok(cells[1].every((c) => /^-+$/.test(c)));
  // tiny: 500/400 = 1.25, 2400/3000 = 0.80; base: 3.5/7 = 0.50, 12.25/9.8 = 1.25.
  assert.deepEqual(cells[2], ['tiny', '1', '500', '400', '1.25×', '2400', '3000', '0.80×', '120', '339']);
  assert.deepEqual(cells[3], ['base', '8', '3.50', '7.00', '0.50×', '12.3', '9.80', '1.25×', '2048', '3100']);
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'all lines have the same width');
});

test('without PyTorch numbers the table shows bam alone', () => {
  const lines = formatTable(rows.map((r) => ({ ...r, torch: null }))).split('\n');
  assert.deepEqual(lines[0].split('|').slice(1, -1).map((c) => c.trim()), ['model', 'threads', 'bam train ex/s', 'bam infer ex/s', 'bam peak RSS MB']);
  assert.deepEqual(lines[2].split('|').slice(1, -1).map((c) => c.trim()), ['tiny', '1', '500', '2400', '120']);
});

test('a row missing PyTorch among rows that have it shows dashes', () => {
  const cells = formatTable([rows[0], { ...rows[1], torch: null }]).split('\n')[3].split('|').slice(1, -1).map((c) => c.trim());
  assert.deepEqual(cells, ['base', '8', '3.50', '—', '—', '12.3', '—', '—', '2048', '—']);
});

test('the header names the machine, versions, date and what was measured', () => {
  const [machine, settings] = formatHeader(report).split('\n');
  assert.equal(machine, 'Machine: Test CPU @ 3GHz, 8 cores · OpenBLAS 0.3.21 · Node v20.0.0 · PyTorch 1.13.1 · 2025-01-02T03:04:05.000Z');
  assert.match(settings, /batch 32, sequence 128; median of 5 runs after 2 warm-up; bam kernels: native; ratio = bam \/ PyTorch/);
  const report2 = formatHeader({ ...report, machine: { ...report.machine, torch: null } });
  assert.match(report2, /PyTorch not measured/);
  assert.doesNotMatch(report2, /ratio/);
  assert.ok(formatReport(report).startsWith(`${formatHeader(report)}\n\n| model`));
});

test('the JSON holds the machine, settings, ratios and both raw results', () => {
  const json = JSON.parse(JSON.stringify(reportJson(report))) as {
    machine: unknown; settings: unknown;
    results: { model: string; threads: number; train_ratio: number | null; infer_ratio: number | null; bam: WorkerResult; torch: WorkerResult | null }[];
  };
  assert.deepEqual(json.machine, report.machine);
  assert.deepEqual(json.settings, report.shape);
  assert.equal(json.results.length, 2);
  assert.equal(json.results[0].model, 'tiny');
  assert.equal(json.results[0].train_ratio, 1.25);
  assert.equal(json.results[0].infer_ratio, 0.8);
  assert.equal(json.results[1].threads, 8);
  assert.equal(json.results[1].train_ratio, 0.5);
  assert.deepEqual(json.results[1].bam, rows[1].bam);
  assert.deepEqual(json.results[1].torch, rows[1].torch);
  const withoutTorch = reportJson({ ...report, rows: [{ ...rows[0], torch: null }] }) as { results: { train_ratio: unknown; torch: unknown }[] };
  assert.equal(withoutTorch.results[0].train_ratio, null);
  assert.equal(withoutTorch.results[0].torch, null);
});
