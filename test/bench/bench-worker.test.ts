import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseWorkerResult, type AnyWorkerResult, type Timing } from '../../src/bench/worker-result.js';

const runFile = promisify(execFile);
const WORKER = fileURLToPath(new URL('../../src/bench/bench-worker.js', import.meta.url));
const ONNXRUNTIME_WORKER = fileURLToPath(new URL('../../src/bench/onnxruntime-worker.js', import.meta.url));
const SHAPE = ['--threads', '1', '--batch', '2', '--seq', '8', '--runs', '2', '--warmup', '0'];

const dir = mkdtempSync(join(tmpdir(), 'bam-bench-worker-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Where the classify worker exports (a folder it creates) and the onnxruntime worker reads. */
const onnxDir = join(dir, 'tiny');

/** BERT's parameter count, by hand: embeddings + LN, per layer Q/K/V/O + 2 LN + FFN, and the pooler. */
function encoderParameters(layers: number, hidden: number): number {
  const embeddings = (30522 + 512 + 2) * hidden + 2 * hidden;
  const layer = 4 * (hidden * hidden + hidden) + 2 * 2 * hidden + (hidden * 4 * hidden + 4 * hidden) + (4 * hidden * hidden + hidden);
  return embeddings + layers * layer + (hidden * hidden + hidden);
}

/** Every time positive, the median within the runs and throughput batch 2 / median. */
function checkTiming(t: Timing, runs: number): void {
  assert.equal(t.ms_all.length, runs);
  for (const value of [...t.ms_all, t.ms_median, t.cpu_per_wall]) assert.ok(value > 0, `${value} should be positive`);
  assert.ok(t.ms_median >= Math.min(...t.ms_all) && t.ms_median <= Math.max(...t.ms_all));
  assert.ok(Math.abs(t.examples_per_s - 2000 / t.ms_median) < 1e-9 * t.examples_per_s);
}

function checkCommon(r: AnyWorkerResult): void {
  assert.equal(r.threads, 1);
  assert.ok(r.peak_rss_mb > 0);
}

test('--task classify times training, inference and all-rows inference; --onnx-out writes the export and bam\'s logits', async () => {
  const { stdout } = await runFile(process.execPath, [WORKER, '--model', 'tiny', ...SHAPE, '--onnx-out', onnxDir]);
  assert.equal(stdout.trim().split('\n').length, 1);
  const r = parseWorkerResult(stdout, 'bench-worker', ['train', 'infer', 'infer_all_rows']);
  assert.ok(r.backend === 'native' || r.backend === 'reference', r.backend);
  checkCommon(r);
  assert.equal(r.parameters, encoderParameters(2, 128) + (128 * 2 + 2));
  for (const t of Object.values(r.timings)) checkTiming(t, 2);
  assert.ok(existsSync(join(onnxDir, 'model.onnx')));
  const logits = JSON.parse(readFileSync(join(onnxDir, 'bam-logits.json'), 'utf8')) as { batch: number; seq: number; labels: number; logits: number[] };
  assert.deepEqual([logits.batch, logits.seq, logits.labels, logits.logits.length], [2, 8, 2, 4]);
  assert.ok(logits.logits.every(Number.isFinite) && logits.logits.some((v) => v !== 0));
});

test('--task mlm times the masked-LM step of the encoder and its masked-LM head', async () => {
  const { stdout } = await runFile(process.execPath, [WORKER, '--model', 'tiny', '--task', 'mlm', ...SHAPE]);
  const r = parseWorkerResult(stdout, 'bench-worker', ['train']);
  checkCommon(r);
  // The head: transform dense H×H + bias, LayerNorm, the output bias over the vocabulary (the decoder is tied).
  assert.equal(r.parameters, encoderParameters(2, 128) + (128 * 128 + 128) + 2 * 128 + 30522);
  assert.deepEqual(Object.keys(r.timings), ['train']);
  checkTiming(r.timings.train, 2);
});

test('the onnxruntime worker reproduces bam\'s logits to 1e-4, then times inference; other logits are refused', async () => {
  const { stdout } = await runFile(process.execPath, [ONNXRUNTIME_WORKER, '--model', 'tiny', ...SHAPE, '--onnx-dir', onnxDir]);
  const r = parseWorkerResult(stdout, 'onnxruntime-worker', ['infer']);
  assert.equal(r.backend, 'onnxruntime');
  assert.equal(r.parameters, null);
  checkCommon(r);
  checkTiming(r.timings.infer, 2);
  assert.ok(r.logits_max_difference !== undefined && r.logits_max_difference <= 1e-4, `difference ${r.logits_max_difference}`);

  const path = join(onnxDir, 'bam-logits.json');
  const logits = JSON.parse(readFileSync(path, 'utf8')) as { logits: number[] };
  logits.logits[3] += 1e-3;
  writeFileSync(path, JSON.stringify(logits));
  await assert.rejects(runFile(process.execPath, [ONNXRUNTIME_WORKER, '--model', 'tiny', ...SHAPE, '--onnx-dir', onnxDir]), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /^bam onnxruntime-worker: .*model\.onnx: onnxruntime's logits differ from bam's by up to 0\.001\d* \(tolerance 0\.0001\)/);
    assert.equal(e.stderr.trim().split('\n').length, 1);
    return true;
  });
  await assert.rejects(runFile(process.execPath, [ONNXRUNTIME_WORKER, '--model', 'tiny', ...SHAPE, '--batch', '3', '--onnx-dir', onnxDir]), (e: { stderr: string }) => {
    assert.match(e.stderr, /bam-logits\.json: holds logits of batch 2 × 8, not 3 × 8/);
    return true;
  });
});

test('the workers reject bad options with one line on stderr and exit code 1', async () => {
  const cases: [string, string[], string][] = [
    [WORKER, ['--model', 'huge'], 'bam bench-worker: --model must be one of tiny, mini, small, base, got "huge"\n'],
    [WORKER, ['--model', 'tiny', '--task', 'nsp'], 'bam bench-worker: --task must be one of classify, mlm, got "nsp"\n'],
    [WORKER, ['--model', 'tiny', '--task', 'mlm', '--onnx-out', dir], 'bam bench-worker: --onnx-out goes with --task classify only; drop it\n'],
  ];
  for (const [worker, args, message] of cases) {
    await assert.rejects(runFile(process.execPath, [worker, ...args]), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.equal(e.stderr, message);
      return true;
    });
  }
  await assert.rejects(runFile(process.execPath, [ONNXRUNTIME_WORKER, '--model', 'tiny']), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /^bam onnxruntime-worker: --onnx-dir is required; usage: /);
    return true;
  });
});
