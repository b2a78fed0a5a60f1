import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { findOnnxruntime } from '../../src/bench/onnxruntime-setup.js';
import { debianSystem } from '../../src/bench/torch-setup.js';
import { BENCH_USAGE, runBench } from '../../src/cli/bench.js';
import { BamError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'bam-bench-test-'));

after(() => rmSync(dir, { recursive: true, force: true }));

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** The cells of a Markdown table line. */
const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());

test('bam bench --no-torch --no-onnxruntime --no-mlm on a tiny shape: bam-only tables on stdout, JSON file, progress on stderr', async () => {
  const jsonPath = join(dir, 'results.json');
  const stdout = collector();
  const stderr = collector();
  await runBench(
    ['--models', 'tiny', '--threads', '1', '--batch', '2', '--seq', '8', '--warmup', '0', '--runs', '1', '--no-torch', '--no-onnxruntime', '--no-mlm', '--json', jsonPath],
    { stdout: stdout.stream, stderr: stderr.stream },
  );
  const lines = stdout.text().split('\n');
  assert.match(lines[0], /^Machine: .+, \d+ cores · OpenBLAS .+ · Node v\d+.* · PyTorch not measured · onnxruntime-node not measured · \d{4}-\d\d-\d\dT/);
  assert.match(lines[1], /^Batch 2, sequence 8 .*; median of 1 runs after 0 warm-up/);
  assert.match(lines[3], /^Fine-tuning training step/);
  assert.deepEqual(cells(lines[5]), ['model', 'threads', 'bam ex/s', 'bam peak RSS MB']);
  assert.match(lines[7], /^\| tiny  \| 1 +\| [\d.]+ +\| \d+ +\|$/);
  assert.match(lines[9], /^Inference/);
  assert.deepEqual(cells(lines[11]), ['model', 'threads', 'bam ex/s', 'bam all rows ex/s']);
  assert.doesNotMatch(stdout.text(), /Pretraining/);
  assert.match(stderr.text(), /\[1\/1\] tiny, 1 thread, bam: .* train ex\/s, .* infer ex\/s, .* infer all rows ex\/s/);
  assert.match(stderr.text(), /results written to /);

  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    machine: { torch: unknown; onnxruntime: unknown; cores: number };
    settings: unknown;
    results: { model: string; train_ratio: unknown; bam: { timings: { train: { examples_per_s: number } } }; torch: unknown; onnxruntime: unknown; bam_mlm: unknown }[];
  };
  assert.deepEqual([json.machine.torch, json.machine.onnxruntime], [null, null]);
  assert.ok(json.machine.cores >= 1);
  assert.deepEqual(json.settings, { batch: 2, seq: 8, warmup: 0, runs: 1 });
  assert.equal(json.results.length, 1);
  const [r] = json.results;
  assert.deepEqual([r.model, r.train_ratio, r.torch, r.onnxruntime, r.bam_mlm], ['tiny', null, null, null, null]);
  assert.ok(r.bam.timings.train.examples_per_s > 0);
});

