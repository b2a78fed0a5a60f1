import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HPARAM_KEYS } from '../config/hparams.js';
import type { RunConfig } from '../config/resolve-config.js';
import type { Example } from '../data/example.js';
import { featurize, type FeaturizedDataset } from '../data/featurize.js';
import { taskMultiple, taskWeights } from '../data/task-weighting.js';
import { getTask, type Task } from '../data/tasks.js';
import type { Kernels } from '../engine/backend.js';
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
import { predictDataset, predictDatasetAsync, scoreOutputs } from './evaluate.js';
import { InterruptWatch } from './interrupt-watch.js';
import { progressLines } from './progress-lines.js';
import { formatSubmission, writeSubmission } from './glue-submission.js';
import { claimModelFolder, type RunIdentity } from './model-folder.js';
import { buildModel, findModelSource, loadTokenizer, type ModelSource } from './model-setup.js';
import { buildPredictionFile, writePredictionFile } from './prediction-files.js';
import { formatResultsTxt, readTrialRecords, writeResults, type TrialRecord, type TrialResults } from './results.js';
import { saveTrainedModel } from './save-model.js';
import { checkSplitNotEmpty, checkTrainingMemory, checkVocabularyFits, countParameters, trainingSteps } from './run-checks.js';
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
  /** The dev and test splits the run evaluates, read and featurized before training: `<task>/<split>`. */
  splits: Map<string, FeaturizedDataset>;
  numTrainSteps: number;
  /** Ctrl-C/SIGTERM during evaluation and prediction. */
  interrupt: InterruptWatch;
  teacher: TeacherTargets | null;
  weights: Record<string, number>;
  maxOutputs: number;
  log: (line: string) => void;
  /** The ranks of a data-parallel run: all compute, rank 0 alone writes files. */
  collective: Collective;
}

/** Dev results as `{task: {metric: value}}`, as results.json and training_log.jsonl hold them. */
function metricTable(results: TrialResults): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(results).map(([task, metrics]) => [task, Object.fromEntries(metrics)]));
}

function writesFiles(ctx: RunContext): boolean {
  return ctx.collective.rank === 0;
}

function maxLines(config: RunConfig): number | undefined {
  return config.debug ? config.debug_max_lines : undefined;
}

/** More repetitions of a train set than any sensible weighting gives (the original's table gives at most a few). */
const MAX_MULTIPLE = 1000;

