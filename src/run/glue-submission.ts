import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../data/tasks.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * The GLUE submission TSV of a test split: header `index\tprediction`, one row per test example (eid = GLUE's
 * index column) with the task's submission value: the argmax label, or for STS-B the prediction rescaled to 0–5.
 */
export function formatSubmission(task: Task, eids: ArrayLike<number>, outputs: Float32Array, maxOutputs: number): string {
  const rows = ['index\tprediction'];
  for (let i = 0; i < eids.length; i++) rows.push(`${eids[i]}\t${task.submissionValue(outputs, i * maxOutputs)}`);
  return `${rows.join('\n')}\n`;
}

export function writeSubmission(dir: string, fileName: string, content: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, fileName), content);
}
