import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** A line of training_log.jsonl: `type` "train" (a logging step) or "eval" (dev or held-out metrics). */
export interface TrainingLogRecord {
  type: 'train' | 'eval';
  /** The trial of a `bam run` (absent for `bam pretrain`). */
  trial?: number;
  step: number;
  [field: string]: unknown;
}

/** The complete records of a log's text; a last line cut short by a kill is dropped. */
function parseLines(text: string): TrainingLogRecord[] {
  const records: TrainingLogRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as TrainingLogRecord);
    } catch {
      // Only the last line can be incomplete: appends are whole lines, so a kill cuts at most the one being written.
      break;
    }
  }
  return records;
}

/**
 * `<model_dir>/training_log.jsonl`: one JSON object per line, appended as training goes (each line one write, so a
 * kill leaves every earlier line intact). A resumed trial first drops what was logged after its checkpoint, and a
 * trial that starts afresh drops its own earlier lines and those of later trials, so the log always reads as one
 * uninterrupted run.
 */
export class TrainingLog {
  constructor(readonly path: string) {}

  /** Keeps the records before `trial` (all of them when trial is undefined) and, on resume, its records up to `resumedFrom`. */
  prepare(trial: number | undefined, resumedFrom: number | null): void {
    if (!existsSync(this.path)) return;
    const text = readFileSync(this.path, 'utf8');
    const kept = parseLines(text).filter((r) => {
      const t = r.trial ?? 0;
      const mine = trial ?? 0;
      if (t < mine) return true;
      if (t > mine) return false;
      return resumedFrom !== null && r.step <= resumedFrom;
    });
    const rewritten = kept.map((r) => `${JSON.stringify(r)}\n`).join('');
    if (rewritten !== text) writeFileAtomic(this.path, rewritten);
  }

  append(record: TrainingLogRecord): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** Every complete record in the file. */
  read(): TrainingLogRecord[] {
    return existsSync(this.path) ? parseLines(readFileSync(this.path, 'utf8')) : [];
  }
}
