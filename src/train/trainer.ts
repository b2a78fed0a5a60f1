import { mix32 } from '../engine/kernels.js';
import type { BertModel } from '../model/bert-model.js';
import type { Batch, BatchStream } from './batches.js';
import type { MultitaskLoss } from './multitask-loss.js';
import type { AdamWeightDecay } from './optimizer.js';
import { ProgressReporter } from './progress.js';
import { restoreTrainingCheckpoint, saveTrainingCheckpoint, type RunIdentity } from './training-checkpoint.js';

/** How distillation targets are mixed with gold labels (target = g·gold + (1 − g)·teacher). */
export type Distillation =
  | { kind: 'none' }
  /** g = λ = step / total steps (the pre-increment step), so λ runs from 0 to (T − 1)/T. */
  | { kind: 'annealing' }
  /** g = 1 − distill_weight, fixed. */
  | { kind: 'fixed'; distillWeight: number };

export interface TrainerOptions {
  numTrainSteps: number;
  seed: number;
  distillation: Distillation;
  /** Where the resumable checkpoint lives; null disables checkpoints and resume. */
  checkpointDir: string | null;
  /** Save a checkpoint every this many steps (and on interruption). */
  saveEverySteps: number;
  /** Also save a checkpoint when training completes. */
  saveFinal: boolean;
  /** Log progress every this many steps. */
  logEverySteps: number;
  run: RunIdentity;
  /** Progress lines go here (stderr in the CLI). */
  log: (line: string) => void;
  /** Called after every step (used by evaluation hooks and tests). */
  afterStep?: (step: number, loss: number) => void;
}

export interface TrainResult {
  /** Steps completed (numTrainSteps unless interrupted). */
  steps: number;
  /** The step training resumed from, when it did. */
  resumedFrom: number | null;
  interrupted: boolean;
  finalLoss: number;
}

/** The gold weight g of a step. */
export function goldWeight(d: Distillation, step: number, numTrainSteps: number): number {
  if (d.kind === 'annealing') return step / numTrainSteps;
  if (d.kind === 'fixed') return 1 - d.distillWeight;
  return 1;
}

/** The dropout seed of a step: every step draws fresh masks, reproducibly. */
export function stepSeed(seed: number, step: number): number {
  return mix32((mix32(seed >>> 0) + Math.imul(step + 1, 0x85ebca6b)) >>> 0);
}

/** Buffers of the head outputs and their gradients, [batch, maxOutputs], reused from step to step. */
export interface StepBuffers {
  outputs: Float32Array;
  dOutputs: Float32Array;
}

/**
 * One optimisation step on a batch: zero the gradients, forward with dropout (masks drawn from `seed`), the
 * multi-task loss with gold weight g, backward, clipping and AdamWeightDecay at the pre-increment `step`. Returns
 * the summed loss.
 */
export function trainingStep(
  model: BertModel, batch: Batch, loss: MultitaskLoss, optimizer: AdamWeightDecay, step: number, seed: number, g: number, buffers: StepBuffers,
): number {
  const { inputs, targets } = batch;
  model.arena.zeroGrads();
  model.forward(inputs, targets.taskIds, true, seed, buffers.outputs);
  const total = loss.compute(buffers.outputs, targets, inputs.batch, g, buffers.dOutputs);
  model.backward(buffers.dOutputs);
  optimizer.step(step);
  return total;
}

/**
 * The training loop: forward, multi-task loss, backward, AdamWeightDecay, for numTrainSteps steps, resuming from the
 * checkpoint in checkpointDir when one is there. SIGINT/SIGTERM stop the loop after the current step and save a
 * checkpoint, so the run can be resumed with the same command.
 */
export async function train(
  model: BertModel, stream: BatchStream, loss: MultitaskLoss, optimizer: AdamWeightDecay, o: TrainerOptions,
): Promise<TrainResult> {
  let start = 0;
  let resumedFrom: number | null = null;
  if (o.checkpointDir) {
    const restored = restoreTrainingCheckpoint(o.checkpointDir, model.arena, o.run);
    if (restored !== null) {
      start = restored;
      resumedFrom = restored;
      o.log(`resuming from the checkpoint at step ${restored}/${o.numTrainSteps}`);
    }
  }
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const B = stream.batchSize;
  // Activations for the longest possible batch, allocated once rather than grown as longer batches come.
  model.encoder.reserve(B, stream.maxSeqLength);
  const buffers = { outputs: new Float32Array(B * model.heads.maxOutputs), dOutputs: new Float32Array(B * model.heads.maxOutputs) };
  const progress = new ProgressReporter(o.numTrainSteps, B, start, o.log);
  let step = start;
  let lastLoss = Number.NaN;
  try {
    while (step < o.numTrainSteps && !interrupted) {
      const g = goldWeight(o.distillation, step, o.numTrainSteps);
      lastLoss = trainingStep(model, stream.batchAt(step), loss, optimizer, step, stepSeed(o.seed, step), g, buffers);
      step++;
      o.afterStep?.(step, lastLoss);
      if (step % o.logEverySteps === 0 || step === o.numTrainSteps) progress.report(step, lastLoss, o.distillation.kind === 'none' ? null : g);
      if (o.checkpointDir && step % o.saveEverySteps === 0 && step < o.numTrainSteps) {
        saveTrainingCheckpoint(o.checkpointDir, model.arena, step, o.run);
      }
      // Let signal handlers run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (o.checkpointDir && o.saveFinal && step === o.numTrainSteps) saveTrainingCheckpoint(o.checkpointDir, model.arena, step, o.run);
    if (interrupted && o.checkpointDir) {
      saveTrainingCheckpoint(o.checkpointDir, model.arena, step, o.run);
      o.log(`interrupted at step ${step}/${o.numTrainSteps}: checkpoint saved in ${o.checkpointDir}; run the same command again to resume`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { steps: step, resumedFrom, interrupted, finalLoss: lastLoss };
}
