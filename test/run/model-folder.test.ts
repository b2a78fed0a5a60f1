import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimModelFolder, LOCK_FILE, OWNER_FILE, processAlive, type RunIdentity } from '../../src/run/model-folder.js';
import { tempDir } from '../checkpoint/temp-dir.js';
import { assertBamError } from '../config/assert-bam-error.js';

const RTE: RunIdentity = { command: 'bam run', settings: { task_names: ['rte'], debug: true } };
const RTE_MRPC: RunIdentity = { command: 'bam run', settings: { task_names: ['rte', 'mrpc'], debug: true } };

/** A pid that is not alive: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.ok(child.pid !== undefined && !processAlive(child.pid));
  return child.pid;
}

test('a new folder is created, owned and locked; released, the lock goes and the record stays', () => {
  const dir = join(tempDir(), 'models', 'rte-model');
  const release = claimModelFolder(dir, RTE, { overwrite: false });
  const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
  assert.deepEqual([lock.pid, lock.host], [process.pid, hostname()]);
  const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { command: string; settings: unknown; fingerprint: string };
  assert.deepEqual([owner.command, owner.settings], ['bam run', RTE.settings]);
  assert.match(owner.fingerprint, /^[0-9a-f]{64}$/);
  release();
  assert.deepEqual(readdirSync(dir), [OWNER_FILE]);
});

test('the same run claims its folder again (resume); another run is refused with the differing hparams', () => {
  const dir = join(tempDir(), 'rte-model');
  claimModelFolder(dir, RTE, { overwrite: false })();
  writeFileSync(join(dir, 'results.json'), '{}');
  // Key order does not change the identity.
  claimModelFolder(dir, { command: 'bam run', settings: { debug: true, task_names: ['rte'] } }, { overwrite: false })();
  assertBamError(() => claimModelFolder(dir, RTE_MRPC, { overwrite: false }), `${dir} holds another run's outputs`, '"task_names"', '--overwrite');
  assert.ok(existsSync(join(dir, 'results.json')), 'a refused claim must not touch the folder');
  assert.ok(!existsSync(join(dir, LOCK_FILE)), 'a refused claim must not keep the lock');
});

test('--overwrite clears a folder of another run before owning it', () => {
  const dir = join(tempDir(), 'm');
  claimModelFolder(dir, RTE, { overwrite: false })();
  mkdirSync(join(dir, 'outputs'));
  writeFileSync(join(dir, 'outputs', 'rte_train_predictions_1.json'), '{}');
  claimModelFolder(dir, RTE_MRPC, { overwrite: true })();
  assert.deepEqual(readdirSync(dir), [OWNER_FILE]);
  const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as { settings: unknown };
  assert.deepEqual(owner.settings, RTE_MRPC.settings);
});

test('a folder with files but no owner record (an older bam, another tool) is refused', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'results.txt'), 'rte: accuracy: 50.00\n');
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: false }), 'already holds files ("results.txt")', 'choose another <model_name>');
  writeFileSync(join(dir, OWNER_FILE), 'not json');
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: false }), 'is not a bam model-folder record');
});

test('a live lock refuses a second run in one line; a dead process\'s lock is stale and taken over', async () => {
  const dir = join(tempDir(), 'm');
  const release = claimModelFolder(dir, RTE, { overwrite: false });
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: false }), `${dir} is in use by another run (process ${process.pid}`, 'wait for it to finish');
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: true }), 'is in use by another run');
  release();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: await deadPid(), host: hostname(), started: '' }));
  claimModelFolder(dir, RTE, { overwrite: false })();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', started: '' }));
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: false }), 'process 1 on host "elsewhere"', `delete ${join(dir, LOCK_FILE)}`);
});

test('temporary files of dead processes are removed at claim; a live process\'s are kept', async () => {
  const dir = join(tempDir(), 'm');
  mkdirSync(join(dir, 'model_1'), { recursive: true });
  const dead = join(dir, 'model_1', `model.safetensors.tmp-${await deadPid()}`);
  const live = join(dir, `results.json.tmp-${process.pid}`);
  writeFileSync(dead, 'partial');
  writeFileSync(live, 'being written');
  writeFileSync(join(dir, OWNER_FILE), '');
  // The folder is refused (a broken record), but only after the dead file was swept.
  assertBamError(() => claimModelFolder(dir, RTE, { overwrite: false }), 'is not a bam model-folder record');
  assert.ok(!existsSync(dead));
  assert.ok(existsSync(live));
});

test('released after a failure, a folder holding nothing of the run is removed; one with work is kept', () => {
  const root = tempDir();
  const empty = join(root, 'failed-early');
  claimModelFolder(empty, RTE, { overwrite: false })({ failed: true });
  assert.ok(!existsSync(empty));
  const kept = join(root, 'failed-late');
  const release = claimModelFolder(kept, RTE, { overwrite: false });
  mkdirSync(join(kept, 'checkpoints'));
  release({ failed: true });
  assert.deepEqual(readdirSync(kept).sort(), ['checkpoints', OWNER_FILE].sort());
});
