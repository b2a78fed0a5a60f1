import { mkdirSync, readFileSync } from 'node:fs';
import { BamError } from '../errors.js';
import { dirname } from 'node:path';
import type { MetricName } from '../data/tasks.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';

/** One trial's dev metrics: per evaluated set (task name; MNLI's mismatched dev set is "mnli-mm"), metrics in order. */
export type TrialResults = Record<string, [MetricName, number][]>;

export interface TrialRecord {
  trial: number;
  seed: number;
  results: TrialResults;
}

/** The original's results.txt: per trial, per task, `<task>: <metric>: <v:.2f> - <metric>: <v:.2f>`. */
export function formatResultsTxt(trials: TrialRecord[]): string {
  const lines: string[] = [];
  for (const t of trials) {
    for (const [task, metrics] of Object.entries(t.results)) {
      lines.push(`${task}: ${metrics.map(([name, v]) => `${name}: ${v.toFixed(2)}`).join(' - ')}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Mean and sample standard deviation (n − 1; null for one trial) of every metric across trials. */
export function aggregateTrials(trials: TrialRecord[]): {
  mean: Record<string, Record<string, number>>;
  std: Record<string, Record<string, number | null>>;
} {
  const mean: Record<string, Record<string, number>> = {};
  const std: Record<string, Record<string, number | null>> = {};
  if (trials.length === 0) return { mean, std };
  for (const [task, metrics] of Object.entries(trials[0].results)) {
    mean[task] = {};
    std[task] = {};
    metrics.forEach(([name], m) => {
      const values = trials.map((t) => t.results[task][m][1]);
      const mu = values.reduce((a, b) => a + b, 0) / values.length;
      mean[task][name] = mu;
      std[task][name] = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mu) ** 2, 0) / (values.length - 1)) : null;
    });
  }
  return { mean, std };
}

/** Rewrites results.txt and results.json from all trials so far (atomically), as the original does after every trial. */
export function writeResults(txtPath: string, jsonPath: string, model: string, trials: TrialRecord[]): void {
  mkdirSync(dirname(txtPath), { recursive: true });
  writeFileAtomic(txtPath, formatResultsTxt(trials));
  writeJsonAtomic(jsonPath, {
    model,
    trials: trials.map((t) => ({ trial: t.trial, seed: t.seed, results: Object.fromEntries(Object.entries(t.results).map(([k, v]) => [k, Object.fromEntries(v)])) })),
    ...aggregateTrials(trials),
  });
}

/** The first `count` trial records of an earlier results.json (to resume a multi-trial run after its last finished trial). */
export function readTrialRecords(jsonPath: string, count: number): TrialRecord[] {
  let trials: { trial: number; seed: number; results: Record<string, Record<string, number>> }[];
  try {
    trials = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { trials: typeof trials }).trials;
  } catch {
    trials = [];
  }
  if (!Array.isArray(trials) || trials.length < count) {
    throw new BamError(`${jsonPath} lacks the results of the ${count} finished trial(s) before the interrupted one; rerun with the settings of that run to resume it, or train under another <model_name>`);
  }
  return trials.slice(0, count).map((t) => ({
    trial: t.trial,
    seed: t.seed,
    results: Object.fromEntries(Object.entries(t.results).map(([task, m]) => [task, Object.entries(m)])) as TrialResults,
  }));
}
