import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BamError } from '../errors.js';
import type { BenchShape } from './bench-options.js';
import { formatRate, type BenchReport, type BenchRow } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import type { BenchModel } from './model-sizes.js';
import { findOnnxruntime } from './onnxruntime-setup.js';
import { ensureTorch, PYTHON } from './torch-setup.js';
import { parseWorkerResult, type AnyWorkerResult, type Measurement, type WorkerResult } from './worker-result.js';

const runFile = promisify(execFile);

/** bam's workers sit beside this module once compiled; the PyTorch script lives in bench/ at the project root. */
const BAM_WORKER = fileURLToPath(new URL('./bench-worker.js', import.meta.url));
const ONNXRUNTIME_WORKER = fileURLToPath(new URL('./onnxruntime-worker.js', import.meta.url));
const TORCH_SCRIPT = fileURLToPath(new URL('../../../bench/torch_bert_step.py', import.meta.url));

export interface BenchPlan {
  models: BenchModel[];
  threads: number[];
  shape: BenchShape;
  /** Measure PyTorch too (when it can be found or installed). */
  torch: boolean;
  /** Measure onnxruntime-node's inference of bam's ONNX export too (when onnxruntime-node loads). */
  onnxruntime: boolean;
  /** Measure the masked-LM pretraining step too. */
  mlm: boolean;
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

/** Runs one measurement process and reads its result line, which must time `expected`. */
async function measure<M extends Measurement>(worker: Worker, expected: readonly M[]): Promise<WorkerResult<M>> {
  const commandLine = [worker.command, ...worker.args].join(' ');
  let stdout: string;
  try {
    ({ stdout } = await runFile(worker.command, worker.args, { maxBuffer: 16 << 20 }));
  } catch (e) {
    const failure = e as { code?: number | string; stderr?: string };
    const lastLine = (failure.stderr ?? '').trim().split('\n').pop() || `exit ${failure.code}`;
    throw new BamError(`the ${worker.name} measurement failed (${lastLine}); run "${commandLine}" to see the whole error`);
  }
  return parseWorkerResult(stdout, commandLine, expected);
}

/** One progress line: every throughput of a result, its peak RSS and how long the process took. */
function progress(result: AnyWorkerResult, seconds: number): string {
  const rates = Object.entries(result.timings).map(([name, t]) => `${formatRate(t.examples_per_s)} ${name.replaceAll('_', ' ')} ex/s`);
  return `${rates.join(', ')}, peak RSS ${result.peak_rss_mb.toFixed(0)} MB (${seconds.toFixed(1)} s)`;
}

/** Refuses a PyTorch result whose model is not bam's. */
function checkSameModel(bam: AnyWorkerResult, torch: AnyWorkerResult, model: BenchModel, task: string): void {
  if (torch.parameters !== bam.parameters) {
    throw new BamError(
      `${TORCH_SCRIPT} built ${model} (--task ${task}) with ${torch.parameters} parameters but bam has ${bam.parameters}; make its model match src/bench/model-sizes.ts`,
    );
  }
}

/** The PyTorch version when PyTorch is to be and can be measured, else null (saying why on `log`). */
function torchVersionFor(plan: BenchPlan, log: (line: string) => void): string | null {
  if (!plan.torch) return null;
  const torch = ensureTorch(log);
  if (torch.available) return torch.version;
  log(`bench: PyTorch is unavailable (${torch.reason}); showing bam's numbers without it`);
  return null;
}

async function onnxruntimeVersionFor(plan: BenchPlan, log: (line: string) => void): Promise<string | null> {
  if (!plan.onnxruntime) return null;
  const ort = await findOnnxruntime();
  if (ort.available) return ort.version;
  log(`bench: onnxruntime is unavailable (${ort.reason}); showing bam's numbers without it`);
  return null;
}

/**
 * Measures every model at every thread count, each measurement in a fresh process one after another so that they
 * never compete for cores: bam's fine-tuning step and inference, PyTorch's, onnxruntime-node's inference of the ONNX
 * export bam's first process of each model writes (into a temporary folder, removed at the end), then bam's and
 * PyTorch's masked-LM step. Progress goes to `log`.
 */
export async function runBenchmarks(plan: BenchPlan, log: (line: string) => void): Promise<BenchReport> {
  const torchVersion = torchVersionFor(plan, log);
  const onnxruntimeVersion = await onnxruntimeVersionFor(plan, log);
  const machine = machineInfo(torchVersion, onnxruntimeVersion);
  const onnxRoot = onnxruntimeVersion === null ? null : mkdtempSync(join(tmpdir(), 'bam-bench-onnx-'));
  const rows: BenchRow[] = [];
  const total = plan.models.length * plan.threads.length;
  try {
    for (const model of plan.models) {
      const onnxDir = onnxRoot === null ? null : join(onnxRoot, model);
      for (const [t, threads] of plan.threads.entries()) {
        const label = `bench: [${rows.length + 1}/${total}] ${model}, ${threads} thread${threads === 1 ? '' : 's'}`;
        const args = workerArgs(model, threads, plan.shape);
        const run = async <M extends Measurement>(worker: Worker, expected: readonly M[]): Promise<WorkerResult<M>> => {
          const started = performance.now();
          const result = await measure(worker, expected);
          log(`${label}, ${worker.name}: ${progress(result, (performance.now() - started) / 1000)}`);
          return result;
        };
        // The first thread count's bam process exports the model once per size.
        const exportArgs = onnxDir !== null && t === 0 ? ['--onnx-out', onnxDir] : [];
        const bam = await run({ name: 'bam', command: process.execPath, args: [BAM_WORKER, ...args, ...exportArgs] }, ['train', 'infer', 'infer_all_rows']);
        let torch: WorkerResult<'train' | 'infer'> | null = null;
        if (torchVersion !== null) {
          torch = await run({ name: 'PyTorch', command: PYTHON, args: [TORCH_SCRIPT, ...args] }, ['train', 'infer']);
          checkSameModel(bam, torch, model, 'classify');
        }
        const onnxruntime = onnxDir === null ? null : await run(
          { name: 'onnxruntime', command: process.execPath, args: [ONNXRUNTIME_WORKER, ...args, '--onnx-dir', onnxDir] }, ['infer'],
        );
        let bamMlm: WorkerResult<'train'> | null = null;
        let torchMlm: WorkerResult<'train'> | null = null;
        if (plan.mlm) {
          const mlmArgs = [...args, '--task', 'mlm'];
          bamMlm = await run({ name: 'bam masked-LM', command: process.execPath, args: [BAM_WORKER, ...mlmArgs] }, ['train']);
          if (torchVersion !== null) {
            torchMlm = await run({ name: 'PyTorch masked-LM', command: PYTHON, args: [TORCH_SCRIPT, ...mlmArgs] }, ['train']);
            checkSameModel(bamMlm, torchMlm, model, 'mlm');
          }
        }
        rows.push({ model, threads, bam, torch, onnxruntime, bamMlm, torchMlm });
      }
    }
  } finally {
    if (onnxRoot !== null) rmSync(onnxRoot, { recursive: true, force: true });
  }
  return { machine, shape: plan.shape, rows };
}