function loadExamples(config: RunConfig, task: Task, split: string): Example[] {
  const multiple = taskMultiple(task.name, split, { datasetMultiples: config.dataset_multiples, taskWeightExponent: config.task_weight_exponent });
  if (multiple > MAX_MULTIPLE) {
    throw new BamError(
      `hparam "task_weight_exponent" ${config.task_weight_exponent} with dataset_multiples repeats the ${task.name} train set ${multiple.toPrecision(3)} times; use an exponent from 0 to 1, or set "dataset_multiples": false`,
    );
  }
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

/** Thrown out of an evaluation pass that Ctrl-C stopped; runTrial turns it into the interrupted outcome. */
class EvaluationInterrupted extends Error {}

/**
 * A split of a task, featurized and run through the model in eval mode, with progress lines; data-parallel, each
 * rank runs its share of the examples and the outputs are gathered (a sum over ranks of disjoint rows) on every rank.
 */
async function predictSplit(ctx: RunContext, model: BertModel, task: Task, split: string, batchSize: number): Promise<{ data: FeaturizedDataset; outputs: Float32Array }> {
  const data = ctx.splits.get(`${task.name}/${split}`) ?? readSplit(ctx.config, ctx.tokenizer, task, split);
  const { rank, size } = ctx.collective;
  if (size > 1) {
    const outputs = predictDataset(model, data, batchSize, rankSlice(data.n, rank, size));
    await ctx.collective.allReduceSum(outputs);
    return { data, outputs };
  }
  const outputs = await predictDatasetAsync(model, data, batchSize, progressLines(`${task.name} ${split}`, data.n, ctx.log), ctx.interrupt.requested);
  if (outputs === null) throw new EvaluationInterrupted();
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

/**
 * Dev metrics in the middle of training (eval_every_steps): synchronous, as the training loop's step hook is; the
 * loop itself sees Ctrl-C after it.
 */
function evaluateDevBetweenSteps(ctx: RunContext, model: BertModel): TrialResults {
  const results: TrialResults = {};
  for (const task of ctx.tasks) {
    for (const split of task.devSplits) {
      const data = ctx.splits.get(`${task.name}/${split}`) ?? readSplit(ctx.config, ctx.tokenizer, task, split);
      results[task.resultKey(split)] = scoreOutputs(task, data, predictDataset(model, data, ctx.config.eval_batch_size), ctx.maxOutputs);
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
  const numTrainSteps = ctx.numTrainSteps;
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
    // Always: so that Ctrl-C during the evaluation that follows loses no training (the checkpoint goes after the trial).
    saveFinal: true,
    logEverySteps: config.iterations_per_loop,
    run: { fingerprint: fingerprint(ctx, trial, seed, numTrainSteps), numTrainSteps },
    log: ctx.log,
    collective: ctx.collective,
    afterStep: config.eval_every_steps > 0
      ? async (step) => {
        if (step % config.eval_every_steps !== 0 || step === numTrainSteps) return;
        const dev = evaluateDevBetweenSteps(ctx, model);
        if (writesFiles(ctx)) trainingLog.append({ type: 'eval', trial, step, dev: metricTable(dev) });
        ctx.log(`step ${step} dev: ${formatResultsTxt([{ trial, seed, results: dev }]).trim().replace(/\n/g, ' | ')}`);
      }
      : undefined,
  });
  if (result.interrupted) return null;
  ctx.interrupt.start();
  let results: TrialResults;
  try {
    results = await evaluateDev(ctx, model, writesTestOutputs(config, trial) ? trial : null);
    if (writesFiles(ctx)) trainingLog.append({ type: 'eval', trial, step: numTrainSteps, dev: metricTable(results) });
    await writeOutputs(ctx, model, trial);
  } catch (e) {
    if (!(e instanceof EvaluationInterrupted)) throw e;
    ctx.log(`interrupted while evaluating trial ${trial}: training had finished and its checkpoint is saved in ${checkpointDir}; run the same command again to evaluate and save the model without retraining`);
    return null;
  } finally {
    ctx.interrupt.stop();
  }
  if (writesFiles(ctx)) {
    saveTrainedModel(join(config.model_dir, `model_${trial}`), model, ctx.tasks, ctx.source.vocabPath, config.do_lower_case, config.max_seq_length);
    if (!config.keep_checkpoints) rmSync(checkpointDir, { recursive: true, force: true });
  }
  return { trial, seed, results };
}

/** A split read and featurized, refused when it holds no example. */
function readSplit(config: RunConfig, tokenizer: FullTokenizer, task: Task, split: string): FeaturizedDataset {
  const examples = loadExamples(config, task, split);
  checkSplitNotEmpty(config, task.name, split, examples.length);
  return featurize(examples, config.task_names, tokenizer, config.max_seq_length);
}

/** Hparams that change nothing a run writes, so a folder's owner stays the same when they change. */
const NOT_IDENTITY = new Set(['num_threads', 'iterations_per_loop']);

/** What owns a model folder: `bam run` with the hparams that decide its outputs. */
export function runIdentity(config: RunConfig): RunIdentity {
  const settings = Object.fromEntries(HPARAM_KEYS.filter((k) => !NOT_IDENTITY.has(k)).map((k) => [k, config[k]]));
  return { command: 'bam run', settings };
}

/**
 * Reads and checks everything the run needs before its first step: model config and vocabulary, every split it
 * will read (train, dev, test), the teachers' files, the step count and the memory the settings imply.
 */
function prepareRun(config: RunConfig, kernels: Kernels, log: (line: string) => void, collective: Collective): RunContext {
  const tasks = config.task_names.map(getTask);
  const source = findModelSource(config);
  const tokenizer = loadTokenizer(config, source);
  checkVocabularyFits(tokenizer.vocab, source.config, source.weights?.configPath ?? config.bert_config_file);
  const maxOutputs = Math.max(1, ...tasks.map((t) => t.numOutputs));
  checkTrainingMemory(config, source.config, countParameters(source.config, tasks.reduce((n, t) => n + t.numOutputs, 0)));
  const examples = tasks.flatMap((t) => {
    const train = loadExamples(config, t, 'train');
    checkSplitNotEmpty(config, t.name, 'train', train.length);
    return train;
  });
  const sizes: Record<string, number> = {};
  for (const e of examples) sizes[e.task] = (sizes[e.task] ?? 0) + 1;
  const weights = taskWeights(config.task_names, sizes, { datasetMultiples: config.dataset_multiples, taskWeightExponent: config.task_weight_exponent });
  const trainData = featurize(examples, config.task_names, tokenizer, config.max_seq_length);
  const numTrainSteps = trainingSteps(config, trainData.n);
  const splits = new Map<string, FeaturizedDataset>();
  for (const task of tasks) {
    const evaluated = [...task.devSplits, ...(writesTestOutputs(config, 1) ? task.testSplits : [])];
    for (const split of evaluated) splits.set(`${task.name}/${split}`, readSplit(config, tokenizer, task, split));
  }
  const teacher = config.distill ? loadTeacherTargets(config, tasks, trainData, maxOutputs) : null;
  log(`${config.model_name}: tasks ${config.task_names.join(', ')}; train sizes ${tasks.map((t) => `${t.name} ${sizes[t.name] ?? 0}`).join(', ')}; ` +
    `loss weights ${tasks.map((t) => `${t.name} ${weights[t.name].toFixed(4)}`).join(', ')}; ${source.weights ? `pretrained ${source.weights.dir}` : 'random initialisation'}; kernels ${kernels.backend}`);
  return { config, kernels, tasks, source, tokenizer, train: trainData, splits, numTrainSteps, interrupt: new InterruptWatch(), teacher, weights, maxOutputs, log, collective };
}

/**
 * `bam run`: the original's main(): for each trial, train on all tasks, evaluate every task's dev set, rewrite
 * results.txt/results.json, write the distillation and test outputs, and save the model. An interrupted trial leaves
 * a checkpoint from which the same command resumes. The model folder is claimed first (see model-folder.ts), and
 * all inputs are checked before the first step.
 */
export async function runBam(
  config: RunConfig, kernels: Kernels, log: (line: string) => void, options: { overwrite?: boolean; collective?: Collective } = {},
): Promise<RunOutcome> {
  if (!existsSync(config.bam_dir)) {
    throw new BamError(`bam_dir ${config.bam_dir} not found; lay one out with: bam init ${config.bam_dir} --glue <folder of a GLUE download>`);
  }
  const collective = options.collective ?? singleProcess;
  // Rank 0 alone writes, so it alone claims the folder.
  const release = collective.rank === 0 ? claimModelFolder(config.model_dir, runIdentity(config), { overwrite: options.overwrite ?? false }) : null;
  let failed = true;
  try {
    const outcome = await runTrials(prepareRun(config, kernels, log, collective));
    failed = false;
    return outcome;
  } finally {
    release?.({ failed });
  }
}

/** How many trials an earlier results.json records (0 when there is none or it cannot be read). */
function recordedTrials(path: string): number {
  try {
    const trials = (JSON.parse(readFileSync(path, 'utf8')) as { trials?: unknown }).trials;
    return Array.isArray(trials) ? trials.length : 0;
  } catch {
    return 0;
  }
}

async function runTrials(ctx: RunContext): Promise<RunOutcome> {
  const { config, collective } = ctx;
  // As the original, a run starts with an empty checkpoints folder, unless a trial was interrupted: then the finished
  // trials are kept and training resumes from that trial's checkpoint.
  // Rank 0's folders decide, for every rank.
  const writes = collective.rank === 0;
  const unfinished = writes ? unfinishedTrials(config.checkpoints_dir, recordedTrials(config.results_json)) : [];
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
