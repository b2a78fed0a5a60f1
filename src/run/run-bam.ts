import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../config/resolve-config.js';
import type { Example } from '../data/example.js';
import { featurize, type FeaturizedDataset } from '../data/featurize.js';
import { taskMultiple, taskWeights } from '../data/task-weighting.js';
import { getTask, type Task } from '../data/tasks.js';
import type { Kernels } from '../engine/kernels.js';
import { BamError } from '../errors.js';
import { singleProcess, type Collective } from '../parallel/collective.js';
import { rankSlice } from '../parallel/slices.js';
import type { BertModel } from '../model/bert-model.js';
import type { FullTokenizer } from '../tokenization/index.js';
import { BatchStream, type TeacherTargets } from '../train/batches.js';
import { MultitaskLoss } from '../train/multitask-loss.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { train, type Distillation } from '../train/trainer.js';
import { TrainingLog } from '../train/training-log.js';
import { unfinishedTrials } from '../train/training-checkpoint.js';
import { predictDataset, scoreOutputs } from './evaluate.js';
import { formatSubmission, writeSubmission } from './glue-submission.js';
import { buildModel, findModelSource, loadTokenizer, type ModelSource } from './model-setup.js';
import { buildPredictionFile, writePredictionFile } from './prediction-files.js';
import { formatResultsTxt, readTrialRecords, writeResults, type TrialRecord, type TrialResults } from './results.js';
import { saveTrainedModel } from './save-model.js';
import { loadTeacherTargets } from './teacher-targets.js';

export interface RunOutcome {
  trials: TrialRecord[];
  interrupted: boolean;
}

/** Everything a trial needs that does not change between trials. */
interface RunContext {
  config: RunConfig;
  kernels: Kernels;
  tasks: Task[];
  source: ModelSource;
  tokenizer: FullTokenizer;
  train: FeaturizedDataset;
  teacher: TeacherTargets | null;
  weights: Record<string, number>;
  maxOutputs: number;
  log: (line: string) => void;
  /** The ranks of a data-parallel run: all compute, rank 0 alone writes files. */
  collective: Collective;
}

function writesFiles(ctx: RunContext): boolean {
  return ctx.collective.rank === 0;
}

function maxLines(config: RunConfig): number | undefined {
  return config.debug ? config.debug_max_lines : undefined;
}

function loadExamples(config: RunConfig, task: Task, split: string): Example[] {
  const multiple = taskMultiple(task.name, split, { datasetMultiples: config.dataset_multiples, taskWeightExponent: config.task_weight_exponent });
  return task.getExamples(config.raw_data_dir(task.name), split, {
    maxLines: maxLines(config),
    multiple,
    doubleUnordered: config.double_unordered,
    maxRows: split === 'train' ? config.train_max_examples[task.name] : undefined,
  });
}

function distillation(config: RunConfig): Distillation {
  if (!config.distill) return { kind: 'none' };
  return config.teacher_annealing ? { kind: 'annealing' } : { kind: 'fixed', distillWeight: config.distill_weight };
}

/** A digest of everything that determines a trial's training, so a checkpoint is only resumed into the same run. */
function fingerprint(ctx: RunContext, trial: number, seed: number, numTrainSteps: number): string {
  const { config } = ctx;
  const relevant = {
    trial, seed, numTrainSteps, model: ctx.source.config, weights: ctx.weights, n: ctx.train.n,
    hparams: Object.fromEntries(Object.entries(config).filter(([, v]) => typeof v !== 'function')),
  };
  return createHash('sha256').update(JSON.stringify(relevant)).update(ctx.train.inputIds).digest('hex');
}

/**
 * A split of a task, featurized and run through the model in eval mode; data-parallel, each rank runs its share of
 * the examples and the outputs are gathered (a sum over ranks of disjoint rows) on every rank.
 */
async function predictSplit(ctx: RunContext, model: BertModel, task: Task, split: string, batchSize: number): Promise<{ data: FeaturizedDataset; outputs: Float32Array }> {
  const data = featurize(loadExamples(ctx.config, task, split), ctx.config.task_names, ctx.tokenizer, ctx.config.max_seq_length);
  const { rank, size } = ctx.collective;
  const outputs = predictDataset(model, data, batchSize, rankSlice(data.n, rank, size));
  if (size > 1) await ctx.collective.allReduceSum(outputs);
  return { data, outputs };
}

