import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BamError } from '../errors.js';
import { bertClassifierOnnx } from '../export/bert-onnx.js';
import { sequenceClassifierTensors } from '../export/huggingface-tensors.js';
import { encodeOnnxModel } from '../export/onnx-proto.js';
import type { BertModel } from '../model/bert-model.js';

/*
 * How the bam worker hands its model to the onnxruntime worker: bam's ONNX export of the benchmark model and the
 * logits bam computed on the benchmark batch, which onnxruntime must reproduce before it is timed.
 */

const ONNX_FILE = 'model.onnx';
const LOGITS_FILE = 'bam-logits.json';

/** bam's logits [batch, labels] on the benchmark batch of `batch` × `seq`. */
export interface BamLogits {
  batch: number;
  seq: number;
  labels: number;
  logits: number[];
}

export const benchOnnxPath = (dir: string): string => join(dir, ONNX_FILE);

/** Writes the ONNX export of `model`'s encoder and its head for task `task` into `dir` (created if needed), with bam's logits beside it. */
export function writeBenchOnnx(dir: string, model: BertModel, task: string, logits: BamLogits): void {
  mkdirSync(dir, { recursive: true });
  const tensors = sequenceClassifierTensors({ model }, { name: task, scale: 1 });
  writeFileSync(benchOnnxPath(dir), encodeOnnxModel(bertClassifierOnnx(model.config, tensors, 'bench')));
  writeFileSync(join(dir, LOGITS_FILE), JSON.stringify(logits));
}

/** bam's logits as writeBenchOnnx left them, for a batch of `batch` × `seq`. */
export function readBamLogits(dir: string, batch: number, seq: number): BamLogits {
  const path = join(dir, LOGITS_FILE);
  let logits: BamLogits;
  try {
    logits = JSON.parse(readFileSync(path, 'utf8')) as BamLogits;
  } catch (e) {
    throw new BamError(`${path}: cannot read bam's logits (${(e as Error).message}); the bam worker writes them with --onnx-out`);
  }
  if (logits.batch !== batch || logits.seq !== seq || logits.logits?.length !== batch * logits.labels) {
    throw new BamError(`${path}: holds logits of batch ${logits.batch} × ${logits.seq}, not ${batch} × ${seq}; rerun the bam worker with this shape`);
  }
  return logits;
}
