import { availableParallelism } from 'node:os';
import { BamError } from '../errors.js';
import { BENCH_MODELS, isBenchModel, type BenchModel } from './model-sizes.js';

/** The measurement settings shared by every process of one benchmark run. */
export interface BenchShape {
  batch: number;
  seq: number;
  warmup: number;
  runs: number;
}

/** The --batch/--seq/--warmup/--runs options (node:util parseArgs form) of `bam bench` and its worker, with defaults. */
export const SHAPE_OPTIONS = {
  batch: { type: 'string', default: '32' },
  seq: { type: 'string', default: '128' },
  warmup: { type: 'string', default: '2' },
  runs: { type: 'string', default: '5' },
} as const;

/** BERT's position table has 512 rows; longer sequences cannot be embedded. */
export const MAX_SEQUENCE = 512;

/** An integer option's value, at least `min` (and at most `max`, when given). */
export function parseCount(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new BamError(`${flag} must be ${range}, got "${text}"`);
  }
  return value;
}

/** A comma-separated model list, e.g. "tiny,base". */
export function parseModels(text: string): BenchModel[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !isBenchModel(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new BamError(`--models got "${text}"; give a comma-separated list of ${BENCH_MODELS.join(', ')}`);
  }
  return [...new Set(names as BenchModel[])];
}

/** A comma-separated thread-count list, e.g. "1,8". */
export function parseThreadCounts(text: string): number[] {
  const counts = text.split(',').map((s) => parseCount('--threads', s, 1));
  return [...new Set(counts)];
}

/** One thread and all cores (just one entry on a single-core machine). */
export function defaultThreadCounts(): number[] {
  return [...new Set([1, availableParallelism()])];
}

/** The batch/sequence/warm-up/runs options, validated. */
export function parseShape(values: { batch: string; seq: string; warmup: string; runs: string }): BenchShape {
  return {
    batch: parseCount('--batch', values.batch, 1),
    seq: parseCount('--seq', values.seq, 1, MAX_SEQUENCE),
    warmup: parseCount('--warmup', values.warmup, 0),
    runs: parseCount('--runs', values.runs, 1),
  };
}
