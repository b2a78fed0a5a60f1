import { BamError } from '../errors.js';
import { classificationScorer, type Scorer } from '../eval/scorers.js';
import type { TeacherTargets } from '../train/batches.js';
import type { LossHead } from '../train/multitask-loss.js';
import type { Example } from './example.js';
import type { FeaturizedDataset } from './featurize.js';
import { GlueTask, type GlueTaskSpec } from './glue-task.js';
import type { ExampleTargets, Task } from './task.js';

export interface ClassificationTaskSpec extends GlueTaskSpec {
  /** Label strings as written in the files, in logit order. */
  labelList: string[];
}

/** One label out of a list: a head of one logit per label, trained with soft-target cross-entropy. */
export class ClassificationTask extends GlueTask implements Task {
  readonly kind = 'classification';
  readonly lossKind = 'cross-entropy';
  readonly labelList: string[];
  readonly numOutputs: number;
  readonly predictionEntryShape: string;

  constructor(spec: ClassificationTaskSpec) {
    super(spec);
    this.labelList = [...spec.labelList];
    this.numOutputs = this.labelList.length;
    this.predictionEntryShape = `${this.numOutputs} logits`;
  }

  lossHead(weight: number): LossHead {
    return { numOutputs: this.numOutputs, regression: false, weight };
  }

  featureTargets(example: Example): ExampleTargets {
    const labelId = this.labelList.indexOf(String(example.label));
    if (labelId < 0) {
      throw new Error(`featurize: ${example.task} example ${example.eid} has label ${example.label}, not in its label list`);
    }
    return { labelId, regressionTarget: 0 };
  }

  createScorer(): Scorer {
    return classificationScorer(this.labelList, this.metricNames);
  }

  /** The first of the largest logits, as argmax. */
  prediction(outputs: Float32Array, offset: number): number {
    let best = 0;
    for (let j = 1; j < this.numOutputs; j++) if (outputs[offset + j] > outputs[offset + best]) best = j;
    return best;
  }

  gold(data: FeaturizedDataset, i: number): number {
    return data.labelIds[i];
  }

  exampleGold(example: Example): number {
    return this.featureTargets(example).labelId;
  }

  baselinePrediction(train: readonly Example[]): number {
    const counts = new Array<number>(this.numOutputs).fill(0);
    for (const e of train) counts[this.exampleGold(e)]++;
    return counts.indexOf(Math.max(...counts));
  }

  /** −log softmax(logits)[gold], with the max subtracted for stability. */
  goldLoss(outputs: Float32Array, offset: number, data: FeaturizedDataset, i: number): number {
    let max = -Infinity;
    for (let j = 0; j < this.numOutputs; j++) max = Math.max(max, outputs[offset + j]);
    let sum = 0;
    for (let j = 0; j < this.numOutputs; j++) sum += Math.exp(outputs[offset + j] - max);
    return Math.log(sum) + max - outputs[offset + data.labelIds[i]];
  }

  predictionEntry(outputs: Float32Array, offset: number): number[] {
    return Array.from(outputs.subarray(offset, offset + this.numOutputs));
  }

  isPredictionEntry(value: unknown): boolean {
    return Array.isArray(value) && value.length === this.numOutputs && value.every((v) => typeof v === 'number' && Number.isFinite(v));
  }

  /** `entry` has passed isPredictionEntry. */
  setTeacherTarget(entry: number[] | number, targets: TeacherTargets, row: number, maxOutputs: number): void {
    targets.logits.set(entry as number[], row * maxOutputs);
  }

  submissionValue(outputs: Float32Array, offset: number): string {
    return this.labelList[this.prediction(outputs, offset)];
  }

  protected dummyLabel(): string {
    return this.labelList[0];
  }

  protected parseLabel(field: string, where: string): string {
    if (this.labelList.includes(field)) return field;
    const allowed = this.labelList.map((label) => `"${label}"`).join(', ');
    throw new BamError(`${where}: label "${field}" is not a ${this.name} label; expected one of ${allowed}`);
  }
}
