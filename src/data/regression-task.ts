import { BamError } from '../errors.js';
import { regressionScorer, type Scorer } from '../eval/scorers.js';
import type { TeacherTargets } from '../train/batches.js';
import type { LossHead } from '../train/multitask-loss.js';
import type { Example } from './example.js';
import type { FeaturizedDataset } from './featurize.js';
import { GlueTask, type GlueTaskSpec } from './glue-task.js';
import type { ExampleTargets, Task } from './task.js';

export interface RegressionTaskSpec extends GlueTaskSpec {
  /** The range of the gold scores in the files (STS-B: 0 to 5). */
  minScore: number;
  maxScore: number;
}

// Python float() syntax, which the original uses; JavaScript's Number() would also take "", "0x1f" and "Infinity".
const PYTHON_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A score in a fixed range: a head of one output regressing the score normalised to 0–1 as the original's
 * `RegressionTask` ((score − min) / (max − min)), trained with squared error.
 */
export class RegressionTask extends GlueTask implements Task {
  readonly kind = 'regression';
  readonly lossKind = 'squared-error';
  readonly labelList: string[] = [];
  readonly numOutputs = 1;
  readonly predictionEntryShape = 'a number';
  private readonly minScore: number;
  private readonly maxScore: number;

  constructor(spec: RegressionTaskSpec) {
    super(spec);
    this.minScore = spec.minScore;
    this.maxScore = spec.maxScore;
  }

  lossHead(weight: number): LossHead {
    return { numOutputs: 1, regression: true, weight };
  }

  featureTargets(example: Example): ExampleTargets {
    return { labelId: -1, regressionTarget: (Number(example.label) - this.minScore) / (this.maxScore - this.minScore) };
  }

  createScorer(): Scorer {
    return regressionScorer(this.metricNames);
  }

  prediction(outputs: Float32Array, offset: number): number {
    return outputs[offset];
  }

  gold(data: FeaturizedDataset, i: number): number {
    return data.regressionTargets[i];
  }

  exampleGold(example: Example): number {
    return this.featureTargets(example).regressionTarget;
  }

  baselinePrediction(train: readonly Example[]): number {
    return train.reduce((sum, e) => sum + this.exampleGold(e), 0) / Math.max(1, train.length);
  }

  goldLoss(outputs: Float32Array, offset: number, data: FeaturizedDataset, i: number): number {
    return (outputs[offset] - data.regressionTargets[i]) ** 2;
  }

  predictionEntry(outputs: Float32Array, offset: number): number {
    return outputs[offset];
  }

  isPredictionEntry(value: unknown): boolean {
    return typeof value === 'number' && Number.isFinite(value);
  }

  setTeacherTarget(entry: number[] | number, targets: TeacherTargets, row: number): void {
    targets.predictions[row] = entry as number;
  }

  /** The prediction back on the file's scale, clipped to it, with 3 decimals (STS-B: ×5, in [0, 5]). */
  submissionValue(outputs: Float32Array, offset: number): string {
    const score = outputs[offset] * (this.maxScore - this.minScore) + this.minScore;
    return Math.min(this.maxScore, Math.max(this.minScore, score)).toFixed(3);
  }

  protected dummyLabel(): number {
    return 0;
  }

  protected parseLabel(field: string, where: string): number {
    const text = field.trim();
    const score = PYTHON_FLOAT.test(text) ? Number(text) : NaN;
    if (score >= this.minScore && score <= this.maxScore) return score;
    throw new BamError(
      `${where}: score "${field}" is not a number from ${this.minScore} to ${this.maxScore} (the GLUE ${this.name} similarity score)`,
    );
  }
}
