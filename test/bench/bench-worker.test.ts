import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseWorkerResult } from '../../src/bench/worker-result.js';

const runFile = promisify(execFile);
const WORKER = fileURLToPath(new URL('../../src/bench/bench-worker.js', import.meta.url));

/** BERT's parameter count, by hand: embeddings + LN, per layer Q/K/V/O + 2 LN + FFN, pooler, a 2-label head. */
function bertParameters(layers: number, hidden: number): number {
  const embeddings = (30522 + 512 + 2) * hidden + 2 * hidden;
  const layer = 4 * (hidden * hidden + hidden) + 2 * 2 * hidden + (hidden * 4 * hidden + 4 * hidden) + (4 * hidden * hidden + hidden);
  return embeddings + layers * layer + (hidden * hidden + hidden) + (hidden * 2 + 2);
}

test('the worker measures a tiny config and prints one JSON line with every field positive', async () => {
  const args = ['--model', 'tiny', '--threads', '1', '--batch', '2', '--seq', '8', '--runs', '2', '--warmup', '0'];
  const { stdout } = await runFile(process.execPath, [WORKER, ...args]);
  assert.equal(stdout.trim().split('\n').length, 1);
  const r = parseWorkerResult(stdout, 'bench-worker');
  assert.ok(r.backend === 'native' || r.backend === 'reference', r.backend);
  assert.equal(r.threads, 1);
  assert.equal(r.parameters, bertParameters(2, 128));
  assert.equal(r.train_ms_all.length, 2);
  assert.equal(r.infer_ms_all.length, 2);
  for (const value of [...r.train_ms_all, ...r.infer_ms_all, r.train_ms_median, r.infer_ms_median, r.train_cpu_per_wall, r.peak_rss_mb]) {
    assert.ok(value > 0, `${value} should be positive`);
  }
  // Throughput is batch / median time, and the medians lie within the timed runs.
  assert.ok(Math.abs(r.examples_per_s_train - 2000 / r.train_ms_median) < 1e-9 * r.examples_per_s_train);
  assert.ok(Math.abs(r.examples_per_s_infer - 2000 / r.infer_ms_median) < 1e-9 * r.examples_per_s_infer);
  assert.ok(r.train_ms_median >= Math.min(...r.train_ms_all) && r.train_ms_median <= Math.max(...r.train_ms_all));
});

test('the worker rejects a bad option with one line on stderr and exit code 1', async () => {
  await assert.rejects(runFile(process.execPath, [WORKER, '--model', 'huge']), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.equal(e.stderr, 'bam bench-worker: --model must be one of tiny, mini, small, base, got "huge"\n');
    return true;
  });
});
