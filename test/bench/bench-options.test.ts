import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { defaultThreadCounts, parseCount, parseModels, parseShape, parseThreadCounts } from '../../src/bench/bench-options.js';
import { cpuModelFrom } from '../../src/bench/machine-info.js';
import { benchBertConfig } from '../../src/bench/model-sizes.js';
import { median } from '../../src/bench/stats.js';
import { assertBamError } from '../config/assert-bam-error.js';

test('parseCount accepts integers in range and names the flag otherwise', () => {
  assert.equal(parseCount('--runs', '5', 1), 5);
  assert.equal(parseCount('--warmup', '0', 0), 0);
  assertBamError(() => parseCount('--runs', '0', 1), '--runs must be an integer ≥ 1, got "0"');
  assertBamError(() => parseCount('--batch', '2.5', 1), '--batch', '"2.5"');
  assertBamError(() => parseCount('--batch', '-3', 1), '--batch');
  assertBamError(() => parseCount('--seq', '513', 1, 512), '--seq must be an integer from 1 to 512, got "513"');
});

test('parseModels takes a comma-separated subset, deduplicated, in the given order', () => {
  assert.deepEqual(parseModels('base, tiny,base'), ['base', 'tiny']);
  assertBamError(() => parseModels('tiny,large'), '--models got "tiny,large"', 'tiny, mini, small, base');
  assertBamError(() => parseModels(','), '--models');
});

test('thread counts: a list of positive integers; the default is 1 and all cores', () => {
  assert.deepEqual(parseThreadCounts('1,4,4'), [1, 4]);
  assertBamError(() => parseThreadCounts('1,0'), '--threads', '"0"');
  assertBamError(() => parseThreadCounts('all'), '--threads');
  const cores = availableParallelism();
  assert.deepEqual(defaultThreadCounts(), cores === 1 ? [1] : [1, cores]);
});

test('parseShape validates every field', () => {
  assert.deepEqual(parseShape({ batch: '32', seq: '128', warmup: '2', runs: '5' }), { batch: 32, seq: 128, warmup: 2, runs: 5 });
  assertBamError(() => parseShape({ batch: '32', seq: '600', warmup: '2', runs: '5' }), '--seq');
});

test('benchmark model sizes: layers/hidden as the issue names them, 64-wide heads, 4× intermediate', () => {
  const dims = (['tiny', 'mini', 'small', 'base'] as const).map((m) => {
    const c = benchBertConfig(m);
    return [c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads, c.intermediateSize, c.vocabSize, c.typeVocabSize];
  });
  assert.deepEqual(dims, [[2, 128, 2, 512, 30522, 2], [4, 256, 4, 1024, 30522, 2], [4, 512, 8, 2048, 30522, 2], [12, 768, 12, 3072, 30522, 2]]);
});

test('median of odd and even counts', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 10]), 3.5);
  assert.equal(median([7]), 7);
});

test('cpuModelFrom reads the first "model name" line', () => {
  const cpuinfo = 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\nprocessor\t: 1\nmodel name\t: other\n';
  assert.equal(cpuModelFrom(cpuinfo), 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz');
  assert.equal(cpuModelFrom('processor\t: 0\n'), 'unknown CPU');
});
