import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BamError } from '../errors.js';
import type { BenchShape } from './bench-options.js';
import { formatRate, type BenchReport, type BenchRow } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import type { BenchModel } from './model-sizes.js';
import { ensureTorch, PYTHON } from './torch-setup.js';
import { parseWorkerResult, type WorkerResult } from './worker-result.js';

const runFile = promisify(execFile);

/** bam's worker sits beside this module once compiled; the PyTorch script lives in bench/ at the project root. */
const BAM_WORKER = fileURLToPath(new URL('./bench-worker.js', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(new URL('../../../bench/torch_bert_step.py', import.meta.url));

export interface BenchPlan {
  models: BenchModel[];
  threads: number[];
  shape: BenchShape;
  /** Measure PyTorch too (when it can be found or installed). */
  torch: boolean;
}

interface Worker {
  name: string;
  command: string;
  args: string[];
}

function workerArgs(model: BenchModel, threads: number, s: BenchShape): string[] {
  return [
    '--model', model, '--threads', String(threads), '--batch', String(s.batch), '--seq', String(s.seq),
    '--warmup', String(s.warmup), '--runs', String(s.runs),
  ];
}

/** Runs one measurement process and reads its result line. */
async function measure(worker: Worker): Promise<WorkerResult> {
  const commandLine = [worker.command, ...worker.args].join(' ');
  let stdout: string;
  try {
    ({ stdout } = await runFile(worker.command, worker.args, { maxBuffer: 16 << 20 }));
  } catch (e) {
    const failure = e as { code?: number | string; stderr?: string };
    const lastLine = (failure.stderr ?? '').trim().split('\n').pop() || `exit ${failure.code}`;
    throw new BamError(`the ${worker.name} measurement failed (${lastLine}); run "${commandLine}" to see the whole error`);
  }
  return parseWorkerResult(stdout, commandLine);
}

function progress(result: WorkerResult, seconds: number): string {
  return `${formatRate(result.examples_per_s_train)} train ex/s, ${formatRate(result.examples_per_s_infer)} infer ex/s, ` +
    `peak RSS ${result.peak_rss_mb.toFixed(0)} MB (${seconds.toFixed(1)} s)`;
}

/**
 * Measures every model at every thread count, bam and then PyTorch, each in a fresh process one after another so
 * that they never compete for cores. Progress goes to `log`.
 */
export async function runBenchmarks(plan: BenchPlan, log: (line: string) => void): Promise<BenchReport> {
  let torchVersion: string | null = null;
  if (plan.torch) {
    const torch = ensureTorch(log);
    if (torch.available) torchVersion = torch.version;
    else log(`bench: PyTorch is unavailable (${torch.reason}); showing bam's numbers alone`);
  }
  const machine = machineInfo(torchVersion);
  const rows: BenchRow[] = [];
  const total = plan.models.length * plan.threads.length;
  for (const model of plan.models) {
    for (const threads of plan.threads) {
      const label = `bench: [${rows.length + 1}/${total}] ${model}, ${threads} thread${threads === 1 ? '' : 's'}`;
      const args = workerArgs(model, threads, plan.shape);
      let started = performance.now();
      const bam = await measure({ name: 'bam', command: process.execPath, args: [BAM_WORKER, ...args] });
      log(`${label}, bam: ${progress(bam, (performance.now() - started) / 1000)}`);
      let torch: WorkerResult | null = null;
      if (torchVersion !== null) {
        started = performance.now();
        torch = await measure({ name: 'PyTorch', command: PYTHON, args: [TORCH_SCRIPT, ...args] });
        log(`${label}, PyTorch: ${progress(torch, (performance.now() - started) / 1000)}`);
        if (torch.parameters !== bam.parameters) {
          throw new BamError(
            `${TORCH_SCRIPT} built ${model} with ${torch.parameters} parameters but bam has ${bam.parameters}; make its model match src/bench/model-sizes.ts`,
          );
        }
      }
      rows.push({ model, threads, bam, torch });
    }
  }
  return { machine, shape: plan.shape, rows };
}
