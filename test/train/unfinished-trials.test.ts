import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { referenceKernels } from '../../src/engine/reference.js';
import { ParameterArena } from '../../src/model/arena.js';
import { saveTrainingCheckpoint, unfinishedTrials } from '../../src/train/training-checkpoint.js';

test('a trial is unfinished while it has a checkpoint and no recorded results, even one whose training ended', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bam-trials-'));
  try {
    const arena = new ParameterArena(referenceKernels, [{ name: 'w', shape: [2], depth: 0 }]);
    const run = { fingerprint: 'f', numTrainSteps: 10 };
    // Trial 1 stopped during its evaluation (checkpoint at the last step), trial 2 mid-training, trial 3 not started.
    saveTrainingCheckpoint(join(dir, 'trial_1'), arena, 10, run);
    saveTrainingCheckpoint(join(dir, 'trial_2'), arena, 4, run);
    assert.deepEqual(unfinishedTrials(dir, 0), [1, 2]);
    // Once results.json records trial 1, only trial 2 is left.
    assert.deepEqual(unfinishedTrials(dir, 1), [2]);
    assert.deepEqual(unfinishedTrials(dir, 2), []);
    assert.deepEqual(unfinishedTrials(join(dir, 'none'), 0), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
