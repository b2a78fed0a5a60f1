import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWorkerResult } from '../../src/bench/worker-result.js';
import { assertBamError } from '../config/assert-bam-error.js';

const train = { ms_median: 60.5, ms_all: [61, 60.5, 59], examples_per_s: 528.9, cpu_per_wall: 1.9 };
const infer = { ms_median: 2, ms_all: [2, 2.1, 1.9], examples_per_s: 16000, cpu_per_wall: 1 };
const valid = { backend: 'torch', threads: 2, parameters: 4386178, timings: { train, infer }, peak_rss_mb: 338.5 };

test('reads the last non-empty line as the result', () => {
  const result = parseWorkerResult(`a warning first\n${JSON.stringify(valid)}\n\n`, 'worker', ['train', 'infer']);
  assert.deepEqual(result, valid);
  const onnxruntime = { ...valid, backend: 'onnxruntime', parameters: null, timings: { infer } };
  assert.deepEqual(parseWorkerResult(JSON.stringify(onnxruntime), 'worker', ['infer']), onnxruntime);
});

test('a missing, non-JSON or incomplete result line is a one-line error naming the worker and the field', () => {
  assertBamError(() => parseWorkerResult('\n', 'python3 x.py', ['train']), 'python3 x.py printed no result line');
  assertBamError(() => parseWorkerResult('Traceback (most recent call last)', 'python3 x.py', ['train']), 'python3 x.py', 'not JSON');
  const { peak_rss_mb: _dropped, ...noRss } = valid;
  assertBamError(() => parseWorkerResult(JSON.stringify(noRss), 'w', ['train']), '"peak_rss_mb"');
  assertBamError(() => parseWorkerResult(JSON.stringify({ ...valid, backend: 3 }), 'w', ['train']), '"backend"');
  assertBamError(() => parseWorkerResult(JSON.stringify({ ...valid, parameters: 'many' }), 'w', ['train']), '"parameters"');
  assertBamError(() => parseWorkerResult(JSON.stringify(valid), 'w', ['train', 'infer_all_rows']), '"timings.infer_all_rows"');
  const emptyRuns = { ...valid, timings: { train: { ...train, ms_all: [] } } };
  assertBamError(() => parseWorkerResult(JSON.stringify(emptyRuns), 'w', ['train']), '"timings.train.ms_all"');
  const nanRate = { ...valid, timings: { train: { ...train, examples_per_s: 'fast' } } };
  assertBamError(() => parseWorkerResult(JSON.stringify(nanRate), 'w', ['train']), '"timings.train.examples_per_s"');
});
