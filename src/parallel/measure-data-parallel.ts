/**
 * Data-parallel throughput on this machine, the documented command of docs/data-parallel.md:
 *   node dist/src/parallel/measure-data-parallel.js <model> [batch] [seq] [steps]            (1 process, all cores)
 *   mpirun -np 2 node dist/src/parallel/measure-data-parallel.js <model> [batch] [seq] [steps] (2 ranks)
 * Each step is trainingStep on one random global batch; rank 0 prints one JSON line: examples/s, the median step
 * time and the median time in the gradient all-reduce, and the bytes it sums per step.
 */
import { availableParallelism } from 'node:os';
import { benchBertConfig, isBenchModel } from '../bench/model-sizes.js';
import { getKernels } from '../engine/index.js';
import { BertModel } from '../model/bert-model.js';
import { MultitaskLoss } from '../train/multitask-loss.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { stepSeed, trainingStep } from '../train/trainer.js';
import type { Collective } from './collective.js';
import { processCollective, threadsPerRank } from './index.js';

/** The collective with the wall time of each all-reduce recorded. */
function timed(c: Collective, allReduceMs: number[]): Collective {
  return {
    rank: c.rank, size: c.size, localSize: c.localSize,
    async allReduceSum(buffer) {
      const t = process.hrtime.bigint();
      await c.allReduceSum(buffer);
      allReduceMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    },
    broadcast: (buffer, root) => c.broadcast(buffer, root),
    abort: (message) => c.abort(message),
    close: () => c.close(),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const [model = 'mini', batchArg = '16', seqArg = '128', stepsArg = '4'] = process.argv.slice(2);
  if (!isBenchModel(model)) throw new Error(`unknown model ${model}; one of tiny, mini, small, base`);
  const [batch, seq, steps] = [batchArg, seqArg, stepsArg].map(Number);
  const collective = processCollective();
  const allReduceMs: number[] = [];
  const c = timed(collective, allReduceMs);
  const kernels = getKernels();
  const threads = threadsPerRank(0, collective, availableParallelism());
  kernels.setThreads(threads);
  const config = benchBertConfig(model);
  const bert = new BertModel(kernels, config, [{ task: 'bench', numOutputs: 3 }]);
  bert.initialize(1);
  const inputIds = Int32Array.from({ length: batch * seq }, (_, i) => 1000 + ((i * 7919) % 20000));
  const inputs = { batch, seq, inputIds, segmentIds: new Int32Array(batch * seq), inputMask: new Float32Array(batch * seq).fill(1) };
  const targets = { taskIds: new Int32Array(batch), labelIds: Int32Array.from({ length: batch }, (_, i) => i % 3), regressionTargets: new Float32Array(batch) };
  const loss = new MultitaskLoss(kernels, [{ numOutputs: 3, regression: false, weight: 1 }], bert.heads.maxOutputs, batch);
  const optimizer = new AdamWeightDecay(kernels, bert.arena, {
    learningRate: 1e-4, numTrainSteps: steps + 1, warmupProportion: 0, lrDecay: 0, weightDecayRate: 0.01, numLayers: config.numHiddenLayers,
  });
  const M = bert.heads.maxOutputs;
  const buffers = { outputs: kernels.allocFloat(batch * M), dOutputs: kernels.allocFloat(batch * M) };
  const stepMs: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t = process.hrtime.bigint();
    await trainingStep(bert, { inputs, targets }, loss, optimizer, s, stepSeed(1, s), 1, buffers, c);
    if (s > 0) stepMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const reduce = allReduceMs.slice(1);
  if (collective.rank === 0) {
    process.stdout.write(`${JSON.stringify({
      model, ranks: collective.size, threads_per_rank: threads, batch, seq, steps,
      examples_per_s: (1000 * batch) / median(stepMs), step_ms: median(stepMs),
      allreduce_ms: reduce.length > 0 ? median(reduce) : 0, allreduce_bytes: 4 * bert.arena.size,
    })}\n`);
  }
  collective.close();
}

await main();
