import { parseArgs } from 'node:util';
import { parseCliOptions } from '../cli/options.js';
import { BamError } from '../errors.js';
import { parseCount, parseShape, SHAPE_OPTIONS } from './bench-options.js';
import { measureBertStep } from './measure-bert-step.js';
import { BENCH_MODELS, isBenchModel } from './model-sizes.js';

/*
 * One measurement in its own process, so that peak RSS belongs to it alone. `bam bench` starts one per model and
 * thread count and reads the JSON line this prints.
 */

const USAGE = `node bench-worker.js --model ${BENCH_MODELS.join('|')} --threads N --batch N --seq N --warmup N --runs N`;

function main(args: string[]): void {
  const { values } = parseCliOptions(USAGE, () => parseArgs({
    args,
    options: {
      model: { type: 'string' },
      threads: { type: 'string', default: '1' },
      ...SHAPE_OPTIONS,
    },
    allowPositionals: false,
    strict: true,
  }));
  const model = values.model ?? '';
  if (!isBenchModel(model)) throw new BamError(`--model must be one of ${BENCH_MODELS.join(', ')}, got "${model}"`);
  const result = measureBertStep(model, parseCount('--threads', values.threads, 1), parseShape(values));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof BamError)) throw e;
  process.stderr.write(`bam bench-worker: ${e.message}\n`);
  process.exitCode = 1;
}
