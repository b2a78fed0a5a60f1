import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TrainingLog } from '../../src/train/training-log.js';

function withLog(body: (log: TrainingLog, path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bam-log-'));
  try {
    body(new TrainingLog(join(dir, 'training_log.jsonl')), join(dir, 'training_log.jsonl'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const steps = (log: TrainingLog): string[] => log.read().map((r) => `${r.trial ?? '-'}:${r.type}:${r.step}`);

test('records append as one JSON line each and read back; a last line cut by a kill is ignored', () => {
  withLog((log, path) => {
    log.append({ type: 'train', trial: 1, step: 1, loss: 0.5 });
    log.append({ type: 'eval', trial: 1, step: 2, dev: { rte: { accuracy: 50 } } });
    appendFileSync(path, '{"type":"train","trial":1,"st');
    assert.deepEqual(log.read(), [{ type: 'train', trial: 1, step: 1, loss: 0.5 }, { type: 'eval', trial: 1, step: 2, dev: { rte: { accuracy: 50 } } }]);
    assert.equal(readFileSync(path, 'utf8').split('\n')[0], '{"type":"train","trial":1,"step":1,"loss":0.5}');
  });
});

test('a resumed trial keeps its records up to the checkpoint and those of earlier trials; the cut line goes', () => {
  withLog((log, path) => {
    for (const [trial, step] of [[1, 5], [1, 10], [2, 5], [2, 10], [2, 15]]) log.append({ type: 'train', trial, step });
    appendFileSync(path, '{"type":"tr');
    log.prepare(2, 10);
    assert.deepEqual(steps(log), ['1:train:5', '1:train:10', '2:train:5', '2:train:10']);
    assert.ok(readFileSync(path, 'utf8').endsWith('}\n'), 'the partial line is gone, so appends start on a new line');
  });
});

test('a trial that starts afresh drops its own and later trials\' records; a pretraining log (no trials) starts empty', () => {
  withLog((log) => {
    for (const [trial, step] of [[1, 5], [2, 5], [3, 5]]) log.append({ type: 'train', trial, step });
    log.prepare(2, null);
    assert.deepEqual(steps(log), ['1:train:5']);
  });
  withLog((log, path) => {
    writeFileSync(path, '{"type":"train","step":100}\n{"type":"eval","step":100}\n');
    log.prepare(undefined, 50);
    assert.deepEqual(steps(log), []);
    log.prepare(undefined, null);
    assert.deepEqual(steps(log), []);
  });
  withLog((log) => {
    log.prepare(1, null); // no file yet: nothing to do
    assert.deepEqual(log.read(), []);
  });
});
