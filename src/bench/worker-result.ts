import { BamError } from '../errors.js';

/**
 * What one benchmark process prints as its last stdout line, as JSON (bench-worker.js for bam,
 * bench/torch_bert_step.py for PyTorch). Times are milliseconds per step of the whole batch.
 */
export interface WorkerResult {
  /** 'native' or 'reference' (bam's kernels), or 'torch'. */
  backend: string;
  /** The thread count the process actually computed with. */
  threads: number;
  /** Trainable parameters of the model, so that the two implementations can be checked to build the same one. */
  parameters: number;
  train_ms_median: number;
  train_ms_all: number[];
  infer_ms_median: number;
  infer_ms_all: number[];
  examples_per_s_train: number;
  examples_per_s_infer: number;
  /** CPU time over wall time during the timed training steps: how many cores the step kept busy. */
  train_cpu_per_wall: number;
  /** Peak resident set size of the whole process, MiB. */
  peak_rss_mb: number;
}

const NUMBER_FIELDS = [
  'threads', 'parameters', 'train_ms_median', 'infer_ms_median', 'examples_per_s_train', 'examples_per_s_infer',
  'train_cpu_per_wall', 'peak_rss_mb',
] as const;
const LIST_FIELDS = ['train_ms_all', 'infer_ms_all'] as const;

/** Reads the result line of a worker's stdout; `source` names the worker in errors. */
export function parseWorkerResult(stdout: string, source: string): WorkerResult {
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
  const bad = (field: string): never => {
    throw new BamError(`${source}: result field "${field}" is missing or not a valid value (got ${JSON.stringify(record[field])})`);
  };
  if (typeof record.backend !== 'string') bad('backend');
  for (const field of NUMBER_FIELDS) {
    if (typeof record[field] !== 'number' || !Number.isFinite(record[field])) bad(field);
  }
  for (const field of LIST_FIELDS) {
    const list = record[field];
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(field);
  }
  return record as unknown as WorkerResult;
}
