import { parseArgs } from 'node:util';
import { parseCliOptions } from '../cli/options.js';
import { BamError } from '../errors.js';
import { parseCount, parseShape, SHAPE_OPTIONS } from './bench-options.js';
import { measureBertStep } from './measure-bert-step.js';
import { measureMaskedLmStep } from './measure-masked-lm-step.js';
import { BENCH_MODELS, isBenchModel } from './model-sizes.js';

/*
 * One measurement in its own process, so that peak RSS belongs to it alone. `bam bench` starts one per task, model and
 * thread count and reads the JSON line this prints. --task classify: the fine-tuning step and inference (with
 * --onnx-out DIR, then the ONNX export and bam's logits for the onnxruntime worker); --task mlm: the masked-LM
 * pretraining step.
 */

const TASKS = ['classify', 'mlm'];
const USAGE =
  `node bench-worker.js --model ${BENCH_MODELS.join('|')} [--task ${TASKS.join('|')}] --threads N --batch N --seq N --warmup N --runs N [--onnx-out DIR]`;

function main(args: string[]): void {
  const { values } = parseCliOptions(USAGE, () => parseArgs({
    args,
    options: {
      model: { type: 'string' },
      task: { type: 'string', default: 'classify' },
      'onnx-out': { type: 'string' },
      threads: { type: 'string', default: '1' },
      ...SHAPE_OPTIONS,
    },
    allowPositionals: false,
    strict: true,
  }));
  const model = values.model ?? '';
  if (!isBenchModel(model)) throw new BamError(`--model must be one of ${BENCH_MODELS.join(', ')}, got "${model}"`);
  if (!TASKS.includes(values.task)) throw new BamError(`--task must be one of ${TASKS.join(', ')}, got "${values.task}"`);
  if (values.task === 'mlm' && values['onnx-out'] !== undefined) throw new BamError('--onnx-out goes with --task classify only; drop it');
  const threads = parseCount('--threads', values.threads, 1);
  const shape = parseShape(values);
  const result = values.task === 'mlm' ? measureMaskedLmStep(model, threads, shape) : measureBertStep(model, threads, shape, values['onnx-out']);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof BamError)) throw e;
  process.stderr.write(`bam bench-worker: ${e.message}\n`);
  process.exitCode = 1;
}
