import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../data/tasks.js';

/** GLUE's submission file name for a task's test split. */
const SUBMISSION_FILES: Record<string, string> = {
  'cola/test': 'CoLA.tsv',
  'sst/test': 'SST-2.tsv',
  'mrpc/test': 'MRPC.tsv',
  'sts/test': 'STS-B.tsv',
  'qqp/test': 'QQP.tsv',
  'mnli/test_matched': 'MNLI-m.tsv',
  'mnli/test_mismatched': 'MNLI-mm.tsv',
  'mnli/diagnostic': 'AX.tsv',
  'qnli/test': 'QNLI.tsv',
  'rte/test': 'RTE.tsv',
  'wnli/test': 'WNLI.tsv',
};

export function submissionFileName(task: string, split: string): string | undefined {
  return SUBMISSION_FILES[`${task}/${split}`];
}

/**
 * The GLUE submission TSV of a test split: header `index\tprediction`, one row per test example (eid = GLUE's
 * index column): the argmax label, or for STS-B the prediction rescaled to 0–5 (×5, clipped to the scale).
 */
export function formatSubmission(task: Task, eids: ArrayLike<number>, outputs: Float32Array, maxOutputs: number): string {
  const rows = ['index\tprediction'];
  for (let i = 0; i < eids.length; i++) {
    const o = i * maxOutputs;
    if (task.kind === 'regression') {
      const score = Math.min(5, Math.max(0, outputs[o] * 5));
      rows.push(`${eids[i]}\t${score.toFixed(3)}`);
    } else {
      let best = 0;
      for (let j = 1; j < task.labelList.length; j++) if (outputs[o + j] > outputs[o + best]) best = j;
      rows.push(`${eids[i]}\t${task.labelList[best]}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

export function writeSubmission(dir: string, fileName: string, content: string): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileName);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
