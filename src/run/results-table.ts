import { join } from 'node:path';
import { isFolderName, showValue } from '../config/hparams.js';
import { BamError } from '../errors.js';
import { getTask } from '../data/tasks.js';
import { readJsonFile } from '../util/json-file.js';
import { majorityBaselines } from './majority-baseline.js';

interface ResultsJson {
  trials: unknown[];
  mean: Record<string, Record<string, number>>;
  std: Record<string, Record<string, number | null>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{task: {metric: number | null}}` with every value a finite number (or null, for std). */
function isMetricTable(value: unknown, nullable: boolean): boolean {
  return isObject(value) && Object.values(value).every((metrics) => isObject(metrics) &&
    Object.values(metrics).every((v) => (typeof v === 'number' && Number.isFinite(v)) || (nullable && v === null)));
}

function readResults(bamDir: string, model: string): ResultsJson {
  if (!isFolderName(model)) throw new BamError(`model name ${showValue(model)} must be a folder name under ${join(bamDir, 'models')}; usage: bam results <bam_dir> <model_name> ...`);
  const path = join(bamDir, 'models', model, 'results.json');
  const json = readJsonFile(path, 'results file', `train the model first (bam run ${model} <bam_dir> '<hparams>' starts only in a new or its own folder)`);
  if (!isObject(json) || !Array.isArray(json.trials) || !isMetricTable(json.mean, false) || !isMetricTable(json.std, true)) {
    throw new BamError(`${path} is not a bam results file ({"trials": [...], "mean": {task: {metric: number}}, "std": ...}); it is written by bam run when a trial finishes`);
  }
  return json as unknown as ResultsJson;
}

function cell(mean: number | undefined, std: number | null | undefined): string {
  if (mean === undefined) return '';
  return std === null || std === undefined ? mean.toFixed(2) : `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
}

/**
 * A Markdown table of several models' dev results (mean ± sample standard deviation over trials), one row per
 * model and one column per task metric, losses left out. With `baseline`, a last row gives the majority-class
 * baseline of every task (majority-baseline.ts) from `<bam_dir>/glue_data`.
 */
export function formatResultsTable(bamDir: string, models: string[], baseline = false): string {
  const all = models.map((m) => ({ model: m, results: readResults(bamDir, m) }));
  const columns: [string, string][] = [];
  for (const { results } of all) {
    for (const [task, metrics] of Object.entries(results.mean)) {
      for (const metric of Object.keys(metrics)) {
        if (metric !== 'loss' && !columns.some(([t, m]) => t === task && m === metric)) columns.push([task, metric]);
      }
    }
  }
  const header = ['model', 'trials', ...columns.map(([t, m]) => `${t} ${m}`)];
  const rows = all.map(({ model, results }) => [
    model,
    String(results.trials.length),
    ...columns.map(([t, m]) => cell(results.mean[t]?.[m], results.std[t]?.[m])),
  ]);
  if (baseline) {
    const tasks = [...new Set(columns.map(([t]) => getTask(t.replace(/-mm$/, '')).name))];
    const scores = majorityBaselines(bamDir, tasks);
    rows.push(['majority-class baseline', '—', ...columns.map(([t, m]) => {
      const value = scores[t]?.find(([metric]) => metric === m)?.[1];
      return value === undefined ? '' : (value || 0).toFixed(2); // a constant's correlation may come out -0
    })]);
  }
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}
