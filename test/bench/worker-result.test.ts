import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWorkerResult } from '../../src/bench/worker-result.js';
import { assertBamError } from '../config/assert-bam-error.js';

const valid = {
  backend: 'torch', threads: 2, parameters: 4386178, train_ms_median: 60.5, train_ms_all: [61, 60.5, 59],
  infer_ms_median: 2, infer_ms_all: [2, 2.1, 1.9], examples_per_s_train: 528.9, examples_per_s_infer: 16000,
  train_cpu_per_wall: 1.9, peak_rss_mb: 338.5,
};

test('reads the last non-empty line as the result', () => {
  const result = parseWorkerResult(`a warning first\n${JSON.stringify(valid)}\n\n`, 'worker');
  assert.deepEqual(result, valid);
});

test('a missing, non-JSON or incomplete result line is a one-line error naming the worker', () => {
  assertBamError(() => parseWorkerResult('\n', 'python3 x.py'), 'python3 x.py printed no result line');
  assertBamError(() => parseWorkerResult('Traceback (most recent call last)', 'python3 x.py'), 'python3 x.py', 'not JSON');
  const { peak_rss_mb: _dropped, ...noRss } = valid;
  assertBamError(() => parseWorkerResult(JSON.stringify(noRss), 'w'), '"peak_rss_mb"');
  assertBamError(() => parseWorkerResult(JSON.stringify({ ...valid, train_ms_all: [] }), 'w'), '"train_ms_all"');
  assertBamError(() => parseWorkerResult(JSON.stringify({ ...valid, backend: 3 }), 'w'), '"backend"');
});
