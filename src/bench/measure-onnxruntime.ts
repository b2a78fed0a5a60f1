import * as ort from 'onnxruntime-node';
import { BamError } from '../errors.js';
import { randomClassificationBatch } from './bench-batch.js';
import type { BenchShape } from './bench-options.js';
import { benchOnnxPath, readBamLogits } from './bench-onnx.js';
import { benchBertConfig, type BenchModel } from './model-sizes.js';
import { timeAsyncRuns } from './time-runs.js';
import type { WorkerResult } from './worker-result.js';

/** How far onnxruntime's logits may lie from bam's (absolute) before its numbers are refused. */
export const LOGITS_TOLERANCE = 1e-4;

/**
 * onnxruntime-node's session settings: `threads` intra-op threads, one inter-op thread (the graph runs sequentially),
 * graph optimisations at their default level "all" (ORT's fusions of attention, GELU and LayerNorm included).
 */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.min(a.length, b.length); i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Times onnxruntime-node's inference of bam's ONNX export of the benchmark model in `dir` (every row of every layer,
 * as the exported graph computes them) on the benchmark batch, after checking that its logits are bam's.
 */
export async function measureOnnxruntime(model: BenchModel, dir: string, threads: number, shape: BenchShape): Promise<WorkerResult<'infer'>> {
  const { batch, seq, warmup, runs } = shape;
  const { inputs } = randomClassificationBatch(benchBertConfig(model).vocabSize, batch, seq);
  const expected = readBamLogits(dir, batch, seq);
  const session = await ort.InferenceSession.create(benchOnnxPath(dir), sessionOptions(threads));
  const int64 = (values: ArrayLike<number>): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [batch, seq]);
  const feeds = { input_ids: int64(inputs.inputIds), attention_mask: int64(inputs.inputMask), token_type_ids: int64(inputs.segmentIds) };
  const outputs = await session.run(feeds);
  const difference = maxAbsDifference(outputs[session.outputNames[0]].data as Float32Array, expected.logits);
  if (!(difference <= LOGITS_TOLERANCE)) {
    throw new BamError(
      `${benchOnnxPath(dir)}: onnxruntime's logits differ from bam's by up to ${difference} (tolerance ${LOGITS_TOLERANCE}); the export (src/export/bert-onnx.ts) does not compute bam's model`,
    );
  }
  const infer = await timeAsyncRuns(warmup, runs, batch, () => session.run(feeds));
  await session.release();
  return {
    backend: 'onnxruntime', threads, parameters: null, timings: { infer }, logits_max_difference: difference,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}
