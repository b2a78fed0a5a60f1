import { resolvePretrainHparams } from '../config/pretrain-hparams.js';
import { isFolderName, showValue } from '../config/hparams.js';
import { getKernels } from '../engine/index.js';
import { BamError } from '../errors.js';
import { availableParallelism } from 'node:os';
import { processCollective, threadsPerRank } from '../parallel/index.js';
import { runPretrain, type PretrainResults } from '../pretrain/run-pretrain.js';
import { parseRunArgs } from './run-args.js';

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), after its checkpoint was saved. */
const INTERRUPTED = 130;

/**
 * `bam pretrain <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json]`: masked-LM pretraining into
 * `<bam_dir>/pretrained_models/<model_name>/`. Progress goes to stderr; the held-out result to stdout.
 */
export async function runPretrainCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const { modelName, bamDir, user, overwrite } = parseRunArgs(args, 'pretrain');
  if (!isFolderName(modelName)) throw new BamError(`model name ${showValue(modelName)} must be a folder name (no "/"): bam pretrain <model_name> <bam_dir>`);
  const hparams = resolvePretrainHparams(user);
  const kernels = getKernels();
  const collective = processCollective();
  kernels.setThreads(threadsPerRank(hparams.num_threads, collective, availableParallelism()));
  const log = (line: string): void => { if (collective.rank === 0) io.stderr.write(`${line}\n`); };
  try {
    const outcome = await runPretrain(modelName, bamDir, hparams, kernels, log, collective, { overwrite });
    collective.close();
    if (outcome.interrupted) return INTERRUPTED;
    if (outcome.results) report(io, modelName, outcome.results, outcome.modelDir);
    return 0;
  } catch (err) {
    // One rank failing alone would leave the others waiting in a collective: end the whole job.
    if (collective.size > 1) collective.abort(err instanceof Error ? err.message : String(err));
    throw err;
  }
}

function report(io: { stdout: NodeJS.WritableStream }, modelName: string, r: PretrainResults, modelDir: string): void {
  io.stdout.write(`${modelName}: ${r.steps} steps; held-out MLM loss ${r.heldout.mlm_loss.toFixed(4)}, MLM accuracy ${(100 * r.heldout.mlm_accuracy).toFixed(2)}%; saved in ${modelDir}\n`);
}
