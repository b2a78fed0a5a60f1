/**
 * The one number per task that the GLUE paper reports, and BAM's tables with it (×100, as bam's metrics are):
 * accuracy, MCC for CoLA, the mean of accuracy and F1 for MRPC and QQP, the mean of Pearson and Spearman for STS-B.
 * The original BAM code logs accuracy alone for MRPC and QQP (docs/bam-reference.md §7.2); bam also scores F1.
 */
const SCORE_METRICS: Readonly<Record<string, readonly string[]>> = {
  cola: ['mcc'],
  mnli: ['accuracy'],
  'mnli-mm': ['accuracy'],
  mrpc: ['accuracy', 'f1'],
  qnli: ['accuracy'],
  qqp: ['accuracy', 'f1'],
  rte: ['accuracy'],
  sst: ['accuracy'],
  sts: ['pearson', 'spearman'],
  wnli: ['accuracy'],
};

/** Evaluated sets shown beside the tasks but left out of the GLUE average (BAM reports MNLI matched only). */
export const OUTSIDE_AVERAGE: readonly string[] = ['mnli-mm'];

/** The metrics a task's score averages, e.g. ['accuracy', 'f1']; undefined for a set bam does not know. */
export function scoreMetrics(task: string): readonly string[] | undefined {
  return Object.hasOwn(SCORE_METRICS, task) ? SCORE_METRICS[task] : undefined;
}

/** The task's score from one trial's metrics; undefined when a metric it needs is absent. */
export function taskScore(task: string, metrics: Record<string, number>): number | undefined {
  const names = scoreMetrics(task);
  if (names === undefined || names.some((m) => metrics[m] === undefined)) return undefined;
  return names.reduce((sum, m) => sum + metrics[m], 0) / names.length;
}

/** How the score is made, for the report's legend: "(accuracy + f1) / 2". */
export function describeScore(task: string): string {
  const names = scoreMetrics(task) ?? [];
  return names.length === 1 ? names[0] : `(${names.join(' + ')}) / ${names.length}`;
}
