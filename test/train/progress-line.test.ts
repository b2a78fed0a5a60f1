import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceKernels } from '../../src/engine/reference.js';
import { ParameterArena } from '../../src/model/arena.js';
import { runTrainingLoop } from '../../src/train/training-loop.js';

test('a progress line leaves out a task with no examples since the last line, rather than printing NaN', async () => {
  const arena = new ParameterArena(referenceKernels, [{ name: 'w', shape: [1], depth: 0 }]);
  const lines: string[] = [];
  await runTrainingLoop(arena, () => ({
    loss: { sum: 3, count: 4 },
    taskLosses: { rte: { sum: 1, count: 2 }, sts: { sum: 0.5, count: 2 }, wnli: { sum: 0, count: 0 } },
    learningRate: 1e-3, lambda: null, examples: 4,
  }), {
    numTrainSteps: 1, checkpointDir: null, saveEverySteps: 10, saveFinal: false, logEverySteps: 1,
    run: { fingerprint: 'x', numTrainSteps: 1 }, log: (line) => lines.push(line), lossUnit: 'example',
  });
  const step = lines.find((l) => l.startsWith('step 1/1'));
  assert.ok(step, lines.join('\n'));
  assert.match(step, /mean loss per example: 0\.7500 \(rte 0\.5000, sts 0\.2500\)/);
  assert.doesNotMatch(step, /NaN|wnli/);
});
