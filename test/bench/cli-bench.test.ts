import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { runBench } from '../../src/cli/bench.js';
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

test('bam bench --no-torch on a tiny shape: header and bam-only table on stdout, JSON file, progress on stderr', async () => {
  const jsonPath = join(dir, 'results.json');
  const stdout = collector();
  const stderr = collector();
  await runBench(
    ['--models', 'tiny', '--threads', '1', '--batch', '2', '--seq', '8', '--warmup', '0', '--runs', '1', '--no-torch', '--json', jsonPath],
    { stdout: stdout.stream, stderr: stderr.stream },
  );
  const lines = stdout.text().split('\n');
  assert.match(lines[0], /^Machine: .+, \d+ cores · OpenBLAS .+ · Node v\d+.* · PyTorch not measured · \d{4}-\d\d-\d\dT/);
  assert.match(lines[1], /batch 2, sequence 8; median of 1 runs after 0 warm-up/);
  assert.equal(lines[2], '');
  assert.match(lines[3], /^\| model \| threads \| bam train ex\/s \| bam infer ex\/s \| bam peak RSS MB \|$/);
  assert.match(lines[5], /^\| tiny  \| 1 +\| [\d.]+ +\| [\d.]+ +\| \d+ +\|$/);
  assert.match(stderr.text(), /\[1\/1\] tiny, 1 thread, bam: .* train ex\/s/);
  assert.match(stderr.text(), /results written to /);

  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    machine: { torch: unknown; cores: number };
    settings: unknown;
    results: { model: string; threads: number; train_ratio: unknown; bam: { examples_per_s_train: number }; torch: unknown }[];
  };
  assert.equal(json.machine.torch, null);
  assert.ok(json.machine.cores >= 1);
  assert.deepEqual(json.settings, { batch: 2, seq: 8, warmup: 0, runs: 1 });
  assert.equal(json.results.length, 1);
  assert.equal(json.results[0].model, 'tiny');
  assert.equal(json.results[0].train_ratio, null);
  assert.equal(json.results[0].torch, null);
  assert.ok(json.results[0].bam.examples_per_s_train > 0);
});

test('bad options fail before measuring, with one line', async () => {
  const io = { stdout: collector().stream, stderr: collector().stream };
  const oneLine = (pattern: RegExp) => (e: unknown) => e instanceof BamError && pattern.test(e.message) && !e.message.includes('\n');
  await assert.rejects(runBench(['--models', 'large'], io), oneLine(/--models got "large"/));
  await assert.rejects(runBench(['--runs', '0'], io), oneLine(/--runs must be an integer ≥ 1/));
  await assert.rejects(runBench(['--bogus'], io), oneLine(/bogus.*usage: bam bench/));
  await assert.rejects(runBench(['--json', join(dir, 'missing', 'r.json')], io), oneLine(/r\.json: cannot write there/));
});
