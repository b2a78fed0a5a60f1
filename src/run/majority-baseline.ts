import { join } from 'node:path';
import type { Example } from '../data/example.js';
import { getTask, type MetricName, type Task } from '../data/tasks.js';

/**
 * The score of predicting, for every dev example, the most frequent train label (classification; ties go to the
 * first label in the task's order) or the mean train score (regression), with the task's own scorer. A constant
 * prediction has no correlation with anything, so Pearson, Spearman and MCC come out 0. The loss is left out.
 */
export function majorityBaseline(task: Task, train: readonly Example[], dev: readonly Example[]): [MetricName, number][] {
  const prediction = task.baselinePrediction(train);
  const scorer = task.createScorer();
  for (const e of dev) scorer.update(prediction, task.exampleGold(e), 0);
  return scorer.results().filter(([metric]) => metric !== 'loss').map(([metric, value]) => [metric, Number.isFinite(value) ? value : 0]);
}

/** The majority baselines of tasks under `<bam_dir>/glue_data/<task>`, keyed as results.json keys its dev sets. */
export function majorityBaselines(bamDir: string, taskNames: readonly string[]): Record<string, [MetricName, number][]> {
  const out: Record<string, [MetricName, number][]> = {};
  for (const name of taskNames) {
    const task = getTask(name);
    const dir = join(bamDir, 'glue_data', name);
    const train = task.getExamples(dir, 'train', { multiple: 1, doubleUnordered: false });
    for (const split of task.devSplits) out[task.resultKey(split)] = majorityBaseline(task, train, task.getExamples(dir, split, { multiple: 1, doubleUnordered: false }));
  }
  return out;
}
