import { join } from 'node:path';
import { readJsonFile } from '../util/json-file.js';

interface ResultsJson {
  trials: unknown[];
  mean: Record<string, Record<string, number>>;
  std: Record<string, Record<string, number | null>>;
}

function readResults(bamDir: string, model: string): ResultsJson {
  const path = join(bamDir, 'models', model, 'results.json');
  return readJsonFile(path, 'results file', `run the model first: bam run ${model} ${bamDir} '<hparams>'`) as ResultsJson;
}

function cell(mean: number | undefined, std: number | null | undefined): string {
  if (mean === undefined) return '';
  return std === null || std === undefined ? mean.toFixed(2) : `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
}

/**
 * A Markdown table of several models' dev results (mean ± sample standard deviation over trials), one row per
 * model and one column per task metric, losses left out.
 */
export function formatResultsTable(bamDir: string, models: string[]): string {
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
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}