function writePredictions(ctx: RunContext, trial: number, task: Task, split: string, data: FeaturizedDataset, outputs: Float32Array): void {
  const { config } = ctx;
  if (!writesFiles(ctx)) return;
  const path = split === 'train' ? config.distill_outputs(task.name, trial) : config.test_outputs(task.name, split, trial);
  const settings = { doubleUnordered: config.double_unordered, maxLines: maxLines(config) ?? null };
  writePredictionFile(path, buildPredictionFile(config.model_name, trial, task, split, data.eids, outputs, ctx.maxOutputs, settings));
}

/** Dev metrics of every task (MNLI: matched and mismatched); with `trial`, also writes the dev predictions. */
async function evaluateDev(ctx: RunContext, model: BertModel, trial: number | null): Promise<TrialResults> {
  const results: TrialResults = {};
  for (const task of ctx.tasks) {
    for (const split of task.devSplits) {
      const { data, outputs } = await predictSplit(ctx, model, task, split, ctx.config.eval_batch_size);
      results[task.resultKey(split)] = scoreOutputs(task, data, outputs, ctx.maxOutputs);
      if (trial !== null) writePredictions(ctx, trial, task, split, data, outputs);
    }
  }
  return results;
}

/** Whether the trial writes dev/test predictions and GLUE files (the first n_writes_test trials). */
function writesTestOutputs(config: RunConfig, trial: number): boolean {
  return config.write_test_outputs && trial <= config.n_writes_test;
}

/** Writes train predictions (distillation targets), test predictions and GLUE submission files, as configured. */
async function writeOutputs(ctx: RunContext, model: BertModel, trial: number): Promise<void> {
  const { config } = ctx;
  for (const task of ctx.tasks) {
    if (config.write_distill_outputs && trial <= config.n_writes_distill) {
      const { data, outputs } = await predictSplit(ctx, model, task, 'train', config.predict_batch_size);
      writePredictions(ctx, trial, task, 'train', data, outputs);
    }
    if (!writesTestOutputs(config, trial)) continue;
    for (const split of task.testSplits) {
      const { data, outputs } = await predictSplit(ctx, model, task, split, config.predict_batch_size);
      writePredictions(ctx, trial, task, split, data, outputs);
      const file = task.submissionFile(split);
      if (file !== null && writesFiles(ctx)) writeSubmission(join(config.outputs_dir, `glue_submission_${trial}`), file, formatSubmission(task, data.eids, outputs, ctx.maxOutputs));
    }
  }
}

async function runTrial(ctx: RunContext, trial: number): Promise<TrialRecord | null> {
  const { config, kernels } = ctx;
  const seed = config.seed + trial - 1;
  const model = buildModel(kernels, ctx.source, ctx.tasks, seed);
  const stream = new BatchStream(ctx.train, ctx.teacher, ctx.tasks.length, ctx.maxOutputs, config.train_batch_size, seed);
  const numTrainSteps = Math.trunc(stream.stepsPerEpoch * config.num_train_epochs);
  const loss = new MultitaskLoss(kernels, ctx.tasks.map((t) => t.lossHead(ctx.weights[t.name])), ctx.maxOutputs, config.train_batch_size, config.temperature);
  const optimizer = new AdamWeightDecay(kernels, model.arena, {
    learningRate: config.learning_rate,
    numTrainSteps,
    warmupProportion: config.warmup_proportion,
    lrDecay: config.lr_decay,
    weightDecayRate: config.weight_decay_rate,
    numLayers: ctx.source.config.numHiddenLayers,
  });
  ctx.log(`trial ${trial}/${config.num_trials}: ${ctx.train.n} train examples (${stream.paddedSize} padded), ${numTrainSteps} steps of ${config.train_batch_size}, seed ${seed}`);
  const checkpointDir = join(config.checkpoints_dir, `trial_${trial}`);
  const trainingLog = new TrainingLog(join(config.model_dir, 'training_log.jsonl'));
  const result = await train(model, stream, loss, optimizer, {
    numTrainSteps,
    seed,
    distillation: distillation(config),
    taskNames: config.task_names,
    trainingLog,
    trial,
    checkpointDir,
    saveEverySteps: config.save_checkpoints_steps,
    saveFinal: config.keep_checkpoints,
    logEverySteps: config.iterations_per_loop,
    run: { fingerprint: fingerprint(ctx, trial, seed, numTrainSteps), numTrainSteps },
    log: ctx.log,
    collective: ctx.collective,
    afterStep: config.eval_every_steps > 0
      ? async (step) => {
        if (step % config.eval_every_steps !== 0 || step === numTrainSteps) return;
        const dev = await evaluateDev(ctx, model, null);
        if (writesFiles(ctx)) trainingLog.append({ type: 'eval', trial, step, dev });
        ctx.log(`step ${step} dev: ${formatResultsTxt([{ trial, seed, results: dev }]).trim().replace(/\n/g, ' | ')}`);
      }
      : undefined,
  });
  if (result.interrupted) return null;
  const results = await evaluateDev(ctx, model, writesTestOutputs(config, trial) ? trial : null);
  await writeOutputs(ctx, model, trial);
  if (writesFiles(ctx)) {
    trainingLog.append({ type: 'eval', trial, step: numTrainSteps, dev: results });
    saveTrainedModel(join(config.model_dir, `model_${trial}`), model, ctx.tasks, ctx.source.vocabPath, config.do_lower_case, config.max_seq_length);
    if (!config.keep_checkpoints) rmSync(checkpointDir, { recursive: true, force: true });
  }
  return { trial, seed, results };
}

