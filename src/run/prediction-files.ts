import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Task, TaskKind } from '../data/tasks.js';
import { BamError } from '../errors.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { readJsonFile } from '../util/json-file.js';

export const PREDICTIONS_FORMAT = 'bam-predictions/1';

/**
 * A model's outputs on one split of one task, keyed by example id: logits (label order = label_list) for
 * classification, the prediction in the normalised 0–1 space for regression (×5 for the GLUE scale), as the
 * original's pickles. The settings that decide which eids exist are recorded so that a student can check that a
 * teacher saw the same examples.
 */
export interface PredictionFile {
  format: typeof PREDICTIONS_FORMAT;
  model: string;
  trial: number;
  task: string;
  split: string;
  kind: TaskKind;
  label_list: string[];
  /** Whether MRPC/STS train sets were doubled with swapped pairs (eids N..2N−1). */
  double_unordered: boolean;
  /** Debug mode's line limit per TSV, or null when whole files were read. */
  max_lines: number | null;
  predictions: Record<string, number[] | number>;
}

export function writePredictionFile(path: string, file: PredictionFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, file);
}

/** Reads a prediction file, checking its shape; `role` says what it is for in error messages (e.g. "teacher file"). */
export function readPredictionFile(path: string, role: string, fix: string): PredictionFile {
  const json = readJsonFile(path, role, fix);
  const f = json as Partial<PredictionFile>;
  if (typeof json !== 'object' || json === null || f.format !== PREDICTIONS_FORMAT || typeof f.predictions !== 'object' || f.predictions === null) {
    throw new BamError(`${path}: ${role} is not a bam predictions file (format "${PREDICTIONS_FORMAT}"); ${fix}`);
  }
  const fault = shapeFault(f);
  if (fault !== null) throw new BamError(`${role} ${path}: ${fault}; ${fix}`);
  return f as PredictionFile;
}

/** An eid as buildPredictionFile writes it: a decimal integer without sign or leading zeros ("01", "0x1", "" are not). */
const EID_KEY = /^(0|[1-9][0-9]{0,14})$/;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** What is wrong with the fields of a prediction file, or null when they all have their types. */
function shapeFault(f: Partial<PredictionFile>): string | null {
  if (typeof f.task !== 'string' || typeof f.split !== 'string' || typeof f.model !== 'string') return '"model", "task" and "split" must be strings';
  if (f.kind !== 'classification' && f.kind !== 'regression') return '"kind" must be "classification" or "regression"';
  if (!isStringList(f.label_list)) return '"label_list" must be a list of strings';
  if (typeof f.double_unordered !== 'boolean') return '"double_unordered" must be true or false';
  if (f.max_lines !== null && !Number.isSafeInteger(f.max_lines)) return '"max_lines" must be an integer or null';
  if (Array.isArray(f.predictions)) return '"predictions" must be an object keyed by example id';
  const bad = Object.keys(f.predictions ?? {}).find((key) => !EID_KEY.test(key));
  return bad === undefined ? null : `prediction key ${JSON.stringify(bad).slice(0, 40)} is not an example id (a decimal integer)`;
}

/** The prediction file of a task's split from a model's outputs [n, maxOutputs], one entry per distinct eid. */
export function buildPredictionFile(
  model: string, trial: number, task: Task, split: string, eids: ArrayLike<number>, outputs: Float32Array, maxOutputs: number,
  dataSettings: { doubleUnordered: boolean; maxLines: number | null },
): PredictionFile {
  const predictions: Record<string, number[] | number> = {};
  for (let i = 0; i < eids.length; i++) {
    const key = String(eids[i]);
    if (!(key in predictions)) predictions[key] = task.predictionEntry(outputs, i * maxOutputs);
  }
  return {
    format: PREDICTIONS_FORMAT,
    model,
    trial,
    task: task.name,
    split,
    kind: task.kind,
    label_list: task.labelList,
    double_unordered: dataSettings.doubleUnordered,
    max_lines: dataSettings.maxLines,
    predictions,
  };
}
