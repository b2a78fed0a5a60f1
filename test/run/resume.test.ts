import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedData } from '../shared-data.js';
import { makeBamDir, TINY_RUN } from './fixture-bam-dir.js';

const skip = sharedData('glue', 'SST-2', 'train.tsv').skip;
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** A run long enough to be interrupted: 200 SST-2 rows, 3 epochs of 25 batches, a checkpoint every 5 steps. */
const HPARAMS = JSON.stringify({ ...TINY_RUN, task_names: ['sst'], debug_max_lines: 201, save_checkpoints_steps: 5 });
const TOTAL_STEPS = 75;

function runToEnd(bamDir: string, model: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'run', model, bamDir, HPARAMS], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Starts a run and sends `signal` once its progress reaches `atStep`; resolves with the exit status and stderr. */
function runAndStop(bamDir: string, model: string, signal: NodeJS.Signals, atStep: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', model, bamDir, HPARAMS], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const steps = [...stderr.matchAll(/^step (\d+)\//gm)].map((m) => Number(m[1]));
      if (!sent && steps.some((s) => s >= atStep)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code, sig) => resolve({ code, signal: sig, stderr }));
  });
}

describe('an interrupted training run resumes to the same parameters as an uninterrupted one', { skip }, () => {
  let bamDir = '';
  let reference: Buffer;
  const weights = (model: string): string => join(bamDir, 'models', model, 'model_1', 'model.safetensors');

  before(() => {
    bamDir = makeBamDir();
    const r = runToEnd(bamDir, 'uninterrupted');
    assert.equal(r.status, 0, r.stderr);
    reference = readFileSync(weights('uninterrupted'));
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('killed with SIGKILL mid-way, then rerun: resumes from the last checkpoint, bitwise equal parameters', async () => {
    const killed = await runAndStop(bamDir, 'killed', 'SIGKILL', 12);
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(!existsSync(weights('killed')), 'the killed run must not have finished');
    const resumed = runToEnd(bamDir, 'killed');
    assert.equal(resumed.status, 0, resumed.stderr);
    const from = Number(/resuming from the checkpoint at step (\d+)\//.exec(resumed.stderr)?.[1]);
    assert.ok(from >= 10 && from < TOTAL_STEPS && from % 5 === 0, `resumed from step ${from}`);
    assert.ok(readFileSync(weights('killed')).equals(reference), 'parameters differ from the uninterrupted run');
    // The training log reads as one uninterrupted run: what was logged after the checkpoint was dropped on resume,
    // and every step's loss (a debug run logs every step) is the uninterrupted run's.
    const steps = (model: string): [number, number][] => readFileSync(join(bamDir, 'models', model, 'training_log.jsonl'), 'utf8')
      .trim().split('\n').map((line) => JSON.parse(line) as { type: string; step: number; loss: number })
      .filter((r) => r.type === 'train').map((r) => [r.step, r.loss]);
    const killedLog = steps('killed');
    assert.deepEqual(killedLog.map(([step]) => step), Array.from({ length: TOTAL_STEPS }, (_, i) => i + 1));
    assert.deepEqual(killedLog, steps('uninterrupted'));
  });

  test('Ctrl-C (SIGINT) saves a checkpoint at the current step and exits 130; the rerun finishes identically', async () => {
    const stopped = await runAndStop(bamDir, 'interrupted', 'SIGINT', 7);
    assert.equal(stopped.code, 130, stopped.stderr);
    const at = Number(/interrupted at step (\d+)\//.exec(stopped.stderr)?.[1]);
    assert.ok(at >= 7 && at < TOTAL_STEPS, stopped.stderr);
    const resumed = runToEnd(bamDir, 'interrupted');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`resuming from the checkpoint at step ${at}/${TOTAL_STEPS}`));
    assert.ok(readFileSync(weights('interrupted')).equals(reference), 'parameters differ from the uninterrupted run');
  });

  test('an interrupted run\'s folder is not resumed with other hparams: one line names them; the checkpoint is kept', async () => {
    const stopped = await runAndStop(bamDir, 'changed', 'SIGINT', 3);
    assert.equal(stopped.code, 130);
    const other = spawnSync(process.execPath, [cli, 'run', 'changed', bamDir, JSON.stringify({ ...JSON.parse(HPARAMS), learning_rate: 1e-3 })], { encoding: 'utf8' });
    assert.equal(other.status, 1);
    assert.match(other.stderr, /^bam: .*models\/changed holds another run's outputs: its run had other settings \("learning_rate"\); choose another <model_name>, or pass --overwrite/m);
    assert.equal(other.stderr.trim().split('\n').length, 1, other.stderr);
    assert.ok(existsSync(join(bamDir, 'models', 'changed', 'checkpoints', 'trial_1')), 'the refused run must keep the checkpoint');
  });
});