test('bam bench with every part on a tiny shape: PyTorch, onnxruntime and masked-LM numbers beside bam\'s, one run each', async (t) => {
  const args = ['--models', 'tiny', '--threads', '1', '--batch', '2', '--seq', '8', '--warmup', '0', '--runs', '1'];
  const torch = debianSystem.torchVersion() !== null;
  const ort = (await findOnnxruntime()).available;
  if (!torch) t.diagnostic('PyTorch is not installed under /usr/bin/python3 (apt-get install -y python3-torch): its parts are skipped');
  if (!ort) t.diagnostic('onnxruntime-node is not installed (npm install): its part is skipped');
  const jsonPath = join(dir, 'all.json');
  const stdout = collector();
  const stderr = collector();
  // A temporary folder of its own, to see the bench remove the ONNX export it writes there.
  const ownTmp = mkdtempSync(join(dir, 'tmp-'));
  const tmpBefore = process.env.TMPDIR;
  process.env.TMPDIR = ownTmp;
  try {
    await runBench([...args, ...(torch ? [] : ['--no-torch']), '--json', jsonPath], { stdout: stdout.stream, stderr: stderr.stream });
  } finally {
    if (tmpBefore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpBefore;
  }
  assert.deepEqual(readdirSync(ownTmp).filter((f) => f.startsWith('bam-bench-onnx-')), [], 'the ONNX export is removed');
  const blocks = stdout.text().trimEnd().split('\n\n');
  const table = (title: RegExp): string[][] => {
    const at = blocks.findIndex((b) => title.test(b));
    assert.ok(at >= 0, `no table titled ${title}`);
    return blocks[at + 1].split('\n').map(cells);
  };
  /** A ratio column's cells are "1.23×", the others numbers. */
  const cellPattern = (title: string): RegExp => (/\/(torch|onnxruntime)$/.test(title) ? /^\d+\.\d\d×$/ : /^\d+(\.\d+)?$/);
  const infer = table(/^Inference/);
  assert.deepEqual(infer[0], [
    'model', 'threads', 'bam ex/s', ...(torch ? ['torch ex/s', 'bam/torch'] : []), 'bam all rows ex/s',
    ...(ort ? ['onnxruntime ex/s', 'bam all rows/onnxruntime', 'onnxruntime peak RSS MB'] : []),
  ]);
  assert.deepEqual(infer[2].slice(0, 2), ['tiny', '1']);
  infer[2].slice(2).forEach((cell, i) => assert.match(cell, cellPattern(infer[0][i + 2])));
  const mlm = table(/^Pretraining: masked-LM training step \(8 masked positions/);
  assert.deepEqual(mlm[0], ['model', 'threads', 'bam ex/s', ...(torch ? ['torch ex/s', 'bam/torch'] : []), 'bam peak RSS MB', ...(torch ? ['torch peak RSS MB'] : [])]);
  mlm[2].slice(2).forEach((cell, i) => assert.match(cell, cellPattern(mlm[0][i + 2])));
  if (ort) assert.match(stderr.text(), /tiny, 1 thread, onnxruntime: [\d.]+ infer ex\/s/);
  if (torch) assert.match(stderr.text(), /tiny, 1 thread, PyTorch masked-LM: [\d.]+ train ex\/s/);

  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { results: Record<string, unknown>[] };
  const [r] = json.results;
  const isRatio = (v: unknown): boolean => typeof v === 'number' && v > 0;
  assert.equal(isRatio(r.onnxruntime_ratio), ort);
  assert.equal(isRatio(r.mlm_ratio), torch);
  assert.equal(isRatio(r.train_ratio), torch);
  assert.ok((r.bam_mlm as { timings: { train: { examples_per_s: number } } }).timings.train.examples_per_s > 0);
  if (ort) assert.ok((r.onnxruntime as { logits_max_difference: number }).logits_max_difference <= 1e-4);
});

test('bam bench --help names every option and part', async () => {
  const stdout = collector();
  await runBench(['--help'], { stdout: stdout.stream, stderr: collector().stream });
  const help = stdout.text();
  assert.ok(help.startsWith(`usage: ${BENCH_USAGE}\n`));
  for (const option of ['--models', '--threads', '--batch', '--seq', '--warmup', '--runs', '--json', '--no-torch', '--no-onnxruntime', '--no-mlm']) {
    assert.ok(BENCH_USAGE.includes(option) && help.includes(`  ${option} `), option);
  }
  assert.match(help, /intra-op\s+threads = the thread count, 1 inter-op thread, graph optimisations "all"/);
  assert.match(help, /torch_bert_step\.py --task mlm\), 20 masked positions per sequence/);
});

test('bad options fail before measuring, with one line', async () => {
  const io = { stdout: collector().stream, stderr: collector().stream };
  const oneLine = (pattern: RegExp) => (e: unknown) => e instanceof BamError && pattern.test(e.message) && !e.message.includes('\n');
  await assert.rejects(runBench(['--models', 'large'], io), oneLine(/--models got "large"/));
  await assert.rejects(runBench(['--runs', '0'], io), oneLine(/--runs must be an integer ≥ 1/));
  await assert.rejects(runBench(['--bogus'], io), oneLine(/bogus.*usage: bam bench/));
  await assert.rejects(runBench(['--json', join(dir, 'missing', 'r.json')], io), oneLine(/r\.json: cannot write there/));
});
