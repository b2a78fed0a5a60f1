import type { FloatBuffer } from '../engine/backend.js';
import { mix32 } from '../engine/kernels.js';
import type { BertModel } from '../model/bert-model.js';
import { rankBatch } from '../parallel/batch-slice.js';
import { allReduceBuffer, singleProcess, type Collective } from '../parallel/collective.js';
import type { Batch, BatchStream } from './batches.js';
import type { MultitaskLoss } from './multitask-loss.js';
import type { AdamWeightDecay } from './optimizer.js';
import type { RunIdentity } from './training-checkpoint.js';
import { runTrainingLoop, type LoopResult, type Mean, type StepReport } from './training-loop.js';
import type { TrainingLog } from './training-log.js';

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
  /** The task of each loss head, in head order (names the per-task losses of the log). */
  taskNames: string[];
  /** Where the resumable checkpoint lives; null disables checkpoints and resume. */
  checkpointDir: string | null;
  /** Save a checkpoint every this many steps (and on interruption). */
  saveEverySteps: number;
  /** Also save a checkpoint when training completes. */
  saveFinal: boolean;
  /** Log progress every this many steps (and after the first step, and at least every 30 s). */
  logEverySteps: number;
  run: RunIdentity;
  /** Progress lines go here (stderr in the CLI). */
  log: (line: string) => void;
  /** training_log.jsonl and the trial its records belong to. */
  trainingLog?: TrainingLog;
  trial?: number;
  /** Called after every step with the step's mean loss per example (evaluation hooks, tests); a promise it returns is awaited. */
  afterStep?: (step: number, loss: number) => unknown;
  /** The ranks training together (data-parallel); one process alone when absent. */
  collective?: Collective;
}

export type TrainResult = LoopResult;

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
  outputs: FloatBuffer;
  dOutputs: FloatBuffer;
}

/**
 * One optimisation step on a batch: zero the gradients, forward with dropout (masks drawn from `seed`), the
 * multi-task loss with gold weight g, backward, clipping and AdamWeightDecay at the pre-increment `step`. Returns
 * the summed loss. Data-parallel (collective.size > 1): this rank computes its slice of the global batch and the
 * gradient arena is summed across ranks before clipping; the loss is a sum over examples, so the summed gradient is
 * the whole batch's and every rank takes the same step. The returned loss and `loss.taskLosses()` are this rank's.
 */
export async function trainingStep(
  model: BertModel, batch: Batch, loss: MultitaskLoss, optimizer: AdamWeightDecay, step: number, seed: number, g: number, buffers: StepBuffers,
  collective: Collective = singleProcess,
): Promise<number> {
  const { inputs, targets } = collective.size > 1 ? rankBatch(batch, collective) : batch;
  model.arena.zeroGrads();
  model.forward(inputs, targets.taskIds, true, seed, buffers.outputs);
  const total = loss.compute(buffers.outputs, targets, inputs.batch, g, buffers.dOutputs);
  model.backward(buffers.dOutputs);
  // Alone, nothing is awaited, so the step completes synchronously even for a caller that does not await it.
  if (collective.size > 1) await allReduceBuffer(model.kernels, collective, model.arena.grads);
  optimizer.step(step);
  return total;
}

/** The step's loss and per-task losses summed over the ranks (what the log reports is the global batch's). */
async function globalLosses(total: number, perTask: { sum: number; count: number }[], c: Collective): Promise<{ total: number; perTask: { sum: number; count: number }[] }> {
  if (c.size === 1) return { total, perTask };
  const stats = new Float32Array([total, ...perTask.flatMap((m) => [m.sum, m.count])]);
  await c.allReduceSum(stats);
  return { total: stats[0], perTask: perTask.map((_, i) => ({ sum: stats[1 + 2 * i], count: stats[2 + 2 * i] })) };
}

/**
 * Fine-tuning: forward, multi-task loss, backward, AdamWeightDecay, for numTrainSteps steps through the shared
 * training loop (resume, Ctrl-C, progress, training_log.jsonl).
 */
export async function train(
  model: BertModel, stream: BatchStream, loss: MultitaskLoss, optimizer: AdamWeightDecay, o: TrainerOptions,
): Promise<TrainResult> {
  const B = stream.batchSize;
  // Activations for the longest possible batch, allocated once rather than grown as longer batches come.
  model.encoder.reserve(B, stream.maxSeqLength);
  const buffers = { outputs: model.kernels.allocFloat(B * model.heads.maxOutputs), dOutputs: model.kernels.allocFloat(B * model.heads.maxOutputs) };
  const collective = o.collective ?? singleProcess;
  const step = async (s: number): Promise<StepReport> => {
    const g = goldWeight(o.distillation, s, o.numTrainSteps);
    const batch = stream.batchAt(s);
    const rankTotal = await trainingStep(model, batch, loss, optimizer, s, stepSeed(o.seed, s), g, buffers, collective);
    const { total, perTask } = await globalLosses(rankTotal, loss.taskLosses(), collective);
    const taskLosses: Record<string, Mean> = {};
    o.taskNames.forEach((task, i) => { taskLosses[task] = perTask[i]; });
    const examples = perTask.reduce((n, m) => n + m.count, 0);
    return {
      loss: { sum: total, count: examples },
      taskLosses,
      learningRate: optimizer.learningRate(s),
      lambda: o.distillation.kind === 'none' ? null : g,
      examples,
    };
  };
  return runTrainingLoop(model.arena, step, {
    numTrainSteps: o.numTrainSteps,
    checkpointDir: o.checkpointDir,
    saveEverySteps: o.saveEverySteps,
    saveFinal: o.saveFinal,
    logEverySteps: o.logEverySteps,
    run: o.run,
    log: o.log,
    lossUnit: 'example',
    trainingLog: o.trainingLog,
    trial: o.trial,
    afterStep: o.afterStep ? (s, r) => o.afterStep?.(s, r.loss.count > 0 ? r.loss.sum / r.loss.count : 0) : undefined,
    collective,
  });
}
