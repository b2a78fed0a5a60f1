import { existsSync } from 'node:fs';
import { BamError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';

/** One trial of a results.json (written by src/run/results.ts): dev metrics per evaluated set. */
export interface ResultsTrial {
  trial: number;
  seed: number;
  results: Record<string, Record<string, number>>;
}

/** The trials of `<model_dir>/results.json`, or undefined when the model has not finished a trial yet. */
export function readResultsFile(path: string): ResultsTrial[] | undefined {
  if (!existsSync(path)) return undefined;
  const fix = 'results.json is written by bam run (rerun the model to rewrite it)';
  const fail = (what: string): never => {
    throw new BamError(`${path}: ${what}; ${fix}`);
  };
  const json = readJsonFile(path, 'results file', fix);
  const trials = (json as { trials?: unknown } | null)?.trials;
  if (!Array.isArray(trials)) return fail('no "trials" list');
  return trials.map((t: unknown, i): ResultsTrial => {
    const { trial, seed, results } = (t ?? {}) as Record<string, unknown>;
    if (!Number.isSafeInteger(trial) || !Number.isSafeInteger(seed)) fail(`trial ${i + 1} lacks an integer "trial" or "seed"`);
    if (typeof results !== 'object' || results === null) return fail(`trial ${i + 1} has no "results" object`);
    for (const [task, metrics] of Object.entries(results)) {
      const values = Object.values((metrics ?? {}) as Record<string, unknown>);
      if (typeof metrics !== 'object' || metrics === null || values.some((v) => typeof v !== 'number')) {
        fail(`trial ${i + 1} has non-numeric metrics for "${task}"`);
      }
    }
    return { trial: trial as number, seed: seed as number, results: results as ResultsTrial['results'] };
  });
}
