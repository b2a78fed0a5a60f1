import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecipe, type ExperimentRecipe } from '../../src/experiment/recipe.js';
import type { MetricName } from '../../src/data/tasks.js';
import { writeResults } from '../../src/run/results.js';

/**
 * A bam_dir with the runs of a small experiment (rte, mrpc, sts × single, multi, bam × seeds 1, 2), written by the
 * real results writer, with training logs; bam-s2 is still training (its log ends in a cut line), and a pretraining
 * log. The scores are chosen so that every mean, std and average of the report is easy to compute by hand:
 *
 *             seed 1: rte  mrpc (acc, f1)  sts (pearson, spearman)   seed 2: rte  mrpc      sts
 *   single            62   80, 84 -> 82    70, 72 -> 71                      64   82, 86 -> 84  74, 76 -> 75
 *   multi             63   81, 85 -> 83    71, 73 -> 72                      65   85, 87 -> 86  75, 77 -> 76
 *   bam               66   84, 88 -> 86    76, 78 -> 77                      (missing)
 */
export const SCORES: Record<string, Record<number, { rte: number; mrpc: [number, number]; sts: [number, number] }>> = {
  single: { 1: { rte: 62, mrpc: [80, 84], sts: [70, 72] }, 2: { rte: 64, mrpc: [82, 86], sts: [74, 76] } },
  multi: { 1: { rte: 63, mrpc: [81, 85], sts: [71, 73] }, 2: { rte: 65, mrpc: [85, 87], sts: [75, 77] } },
  bam: { 1: { rte: 66, mrpc: [84, 88], sts: [76, 78] } },
};

export function fixtureRecipe(name: string): ExperimentRecipe {
  return parseRecipe(
    {
      name,
      pretrain: { model_name: 'tiny-mlm', hparams: { train_batch_size: 8 } },
      tasks: ['rte', 'mrpc', 'sts'],
      seeds: [1, 2],
      hparams: { num_train_epochs: 1 },
      methods: ['single', 'multi', 'bam'],
    },
    'fixture recipe',
  );
}

function metricsOf(method: string, seed: number, task: string): [MetricName, number][] {
  const s = SCORES[method][seed];
  if (task === 'rte') return [['accuracy', s.rte], ['loss', 0.6]];
  if (task === 'mrpc') return [['accuracy', s.mrpc[0]], ['f1', s.mrpc[1]], ['loss', 0.5]];
  return [['pearson', s.sts[0]], ['spearman', s.sts[1]], ['mse', 0.05], ['loss', 0.05]];
}

function jsonl(records: object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Ten logged steps of a run: losses falling, λ rising when distilled, one dev evaluation at the end. */
function runLog(tasks: string[], distilled: boolean, final: Record<string, Record<string, number>>): string {
  const train = Array.from({ length: 10 }, (_, i) => {
    const step = 10 * (i + 1);
    return {
      type: 'train', trial: 1, step, total_steps: 100, lr: 2e-5 * (1 - step / 100), lambda: distilled ? step / 100 : null,
      loss: 0.7 - 0.03 * i, task_losses: Object.fromEntries(tasks.map((t, k) => [t, 0.7 - 0.03 * i - 0.1 * k])),
      examples_per_s: 40, elapsed_s: 2 * (i + 1),
    };
  });
  return jsonl([...train, { type: 'eval', trial: 1, step: 100, dev: final }]);
}

/** The fixture bam_dir (a fresh temporary folder) for the experiment `name`. */
export function makeExperimentDir(name: string): string {
  const bamDir = mkdtempSync(join(tmpdir(), 'bam-report-'));
  for (const seed of [1, 2]) {
    for (const method of ['single', 'multi', 'bam']) {
      const multiTask = method !== 'single';
      for (const tasks of multiTask ? [['rte', 'mrpc', 'sts']] : [['rte'], ['mrpc'], ['sts']]) {
        const model = multiTask ? `${name}-${method}-s${seed}` : `${name}-single-${tasks[0]}-s${seed}`;
        const dir = join(bamDir, 'models', model);
        mkdirSync(dir, { recursive: true });
        if (SCORES[method][seed] === undefined) {
          // Still training: two records, then a line cut short by the kill.
          writeFileSync(join(dir, 'training_log.jsonl'), runLog(tasks, true, {}).split('\n').slice(0, 2).join('\n') + '\n{"type":"train","trial":1,"st');
          continue;
        }
        const results = Object.fromEntries(tasks.map((t) => [t, metricsOf(method, seed, t)]));
        writeResults(join(dir, 'results.txt'), join(dir, 'results.json'), model, [{ trial: 1, seed, results }]);
        writeFileSync(join(dir, 'training_log.jsonl'), runLog(tasks, method === 'bam', Object.fromEntries(Object.entries(results).map(([t, m]) => [t, Object.fromEntries(m)]))));
      }
    }
  }
  const pretrainDir = join(bamDir, 'pretrained_models', 'tiny-mlm');
  mkdirSync(pretrainDir, { recursive: true });
  // The third record comes after a resume: elapsed_s starts again from 0.
  writeFileSync(
    join(pretrainDir, 'training_log.jsonl'),
    jsonl([
      { type: 'train', step: 100, total_steps: 400, lr: 1e-4, loss: 6.1, mlm_accuracy: 0.1, examples_per_s: 80, elapsed_s: 10 },
      { type: 'eval', step: 100, heldout: { mlm_loss: 5.9, mlm_accuracy: 0.15 } },
      { type: 'train', step: 200, total_steps: 400, lr: 9e-5, loss: 5.5, mlm_accuracy: 0.18, examples_per_s: 100, elapsed_s: 20 },
      { type: 'eval', step: 200, heldout: { mlm_loss: 5.25, mlm_accuracy: 0.2125 } },
      { type: 'train', step: 300, total_steps: 400, lr: 8e-5, loss: 5.2, mlm_accuracy: 0.2, examples_per_s: 60, elapsed_s: 5 },
    ]),
  );
  return bamDir;
}
