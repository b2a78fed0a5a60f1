import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { getKernels } from '../../src/engine/index.js';
import { dropoutBits, type HostKernels } from '../../src/engine/kernels.js';
import { loadNativeKernels } from '../../src/engine/native.js';
import { hostReferenceKernels as ref, referenceKernels } from '../../src/engine/reference.js';
import { interleaved } from './interleaved-layout.js';

// Every native kernel against the reference on seeded random inputs. Inputs are views into larger buffers
// (byteOffset ≠ 0) whose guard elements on both sides must survive every call.
//
// Tolerances (float32 results): elementwise and row kernels |native − reference| ≤ 1e-5·|reference| + 1e-6;
// gemm |Δ| ≤ 1e-5·(Σ|alpha·a·b| + |beta·c| + |bias|) per element; reductions to float64 within 1e-12 relative;
// Adam within 1e-6 relative; copies, dropout and embedding scatter-add bit-identical.

const loaded = loadNativeKernels();
const skip = 'error' in loaded ? `native kernels not available: ${loaded.error} (run "npm run build:native")` : false;
const native = 'host' in loaded ? loaded.host : ref;

const GUARD = 3;
const SENTINEL = -777.25;
const views = new Set<Float32Array>();

/** A Float32Array of n elements inside a larger buffer, with GUARD sentinel elements on both sides. */
function guarded(n: number): Float32Array {
  const whole = new Float32Array(n + 2 * GUARD).fill(SENTINEL);
  const view = whole.subarray(GUARD, GUARD + n);
  views.add(view);
  return view;
}

/** Seeded uniform values in [lo, hi): the dropout RNG serves as a counter-based generator. */
function random(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const out = guarded(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * dropoutBits(seed, i)) / 2 ** 32;
  return out;
}

function copy(x: Float32Array): Float32Array {
  const out = guarded(x.length);
  out.set(x);
  return out;
}

function assertGuardsIntact(): void {
  for (const view of views) {
    const whole = new Float32Array(view.buffer);
    for (let i = 0; i < GUARD; i++) {
      assert.equal(whole[i], SENTINEL, 'a kernel wrote before its view');
      assert.equal(whole[whole.length - 1 - i], SENTINEL, 'a kernel wrote after its view');
    }
  }
  views.clear();
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, rel = 1e-5, abs = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i];
    const err = Math.abs(actual[i] - e);
    if (!(err <= abs + rel * Math.abs(e))) assert.fail(`${what}[${i}]: native ${actual[i]}, reference ${e}`);
  }
}

function assertIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: native ${actual[i]}, reference ${expected[i]}`);
  }
}

function abs(x: Float32Array): Float32Array {
  const out = copy(x);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(out[i]);
  return out;
}

/** Runs the same kernel call on the reference and native backends, each with its own copies of the arrays. */
function both(arrays: Float32Array[], call: (k: HostKernels, xs: Float32Array[]) => void): [Float32Array[], Float32Array[]] {
  const r = arrays.map(copy);
  const n = arrays.map(copy);
  call(ref, r);
  call(native, n);
  return [n, r];
}

describe('native kernels equal the reference', { skip }, () => {
  native.setThreads(2);

  test('gemm: every transpose, alpha, beta 0/1, with and without bias, odd sizes', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [33, 17, 65], [128, 96, 80], [3, 4, 0]];
    let seed = 1;
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const beta of [0, 1]) {
            for (const withBias of [false, true]) {
              const alpha = withBias ? 0.5 : 1;
              const a = random(seed++, m * k);
              const b = random(seed++, k * n);
              // With beta = 0 the old C must be ignored, NaN included (BLAS semantics).
              const c = beta === 0 ? guarded(m * n).fill(NaN) : random(seed++, m * n);
              const bias = withBias ? random(seed++, n) : undefined;
              const [[cn], [cr]] = both([c], (kern, [cc]) => kern.gemm(transA, transB, m, n, k, alpha, a, b, beta, cc, bias));
              // Σ|alpha·a·b| + |beta·c| + |bias|: the scale of float32 rounding in each element.
              const mag = guarded(m * n);
              ref.gemm(transA, transB, m, n, k, Math.abs(alpha), abs(a), abs(b), 0, mag, bias ? abs(bias) : undefined);
              if (beta !== 0) ref.add(mag, abs(c), mag, m * n);
              const what = `gemm(${transA}, ${transB}, ${m}×${n}×${k}, beta ${beta}, bias ${withBias})`;
              for (let i = 0; i < m * n; i++) {
                if (!(Math.abs(cn[i] - cr[i]) <= 1e-5 * mag[i] + 1e-7)) assert.fail(`${what}[${i}]: native ${cn[i]}, reference ${cr[i]}`);
              }
            }
          }
        }
      }
    }
    assertGuardsIntact();
  });

  test('gemmStrided: every transpose, matrices interleaved in padded rows on an outer × inner grid, beta 0/1', () => {
    let seed = 100;
    for (const [m, n, k, outer, inner] of [[5, 7, 3, 2, 2], [32, 32, 16, 4, 4], [17, 9, 33, 3, 1]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const beta of [0, 1]) {
            const a = interleaved(transA ? k : m, transA ? m : k, outer, inner);
            const b = interleaved(transB ? n : k, transB ? k : n, outer, inner);
            const c = interleaved(m, n, outer, inner);
            const aData = random(seed++, a.size);
            const bData = random(seed++, b.size);
            const [[cn], [cr]] = both([random(seed++, c.size)], (kern, [cData]) =>
              kern.gemmStrided(transA, transB, m, n, k, 0.75, aData, a.layout, bData, b.layout, beta, cData, c.layout, outer, inner));
            // |a|,|b| ≤ 1 so Σ|a·b| ≤ k: scale the tolerance by it.
            assertClose(cn, cr, `gemmStrided(${transA}, ${transB}, ${m}×${n}×${k}, ${outer}×${inner})`, 1e-5, 1e-5 * (k + 1));
            // The padding at the end of each row of C stays as it was.
            assert.equal(cn[c.layout.ld - 1], cr[c.layout.ld - 1]);
          }
        }
      }
    }
    assertGuardsIntact();
  });

  test('biasGrad accumulates column sums onto dbias', () => {
    for (const [rows, cols] of [[1, 1], [1000, 67], [3, 300]]) {
      const dy = random(rows, rows * cols);
      const [[dn], [dr]] = both([random(cols, cols)], (kern, [d]) => kern.biasGrad(dy, rows, cols, d));
      assertClose(dn, dr, `biasGrad ${rows}×${cols}`, 1e-6, 1e-5);
    }
    assertGuardsIntact();
  });

  test('add, with the output aliasing either input', () => {
    const n = 100_003;
    const [[, , on], [, , or]] = both([random(1, n), random(2, n), guarded(n)], (kern, [a, b, o]) => kern.add(a, b, o, n));
    assertIdentical(on, or, 'add');
    const [[an], [ar]] = both([random(1, n), random(2, n)], (kern, [a, b]) => kern.add(a, b, a, n));
    assertIdentical(an, ar, 'add into a');
    const [[, bn], [, br]] = both([random(1, n), random(2, n)], (kern, [a, b]) => kern.add(a, b, b, n));
    assertIdentical(bn, br, 'add into b');
    assertGuardsIntact();
  });

  test('layerNormForward and layerNormBackward (dx aliasing dy), small and multi-threaded sizes', () => {
    for (const [rows, cols] of [[1, 1], [37, 129], [512, 256]]) {
      const x = random(rows + 1, rows * cols, -3, 5);
      const gamma = random(cols + 2, cols, 0.5, 1.5);
      const beta = random(cols + 3, cols);
      const [[outN, meanN, rstdN], [outR, meanR, rstdR]] = both([guarded(rows * cols), guarded(rows), guarded(rows)],
        (kern, [o, mu, rs]) => kern.layerNormForward(x, gamma, beta, o, mu, rs, rows, cols, 1e-12));
      assertClose(outN, outR, `layerNorm out ${rows}×${cols}`);
      assertClose(meanN, meanR, 'layerNorm mean');
      assertClose(rstdN, rstdR, 'layerNorm rstd');

      const dy = random(rows + 4, rows * cols);
      const dg0 = random(5, cols);
      const db0 = random(6, cols);
      const [[dxN, dgN, dbN], [dxR, dgR, dbR]] = both([dy, dg0, db0], (kern, [d, dg, db]) =>
        kern.layerNormBackward(d, x, gamma, meanR, rstdR, d, dg, db, rows, cols));
      assertClose(dxN, dxR, `layerNorm dx ${rows}×${cols}`, 1e-5, 1e-5);
      // dgamma, dbeta: the reference rounds to float32 after every row, the native sums in float64.
      assertClose(dgN, dgR, 'layerNorm dgamma', 1e-5, 1e-7 * rows * 4);
      assertClose(dbN, dbR, 'layerNorm dbeta', 1e-5, 1e-7 * rows);
    }
    assertGuardsIntact();
  });

  test('GELU and tanh, forward and backward, in place and multi-threaded', () => {
    for (const n of [1, 999, 70_001]) {
      const x = random(n, n, -6, 6);
      const dy = random(n + 1, n);
      for (const [name, fwd, bwd] of [
        ['gelu', 'geluForward', 'geluBackward'],
        ['tanh', 'tanhForward', 'tanhBackward'],
      ] as const) {
        const [[yn], [yr]] = both([x], (kern, [v]) => kern[fwd](v, v, n));
        assertClose(yn, yr, `${name} forward n=${n}`);
        const saved = name === 'gelu' ? x : yr;
        const [[dn], [dr]] = both([dy], (kern, [d]) => kern[bwd](d, saved, d, n));
        assertClose(dn, dr, `${name} backward n=${n}`);
      }
    }
    assertGuardsIntact();
  });

  test('softmax with mask and scale, forward (in place) and backward (in place)', () => {
    for (const [batch, heads, rows, cols] of [[1, 1, 1, 1], [3, 2, 5, 7], [4, 4, 64, 64]]) {
      const total = batch * heads * rows * cols;
      const scores = random(total, total, -8, 8);
      const mask = guarded(batch * cols);
      for (let i = 0; i < mask.length; i++) mask[i] = (i * 7) % 5 === 3 ? 0 : 1;
      const [[yn], [yr]] = both([scores], (kern, [s]) => kern.softmaxForward(s, mask, s, batch, heads, rows, cols, 0.125));
      assertClose(yn, yr, `softmax forward ${batch}×${heads}×${rows}×${cols}`);
      const dy = random(total + 1, total);
      const [[dn], [dr]] = both([dy], (kern, [d]) => kern.softmaxBackward(d, yr, d, batch * heads * rows, cols, 0.125));
      assertClose(dn, dr, 'softmax backward');
    }
    assertGuardsIntact();
  });

  test('embedding gather and scatter-add with repeated ids are bit-identical', () => {
    const [rows, dim, n] = [50, 33, 300];
    const table = random(1, rows * dim);
    const ids = new Int32Array(n + 4).subarray(2, 2 + n);
    for (let i = 0; i < n; i++) ids[i] = dropoutBits(9, i) % rows;
    const [[on], [or]] = both([guarded(n * dim)], (kern, [o]) => kern.embeddingForward(table, ids, o, n, dim));
    assertIdentical(on, or, 'embeddingForward');
    const dout = random(2, n * dim);
    const [[tn], [tr]] = both([random(3, rows * dim)], (kern, [t]) => kern.embeddingBackward(dout, ids, t, n, dim));
    assertIdentical(tn, tr, 'embeddingBackward');
    // Large enough that the scatter-add is split across threads.
    const [bigN, bigDim] = [4096, 64];
    const bigIds = new Int32Array(bigN).map((_, i) => dropoutBits(10, i) % rows);
    const bigOut = random(4, bigN * bigDim);
    const [[bn], [br]] = both([guarded(rows * bigDim).fill(0)], (kern, [t]) => kern.embeddingBackward(bigOut, bigIds, t, bigN, bigDim));
    assertIdentical(bn, br, 'embeddingBackward (threaded)');
    assertGuardsIntact();
  });

  test('fused epilogues: biasGeluForward and biasDropoutResidual equal their unfused compositions', () => {
    for (const [rows, cols] of [[1, 1], [7, 13], [512, 256]]) {
      const n = rows * cols;
      const x = random(rows + 1, n, -4, 4);
      const bias = random(cols + 2, cols);
      const residual = random(n + 3, n);
      const [[preN, actN], [preR, actR]] = both([x, guarded(n)], (kern, [pre, act]) => kern.biasGeluForward(pre, bias, act, rows, cols));
      assertClose(preN, preR, 'biasGelu pre-activation', 0, 0);
      assertClose(actN, actR, 'biasGelu', 1e-5, 1e-6);
      // The same as adding the bias and running geluForward.
      const unfused = copy(preR);
      ref.geluForward(preR, unfused, n);
      assertIdentical(actR, unfused, 'biasGelu = bias then gelu');
      for (const p of [0, 0.1]) {
        const maskN = new Uint8Array(n);
        const maskR = new Uint8Array(n);
        const outN = guarded(n);
        const outR = guarded(n);
        native.biasDropoutResidual(x, bias, residual, outN, maskN, rows, cols, p, 99);
        ref.biasDropoutResidual(x, bias, residual, outR, maskR, rows, cols, p, 99);
        assertIdentical(maskN, maskR, `biasDropoutResidual mask p=${p}`);
        assertIdentical(outN, outR, `biasDropoutResidual p=${p}`);
        // dropout(x + bias) with dropoutForward's mask, then + residual.
        const withBias = Float32Array.from(x, (v, i) => v + bias[i % cols]);
        const dropped = new Float32Array(n);
        const mask = new Uint8Array(n);
        if (p > 0) ref.dropoutForward(withBias, dropped, mask, n, p, 99);
        else dropped.set(withBias);
        assertIdentical(outR, Float32Array.from(dropped, (v, i) => v + residual[i]), `biasDropoutResidual = dropout then add, p=${p}`);
        if (p > 0) assertIdentical(maskR, mask, 'biasDropoutResidual mask = dropoutForward mask');
      }
    }
    assertGuardsIntact();
  });

  test('encoderLayerInference, every row and [CLS] rows only: chunks split across threads, uneven chunks, a batch smaller than the pool, padding', () => {
    // [threads, batch, seq, heads, hidden, intermediate]: one chunk on one thread; uneven chunk-parallel chunks;
    // one sequence on two threads (each step split across the pool); several long sequences per chunk.
    const shapes = [[1, 3, 7, 2, 16, 40], [2, 3, 7, 2, 16, 40], [2, 1, 5, 2, 16, 40], [2, 5, 300, 4, 32, 64]];
    let seed = 100;
    for (const [threads, batch, seq, heads, hidden, inter] of shapes) {
      native.setThreads(threads);
      const rows = batch * seq;
      const w = (n: number, fanIn: number) => random(seed++, n, -2 / Math.sqrt(fanIn), 2 / Math.sqrt(fanIn));
      const weights = {
        qkv: w(3 * hidden * hidden, hidden), qkvBias: random(seed++, 3 * hidden),
        attnOut: w(hidden * hidden, hidden), attnOutBias: random(seed++, hidden),
        attnGamma: random(seed++, hidden, 0.5, 1.5), attnBeta: random(seed++, hidden),
        inter: w(hidden * inter, hidden), interBias: random(seed++, inter),
        out: w(inter * hidden, inter), outBias: random(seed++, hidden),
        outGamma: random(seed++, hidden, 0.5, 1.5), outBeta: random(seed++, hidden),
      };
      const x = random(seed++, rows * hidden, -2, 2);
      // Sequence b has its last b positions padded.
      const mask = guarded(rows).map((_, i) => (i % seq < seq - Math.floor(i / seq) ? 1 : 0));
      const what = `encoderLayerInference ${threads} threads ${batch}×${seq}×${hidden}`;
      const [[yn], [yr]] = both([guarded(rows * hidden)], (kern, [y]) =>
        kern.encoderLayerInference(x, mask, weights, y, batch, seq, heads, hidden, inter, 1e-12, false));
      assertClose(yn, yr, what, 1e-5, 2e-6);
      // clsOnly: the first row of each sequence as above; the other rows keep what out held.
      const [[cn], [cr]] = both([guarded(rows * hidden).fill(7)], (kern, [y]) =>
        kern.encoderLayerInference(x, mask, weights, y, batch, seq, heads, hidden, inter, 1e-12, true));
      assertClose(cn, cr, `${what} clsOnly`, 1e-5, 2e-6);
      for (let i = 0; i < rows * hidden; i++) {
        const firstRow = Math.floor(i / hidden) % seq === 0;
        if (firstRow ? Math.abs(cn[i] - yn[i]) > 1e-6 : cn[i] !== 7) assert.fail(`${what} clsOnly: element ${i} is ${cn[i]}`);
      }
    }
    native.setThreads(2);
    assertGuardsIntact();
  });

  test('dropout masks and outputs are bit-identical for every seed and rate', () => {
    const n = 100_001;
    const x = random(1, n);
    for (const p of [0, 0.1, 0.5]) {
      for (const seed of [0, 12345, 2 ** 32 - 1, -1, 2 ** 33 + 5]) {
        const maskN = new Uint8Array(n + 8).subarray(5, 5 + n);
        const maskR = new Uint8Array(n);
        const outN = guarded(n);
        const outR = guarded(n);
        native.dropoutForward(x, outN, maskN, n, p, seed);
        ref.dropoutForward(x, outR, maskR, n, p, seed);
        assertIdentical(maskN, maskR, `dropout mask p=${p} seed=${seed}`);
        assertIdentical(outN, outR, `dropout out p=${p} seed=${seed}`);
        const kept = maskN.reduce((s, v) => s + v, 0) / n;
        assert.ok(Math.abs(kept - (1 - p)) < 0.01, `kept fraction ${kept} for p=${p}`);
        const dy = random(seed + 7, n);
        const [[dn], [dr]] = both([dy], (kern, [d]) => kern.dropoutBackward(d, maskR, d, n, p));
        assertIdentical(dn, dr, `dropout backward p=${p}`);
      }
    }
    // In place: out aliasing x.
    const [[xn], [xr]] = both([x], (kern, [v]) => kern.dropoutForward(v, v, new Uint8Array(n), n, 0.3, 77));
    assertIdentical(xn, xr, 'dropout in place');
    assertGuardsIntact();
  });

  test('softCrossEntropy (zero-weight rows, unnormalised targets) and squaredError', () => {
    const [rows, cols] = [9, 5];
    const logits = random(1, rows * cols, -10, 10);
    const targets = random(2, rows * cols, 0, 1);
    const weights = random(3, rows, 0, 2);
    weights[2] = 0;
    weights[7] = 0;
    const [[ln, dn], [lr, dr]] = both([guarded(rows), guarded(rows * cols).fill(NaN)], (kern, [l, d]) =>
      kern.softCrossEntropy(logits, targets, weights, rows, cols, l, d));
    assertClose(ln, lr, 'softCrossEntropy losses');
    assertClose(dn, dr, 'softCrossEntropy dlogits');
    assert.equal(ln[2], 0);

    const n = 1001;
    const pred = random(4, n, -3, 3);
    const t = random(5, n, -3, 3);
    const w = random(6, n, 0, 1);
    const [[sn, sdn], [sr, sdr]] = both([guarded(n), guarded(n)], (kern, [l, d]) => kern.squaredError(pred, t, w, n, l, d));
    assertClose(sn, sr, 'squaredError losses');
    assertClose(sdn, sdr, 'squaredError dpred');
    assertGuardsIntact();
  });

  test('sumSquares within 1e-12 relative', () => {
    for (const n of [0, 1, 8191, 100_003]) {
      const x = random(n + 1, n, -2, 2);
      const r = ref.sumSquares(x, n);
      const v = native.sumSquares(x, n);
      assert.ok(Math.abs(v - r) <= 1e-12 * r, `sumSquares n=${n}: native ${v}, reference ${r}`);
    }
    assertGuardsIntact();
  });

  test('adamWeightDecay over several segments (one empty) for three steps, within 1e-6 relative or 1e-8 absolute', () => {
    const size = 50_000;
    const segments = new Float64Array([0, 100, 1e-3, 0.01, 100, 0, 5e-4, 0, 130, 40_000, 2e-5, 0.01, 45_000, 4_999, 1e-4, 0]);
    const [[pn, mn, vn], [pr, mr, vr]] = both([random(1, size), guarded(size).fill(0), guarded(size).fill(0)], (kern, [p, m, v]) => {
      for (let step = 0; step < 3; step++) {
        kern.adamWeightDecay(p, random(2 + step, size, -0.1, 0.1), m, v, segments, 0.9, 0.999, 1e-6, 0.5);
      }
    });
    // The native update runs in float32 and the reference in float64; where an update cancels a parameter or a
    // moment to near zero, the float32 rounding of the two cancelling terms (about 1e-8) is what remains.
    assertClose(pn, pr, 'adam param', 1e-6, 1e-8);
    assertClose(mn, mr, 'adam m', 1e-6, 1e-8);
    assertClose(vn, vr, 'adam v', 1e-6, 0);
    // Elements outside every segment are untouched.
    assert.equal(pn[120], pr[120]);
    assertGuardsIntact();
  });

  test('results do not depend on the thread count', () => {
    const [rows, cols] = [300, 96];
    const x = random(1, rows * cols);
    const dy = random(2, rows * cols);
    const gamma = random(3, cols);
    const mean = guarded(rows);
    const rstd = guarded(rows);
    native.layerNormForward(x, gamma, gamma, guarded(rows * cols), mean, rstd, rows, cols, 1e-12);
    const run = (threads: number): Float32Array[] => {
      native.setThreads(threads);
      const dx = guarded(rows * cols);
      const dg = guarded(cols).fill(0);
      const db = guarded(cols).fill(0);
      native.layerNormBackward(dy, x, gamma, mean, rstd, dx, dg, db, rows, cols);
      const bias = guarded(cols).fill(0);
      native.biasGrad(dy, rows, cols, bias);
      return [dx, dg, db, bias, new Float32Array([native.sumSquares(dy, rows * cols)])];
    };
    const one = run(1);
    assert.equal(native.threads(), 1);
    const two = run(2);
    assert.equal(native.threads(), 2);
    one.forEach((a, i) => assertIdentical(two[i], a, `output ${i}`));
    native.setThreads(0);
    assert.ok(native.threads() >= 1);
    native.setThreads(2);
    assertGuardsIntact();
  });

  // A worker started by a resize once took the previous loop's generation for a new one and could decrement the
  // pool's running count twice inside the next loop, which then waited forever (seen in the full test run).
  test('resizing the pool between parallel loops never hangs and keeps results', { timeout: 60_000 }, () => {
    const [rows, cols] = [300, 96];
    const x = random(1, rows * cols);
    const gamma = random(2, cols);
    const expected = guarded(rows * cols);
    native.layerNormForward(x, gamma, gamma, expected, guarded(rows), guarded(rows), rows, cols, 1e-12);
    const out = guarded(rows * cols);
    for (let i = 0; i < 3000; i++) {
      native.setThreads(1 + (i % 2));
      native.layerNormForward(x, gamma, gamma, out, guarded(rows), guarded(rows), rows, cols, 1e-12);
    }
    assertIdentical(out, expected, 'layerNormForward after resizes');
    native.setThreads(2);
    assertGuardsIntact();
  });

  test('arrays too short for the sizes throw TypeError, bad sizes and ids RangeError, nothing is written', () => {
    const a = random(1, 12);
    const b = random(2, 12);
    const c = guarded(8).fill(0);
    assert.throws(() => native.gemm(false, false, 3, 3, 4, 1, a, b, 0, c), TypeError);
    assert.throws(() => native.gemm(false, false, 2, 4, 4, 1, a, b.subarray(1), 0, c), TypeError);
    assert.throws(() => native.gemm(false, false, 2, 4, 4, 1, a, b, 0, c, new Float32Array(3)), TypeError);
    const packed = { ld: 2, outer: 4, inner: 0 };
    assert.throws(() => native.gemmStrided(false, false, 2, 2, 2, 1, a, packed, b, packed, 0, c, packed, 3, 1), TypeError);
    assert.throws(() => native.gemmStrided(false, false, 2, 2, 2, 1, a, { ...packed, ld: 1 }, b, packed, 0, c, packed, 1, 1), RangeError);
    assert.throws(() => native.add(a, b, c, 9), TypeError);
    assert.throws(() => native.add(a, b, new Float64Array(12) as unknown as Float32Array, 4), TypeError);
    assert.throws(() => native.geluForward(a, c, -1), RangeError);
    assert.throws(() => native.tanhForward(a, c, 2.5), RangeError);
    assert.throws(() => native.embeddingForward(a, new Int32Array([0, 3]), c, 2, 4), RangeError);
    assert.throws(() => native.embeddingBackward(b, new Int32Array([-1]), c, 1, 4), RangeError);
    assert.throws(() => native.dropoutForward(a, c, new Uint8Array(4), 4, 1, 0), RangeError);
    assert.throws(
      () => native.adamWeightDecay(a, b, a, b, new Float64Array([10, 3, 0.1, 0]), 0.9, 0.999, 1e-6, 1),
      RangeError,
    );
    assert.deepEqual([...c], new Array(8).fill(0));
    const h = 4;
    const layer = {
      qkv: random(3, 3 * h * h), qkvBias: random(4, 3 * h), attnOut: random(5, h * h), attnOutBias: b.subarray(0, h),
      attnGamma: b.subarray(0, h), attnBeta: b.subarray(0, h), inter: random(6, h * 8), interBias: random(7, 8),
      out: random(8, 8 * h), outBias: b.subarray(0, h), outGamma: b.subarray(0, h), outBeta: b.subarray(0, h),
    };
    const x = random(9, 2 * h);
    const mask = guarded(2).fill(1);
    const y = guarded(2 * h).fill(0);
    assert.throws(() => native.encoderLayerInference(x, mask, layer, y, 1, 2, 3, h, 8, 1e-12, false), /heads \(3\) must divide hidden \(4\)/);
    assert.throws(() => native.encoderLayerInference(x, mask, layer, x, 1, 2, 2, h, 8, 1e-12, false), /out must not overlap x/);
    assert.throws(() => native.encoderLayerInference(x, mask, { ...layer, inter: random(10, 7) }, y, 1, 2, 2, h, 8, 1e-12, false), /weights\.inter has 7 elements but 32/);
    const { outBeta: _, ...missing } = layer;
    assert.throws(() => native.encoderLayerInference(x, mask, missing as typeof layer, y, 1, 2, 2, h, 8, 1e-12, true), /weights\.outBeta must be a Float32Array/);
    assert.deepEqual([...y], new Array(2 * h).fill(0));
    assertGuardsIntact();
  });
});

describe('getKernels', () => {
  test('names the backend it returns; BAM_KERNELS steers auto; a bad BAM_KERNELS is a BamError', (t) => {
    const saved = process.env.BAM_KERNELS;
    t.after(() => {
      if (saved === undefined) delete process.env.BAM_KERNELS;
      else process.env.BAM_KERNELS = saved;
    });
    assert.equal(getKernels('reference'), referenceKernels);
    process.env.BAM_KERNELS = 'reference';
    assert.equal(getKernels(), referenceKernels);
    process.env.BAM_KERNELS = 'gpu';
    assert.throws(() => getKernels(), (err: unknown) => err instanceof BamError && /BAM_KERNELS=gpu/.test(err.message));
    assert.equal(getKernels('reference'), referenceKernels);
    if (skip) {
      assert.throws(() => getKernels('native'), BamError);
    } else {
      assert.equal(getKernels('native').backend, 'native');
      process.env.BAM_KERNELS = 'native';
      assert.equal(getKernels(), getKernels('native'));
    }
  });
});
