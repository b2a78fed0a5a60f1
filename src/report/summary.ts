import type { ReportInput, ReportRun } from './collect.js';
import { OUTSIDE_AVERAGE, taskScore } from './task-score.js';
import type { PretrainLog } from './training-log.js';

/** Mean, sample standard deviation (n − 1; null for one value) and count of a set of scores. */
export interface Stat {
  mean: number;
  std: number | null;
  n: number;
}

export interface SummaryRow {
  group: string;
  /** Per column; undefined where no run of the row has a score yet. */
  cells: Record<string, Stat | undefined>;
  /** GLUE-style average over the averaged columns, per seed that has all of them, then over seeds. */
  average: Stat | undefined;
  /** Mean minus the baseline row's mean, per column and for the average; absent on the baseline row itself. */
  gain?: { cells: Record<string, number | undefined>; average: number | undefined };
}

export interface PretrainBudget {
  model_name: string;
  /** The last logged step and the planned total. */
  steps: number;
  total_steps: number;
  /** Σ examples/s × seconds between consecutive train records. */
  examples: number;
  seconds: number;
  /** The last held-out evaluation; undefined before the first one. */
  heldout?: { step: number; mlm_loss: number; mlm_accuracy: number };
}

export interface Summary {
  columns: string[];
  /** The columns the average is taken over. */
  averaged: string[];
  rows: SummaryRow[];
  baseline?: string;
  /** Runs without a results.json, with how far their training got when it has a log. */
  missing: { model_name: string; progress?: string }[];
  pretrain?: PretrainBudget;
}

export function meanStd(values: readonly number[]): Stat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, n };
}

/** The numbers of the report: one row per method (or model), one cell per task, over seeds. */
export function summarize(input: ReportInput): Summary {
  const averaged = input.columns.filter((c) => !OUTSIDE_AVERAGE.includes(c));
  const rows = input.groups.map((group) => summarizeGroup(group, input.runs.filter((r) => r.group === group), input.columns, averaged));
  const base = rows.find((row) => row.group === input.baseline);
  if (base !== undefined) {
    for (const row of rows) {
      if (row === base) continue;
      const diff = (a: Stat | undefined, b: Stat | undefined) => (a === undefined || b === undefined ? undefined : a.mean - b.mean);
      row.gain = {
        cells: Object.fromEntries(input.columns.map((c) => [c, diff(row.cells[c], base.cells[c])])),
        average: diff(row.average, base.average),
      };
    }
  }
  const summary: Summary = {
    columns: input.columns,
    averaged,
    rows,
    missing: input.runs.filter((run) => run.trials === undefined).map(missingRun),
  };
  if (input.baseline !== undefined) summary.baseline = input.baseline;
  if (input.pretrain?.log !== undefined) {
    const budget = pretrainBudget(input.pretrain.model_name, input.pretrain.log);
    if (budget !== undefined) summary.pretrain = budget;
  }
  return summary;
}

function summarizeGroup(group: string, runs: ReportRun[], columns: string[], averaged: string[]): SummaryRow {
  // seed -> column -> score; a recipe has one run per (method, seed, task), a model one trial per seed.
  const bySeed = new Map<number, Map<string, number>>();
  for (const trial of runs.flatMap((run) => run.trials ?? [])) {
    for (const column of columns) {
      const metrics = trial.results[column];
      const score = metrics === undefined ? undefined : taskScore(column, metrics);
      if (score === undefined) continue;
      if (!bySeed.has(trial.seed)) bySeed.set(trial.seed, new Map());
      bySeed.get(trial.seed)?.set(column, score);
    }
  }
  const seeds = [...bySeed.values()];
  const stat = (values: number[]) => (values.length === 0 ? undefined : meanStd(values));
  const cells = Object.fromEntries(
    columns.map((c) => [c, stat(seeds.flatMap((scores) => (scores.has(c) ? [scores.get(c) as number] : [])))]),
  );
  const complete = seeds.filter((scores) => averaged.length > 0 && averaged.every((c) => scores.has(c)));
  const average = stat(complete.map((scores) => averaged.reduce((sum, c) => sum + (scores.get(c) as number), 0) / averaged.length));
  return { group, cells, average };
}

function missingRun(run: ReportRun): { model_name: string; progress?: string } {
  const last = run.log?.train.at(-1);
  return last === undefined ? { model_name: run.model_name } : { model_name: run.model_name, progress: `training: step ${last.step}/${last.total_steps}` };
}

/** Steps, examples, time and final held-out MLM numbers of a pretraining log; undefined before its first record. */
export function pretrainBudget(modelName: string, log: PretrainLog): PretrainBudget | undefined {
  const last = log.train.at(-1);
  if (last === undefined) return undefined;
  let examples = 0;
  let seconds = 0;
  let previous = 0;
  for (const record of log.train) {
    // elapsed_s restarts when a pretraining run is resumed; the interval is then the time since the restart.
    const interval = record.elapsed_s >= previous ? record.elapsed_s - previous : record.elapsed_s;
    examples += record.examples_per_s * interval;
    seconds += interval;
    previous = record.elapsed_s;
  }
  const budget: PretrainBudget = { model_name: modelName, steps: last.step, total_steps: last.total_steps, examples, seconds };
  const heldout = log.eval.at(-1);
  if (heldout !== undefined) budget.heldout = { step: heldout.step, ...heldout.heldout };
  return budget;
}