/**
 * `bam run`: the original's main(): for each trial, train on all tasks, evaluate every task's dev set, rewrite
 * results.txt/results.json, write the distillation and test outputs, and save the model. An interrupted trial leaves
 * a checkpoint from which the same command resumes.
 */
export async function runBam(
  config: RunConfig, kernels: Kernels, log: (line: string) => void, collective: Collective = singleProcess,
): Promise<RunOutcome> {
  if (!existsSync(config.bam_dir)) {
    throw new BamError(`bam_dir ${config.bam_dir} not found; lay one out with: bam init ${config.bam_dir} --glue <folder of a GLUE download>`);
  }
  const tasks = config.task_names.map(getTask);
  const source = findModelSource(config);
  const tokenizer = loadTokenizer(config, source);
  if (collective.rank === 0) mkdirSync(config.model_dir, { recursive: true });
  const examples = tasks.flatMap((t) => loadExamples(config, t, 'train'));
  const sizes: Record<string, number> = {};
  for (const e of examples) sizes[e.task] = (sizes[e.task] ?? 0) + 1;
  const weights = taskWeights(config.task_names, sizes, { datasetMultiples: config.dataset_multiples, taskWeightExponent: config.task_weight_exponent });
  const maxOutputs = Math.max(1, ...tasks.map((t) => t.numOutputs));
  const trainData = featurize(examples, config.task_names, tokenizer, config.max_seq_length);
  const teacher = config.distill ? loadTeacherTargets(config, tasks, trainData, maxOutputs) : null;
  const ctx: RunContext = { config, kernels, tasks, source, tokenizer, train: trainData, teacher, weights, maxOutputs, log, collective };
  log(`${config.model_name}: tasks ${config.task_names.join(', ')}; train sizes ${tasks.map((t) => `${t.name} ${sizes[t.name] ?? 0}`).join(', ')}; ` +
    `loss weights ${tasks.map((t) => `${t.name} ${weights[t.name].toFixed(4)}`).join(', ')}; ${source.weights ? `pretrained ${source.weights.dir}` : 'random initialisation'}; kernels ${kernels.backend}`);

  // As the original, a run starts with an empty checkpoints folder, unless a trial was interrupted: then the finished
  // trials are kept and training resumes from that trial's checkpoint.
  // Rank 0's folders decide, for every rank.
  const writes = collective.rank === 0;
  const unfinished = writes ? unfinishedTrials(config.checkpoints_dir) : [];
  const shared = new Float32Array([unfinished.length > 0 ? unfinished[0] : 1]);
  await collective.broadcast(shared, 0);
  const firstTrial = shared[0];
  if (writes && unfinished.length === 0) rmSync(config.checkpoints_dir, { recursive: true, force: true });
  const trials: TrialRecord[] = writes && firstTrial > 1 ? readTrialRecords(config.results_json, firstTrial - 1) : [];
  for (let trial = firstTrial; trial <= config.num_trials; trial++) {
    const record = await runTrial(ctx, trial);
    if (!record) return { trials, interrupted: true };
    trials.push(record);
    if (writes) writeResults(config.results_txt, config.results_json, config.model_name, trials);
  }
  return { trials, interrupted: false };
}
