import { parseArgs } from 'node:util';
import { BamError } from '../errors.js';
import { readRecipe } from '../experiment/recipe.js';
import { collectExperiment, collectModels } from '../report/collect.js';
import { writeReport } from '../report/write-report.js';
import { parseCliOptions } from './options.js';

const USAGE = 'bam report <bam_dir> <experiment.json | model_name ...> --out DIR [--pretrain DIR]';

const HELP = `usage: ${USAGE}

Writes DIR/report.md (dev results per task and method, mean ± std over seeds, GLUE-style average, gain over
"single", pretraining budget) and DIR/report.html (the same tables and charts in one file that opens offline).

  <bam_dir>          the folder with models/ (and pretrained_models/) of the runs
  experiment.json    an experiment recipe: reports every run it expands to; runs not trained yet are listed as missing
  model_name ...     or models under <bam_dir>/models, one table row each
  --out DIR          where report.md and report.html go (created if needed)
  --pretrain DIR     the folder with the pretraining training_log.jsonl; default for a recipe with "pretrain":
                     <bam_dir>/pretrained_models/<pretrain.model_name>
`;

/** `bam report`: report.md and report.html for an experiment recipe or a list of models. */
export async function runReport(args: string[], io: { stdout: NodeJS.WritableStream } = process): Promise<void> {
  const { values, positionals } = parseCliOptions(USAGE, () =>
    parseArgs({
      args,
      options: { out: { type: 'string' }, pretrain: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.stdout.write(HELP);
    return;
  }
  const [bamDir, ...targets] = positionals;
  if (bamDir === undefined || targets.length === 0) throw new BamError(`name a bam_dir and a recipe or models; usage: ${USAGE}`);
  if (values.out === undefined || values.out === '') throw new BamError(`--out DIR is missing: where report.md and report.html go; usage: ${USAGE}`);
  const recipes = targets.filter((t) => t.endsWith('.json'));
  if (recipes.length > 0 && targets.length > 1) {
    throw new BamError(`${recipes[0]}: pass one experiment recipe alone, or model names without one; usage: ${USAGE}`);
  }
  const input = recipes.length === 1 ? collectExperiment(bamDir, readRecipe(recipes[0]), values.pretrain) : collectModels(bamDir, targets, values.pretrain);
  const written = writeReport(input, values.out);
  io.stdout.write(`${written.markdown}\n${written.html}\n`);
}
