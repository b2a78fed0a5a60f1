import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { getKernels } from '../engine/index.js';
import { BamError } from '../errors.js';
import { readRecipe } from '../experiment/recipe.js';
import { runExperiment } from '../experiment/run-experiment.js';
import { parseCliOptions } from './options.js';

export const EXPERIMENT_USAGE = 'bam experiment <bam_dir> <experiment.json> [--record DIR] [--encoders DIR] [--threads N]';
const USAGE = EXPERIMENT_USAGE;

const HELP = `usage: ${USAGE}

Runs an experiment recipe: pretraining (when the recipe has "pretrain"), then every bam run it expands to
(single-task teachers before their BAM students), seed by seed. Finished steps are skipped; an interrupted one
resumes from its checkpoint (Ctrl-C, then the same command). After each step its small outputs (results, training
log, teachers' train predictions; the pretrained encoder whole) are copied into the record, so the experiment
continues on a fresh machine from a checkout that holds the record.

  <bam_dir>        a bam_dir laid out by bam init (glue_data/, pretrained_models/); models are trained in it
  experiment.json  the recipe (see experiments/ for a committed one)
  --record DIR     where finished steps are kept, laid out like a bam_dir (default: <recipe folder>/<recipe name>/);
                   bam report DIR experiment.json --out DIR/report builds the report from it alone
  --encoders DIR   where the record keeps the pretrained encoder (default: DIR/pretrained_models of the record);
                   bam report then takes --pretrain <encoders>/<pretrain model_name>
  --threads N      compute threads (default: all cores)
`;

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), after its checkpoint was saved. */
const INTERRUPTED = 130;

export async function runExperimentCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const { values, positionals } = parseCliOptions(USAGE, () =>
    parseArgs({
      args,
      options: { record: { type: 'string' }, encoders: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [bamDir, recipePath, ...extra] = positionals;
  if (bamDir === undefined || recipePath === undefined || extra.length > 0) throw new BamError(`name a bam_dir and one recipe; usage: ${USAGE}`);
  const threads = values.threads === undefined ? 0 : Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 0 && threads <= 1024)) throw new BamError(`--threads must be an integer from 0 (all cores) to 1024, got ${values.threads}`);
  const recipe = readRecipe(recipePath);
  const recordDir = values.record ?? join(dirname(recipePath), recipe.name);
  if (recordDir === '' || basename(recordDir) === '') throw new BamError(`--record needs a folder; usage: ${USAGE}`);
  const kernels = getKernels();
  kernels.setThreads(threads);
  const outcome = await runExperiment(bamDir, recipe, { recordDir, encodersDir: values.encoders, kernels, log: (line) => io.stderr.write(`${line}\n`) });
  if (outcome.interrupted) return INTERRUPTED;
  io.stdout.write(`experiment ${recipe.name}: done; the record is ${recordDir}; report: bam report ${recordDir} ${recipePath} --out ${join(recordDir, 'report')}\n`);
  return 0;
}
