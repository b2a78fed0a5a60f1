import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { getKernels } from '../../src/engine/index.js';
import { runBam } from '../../src/run/run-bam.js';
import { sharedDataDir } from '../shared-data.js';
import { makeBamDir, TINY_RUN } from '../run/fixture-bam-dir.js';

/** Trains a tiny bam model (a 1-layer debug run on 16 real GLUE rows a task) in a fresh bam_dir; returns its folders. */
export async function trainTinyModel(name: string, hparams: Record<string, unknown>, bamDir = makeBamDir()): Promise<{ bamDir: string; modelDir: string; runDir: string }> {
  await runBam(resolveConfig(name, bamDir, { ...TINY_RUN, ...hparams }), getKernels(), () => {});
  const runDir = join(bamDir, 'models', name);
  return { bamDir, runDir, modelDir: join(runDir, 'model_1') };
}

/** The first `n` [text_a, text_b] pairs of a GLUE dev file, columns as its task reads them. */
export function glueDevPairs(folder: 'RTE' | 'STS-B' | 'MRPC', n: number): { textA: string; textB: string }[] {
  const lines = readFileSync(join(sharedDataDir, 'glue', folder, 'dev.tsv'), 'utf8').split('\n').slice(1, n + 1);
  return lines.map((line) => {
    const f = line.split('\t');
    return folder === 'RTE' ? { textA: f[1], textB: f[2] } : folder === 'MRPC' ? { textA: f[3], textB: f[4] } : { textA: f[f.length - 3], textB: f[f.length - 2] };
  });
}
