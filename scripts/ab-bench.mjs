#!/usr/bin/env node
// Times bam's benchmarked steps of two built checkouts (A: before a change, B: after) interleaved in one process:
// round after round, A's fine-tuning step, inference and masked-LM step, and B's (in alternating order), so that a
// machine whose speed drifts slows both alike. Prints, per configuration, the median examples/s of each and the
// median of the per-round ratios B/A (above 1: B is faster).
//
// usage: node scripts/ab-bench.mjs DIR_A DIR_B [models=tiny,mini] [threads=1,2] [rounds=7]
// Each DIR is a checkout with dist/ and build/Release/bam_native.node built (npm run build, npm run build:native).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirA, dirB, models = 'tiny,mini', threads = '1,2', rounds = '7'] = process.argv.slice(2);
if (!dirA || !dirB) {
  process.stderr.write('usage: node scripts/ab-bench.mjs DIR_A DIR_B [models=tiny,mini] [threads=1,2] [rounds=7]\n');
  process.exit(2);
}

async function load(dir) {
  const at = (path) => pathToFileURL(resolve(dir, 'dist', 'src', 'bench', path)).href;
  const [{ measureBertStep }, { measureMaskedLmStep }] = await Promise.all([import(at('measure-bert-step.js')), import(at('measure-masked-lm-step.js'))]);
  return { measureBertStep, measureMaskedLmStep };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sides = { A: await load(dirA), B: await load(dirB) };
const shape = { batch: 32, seq: 128, warmup: 1, runs: 3 };
const rows = [];
for (const model of models.split(',')) {
  for (const t of threads.split(',').map(Number)) {
    const rates = { A: {}, B: {} };
    for (let r = 0; r < Number(rounds); r++) {
      // Alternate which side goes first, so that neither gains from its place in the round.
      for (const side of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
        const step = sides[side].measureBertStep(model, t, shape).timings;
        const mlm = sides[side].measureMaskedLmStep(model, t, shape).timings;
        for (const [name, timing] of Object.entries({ train: step.train, infer: step.infer, infer_all_rows: step.infer_all_rows, mlm_train: mlm.train })) {
          (rates[side][name] ??= []).push(timing.examples_per_s);
        }
      }
    }
    for (const name of Object.keys(rates.A)) {
      const ratios = rates.A[name].map((a, i) => rates.B[name][i] / a);
      rows.push(`| ${model} | ${t} | ${name} | ${median(rates.A[name]).toPrecision(3)} | ${median(rates.B[name]).toPrecision(3)} | ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`);
    }
    process.stderr.write(`${model}, ${t} thread(s) done\n`);
  }
}
process.stdout.write(`A = ${resolve(dirA)}, B = ${resolve(dirB)}; ${rounds} rounds, each ${shape.runs} timed runs after ${shape.warmup} warm-up, batch ${shape.batch} × ${shape.seq}\n\n`);
process.stdout.write('| model | threads | step | A ex/s | B ex/s | B/A: median of rounds (range) |\n| --- | --- | --- | --- | --- | --- |\n');
process.stdout.write(`${rows.join('\n')}\n`);
