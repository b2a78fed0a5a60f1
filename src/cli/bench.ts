import { accessSync, constants, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BamError } from '../errors.js';
import { defaultThreadCounts, parseModels, parseShape, parseThreadCounts, SHAPE_OPTIONS } from '../bench/bench-options.js';
import { formatReport, reportJson } from '../bench/bench-report.js';
import { BENCH_MODELS } from '../bench/model-sizes.js';
import { runBenchmarks } from '../bench/run-bench.js';
import { parseCliOptions } from './options.js';

export const BENCH_USAGE =
  `bam bench [--models ${BENCH_MODELS.join(',')}] [--threads 1,N] ` +
  Object.entries(SHAPE_OPTIONS).map(([name, option]) => `[--${name} ${option.default}] `).join('') +
  '[--json FILE] [--no-torch]';

/** Where `bam bench` writes; tests pass their own streams. */
export interface BenchIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `bam bench`: training-step and inference throughput of BERT-tiny/mini/small/base, side by side with a PyTorch
 * reference of the same step, as a Markdown table on stdout and JSON in a file; progress on stderr.
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
    },
    allowPositionals: false,
    strict: true,
  }));
  const plan = {
    models: parseModels(values.models),
    threads: values.threads === undefined ? defaultThreadCounts() : parseThreadCounts(values.threads),
    shape: parseShape(values),
    torch: !values['no-torch'],
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
