import type { ParameterArena } from '../model/arena.js';
import { broadcastBuffer, singleProcess, type Collective } from '../parallel/collective.js';
import { formatDuration } from './progress.js';
import { restoreTrainingCheckpoint, saveTrainingCheckpoint, type RunIdentity } from './training-checkpoint.js';
import type { TrainingLog } from './training-log.js';

/** A mean kept as its sum and count, so that steps of an interval combine exactly. */
export interface Mean {
  sum: number;
  count: number;
}

/** What one optimisation step reports to the loop. */
export interface StepReport {
  /** The loss summed over the step's examples (masked positions for MLM) and their count. */
  loss: Mean;
  /** Fine-tuning: each task's own (unweighted) loss over its examples of the step. */
  taskLosses?: Record<string, Mean>;
  /** Pretraining: masked positions predicted right, of all masked positions. */
  mlmAccuracy?: Mean;
  learningRate: number;
  /** The teacher-annealing gold weight of the step; null when not distilling. */
  lambda: number | null;
  /** Examples (sequences) in the step. */
  examples: number;
}

export interface LoopOptions {
  numTrainSteps: number;
  /** Where the resumable checkpoint lives; null disables checkpoints and resume. */
  checkpointDir: string | null;
  /** Save a checkpoint every this many steps (and on interruption). */
  saveEverySteps: number;
  /** Also save a checkpoint when training completes. */
  saveFinal: boolean;
  /** Log every this many steps; lines also come after the first step and at least every `logEverySeconds`. */
  logEverySteps: number;
  logEverySeconds?: number;
  run: RunIdentity;
  /** Progress lines go here (stderr in the CLI). */
  log: (line: string) => void;
  /** What the mean loss is per, for the progress line: "example", "masked token". */
  lossUnit: string;
  /** training_log.jsonl, when the run keeps one; `trial` tags its records. */
  trainingLog?: TrainingLog;
  trial?: number;
  /** Called after every step (evaluation hooks, tests); a promise it returns is awaited. */
  afterStep?: (step: number, report: StepReport) => unknown;
  /**
   * The ranks training together. Rank 0 alone reads and writes the checkpoint and writes the log; it broadcasts
   * the restored state, and every rank stops at the same step when any is interrupted.
   */
  collective?: Collective;
}

export interface LoopResult {
  /** Steps completed (numTrainSteps unless interrupted). */
  steps: number;
  /** The step training resumed from, when it did. */
  resumedFrom: number | null;
  interrupted: boolean;
  /** The mean loss of the last step. */
  finalLoss: number;
}

/** Sums of the step reports since the last log line. */
class Interval {
  loss: Mean = { sum: 0, count: 0 };
  taskLosses = new Map<string, Mean>();
  mlmAccuracy: Mean | null = null;
  examples = 0;
  steps = 0;

  add(r: StepReport): void {
    this.loss.sum += r.loss.sum;
    this.loss.count += r.loss.count;
    for (const [task, m] of Object.entries(r.taskLosses ?? {})) {
      const t = this.taskLosses.get(task) ?? { sum: 0, count: 0 };
      t.sum += m.sum;
      t.count += m.count;
      this.taskLosses.set(task, t);
    }
    if (r.mlmAccuracy) {
      this.mlmAccuracy ??= { sum: 0, count: 0 };
      this.mlmAccuracy.sum += r.mlmAccuracy.sum;
      this.mlmAccuracy.count += r.mlmAccuracy.count;
    }
    this.examples += r.examples;
    this.steps++;
  }
}

/** Whether any rank was interrupted (Ctrl-C, SIGTERM), so that all stop after the same step. */
async function agreedInterruption(interrupted: boolean, c: Collective): Promise<boolean> {
  if (c.size === 1) return interrupted;
  const flag = new Float32Array([interrupted ? 1 : 0]);
  await c.allReduceSum(flag);
  return flag[0] > 0;
}

const mean = (m: Mean): number => (m.count > 0 ? m.sum / m.count : Number.NaN);

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/**
 * The training loop shared by fine-tuning and pretraining: `step(s)` runs optimisation step s (its data and dropout
 * a function of s alone), for numTrainSteps steps, resuming from the checkpoint in checkpointDir when one is there.
 * Progress lines show the mean loss over the steps since the previous line; the same numbers go to
 * training_log.jsonl. SIGINT/SIGTERM stop the loop after the current step and save a checkpoint, so the run can be
 * resumed with the same command.
 */
