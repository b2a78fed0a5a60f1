import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors, type Float32Tensor } from '../checkpoint/safetensors.js';
import { BamError } from '../errors.js';
import type { ParameterArena } from '../model/arena.js';

const FORMAT = 'bam-training-checkpoint/1';
const FILE = 'training-state.safetensors';

/** What identifies a training run: a checkpoint from another run must not be resumed into this one. */
export interface RunIdentity {
  /** A digest of everything that determines the run (hparams, data, model config). */
  fingerprint: string;
  numTrainSteps: number;
}

export function trainingCheckpointPath(dir: string): string {
  return join(dir, FILE);
}

/**
 * Saves parameters and both Adam moments (as `<name>`, `<name>/adam_m`, `<name>/adam_v`, the original's slot names)
 * with the step, atomically: a crash mid-write leaves the previous checkpoint intact. The data order and dropout
 * masks are functions of (seed, step), so the step is the whole data position and RNG state.
 */
export function saveTrainingCheckpoint(dir: string, arena: ParameterArena, step: number, run: RunIdentity): void {
  mkdirSync(dir, { recursive: true });
  const tensors: Float32Tensor[] = [];
  const k = arena.kernels;
  // In host memory (native, reference) the arrays are written as they are; another backend's come down once.
  const [values, adamM, adamV] = [arena.values, arena.adamM, arena.adamV].map((b) => k.hostMemory(b) ?? k.download(b));
  for (const p of arena.parameters) {
    const part = (all: Float32Array): Float32Array => all.subarray(p.offset, p.offset + p.size);
    tensors.push({ name: p.name, shape: p.shape, data: part(values) });
    tensors.push({ name: `${p.name}/adam_m`, shape: p.shape, data: part(adamM) });
    tensors.push({ name: `${p.name}/adam_v`, shape: p.shape, data: part(adamV) });
  }
  writeSafetensors(trainingCheckpointPath(dir), tensors, {
    format: FORMAT,
    step: String(step),
    num_train_steps: String(run.numTrainSteps),
    fingerprint: run.fingerprint,
  });
}

/**
 * Restores the checkpoint in `dir` into the arena and returns its step, or null when there is none. A checkpoint of
 * a different run (other hparams, data or model) is refused with a message saying how to start afresh.
 */
export function restoreTrainingCheckpoint(dir: string, arena: ParameterArena, run: RunIdentity): number | null {
  const path = trainingCheckpointPath(dir);
  if (!existsSync(path)) return null;
  const file = openSafetensors(path);
  try {
    const meta = file.metadata ?? {};
    if (meta.format !== FORMAT) throw new BamError(`${path}: not a bam training checkpoint; delete it to start afresh`);
    if (meta.fingerprint !== run.fingerprint || Number(meta.num_train_steps) !== run.numTrainSteps) {
      throw new BamError(
        `${path}: this checkpoint belongs to a run with other hparams, data or model; delete ${dir} to start afresh, or rerun with the original settings to resume`,
      );
    }
    const k = arena.kernels;
    for (const p of arena.parameters) {
      arena.write(p, file.readFloat32(p.name));
      k.upload(arena.adamM, file.readFloat32(`${p.name}/adam_m`), p.offset);
      k.upload(arena.adamV, file.readFloat32(`${p.name}/adam_v`), p.offset);
    }
    return Number(meta.step);
  } finally {
    file.close();
  }
}

/** Step and total steps of the checkpoint in `dir`, without loading it; null when there is none. */
export function peekTrainingCheckpoint(dir: string): { step: number; numTrainSteps: number } | null {
  const path = trainingCheckpointPath(dir);
  if (!existsSync(path)) return null;
  const file = openSafetensors(path);
  try {
    const meta = file.metadata ?? {};
    if (meta.format !== FORMAT) return null;
    return { step: Number(meta.step), numTrainSteps: Number(meta.num_train_steps) };
  } finally {
    file.close();
  }
}

/**
 * The trials after the first `finishedTrials` that have a checkpoint under a run's checkpoints folder (`trial_<t>`):
 * those stopped while training, and those whose training ended but whose evaluation did not (Ctrl-C there leaves a
 * checkpoint at the last step; the trial is finished only once its results are recorded).
 */
export function unfinishedTrials(checkpointsDir: string, finishedTrials: number): number[] {
  if (!existsSync(checkpointsDir)) return [];
  return readdirSync(checkpointsDir)
    .map((name) => /^trial_(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((t) => t > finishedTrials && peekTrainingCheckpoint(join(checkpointsDir, `trial_${t}`)) !== null)
    .sort((a, b) => a - b);
}
