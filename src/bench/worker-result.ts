import { BamError } from '../errors.js';

/** One timed operation of a benchmark process. Times are milliseconds per call on the whole batch. */
export interface Timing {
  ms_median: number;
  ms_all: number[];
  /** Batch size over the median time. */
  examples_per_s: number;
  /** CPU time over wall time across the timed calls: how many cores the operation kept busy. */
  cpu_per_wall: number;
}

/**
 * What a benchmark process times: `train` a whole training step, `infer` inference with the last layer on the [CLS]
 * rows only (as bam predict runs it), `infer_all_rows` inference computing every row of every layer.
 */
export const MEASUREMENTS = ['train', 'infer', 'infer_all_rows'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/**
 * What one benchmark process prints as its last stdout line, as JSON (bench-worker.js for bam,
 * bench/torch_bert_step.py for PyTorch, onnxruntime-worker.js for onnxruntime-node), with the timings of `M`.
 */
export interface WorkerResult<M extends Measurement = Measurement> {
  /** 'native' or 'reference' (bam's kernels), 'torch' or 'onnxruntime'. */
  backend: string;
  /** The thread count the process actually computed with. */
  threads: number;
  /**
   * Trainable parameters of the model, so that the implementations can be checked to build the same one; null for
   * onnxruntime, whose graph is checked by its logits instead.
   */
  parameters: number | null;
  timings: Record<M, Timing>;
  /** onnxruntime only: the largest absolute difference of its logits from bam's on the benchmark batch. */
  logits_max_difference?: number;
  /** Peak resident set size of the whole process, MiB. */
  peak_rss_mb: number;
}

/** A result with whichever timings it has. */
export type AnyWorkerResult = Omit<WorkerResult, 'timings'> & { timings: Partial<Record<Measurement, Timing>> };

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads the result line of a worker's stdout, which must time every one of `expected`; `source` names the worker in errors. */
export function parseWorkerResult<M extends Measurement>(stdout: string, source: string, expected: readonly M[]): WorkerResult<M> {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) throw new BamError(`${source} printed no result line; run it by hand to see why`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new BamError(`${source} ended with a line that is not JSON (${last.slice(0, 80)}); run it by hand to see why`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new BamError(`${source} printed ${last.slice(0, 80)}, not a JSON object`);
  const record = parsed as Record<string, unknown>;
  const bad = (field: string, value: unknown): never => {
    throw new BamError(`${source}: result field "${field}" is missing or not a valid value (got ${JSON.stringify(value)})`);
  };
  if (typeof record.backend !== 'string') bad('backend', record.backend);
  for (const field of ['threads', 'peak_rss_mb']) if (!isFiniteNumber(record[field])) bad(field, record[field]);
  if (record.parameters !== null && !isFiniteNumber(record.parameters)) bad('parameters', record.parameters);
  const timings = (typeof record.timings === 'object' && record.timings !== null ? record.timings : bad('timings', record.timings)) as Record<string, unknown>;
  for (const name of expected) {
    const timing = timings[name] as Record<string, unknown> | undefined;
    if (typeof timing !== 'object' || timing === null) bad(`timings.${name}`, timing);
    for (const field of ['ms_median', 'examples_per_s', 'cpu_per_wall']) {
      if (!isFiniteNumber(timing?.[field])) bad(`timings.${name}.${field}`, timing?.[field]);
    }
    const all = timing?.ms_all;
    if (!Array.isArray(all) || all.length === 0 || !all.every(isFiniteNumber)) bad(`timings.${name}.ms_all`, all);
  }
  return record as unknown as WorkerResult<M>;
}
