import { parseArgs } from 'node:util';
import { parseCliOptions } from '../cli/options.js';
import { BamError } from '../errors.js';
import { parseCount, parseShape } from './bench-options.js';
import { measureOnnxruntime } from './measure-onnxruntime.js';
import { BENCH_MODELS, isBenchModel } from './model-sizes.js';

/*
 * onnxruntime-node's inference in its own process, so that its peak RSS and threads are its own: reads the ONNX
 * export and bam's logits that `bench-worker.js --onnx-out DIR` wrote, and prints one JSON result line.
 */

const USAGE = `node onnxruntime-worker.js --model ${BENCH_MODELS.join('|')} --onnx-dir DIR --threads N --batch N --seq N --warmup N --runs N`;

async function main(args: string[]): Promise<void> {
  const { values } = parseCliOptions(USAGE, () => parseArgs({
    args,
    options: {
      model: { type: 'string' },
      'onnx-dir': { type: 'string' },
      threads: { type: 'string', default: '1' },
      batch: { type: 'string', default: '32' },
      seq: { type: 'string', default: '128' },
      warmup: { type: 'string', default: '2' },
      runs: { type: 'string', default: '5' },
    },
    allowPositionals: false,
    strict: true,
  }));
  const model = values.model ?? '';
  if (!isBenchModel(model)) throw new BamError(`--model must be one of ${BENCH_MODELS.join(', ')}, got "${model}"`);
  const dir = values['onnx-dir'];
  if (dir === undefined) throw new BamError(`--onnx-dir is required; usage: ${USAGE}`);
  const result = await measureOnnxruntime(model, dir, parseCount('--threads', values.threads, 1), parseShape(values));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof BamError)) throw e;
  process.stderr.write(`bam onnxruntime-worker: ${e.message}\n`);
  process.exitCode = 1;
}
