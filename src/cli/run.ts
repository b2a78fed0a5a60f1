import { resolveConfig } from '../config/resolve-config.js';
import { getKernels } from '../engine/index.js';
import { formatResultsTxt } from '../run/results.js';
import { runBam } from '../run/run-bam.js';
import { parseRunArgs } from './run-args.js';

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), after its checkpoint was saved. */
const INTERRUPTED = 130;

/**
 * `bam run <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json]`: trains and evaluates as the original's
 * run_classifier.py. Progress goes to stderr; the results table to stdout.
 */
export async function runRun(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const { modelName, bamDir, user, overwrite } = parseRunArgs(args);
  const config = resolveConfig(modelName, bamDir, user);
  const kernels = getKernels();
  kernels.setThreads(config.num_threads);
  const outcome = await runBam(config, kernels, (line) => io.stderr.write(`${line}\n`), { overwrite });
  if (outcome.interrupted) return INTERRUPTED;
  io.stdout.write(formatResultsTxt(outcome.trials));
  return 0;
}
