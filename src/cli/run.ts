import { availableParallelism } from 'node:os';
import { resolveConfig } from '../config/resolve-config.js';
import { getKernels } from '../engine/index.js';
import { processCollective, threadsPerRank } from '../parallel/index.js';
import { formatResultsTxt } from '../run/results.js';
import { runBam } from '../run/run-bam.js';
import { parseRunArgs } from './run-args.js';

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), after its checkpoint was saved. */
const INTERRUPTED = 130;

/**
 * `bam run <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json] [--threads N]`: trains and evaluates as
 * the original's run_classifier.py. Progress goes to stderr; the results table to stdout. Under `mpirun -np N`, the
 * N ranks train one model data-parallel; rank 0 alone prints and writes files.
 */
export async function runRun(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const { modelName, bamDir, user, overwrite } = parseRunArgs(args);
  const config = resolveConfig(modelName, bamDir, user);
  const collective = processCollective();
  try {
    const kernels = getKernels();
    kernels.setThreads(threadsPerRank(config.num_threads, collective, availableParallelism()));
    const lead = collective.rank === 0;
    const outcome = await runBam(config, kernels, (line) => { if (lead) io.stderr.write(`${line}\n`); }, { overwrite, collective });
    collective.close();
    if (outcome.interrupted) return INTERRUPTED;
    if (lead) io.stdout.write(formatResultsTxt(outcome.trials));
    return 0;
  } catch (err) {
    // One rank failing alone would leave the others waiting in a collective: end the whole job.
    if (collective.size > 1) collective.abort(err instanceof Error ? err.message : String(err));
    throw err;
  }
}
