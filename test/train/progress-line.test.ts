import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { referenceKernels } from '../../src/engine/reference.js';
import { ParameterArena } from '../../src/model/arena.js';
import { TrainingLog } from '../../src/train/training-log.js';
import { runTrainingLoop } from '../../src/train/training-loop.js';
import { tempDir } from '../checkpoint/temp-dir.js';

test('a progress line and its log record leave out a task with no examples since the last one (no NaN, no null)', async () => {
  const arena = new ParameterArena(referenceKernels, [{ name: 'w', shape: [1], depth: 0 }]);
  const lines: string[] = [];
  const logPath = join(tempDir(), 'training_log.jsonl');
  await runTrainingLoop(arena, () => ({
    loss: { sum: 3, count: 4 },
    taskLosses: { rte: { sum: 1, count: 2 }, sts: { sum: 0.5, count: 2 }, wnli: { sum: 0, count: 0 } },
    learningRate: 1e-3, lambda: null, examples: 4,
  }), {
    numTrainSteps: 1, checkpointDir: null, saveEverySteps: 10, saveFinal: false, logEverySteps: 1,
    run: { fingerprint: 'x', numTrainSteps: 1 }, log: (line) => lines.push(line), lossUnit: 'example',
    trainingLog: new TrainingLog(logPath),
  });
  const step = lines.find((l) => l.startsWith('step 1/1'));
  assert.ok(step, lines.join('\n'));
  assert.match(step, /mean loss per example: 0\.7500 \(rte 0\.5000, sts 0\.2500\)/);
  assert.doesNotMatch(step, /NaN|wnli/);
  const records = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; task_losses?: object });
  assert.deepEqual(records.find((r) => r.type === 'train')?.task_losses, { rte: 0.5, sts: 0.25 });
});
