import type { MetricName, Task } from '../data/task.js';
import { accuracy, binaryF1, matthewsCorrelation, mean, meanSquaredError, pearson, spearman } from './metrics.js';

/** Collects one eval split's predictions and reports the task's metrics (see metrics.ts for scales and edge cases). */
export interface Scorer {
  /**
   * One example. Classification: predicted and gold label indices. Regression: predicted and gold scores in the
   * normalized 0–1 space. `loss` is the example's unweighted head loss.
   */
  update(prediction: number, gold: number, loss: number): void;
  /** `[metric, value]` in the task's `metricNames` order, e.g. accuracy, f1, loss. */
  results(): [MetricName, number][];
}

type MetricFunction = (predictions: number[], golds: number[]) => number;

class SentenceScorer implements Scorer {
  private readonly predictions: number[] = [];
  private readonly golds: number[] = [];
  private readonly losses: number[] = [];

  constructor(
    private readonly metricNames: MetricName[],
    private readonly metrics: Partial<Record<MetricName, MetricFunction>>,
  ) {
    for (const name of metricNames) {
      if (name !== 'loss' && metrics[name] === undefined) throw new Error(`no metric "${name}" for this kind of task`);
    }
  }

  update(prediction: number, gold: number, loss: number): void {
    this.predictions.push(prediction);
    this.golds.push(gold);
    this.losses.push(loss);
  }

  results(): [MetricName, number][] {
    return this.metricNames.map((name): [MetricName, number] => {
      const metric = this.metrics[name];
      return [name, metric === undefined ? mean(this.losses) : metric(this.predictions, this.golds)];
    });
  }
}

/** Accuracy (all classification tasks), F1 of the label "1" (MRPC, QQP), MCC (CoLA). */
export function classificationScorer(labelList: readonly string[], metricNames: MetricName[]): Scorer {
  const positive = labelList.indexOf('1');
  const metrics: Partial<Record<MetricName, MetricFunction>> = { accuracy, mcc: matthewsCorrelation };
  if (positive >= 0) metrics.f1 = (predictions, golds) => binaryF1(predictions, golds, positive);
  return new SentenceScorer(metricNames, metrics);
}

/** Pearson, Spearman and MSE (STS-B), on the normalized scores as the original computes them. */
export function regressionScorer(metricNames: MetricName[]): Scorer {
  return new SentenceScorer(metricNames, { pearson, spearman, mse: meanSquaredError });
}

/** A fresh scorer for one eval split of the task (the task picks its metrics). */
export function createScorer(task: Task): Scorer {
  return task.createScorer();
}
