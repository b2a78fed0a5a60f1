import { resolveConfig } from '../config/resolve-config.js';
import {
  closestMatch,
  DEFAULT_HPARAMS,
  isFolderName,
  isKnownTask,
  KNOWN_TASKS,
  showValue,
  type TaskName,
} from '../config/hparams.js';
import { BamError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';

/**
 * An experiment recipe: pretraining (optional) plus single-task, multi-task and BAM runs over several seeds, as one
 * JSON file. `expandRecipe` turns it into the `bam run` calls it stands for.
 */

/** How a run is trained (see METHOD_MEANING). */
export const METHODS = ['single', 'multi', 'bam', 'bam_fixed', 'single_random'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_MEANING: Readonly<Record<Method, string>> = {
  single: 'one single-task model per task, from the pretrained encoder',
  multi: 'one multi-task model on all tasks',
  bam: 'multi-task student distilled from the single-task teachers of the same seed, with teacher annealing',
  bam_fixed: 'as bam, without teacher annealing: a fixed distill_weight',
  single_random: 'one single-task model per task, from random initialisation',
};

/** Methods that train one model per task. */
const SINGLE_TASK_METHODS: readonly Method[] = ['single', 'single_random'];
/** Methods whose students distill the `single` runs. */
const DISTILLED_METHODS: readonly Method[] = ['bam', 'bam_fixed'];

export interface PretrainStep {
  /** Folder under `<bam_dir>/pretrained_models/` the pretrained encoder goes to; every run starts from it. */
  model_name: string;
  /** `bam pretrain` hparams, passed through unchanged (the pretrain command checks them). */
  hparams: Record<string, unknown>;
}

export interface ExperimentRecipe {
  name: string;
  glue_dir?: string;
  pretrain?: PretrainStep;
  tasks: TaskName[];
  seeds: number[];
  /** `bam run` hparams common to every run. */
  hparams: Record<string, unknown>;
  /** Overrides of single-task runs, per task. */
  task_hparams: Partial<Record<TaskName, Record<string, unknown>>>;
  methods: Method[];
  bam_fixed_distill_weight: number;
}

/** One `bam run <model_name> <bam_dir> '<hparams>'` of an experiment. */
export interface ExperimentRun {
  model_name: string;
  method: Method;
  seed: number;
  /** The task of a single-task run; null for multi-task runs. */
  task: TaskName | null;
  /** The complete hparams JSON of the run. */
  hparams: Record<string, unknown>;
  /** Model names that must be trained before this one (a student's teachers). */
  dependencies: string[];
}

const RECIPE_KEYS = [
  'name',
  'glue_dir',
  'pretrain',
  'tasks',
  'seeds',
  'hparams',
  'task_hparams',
  'methods',
  'bam_fixed_distill_weight',
] as const;
const REQUIRED_KEYS = ['name', 'tasks', 'seeds', 'methods'] as const;
const PRETRAIN_KEYS = ['model_name', 'hparams'] as const;

/** Hparams the recipe sets for each run, with what to write instead. */
const RECIPE_CONTROLLED: Readonly<Record<string, string>> = {
  model_name: 'model names are made from the recipe name, method, task and seed',
  task_names: 'set "tasks"',
  seed: 'set "seeds": one run per seed',
  num_trials: 'set "seeds": one run per seed',
  distill: 'add "bam" or "bam_fixed" to "methods"',
  teachers: 'the bam methods distill the "single" runs of the same seed',
  teacher_annealing: '"bam" anneals, "bam_fixed" does not',
  distill_weight: 'set "bam_fixed_distill_weight"',
  pretrained: 'add "single_random" to "methods" for runs from random initialisation',
};

/** Reads and validates an experiment recipe file. */
export function readRecipe(path: string): ExperimentRecipe {
  return parseRecipe(readJsonFile(path, 'experiment recipe', 'pass the path of a recipe JSON file, one JSON object'), path);
}

/** Validates a parsed recipe; `source` names it in error messages (a file path). */
export function parseRecipe(value: unknown, source: string): ExperimentRecipe {
  const fail = (message: string): never => {
    throw new BamError(`${source}: ${message}`);
  };
  const top = asObject(value, 'the recipe', fail);
  checkKeys(top, RECIPE_KEYS, 'recipe key', fail);
  for (const key of REQUIRED_KEYS) if (!Object.hasOwn(top, key)) fail(`"${key}" is missing; a recipe needs ${REQUIRED_KEYS.join(', ')}`);

  if (!isFolderName(top.name)) fail(`"name" must be a folder name (not empty, no "/" or "\\"), got ${showValue(top.name)}`);
  if (top.glue_dir !== undefined && (typeof top.glue_dir !== 'string' || top.glue_dir === '')) {
    fail(`"glue_dir" must be a non-empty path, got ${showValue(top.glue_dir)}`);
  }
  const tasks = parseList(top.tasks, '"tasks"', KNOWN_TASKS, fail);
  const methods = parseList(top.methods, '"methods"', METHODS, fail);
  const seeds = parseSeeds(top.seeds, fail);
  const hparams = parseHparams(top.hparams ?? {}, '"hparams"', fail);
  if (top.pretrain !== undefined && hparams.pretrained_model_name !== undefined) {
    fail('"hparams" sets "pretrained_model_name" but "pretrain" makes the encoder; remove one of them');
  }
  const taskHparams = parseTaskHparams(top.task_hparams ?? {}, tasks, fail);
  const distillWeight = top.bam_fixed_distill_weight ?? DEFAULT_HPARAMS.distill_weight;
  if (typeof distillWeight !== 'number' || !(distillWeight >= 0 && distillWeight <= 1)) {
    fail(`"bam_fixed_distill_weight" must be a number in [0, 1], got ${showValue(distillWeight)}`);
  }
  const distilled = methods.filter((m) => DISTILLED_METHODS.includes(m));
  if (distilled.length > 0 && !methods.includes('single')) {
    fail(`method "${distilled[0]}" distills the "single" runs; add "single" to "methods"`);
  }
  // The teachers must write their train predictions (trial 1), which the students read.
  const silent = [hparams, ...Object.values(taskHparams)].find((h) => h !== undefined && (h.write_distill_outputs === false || h.n_writes_distill === 0));
  if (distilled.length > 0 && silent !== undefined) {
    const key = silent.write_distill_outputs === false ? '"write_distill_outputs": false' : '"n_writes_distill": 0';
    fail(`${key} leaves the bam students without teacher predictions; remove it`);
  }
  const recipe: ExperimentRecipe = {
    name: top.name as string,
    tasks,
    seeds,
    hparams,
    task_hparams: taskHparams,
    methods,
    bam_fixed_distill_weight: distillWeight as number,
  };
  if (top.glue_dir !== undefined) recipe.glue_dir = top.glue_dir as string;
  if (top.pretrain !== undefined) recipe.pretrain = parsePretrain(top.pretrain, fail);
  // Every run, common hparams and overrides merged, must be one that `bam run` accepts.
  for (const run of expandRecipe(recipe)) checkRunHparams(run.hparams, `run "${run.model_name}"`, fail);
  return recipe;
}

/**
 * The runs of a recipe, seed by seed in METHODS order, each after the runs it depends on (a student after its
 * teachers). Names: `<name>-<method>-<task>-s<seed>` for single-task runs, `<name>-<method>-s<seed>` otherwise.
 */
export function expandRecipe(recipe: ExperimentRecipe): ExperimentRun[] {
  const runs: ExperimentRun[] = [];
  const base: Record<string, unknown> = { ...recipe.hparams, num_trials: 1 };
  if (recipe.pretrain !== undefined) base.pretrained_model_name = recipe.pretrain.model_name;
  for (const seed of recipe.seeds) {
    for (const method of METHODS.filter((m) => recipe.methods.includes(m))) {
      if (SINGLE_TASK_METHODS.includes(method)) {
        for (const task of recipe.tasks) {
          const hparams: Record<string, unknown> = { ...base, ...recipe.task_hparams[task], task_names: [task], seed };
          if (method === 'single_random') hparams.pretrained = false;
          runs.push({ model_name: runName(recipe.name, method, seed, task), method, seed, task, hparams, dependencies: [] });
        }
        continue;
      }
      const hparams: Record<string, unknown> = { ...base, task_names: [...recipe.tasks], seed };
      let dependencies: string[] = [];
      if (DISTILLED_METHODS.includes(method)) {
        const teachers = Object.fromEntries(recipe.tasks.map((task) => [task, runName(recipe.name, 'single', seed, task)]));
        dependencies = Object.values(teachers);
        Object.assign(hparams, { distill: true, teachers, teacher_annealing: method === 'bam' });
        if (method === 'bam_fixed') hparams.distill_weight = recipe.bam_fixed_distill_weight;
      }
      runs.push({ model_name: runName(recipe.name, method, seed, null), method, seed, task: null, hparams, dependencies });
    }
  }
  return runs;
}

export function runName(experiment: string, method: Method, seed: number, task: TaskName | null): string {
  return task === null ? `${experiment}-${method}-s${seed}` : `${experiment}-${method}-${task}-s${seed}`;
}

type Fail = (message: string) => never;

function asObject(value: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be a JSON object, got ${showValue(value)}`);
  return value as Record<string, unknown>;
}

function checkKeys(object: Record<string, unknown>, allowed: readonly string[], what: string, fail: Fail): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const suggestion = closestMatch(key, allowed);
    const didYouMean = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    fail(`unknown ${what} "${key}"${didYouMean}; allowed: ${allowed.join(', ')}`);
  }
}

/** A non-empty list of distinct names from `allowed`. */
function parseList<T extends string>(value: unknown, what: string, allowed: readonly T[], fail: Fail): T[] {
  const choices = `allowed: ${allowed.join(', ')}`;
  if (!Array.isArray(value) || value.length === 0) fail(`${what} must be a non-empty list, got ${showValue(value)}; ${choices}`);
  const list = value as unknown[];
  list.forEach((item, i) => {
    if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item)) {
      const suggestion = typeof item === 'string' ? closestMatch(item, allowed) : undefined;
      fail(`${what} has unknown ${showValue(item)}${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}; ${choices}`);
    }
    if (list.indexOf(item) !== i) fail(`${what} lists "${item as string}" twice; list each once`);
  });
  return list as T[];
}

function parseSeeds(value: unknown, fail: Fail): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(`"seeds" must be a non-empty list of integers >= 0, got ${showValue(value)}`);
  const seeds = value as unknown[];
  seeds.forEach((seed, i) => {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) fail(`"seeds" must hold integers >= 0, got ${showValue(seed)}`);
    if (seeds.indexOf(seed) !== i) fail(`"seeds" lists ${seed} twice; list each seed once`);
  });
  return seeds as number[];
}

/** An hparams object: known `bam run` hparams of the right type, none that the recipe sets itself. */
function parseHparams(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  const hparams = asObject(value, where, fail);
  for (const key of Object.keys(hparams)) {
    if (Object.hasOwn(RECIPE_CONTROLLED, key)) fail(`${where} sets "${key}", which the recipe sets for each run: ${RECIPE_CONTROLLED[key]}`);
  }
  checkRunHparams(hparams, where, fail);
  return { ...hparams };
}

/** Checks hparams the way `bam run` does (names with did-you-mean, types, combinations). */
function checkRunHparams(hparams: Record<string, unknown>, where: string, fail: Fail): void {
  try {
    resolveConfig('recipe-check', 'bam_dir', hparams);
  } catch (e) {
    if (e instanceof BamError) fail(`${where}: ${e.message}`);
    throw e;
  }
}

function parseTaskHparams(value: unknown, tasks: TaskName[], fail: Fail): ExperimentRecipe['task_hparams'] {
  const perTask = asObject(value, '"task_hparams"', fail);
  const result: ExperimentRecipe['task_hparams'] = {};
  for (const [task, hparams] of Object.entries(perTask)) {
    if (!isKnownTask(task) || !tasks.includes(task)) {
      const suggestion = closestMatch(task, tasks);
      fail(`"task_hparams" has task "${task}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}, which is not in "tasks" (${tasks.join(', ')})`);
    }
    result[task as TaskName] = parseHparams(hparams, `"task_hparams"."${task}"`, fail);
  }
  return result;
}

function parsePretrain(value: unknown, fail: Fail): PretrainStep {
  const pretrain = asObject(value, '"pretrain"', fail);
  checkKeys(pretrain, PRETRAIN_KEYS, '"pretrain" key', fail);
  if (!isFolderName(pretrain.model_name)) {
    fail(`"pretrain"."model_name" must be a folder name under <bam_dir>/pretrained_models, got ${showValue(pretrain.model_name)}`);
  }
  return { model_name: pretrain.model_name as string, hparams: { ...asObject(pretrain.hparams ?? {}, '"pretrain"."hparams"', fail) } };
}
