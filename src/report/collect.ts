import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BamError } from '../errors.js';
import { expandRecipe, type ExperimentRecipe } from '../experiment/recipe.js';
import { readResultsFile, type ResultsTrial } from './results-file.js';
import { scoreMetrics } from './task-score.js';
import { readPretrainLog, readRunLog, TRAINING_LOG, type PretrainLog, type RunLog } from './training-log.js';

/** What a report is made from: the runs' results and logs as found on disk, missing ones included. */
export interface ReportInput {
  title: string;
  /** Evaluated sets, in column order (tasks, and mnli-mm after mnli). */
  columns: string[];
  /** Table rows in order: the recipe's methods, or the model names. */
  groups: string[];
  runs: ReportRun[];
  /** The row the others are compared with ("single"), when there is one. */
  baseline?: string;
  pretrain?: PretrainInput;
}

export interface ReportRun {
  model_name: string;
  /** Its table row: the recipe method, or the model name itself. */
  group: string;
  /** undefined: no results.json yet (not run, or still training). */
  trials: ResultsTrial[] | undefined;
  log: RunLog | undefined;
}

export interface PretrainInput {
  model_name: string;
  dir: string;
  /** undefined: no training log in `dir`. */
  log: PretrainLog | undefined;
}

/**
 * The runs of an experiment recipe under `<bam_dir>/models`, and its pretraining log from
 * `<bam_dir>/pretrained_models/<pretrain.model_name>` (or `pretrainDir`).
 */
export function collectExperiment(bamDir: string, recipe: ExperimentRecipe, pretrainDir?: string): ReportInput {
  const runs = expandRecipe(recipe).map((run) => readRun(bamDir, run.model_name, run.method));
  const columns = recipe.tasks.flatMap((task) => (task === 'mnli' ? ['mnli', 'mnli-mm'] : [task]));
  const input: ReportInput = { title: `Experiment ${recipe.name}`, columns, groups: [...recipe.methods], runs };
  if (recipe.methods.includes('single')) input.baseline = 'single';
  const pretrainName = recipe.pretrain?.model_name;
  if (pretrainName !== undefined || pretrainDir !== undefined) {
    input.pretrain = readPretrain(pretrainDir ?? join(bamDir, 'pretrained_models', pretrainName as string), pretrainName);
  }
  return finish(bamDir, input, pretrainDir);
}

/** Models named on the command line, one table row each, with the columns of every task they evaluated. */
export function collectModels(bamDir: string, modelNames: string[], pretrainDir?: string): ReportInput {
  const runs = modelNames.map((name) => readRun(bamDir, name, name));
  const columns: string[] = [];
  for (const trial of runs.flatMap((run) => run.trials ?? [])) {
    for (const set of Object.keys(trial.results)) if (scoreMetrics(set) !== undefined && !columns.includes(set)) columns.push(set);
  }
  const input: ReportInput = { title: `Models ${modelNames.join(', ')}`, columns, groups: [...new Set(modelNames)], runs };
  if (pretrainDir !== undefined) input.pretrain = readPretrain(pretrainDir, undefined);
  return finish(bamDir, input, pretrainDir);
}

function readRun(bamDir: string, modelName: string, group: string): ReportRun {
  const dir = join(bamDir, 'models', modelName);
  return { model_name: modelName, group, trials: readResultsFile(join(dir, 'results.json')), log: readRunLog(join(dir, TRAINING_LOG)) };
}

function readPretrain(dir: string, modelName: string | undefined): PretrainInput {
  return { model_name: modelName ?? dir, dir, log: readPretrainLog(join(dir, TRAINING_LOG)) };
}

/** A report of nothing helps no one: at least one run or the pretraining must have left a file. */
function finish(bamDir: string, input: ReportInput, pretrainDir: string | undefined): ReportInput {
  const anything = input.runs.some((run) => run.trials !== undefined || run.log !== undefined) || input.pretrain?.log !== undefined;
  if (!anything) {
    const where = existsSync(join(bamDir, 'models')) ? join(bamDir, 'models') : `${bamDir} (it has no models/ folder)`;
    const pretrain = pretrainDir === undefined ? '' : ` nor ${join(pretrainDir, TRAINING_LOG)}`;
    throw new BamError(
      `${where}: none of the ${input.runs.length} runs (${input.runs.map((r) => r.model_name).slice(0, 2).join(', ')}${input.runs.length > 2 ? ', ...' : ''}) has a results.json or ${TRAINING_LOG}${pretrain}; train them first or pass the right bam_dir`,
    );
  }
  return input;
}
