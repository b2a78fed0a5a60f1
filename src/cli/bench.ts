import { accessSync, constants, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BamError } from '../errors.js';
import { MASKED_PER_SEQUENCE } from '../bench/bench-batch.js';
import { defaultThreadCounts, MAX_SEQUENCE, parseModels, parseShape, parseThreadCounts, SHAPE_OPTIONS } from '../bench/bench-options.js';
import { formatReport, reportJson } from '../bench/bench-report.js';
import { BENCH_MODELS } from '../bench/model-sizes.js';
import { runBenchmarks } from '../bench/run-bench.js';
import { parseCliOptions } from './options.js';

export const BENCH_USAGE =
  'bam bench [--models tiny,mini,small,base] [--threads 1,N] [--batch 32] [--seq 128] [--warmup 2] [--runs 5] [--json FILE] [--no-torch] [--no-onnxruntime] [--no-mlm] [--help]';

const HELP = `usage: ${BENCH_USAGE}

Times BERT-tiny/mini/small/base (random weights, full-length random sequences), each configuration in its own
process, and prints Markdown tables on stdout (every timing as JSON in --json), progress on stderr:
  fine-tuning training step   bam and PyTorch (bench/torch_bert_step.py; Debian's python3-torch, installed when
                              absent and running as root)
  inference                   bam and PyTorch with the last layer on the [CLS] rows only (as bam predict runs);
                              bam computing every row, beside onnxruntime-node running bam's ONNX export (intra-op
                              threads = the thread count, 1 inter-op thread, graph optimisations "all"), whose
                              logits must match bam's to 1e-4 before it is timed
  masked-LM training step     bam and PyTorch (bench/torch_bert_step.py --task mlm), ${MASKED_PER_SEQUENCE} masked positions per sequence

  --models LIST       comma-separated, of ${BENCH_MODELS.join(', ')} (default: all)
  --threads LIST      comma-separated thread counts (default: 1 and all cores)
  --batch N           sequences per batch (default 32)
  --seq N             tokens per sequence, at most ${MAX_SEQUENCE} (default 128)
  --warmup N          untimed runs before the timed ones (default 2)
  --runs N            timed runs; the tables show the median (default 5)
  --json FILE         where the results go (default bench-results.json)
  --no-torch          leave PyTorch out
  --no-onnxruntime    leave onnxruntime-node out
  --no-mlm            leave the masked-LM step out
`;

/** Where `bam bench` writes; tests pass their own streams. */
export interface BenchIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `bam bench`: fine-tuning-step, inference and masked-LM-step throughput of BERT-tiny/mini/small/base, side by side
 * with a PyTorch reference of the same steps and onnxruntime-node running bam's ONNX export, as Markdown tables on
 * stdout and JSON in a file; progress on stderr.
 */
export async function runBench(args: string[], io: BenchIO = { stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const { values } = parseCliOptions(BENCH_USAGE, () => parseArgs({
    args,
    options: {
      models: { type: 'string', default: BENCH_MODELS.join(',') },
      threads: { type: 'string' },
      ...SHAPE_OPTIONS,
      json: { type: 'string', default: 'bench-results.json' },
      'no-torch': { type: 'boolean', default: false },
      'no-onnxruntime': { type: 'boolean', default: false },
      'no-mlm': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  }));
  if (values.help) {
    io.stdout.write(HELP);
    return;
  }
  const plan = {
    models: parseModels(values.models),
    threads: values.threads === undefined ? defaultThreadCounts() : parseThreadCounts(values.threads),
    shape: parseShape(values),
    torch: !values['no-torch'],
    onnxruntime: !values['no-onnxruntime'],
    mlm: !values['no-mlm'],
  };
  // Fail now rather than after a long run.
  const jsonDir = dirname(resolve(values.json));
  try {
    accessSync(jsonDir, constants.W_OK);
  } catch {
    throw new BamError(`${values.json}: cannot write there (${jsonDir} is missing or not writable); pass --json with a writable path`);
  }
  const report = await runBenchmarks(plan, (line) => io.stderr.write(`${line}\n`));
  io.stdout.write(formatReport(report));
  try {
    writeFileSync(values.json, `${JSON.stringify(reportJson(report), null, 2)}\n`);
  } catch (e) {
    throw new BamError(`${values.json}: cannot write the results (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass --json with a writable path`);
  }
  io.stderr.write(`bench: results written to ${values.json}\n`);
}