export async function runTrainingLoop(
  arena: ParameterArena, step: (s: number) => StepReport | Promise<StepReport>, o: LoopOptions,
): Promise<LoopResult> {
  const collective = o.collective ?? singleProcess;
  const writes = collective.rank === 0;
  const checkpointDir = writes ? o.checkpointDir : null;
  let start = 0;
  let resumedFrom: number | null = null;
  const restored = checkpointDir ? restoreTrainingCheckpoint(checkpointDir, arena, o.run) : null;
  if (collective.size > 1) {
    // Only rank 0's disk need hold the checkpoint: the others take its state (or its fresh initialisation).
    const shared = new Float32Array([restored ?? -1]);
    await collective.broadcast(shared, 0);
    for (const buffer of [arena.values, arena.adamM, arena.adamV]) await broadcastBuffer(arena.kernels, collective, buffer, 0);
    if (shared[0] >= 0) {
      start = shared[0];
      resumedFrom = start;
    }
  } else if (restored !== null) {
    start = restored;
    resumedFrom = restored;
  }
  if (resumedFrom !== null) o.log(`resuming from the checkpoint at step ${resumedFrom}/${o.numTrainSteps}`);
  const trainingLog = writes ? o.trainingLog : undefined;
  trainingLog?.prepare(o.trial, resumedFrom);
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const began = process.hrtime.bigint();
  let lastLine = began;
  let interval = new Interval();
  const everySeconds = o.logEverySeconds ?? 30;
  let s = start;
  let lastLoss = Number.NaN;
  let lastReport: StepReport | null = null;
  const report = (): void => {
    if (!lastReport || interval.steps === 0) return;
    const elapsed = seconds(began);
    const sinceLine = seconds(lastLine);
    const rate = sinceLine > 0 ? interval.examples / sinceLine : 0;
    const stepsPerSecond = elapsed > 0 ? (s - start) / elapsed : 0;
    const eta = stepsPerSecond > 0 ? (o.numTrainSteps - s) / stepsPerSecond : Number.NaN;
    // A task with no example since the last line has no mean loss: the line and the log record leave it out.
    const multitask = interval.taskLosses.size > 1;
    const withExamples = [...interval.taskLosses].filter(([, m]) => m.count > 0);
    const tasks = withExamples.map(([task, m]) => `${task} ${mean(m).toFixed(4)}`);
    const accuracy = interval.mlmAccuracy ? mean(interval.mlmAccuracy) : null;
    o.log(
      `step ${s}/${o.numTrainSteps} = ${((100 * s) / o.numTrainSteps).toFixed(1)}%, ${rate.toFixed(1)} examples/s, ` +
      `elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)} - mean loss per ${o.lossUnit}: ${mean(interval.loss).toFixed(4)}` +
      `${multitask ? ` (${tasks.join(', ')})` : ''}${accuracy === null ? '' : `, MLM accuracy: ${(100 * accuracy).toFixed(2)}%`}` +
      `${lastReport.lambda === null ? '' : `, lambda: ${lastReport.lambda.toFixed(3)}`}`,
    );
    trainingLog?.append({
      type: 'train',
      ...(o.trial === undefined ? {} : { trial: o.trial }),
      step: s,
      total_steps: o.numTrainSteps,
      lr: lastReport.learningRate,
      ...(lastReport.taskLosses ? { lambda: lastReport.lambda } : {}),
      loss: mean(interval.loss),
      ...(lastReport.taskLosses ? { task_losses: Object.fromEntries(withExamples.map(([t, m]) => [t, mean(m)])) } : {}),
      ...(accuracy === null ? {} : { mlm_accuracy: accuracy }),
      examples_per_s: rate,
      elapsed_s: elapsed,
    });
    interval = new Interval();
    lastLine = process.hrtime.bigint();
  };
  try {
    while (s < o.numTrainSteps) {
      interrupted = await agreedInterruption(interrupted, collective);
      if (interrupted) break;
      lastReport = await step(s);
      interval.add(lastReport);
      lastLoss = mean(lastReport.loss);
      s++;
      await o.afterStep?.(s, lastReport);
      if (s === start + 1 || s % o.logEverySteps === 0 || s === o.numTrainSteps || seconds(lastLine) >= everySeconds) report();
      if (checkpointDir && s % o.saveEverySteps === 0 && s < o.numTrainSteps) saveTrainingCheckpoint(checkpointDir, arena, s, o.run);
      // Let signal handlers run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (checkpointDir && o.saveFinal && s === o.numTrainSteps) saveTrainingCheckpoint(checkpointDir, arena, s, o.run);
    if (interrupted) {
      report();
      if (checkpointDir) {
        saveTrainingCheckpoint(checkpointDir, arena, s, o.run);
        o.log(`interrupted at step ${s}/${o.numTrainSteps}: checkpoint saved in ${checkpointDir}; run the same command again to resume`);
      } else {
        o.log(`interrupted at step ${s}/${o.numTrainSteps}; nothing was saved (this run keeps no checkpoints)`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { steps: s, resumedFrom, interrupted, finalLoss: lastLoss };
}
