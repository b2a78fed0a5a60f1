import { dropoutBits, type EncoderLayerWeights, type HostKernels } from '../../src/engine/kernels.js';
import { interleaved } from './interleaved-layout.js';

// Seeded calls of every kernel, each returning all it writes, for the tests that run the same calls under several
// configurations (SIMD levels, thread counts) and compare the results with each other and with the reference.
// Sizes are large enough that every threaded kernel splits its work across four threads, with odd widths so that
// vector loops also run their scalar tails.

export type Output = Float32Array | Float64Array | Uint8Array;

/** Allowed |native − reference| for one float output: rel·|reference| + abs. */
export interface Tolerance {
  rel: number;
  abs: number;
}

/** Bit-identical: masks, copies, and outputs both backends compute with the same float operations. */
export const EXACT: Tolerance = { rel: 0, abs: 0 };
/** Elementwise and row kernels (native vectorized float math vs the reference's float64 math rounded to float32). */
const ROW: Tolerance = { rel: 1e-5, abs: 1e-6 };

export interface KernelCase {
  name: string;
  /** Runs the kernel on fresh inputs; returns every output it writes, in a fixed order. */
  run(k: HostKernels): Output[];
  /**
   * The tolerance of each output against the reference backend, given for the kernels with loops compiled per SIMD
   * level (native/simd_dispatch.h); test/engine/native-vs-reference.test.ts checks the others.
   */
  reference?: Tolerance[];
}

/** Seeded uniform floats in [lo, hi): the dropout RNG as a counter-based generator. */
export function random(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * dropoutBits(seed, i)) / 2 ** 32;
  return out;
}

function layerWeights(seed: number, hidden: number, inter: number): EncoderLayerWeights {
  const w = (n: number, fanIn: number, s: number) => random(seed + s, n, -2 / Math.sqrt(fanIn), 2 / Math.sqrt(fanIn));
  return {
    qkv: w(3 * hidden * hidden, hidden, 1), qkvBias: random(seed + 2, 3 * hidden),
    attnOut: w(hidden * hidden, hidden, 3), attnOutBias: random(seed + 4, hidden),
    attnGamma: random(seed + 5, hidden, 0.5, 1.5), attnBeta: random(seed + 6, hidden),
    inter: w(hidden * inter, hidden, 7), interBias: random(seed + 8, inter),
    out: w(inter * hidden, inter, 9), outBias: random(seed + 10, hidden),
    outGamma: random(seed + 11, hidden, 0.5, 1.5), outBeta: random(seed + 12, hidden),
  };
}

/** encoderLayerInference over every row and over [CLS] rows only; sequence b has its last b positions padded. */
function encoderCase(batch: number, seq: number, heads: number, hidden: number, inter: number, reference?: Tolerance[]): KernelCase {
  return {
    name: `encoderLayerInference ${batch}×${seq}, hidden ${hidden}, intermediate ${inter}`,
    run: (k) => {
      const rows = batch * seq;
      const weights = layerWeights(batch * 1000 + seq, hidden, inter);
      const x = random(seq + 7, rows * hidden, -2, 2);
      const mask = new Float32Array(rows).map((_, i) => (i % seq < seq - Math.floor(i / seq) ? 1 : 0));
      const all = new Float32Array(rows * hidden);
      k.encoderLayerInference(x, mask, weights, all, batch, seq, heads, hidden, inter, 1e-12, false);
      const cls = new Float32Array(rows * hidden);
      k.encoderLayerInference(x, mask, weights, cls, batch, seq, heads, hidden, inter, 1e-12, true);
      return [all, cls];
    },
    reference,
  };
}

/** gemm with every transpose, beta 0 and 1, with and without bias, at one size. */
function gemmCase(m: number, n: number, k: number): KernelCase {
  return {
    name: `gemm ${m}×${n}×${k}, every transpose, beta 0/1, bias or not`,
    run: (kern) => {
      const outs: Output[] = [];
      const a = random(m + 1, m * k);
      const b = random(n + 2, k * n);
      const bias = random(k + 3, n);
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [beta, withBias] of [[0, false], [1, false], [0, true], [1, true]] as const) {
            const c = beta === 0 ? new Float32Array(m * n) : random(7, m * n);
            kern.gemm(transA, transB, m, n, k, withBias ? 0.5 : 1, a, b, beta, c, withBias ? bias : undefined);
            outs.push(c);
          }
        }
      }
      return outs;
    },
  };
}

const GELU_N = 70_001;
const LN = { rows: 515, cols: 259 };
const SOFTMAX = { batch: 4, heads: 4, rows: 63, cols: 67 };
const DROPOUT_N = 100_001;
const ADAM_SIZE = 50_000;
const ADAM_SEGMENTS = new Float64Array([0, 100, 1e-3, 0.01, 100, 0, 5e-4, 0, 130, 40_000, 2e-5, 0.01, 45_000, 4_999, 1e-4, 0]);

