import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportInput } from './collect.js';
import type { Summary } from './summary.js';
import type { RunTrainRecord } from './training-log.js';

/**
 * The report's charts as Vega-Lite specs with their data inline, compiled here to Vega specs that the page renders
 * with vega.min.js (so the page needs no compiler and a bad spec fails at report time, not in the browser).
 */

export interface Chart {
  /** Element id of its container: chart-1, chart-2, ... */
  id: string;
  title: string;
  /** What the chart shows, or why it is absent. */
  caption: string;
  /** The compiled Vega spec; undefined when there is nothing to draw yet. */
  spec?: object;
}

type Row = Record<string, string | number>;

const LINE_SIZE = { width: 620, height: 280 };
const PANEL_SIZE = { width: 220, height: 180 };

/** Charts in page order: MLM loss, training loss per run, per task, dev scores with error bars, λ. */
export function buildCharts(input: ReportInput, summary: Summary): Chart[] {
  const charts = [mlmLossChart(input), trainingLossChart(input), taskLossChart(input), devScoreChart(summary), lambdaChart(input)];
  return charts.map((chart, i) => ({ id: `chart-${i + 1}`, ...chart }));
}

/** A run's curves are labelled by model name, and by trial when the model has several. */
function trainRows(input: ReportInput): { label: string; record: RunTrainRecord }[] {
  return input.runs.flatMap((run) => {
    const records = run.log?.train ?? [];
    const several = new Set(records.map((r) => r.trial)).size > 1;
    return records.map((record) => ({ label: several ? `${run.model_name} trial ${record.trial}` : run.model_name, record }));
  });
}

function chart(title: string, caption: string, empty: string, values: Row[], spec: Record<string, unknown>): Omit<Chart, 'id'> {
  if (values.length === 0) return { title, caption: empty };
  const vl = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values }, ...spec } as TopLevelSpec;
  return { title, caption, spec: compile(vl).spec };
}

function lineSpec(y: string, yTitle: string, color: string, colorTitle: string): Record<string, unknown> {
  return {
    ...LINE_SIZE,
    mark: { type: 'line', point: false, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: y, type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: color, type: 'nominal', title: colorTitle },
      tooltip: [{ field: color, type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: y, type: 'quantitative', format: '.4f' }],
    },
  };
}

function mlmLossChart(input: ReportInput): Omit<Chart, 'id'> {
  const log = input.pretrain?.log;
  const values: Row[] = [
    ...(log?.train ?? []).map((r) => ({ series: 'train', step: r.step, loss: r.loss })),
    ...(log?.eval ?? []).map((r) => ({ series: 'held-out', step: r.step, loss: r.heldout.mlm_loss })),
  ];
  const empty = input.pretrain === undefined ? 'No pretraining in this report.' : `No pretraining log in ${input.pretrain.dir} yet.`;
  return chart('Masked-LM loss', `Pretraining of ${input.pretrain?.model_name ?? ''}: train loss (mean over each logged interval) and held-out MLM loss.`, empty, values, {
    ...lineSpec('loss', 'MLM loss', 'series', 'series'),
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
  });
}

function trainingLossChart(input: ReportInput): Omit<Chart, 'id'> {
  const values = trainRows(input).map(({ label, record }) => ({ run: label, step: record.step, loss: record.loss }));
  return chart('Training loss per run', 'Mean loss per example over each logged interval.', 'No run has logged training yet.', values, lineSpec('loss', 'loss', 'run', 'run'));
}

function taskLossChart(input: ReportInput): Omit<Chart, 'id'> {
  const values = trainRows(input).flatMap(({ label, record }) =>
    Object.entries(record.task_losses).map(([task, loss]) => ({ run: label, task, step: record.step, loss })),
  );
  const { width, height } = PANEL_SIZE;
  return chart('Training loss per task', 'Mean loss per example of each task over each logged interval, one panel per task.', 'No run has logged task losses yet.', values, {
    facet: { field: 'task', type: 'nominal', title: 'task', sort: input.columns },
    columns: 3,
    spec: { ...lineSpec('loss', 'loss', 'run', 'run'), width, height },
    resolve: { scale: { y: 'independent' } },
  });
}

function devScoreChart(summary: Summary): Omit<Chart, 'id'> {
  const values: Row[] = [];
  for (const row of summary.rows) {
    const cells = [...summary.columns.map((c) => [c, row.cells[c]] as const), ['average', row.average] as const];
    for (const [task, stat] of cells) {
      if (stat === undefined) continue;
      const std = stat.std ?? 0;
      values.push({ task, method: row.group, mean: stat.mean, low: stat.mean - std, high: stat.mean + std, n: stat.n });
    }
  }
  const { width, height } = PANEL_SIZE;
  const x = { field: 'method', type: 'nominal', title: null, sort: summary.rows.map((r) => r.group) };
  return chart('Dev score per task and method', 'Mean over seeds with ± one sample standard deviation as error bars (none for a single seed).', 'No run has results yet.', values, {
    facet: { field: 'task', type: 'nominal', title: 'task', sort: [...summary.columns, 'average'] },
    columns: 4,
    spec: {
      width,
      height,
      layer: [
        {
          mark: { type: 'errorbar', ticks: true },
          encoding: { x, y: { field: 'low', type: 'quantitative', title: 'score', scale: { zero: false } }, y2: { field: 'high' } },
        },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            color: { field: 'method', type: 'nominal', sort: summary.rows.map((r) => r.group), legend: null },
            tooltip: [
              { field: 'method', type: 'nominal' },
              { field: 'mean', type: 'quantitative', format: '.2f' },
              { field: 'low', type: 'quantitative', format: '.2f' },
              { field: 'high', type: 'quantitative', format: '.2f' },
              { field: 'n', type: 'quantitative', title: 'seeds' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  });
}

function lambdaChart(input: ReportInput): Omit<Chart, 'id'> {
  const values = trainRows(input).flatMap(({ label, record }) => (record.lambda === null ? [] : [{ run: label, step: record.step, lambda: record.lambda }]));
  return chart('λ over training', 'Teacher-annealing weight on the gold labels (distilled runs only).', 'No distilled run has logged training yet.', values, lineSpec('lambda', 'λ', 'run', 'run'));
}
