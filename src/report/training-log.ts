import { existsSync, readFileSync } from 'node:fs';
import { showValue } from '../config/hparams.js';
import { BamError } from '../errors.js';

/**
 * Reader of `training_log.jsonl`, one JSON object per line, written while a model trains (`bam run`) or an encoder
 * pretrains (`bam pretrain`). A run that was killed may leave its last line cut short: that line is ignored.
 */

/** A `bam run` progress record: means per example over the steps since the previous record. */
export interface RunTrainRecord {
  type: 'train';
  trial: number;
  step: number;
  total_steps: number;
  lr: number;
  /** The teacher-annealing weight on gold; null when not distilling. */
  lambda: number | null;
  loss: number;
  task_losses: Record<string, number>;
  examples_per_s: number;
  elapsed_s: number;
}

/** A `bam run` dev evaluation: metrics per task. */
export interface RunEvalRecord {
  type: 'eval';
  trial: number;
  step: number;
  dev: Record<string, Record<string, number>>;
}

export interface PretrainTrainRecord {
  type: 'train';
  step: number;
  total_steps: number;
  lr: number;
  loss: number;
  mlm_accuracy: number;
  examples_per_s: number;
  elapsed_s: number;
}

export interface PretrainEvalRecord {
  type: 'eval';
  step: number;
  heldout: { mlm_loss: number; mlm_accuracy: number };
}

export interface RunLog {
  train: RunTrainRecord[];
  eval: RunEvalRecord[];
}

export interface PretrainLog {
  train: PretrainTrainRecord[];
  eval: PretrainEvalRecord[];
}

export const TRAINING_LOG = 'training_log.jsonl';

/** A task's loss is null in logs of bam before 2026-12-01 when none of its examples came since the previous record. */
function withoutNulls(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== null));
}

/** The records of a `bam run` log, or undefined when the file does not exist. */
export function readRunLog(path: string): RunLog | undefined {
  const log: RunLog = { train: [], eval: [] };
  const found = readRecords(path, (record, check) => {
    const trial = check.integer('trial', 1);
    const step = check.integer('step', 0);
    if (record.type === 'train') {
      log.train.push({
        type: 'train',
        trial,
        step,
        total_steps: check.integer('total_steps', 1),
        lr: check.number('lr'),
        lambda: record.lambda === null ? null : check.number('lambda'),
        loss: check.number('loss'),
        task_losses: check.numberMap(withoutNulls(check.object(record.task_losses, 'task_losses')), 'task_losses'),
        examples_per_s: check.number('examples_per_s'),
        elapsed_s: check.number('elapsed_s'),
      });
    } else {
      const dev = check.object(record.dev, 'dev');
      log.eval.push({
        type: 'eval',
        trial,
        step,
        dev: Object.fromEntries(Object.entries(dev).map(([task, m]) => [task, check.numberMap(m, `dev.${task}`)])),
      });
    }
  });
  return found ? log : undefined;
}

/** The records of a `bam pretrain` log, or undefined when the file does not exist. */
export function readPretrainLog(path: string): PretrainLog | undefined {
  const log: PretrainLog = { train: [], eval: [] };
  const found = readRecords(path, (record, check) => {
    const step = check.integer('step', 0);
    if (record.type === 'train') {
      log.train.push({
        type: 'train',
        step,
        total_steps: check.integer('total_steps', 1),
        lr: check.number('lr'),
        loss: check.number('loss'),
        mlm_accuracy: check.number('mlm_accuracy'),
        examples_per_s: check.number('examples_per_s'),
        elapsed_s: check.number('elapsed_s'),
      });
    } else {
      const heldout = check.numberMap(record.heldout, 'heldout');
      for (const key of ['mlm_loss', 'mlm_accuracy']) if (heldout[key] === undefined) check.fail(`"heldout" lacks "${key}"`);
      log.eval.push({ type: 'eval', step, heldout: { mlm_loss: heldout.mlm_loss, mlm_accuracy: heldout.mlm_accuracy } });
    }
  });
  return found ? log : undefined;
}

interface FieldCheck {
  fail(message: string): never;
  number(key: string): number;
  integer(key: string, min: number): number;
  object(value: unknown, what: string): Record<string, unknown>;
  numberMap(value: unknown, what: string): Record<string, number>;
}

type LogRecord = Record<string, unknown> & { type: 'train' | 'eval' };

/** Calls `take` on every complete record; false when the file does not exist. */
function readRecords(path: string, take: (record: LogRecord, check: FieldCheck) => void): boolean {
  if (!existsSync(path)) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BamError(`${path}: cannot read the training log (${(e as Error).message})`);
  }
  const lines = text.split('\n');
  // The text after the last newline is a complete record or, when a run was killed mid-write, a cut one.
  const last = lines.pop() ?? '';
  lines.forEach((line, i) => takeLine(path, i + 1, line, take));
  if (last !== '' && parseJson(last) !== undefined) takeLine(path, lines.length + 1, last, take);
  return true;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function takeLine(path: string, lineNumber: number, line: string, take: (record: LogRecord, check: FieldCheck) => void): void {
  const fail = (message: string): never => {
    throw new BamError(`${path}:${lineNumber}: ${message}; each line must be one training-log record (delete the line or rerun the model)`);
  };
  const record = parseJson(line);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) fail(`not a JSON object: ${showValue(line)}`);
  const fields = record as Record<string, unknown>;
  if (fields.type !== 'train' && fields.type !== 'eval') fail(`"type" must be "train" or "eval", got ${showValue(fields.type)}`);
  const object = (value: unknown, what: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`"${what}" must be an object, got ${showValue(value)}`);
    return value as Record<string, unknown>;
  };
  const check: FieldCheck = {
    fail,
    number(key) {
      const value = fields[key];
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${key}" must be a number, got ${showValue(value)}`);
      return value as number;
    },
    integer(key, min) {
      const value = fields[key];
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(`"${key}" must be an integer >= ${min}, got ${showValue(value)}`);
      return value as number;
    },
    object,
    numberMap(value, what) {
      const map = object(value, what);
      for (const [key, v] of Object.entries(map)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(`"${what}.${key}" must be a number, got ${showValue(v)}`);
      }
      return map as Record<string, number>;
    },
  };
  take(fields as LogRecord, check);
}