export const KERNEL_CASES: KernelCase[] = [
  {
    name: 'geluForward and geluBackward',
    run: (k) => {
      const x = random(1, GELU_N, -6, 6);
      const y = new Float32Array(GELU_N);
      k.geluForward(x, y, GELU_N);
      const dx = random(2, GELU_N);
      k.geluBackward(dx, x, dx, GELU_N);
      return [y, dx];
    },
    reference: [ROW, ROW],
  },
  {
    name: 'biasGeluForward',
    run: (k) => {
      const { rows, cols } = LN;
      const pre = random(3, rows * cols, -4, 4);
      const act = new Float32Array(rows * cols);
      k.biasGeluForward(pre, random(4, cols), act, rows, cols);
      return [pre, act];
    },
    reference: [EXACT, ROW],
  },
  {
    name: 'softmaxForward (mask, scale) and softmaxBackward',
    run: (k) => {
      const { batch, heads, rows, cols } = SOFTMAX;
      const total = batch * heads * rows * cols;
      const mask = new Float32Array(batch * cols).map((_, i) => ((i * 7) % 5 === 3 ? 0 : 1));
      const y = random(5, total, -8, 8);
      k.softmaxForward(y, mask, y, batch, heads, rows, cols, 0.125);
      const dx = random(6, total);
      k.softmaxBackward(dx, y, dx, batch * heads * rows, cols, 0.125);
      return [y, dx];
    },
    reference: [ROW, ROW],
  },
  {
    name: 'layerNormForward and layerNormBackward',
    run: (k) => {
      const { rows, cols } = LN;
      const x = random(7, rows * cols, -3, 5);
      const gamma = random(8, cols, 0.5, 1.5);
      const out = new Float32Array(rows * cols);
      const mean = new Float32Array(rows);
      const rstd = new Float32Array(rows);
      k.layerNormForward(x, gamma, random(9, cols), out, mean, rstd, rows, cols, 1e-12);
      const dx = random(10, rows * cols);
      const dgamma = random(11, cols);
      const dbeta = random(12, cols);
      k.layerNormBackward(dx, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols);
      return [out, mean, rstd, dx, dgamma, dbeta];
    },
    // dgamma and dbeta: the reference rounds to float32 after every row, the native sums in float64.
    reference: [ROW, ROW, ROW, { rel: 1e-5, abs: 1e-5 }, { rel: 1e-5, abs: 4e-7 * LN.rows }, { rel: 1e-5, abs: 1e-7 * LN.rows }],
  },
  {
    name: 'dropoutForward and dropoutBackward',
    run: (k) => {
      const x = random(13, DROPOUT_N);
      const out = new Float32Array(DROPOUT_N);
      const mask = new Uint8Array(DROPOUT_N);
      k.dropoutForward(x, out, mask, DROPOUT_N, 0.1, 12345);
      const dx = random(14, DROPOUT_N);
      k.dropoutBackward(dx, mask, dx, DROPOUT_N, 0.1);
      return [mask, out, dx];
    },
    reference: [EXACT, EXACT, EXACT],
  },
  {
    name: 'biasDropoutResidual, p 0.1 and 0',
    run: (k) => {
      const { rows, cols } = LN;
      const outs: Output[] = [];
      for (const p of [0.1, 0]) {
        const out = new Float32Array(rows * cols);
        const mask = new Uint8Array(rows * cols);
        k.biasDropoutResidual(random(15, rows * cols), random(16, cols), random(17, rows * cols), out, mask, rows, cols, p, 99);
        outs.push(out, mask);
      }
      return outs;
    },
    reference: [EXACT, EXACT, EXACT, EXACT],
  },
  {
    name: 'adamWeightDecay, three steps over several segments',
    run: (k) => {
      const param = random(18, ADAM_SIZE);
      const m = new Float32Array(ADAM_SIZE);
      const v = new Float32Array(ADAM_SIZE);
      for (let step = 0; step < 3; step++) {
        k.adamWeightDecay(param, random(19 + step, ADAM_SIZE, -0.1, 0.1), m, v, ADAM_SEGMENTS, 0.9, 0.999, 1e-6, 0.5);
      }
      return [param, m, v];
    },
    // The native update runs in float32, the reference in float64 (see native-vs-reference.test.ts).
    reference: [{ rel: 1e-6, abs: 1e-8 }, { rel: 1e-6, abs: 1e-8 }, { rel: 1e-6, abs: 0 }],
  },
  {
    name: 'sumSquares',
    run: (k) => [new Float64Array([k.sumSquares(random(22, 100_003, -2, 2), 100_003)])],
    reference: [{ rel: 1e-12, abs: 0 }],
  },
  // The fused layer's row kernels (softmax, layer norm, bias + GELU, bias + residual) are the ones above.
  encoderCase(5, 300, 4, 32, 64, [{ rel: 1e-5, abs: 2e-6 }, { rel: 1e-5, abs: 2e-6 }]),
  encoderCase(1, 9, 2, 16, 40, [{ rel: 1e-5, abs: 2e-6 }, { rel: 1e-5, abs: 2e-6 }]),
  // Chunks of 1024 rows whose sgemms are large enough to be split across the pool when chunks are fewer than threads.
  encoderCase(8, 128, 4, 256, 1024),
  // OpenBLAS computes small products (about 100³ multiply-adds and below) with other kernels than large ones, in
  // another order: split into blocks of 16 rows, this product no longer equals the whole (native/gemm.cc).
  gemmCase(64, 64, 500),
  // Split by rows into four uneven blocks, and by columns into four.
  gemmCase(1000, 136, 500),
  gemmCase(96, 2048, 400),
  {
    name: 'gemmStrided, attention-like grid',
    run: (k) => {
      const [m, n, kk, outer, inner] = [64, 64, 32, 4, 4];
      const a = interleaved(m, kk, outer, inner);
      const b = interleaved(n, kk, outer, inner);
      const c = interleaved(m, n, outer, inner);
      const out = random(23, c.size);
      k.gemmStrided(false, true, m, n, kk, 0.125, random(24, a.size), a.layout, random(25, b.size), b.layout, 1, out, c.layout, outer, inner);
      return [out];
    },
  },
  {
    name: 'biasGrad, add, tanh, embedding, losses',
    run: (k) => {
      const [rows, cols] = [1000, 301];
      const dbias = random(26, cols);
      k.biasGrad(random(27, rows * cols), rows, cols, dbias);
      const sum = new Float32Array(rows * cols);
      k.add(random(28, rows * cols), random(29, rows * cols), sum, rows * cols);
      const t = new Float32Array(4096);
      k.tanhForward(random(30, 4096, -4, 4), t, 4096);
      const dt = random(31, 4096);
      k.tanhBackward(dt, t, dt, 4096);
      const [vocab, n, dim] = [50, 4096, 64];
      const ids = new Int32Array(n).map((_, i) => dropoutBits(32, i) % vocab);
      const gathered = new Float32Array(n * dim);
      k.embeddingForward(random(33, vocab * dim), ids, gathered, n, dim);
      const dtable = random(34, vocab * dim);
      k.embeddingBackward(random(35, n * dim), ids, dtable, n, dim);
      const [lr, lc] = [2000, 3];
      const losses = new Float32Array(lr);
      const dlogits = new Float32Array(lr * lc);
      k.softCrossEntropy(random(36, lr * lc, -10, 10), random(37, lr * lc, 0, 1), random(38, lr, 0, 2), lr, lc, losses, dlogits);
      const se = new Float32Array(20_000);
      const dse = new Float32Array(20_000);
      k.squaredError(random(39, 20_000, -3, 3), random(40, 20_000, -3, 3), random(41, 20_000, 0, 1), 20_000, se, dse);
      // The masked-LM loss over a vocabulary-sized row (odd width: a vector tail).
      const [mr, mc] = [64, 5003];
      const mlmLosses = new Float32Array(mr);
      const mlmGrad = new Float32Array(mr * mc);
      const argmax = new Int32Array(mr);
      const labels = new Int32Array(mr).map((_, i) => dropoutBits(42, i) % mc);
      k.sparseCrossEntropy(random(43, mr * mc, -8, 8), labels, random(44, mr, 0, 1), mr, mc, mlmLosses, mlmGrad, argmax);
      return [dbias, sum, t, dt, gathered, dtable, losses, dlogits, se, dse, mlmLosses, mlmGrad, Float32Array.from(argmax)];
    },
  },
];

/** How far apart two runs' outputs are: elements that differ, the largest |a − b|, and the largest |a − b| / |b|. */
export interface Difference {
  differing: number;
  maxAbs: number;
  maxRel: number;
}

export function difference(a: Output, b: Output): Difference {
  let differing = 0;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i])) continue;
    differing++;
    const d = Math.abs(a[i] - b[i]);
    maxAbs = Math.max(maxAbs, d);
    if (b[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(b[i]));
  }
  return { differing, maxAbs, maxRel };
}

/** The first element of `actual` farther from `expected` than the tolerance allows, described; null when none. */
export function firstOutside(actual: Output, expected: Output, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i];
    if (tol.rel === 0 && tol.abs === 0 ? !Object.is(actual[i], e) : !(Math.abs(actual[i] - e) <= tol.abs + tol.rel * Math.abs(e))) {
      return `[${i}] is ${actual[i]}, expected ${e}`;
    }
  }
  return null;
}
