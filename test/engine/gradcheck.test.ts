import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropoutBits, type HostKernels } from '../../src/engine/kernels.js';
import { loadNativeKernels } from '../../src/engine/native.js';
import { hostReferenceKernels as referenceKernels } from '../../src/engine/reference.js';
import { interleaved } from './interleaved-layout.js';

// Finite-difference checks of every backward kernel, on each backend. For a forward y = f(x) and random c the
// scalar loss is L = Σ c_i·y_i, summed in float64; the backward kernel fed dy = c must give dL/dx. Each input
// element is moved by ±h and the central difference (L₊ − L₋) / (x₊ − x₋), over the step actually taken after
// float32 rounding, is compared with the analytic gradient:
//   |numeric − analytic| ≤ rel·max(|numeric|, |analytic|) + abs.
// Nonlinear kernels: h = 2⁻⁷, rel 1e-3, abs 1e-4 (float32 rounding of L over 2h, plus O(h²) truncation).
// Linear kernels (gemm, embedding, dropout with a fixed mask): h = 2⁻², rel 1e-5, abs 1e-5 (rounding only).
// The largest error seen here is under a tenth of these bounds.

interface Tolerance {
  h: number;
  rel: number;
  abs: number;
}
const NONLINEAR: Tolerance = { h: 2 ** -7, rel: 1e-3, abs: 1e-4 };
const LINEAR: Tolerance = { h: 2 ** -2, rel: 1e-5, abs: 1e-5 };

/** Seeded uniform values in [lo, hi), from the dropout RNG. */
function random(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * dropoutBits(seed, i)) / 2 ** 32;
  return out;
}

/** Σ c_i·y_i in float64. */
function dot(c: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i] * y[i];
  return s;
}

/** Compares analytic[i] with the central difference of loss() in x[i], for every element of x. */
function checkGradient(what: string, x: Float32Array, analytic: Float32Array, loss: () => number, tol: Tolerance): void {
  assert.equal(analytic.length, x.length);
  for (let i = 0; i < x.length; i++) {
    const original = x[i];
    x[i] = original + tol.h;
    const xPlus = x[i];
    const lossPlus = loss();
    x[i] = original - tol.h;
    const xMinus = x[i];
    const lossMinus = loss();
    x[i] = original;
    const numeric = (lossPlus - lossMinus) / (xPlus - xMinus);
    const bound = tol.rel * Math.max(Math.abs(numeric), Math.abs(analytic[i])) + tol.abs;
    if (!(Math.abs(numeric - analytic[i]) <= bound)) {
      assert.fail(`${what}: d/dx[${i}] analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
}

const loaded = loadNativeKernels();
const backends: [HostKernels, string | false][] = [
  [referenceKernels, false],
  ['host' in loaded ? loaded.host : referenceKernels,
    'error' in loaded ? `native kernels not available: ${loaded.error} (run "npm run build:native")` : false],
];

for (const [k, skip] of backends) {
  describe(`${skip ? 'native' : k.backend} backward kernels match finite differences`, { skip }, () => {
    test('gemm: A and B for every transpose (through gemm itself), bias through biasGrad', () => {
      const [m, n, kk] = [4, 3, 5];
      const alpha = 0.75;
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = random(1, m * kk);
          const b = random(2, kk * n);
          const bias = random(3, n);
          const c0 = random(4, m * n);
          const dc = random(5, m * n);
          const out = new Float32Array(m * n);
          const loss = (): number => {
            out.set(c0);
            k.gemm(transA, transB, m, n, kk, alpha, a, b, 0.5, out, bias);
            return dot(dc, out);
          };
          // dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC, written in the storage layout of A and B.
          const da = new Float32Array(m * kk);
          if (transA) k.gemm(transB, true, kk, m, n, alpha, b, dc, 0, da);
          else k.gemm(false, !transB, m, kk, n, alpha, dc, b, 0, da);
          const db = new Float32Array(kk * n);
          if (transB) k.gemm(true, transA, n, kk, m, alpha, dc, a, 0, db);
          else k.gemm(!transA, false, kk, n, m, alpha, a, dc, 0, db);
          const dbias = new Float32Array(n);
          k.biasGrad(dc, m, n, dbias);
          const what = `gemm(${transA}, ${transB})`;
          checkGradient(`${what} A`, a, da, loss, LINEAR);
          checkGradient(`${what} B`, b, db, loss, LINEAR);
          checkGradient(`${what} bias`, bias, dbias, loss, LINEAR);
        }
      }
    });

    test('gemmStrided: A and B for every transpose, interleaved matrices (through gemmStrided itself)', () => {
      const [m, n, kk, outer, inner] = [3, 2, 4, 2, 2];
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const la = interleaved(transA ? kk : m, transA ? m : kk, outer, inner);
          const lb = interleaved(transB ? n : kk, transB ? kk : n, outer, inner);
          const lc = interleaved(m, n, outer, inner);
          const a = random(6, la.size);
          const b = random(7, lb.size);
          const dc = random(8, lc.size);
          const out = new Float32Array(lc.size);
          const loss = (): number => {
            k.gemmStrided(transA, transB, m, n, kk, 1, a, la.layout, b, lb.layout, 0, out, lc.layout, outer, inner);
            return dot(dc, out);
          };
          const da = new Float32Array(la.size);
          if (transA) k.gemmStrided(transB, true, kk, m, n, 1, b, lb.layout, dc, lc.layout, 0, da, la.layout, outer, inner);
          else k.gemmStrided(false, !transB, m, kk, n, 1, dc, lc.layout, b, lb.layout, 0, da, la.layout, outer, inner);
          const db = new Float32Array(lb.size);
          if (transB) k.gemmStrided(true, transA, n, kk, m, 1, dc, lc.layout, a, la.layout, 0, db, lb.layout, outer, inner);
          else k.gemmStrided(!transA, false, kk, n, m, 1, a, la.layout, dc, lc.layout, 0, db, lb.layout, outer, inner);
          checkGradient(`gemmStrided(${transA}, ${transB}) A`, a, da, loss, LINEAR);
          checkGradient(`gemmStrided(${transA}, ${transB}) B`, b, db, loss, LINEAR);
        }
      }
    });

    test('layerNorm: x, gamma and beta', () => {
      const [rows, cols] = [3, 7];
      const x = random(10, rows * cols, -1, 1);
      const gamma = random(11, cols, 0.5, 1);
      const beta = random(12, cols);
      const c = random(13, rows * cols);
      const out = new Float32Array(rows * cols);
      const mean = new Float32Array(rows);
      const rstd = new Float32Array(rows);
      const loss = (): number => {
        k.layerNormForward(x, gamma, beta, out, mean, rstd, rows, cols, 1e-12);
        return dot(c, out);
      };
      loss();
      const dx = new Float32Array(rows * cols);
      const dgamma = new Float32Array(cols);
      const dbeta = new Float32Array(cols);
      k.layerNormBackward(c, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols);
      checkGradient('layerNorm x', x, dx, loss, NONLINEAR);
      checkGradient('layerNorm gamma', gamma, dgamma, loss, NONLINEAR);
      checkGradient('layerNorm beta', beta, dbeta, loss, NONLINEAR);
    });

    test('GELU and tanh', () => {
      const n = 40;
      const x = random(20, n, -0.99, 0.99);
      for (let i = 0; i < n; i += 4) x[i] *= 3;
      const c = random(21, n);
      const y = new Float32Array(n);
      const geluLoss = (): number => {
        k.geluForward(x, y, n);
        return dot(c, y);
      };
      const dGelu = new Float32Array(n);
      k.geluBackward(c, x, dGelu, n);
      checkGradient('gelu', x, dGelu, geluLoss, NONLINEAR);

      const tanhLoss = (): number => {
        k.tanhForward(x, y, n);
        return dot(c, y);
      };
      tanhLoss();
      const dTanh = new Float32Array(n);
      k.tanhBackward(c, y, dTanh, n);
      checkGradient('tanh', x, dTanh, tanhLoss, NONLINEAR);
    });

    test('softmax with padding mask and scale', () => {
      const [batch, heads, rows, cols] = [2, 2, 3, 5];
      const total = batch * heads * rows * cols;
      const scores = random(30, total, -1, 1);
      const mask = new Float32Array([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
      const c = random(31, total);
      const y = new Float32Array(total);
      const scale = 1.5;
      const loss = (): number => {
        k.softmaxForward(scores, mask, y, batch, heads, rows, cols, scale);
        return dot(c, y);
      };
      loss();
      const dscores = new Float32Array(total);
      k.softmaxBackward(c, y, dscores, batch * heads * rows, cols, scale);
      checkGradient('softmax', scores, dscores, loss, NONLINEAR);
      // Masked positions take (almost) no probability, so their scores get (almost) no gradient.
      assert.ok(Math.abs(dscores[3]) < 1e-6 && Math.abs(dscores[4]) < 1e-6);
    });

    test('embedding scatter-add with repeated ids', () => {
      const [rows, dim] = [4, 3];
      const ids = new Int32Array([2, 0, 2, 3, 2]);
      const table = random(40, rows * dim);
      const c = random(41, ids.length * dim);
      const out = new Float32Array(ids.length * dim);
      const loss = (): number => {
        k.embeddingForward(table, ids, out, ids.length, dim);
        return dot(c, out);
      };
      const dtable = new Float32Array(rows * dim);
      k.embeddingBackward(c, ids, dtable, ids.length, dim);
      checkGradient('embedding', table, dtable, loss, LINEAR);
      // Row 1 is never looked up.
      assert.deepEqual([...dtable.subarray(dim, 2 * dim)], [0, 0, 0]);
    });

    test('dropout with a fixed mask (same seed)', () => {
      const n = 30;
      const p = 0.3;
      const x = random(50, n);
      const c = random(51, n);
      const y = new Float32Array(n);
      const mask = new Uint8Array(n);
      const loss = (): number => {
        k.dropoutForward(x, y, mask, n, p, 1234);
        return dot(c, y);
      };
      loss();
      assert.ok(mask.includes(0) && mask.includes(1), 'the mask drops some elements and keeps others');
      const dx = new Float32Array(n);
      k.dropoutBackward(c, mask, dx, n, p);
      checkGradient('dropout', x, dx, loss, LINEAR);
    });

    test('fused epilogues: biasGeluForward (x and bias) and biasDropoutResidual (x, bias, residual)', () => {
      const [rows, cols] = [3, 5];
      const n = rows * cols;
      const x = random(80, n, -3, 3);
      const bias = random(81, cols);
      const residual = random(82, n);
      const c = random(83, n);
      const pre = new Float32Array(n);
      const act = new Float32Array(n);
      const geluLoss = (): number => {
        pre.set(x);
        k.biasGeluForward(pre, bias, act, rows, cols);
        return dot(c, act);
      };
      geluLoss();
      const dPre = new Float32Array(n);
      k.geluBackward(c, pre, dPre, n);
      const dBias = new Float32Array(cols);
      k.biasGrad(dPre, rows, cols, dBias);
      checkGradient('biasGelu x', x, dPre, geluLoss, NONLINEAR);
      checkGradient('biasGelu bias', bias, dBias, geluLoss, NONLINEAR);

      const out = new Float32Array(n);
      const mask = new Uint8Array(n);
      const residualLoss = (): number => {
        k.biasDropoutResidual(x, bias, residual, out, mask, rows, cols, 0.3, 4321);
        return dot(c, out);
      };
      residualLoss();
      const dx = new Float32Array(n);
      k.dropoutBackward(c, mask, dx, n, 0.3);
      const dBias2 = new Float32Array(cols);
      k.biasGrad(dx, rows, cols, dBias2);
      checkGradient('biasDropoutResidual x', x, dx, residualLoss, LINEAR);
      checkGradient('biasDropoutResidual bias', bias, dBias2, residualLoss, LINEAR);
      checkGradient('biasDropoutResidual residual', residual, c, residualLoss, LINEAR);
    });

    test('softCrossEntropy and squaredError (weighted, with a zero weight)', () => {
      const [rows, cols] = [4, 3];
      const logits = random(60, rows * cols, -2, 2);
      const targets = random(61, rows * cols, 0, 1);
      const weights = new Float32Array([1, 0.5, 0, 2]);
      const c = random(62, rows);
      const losses = new Float32Array(rows);
      const dlogits = new Float32Array(rows * cols);
      const ceLoss = (): number => {
        k.softCrossEntropy(logits, targets, weights, rows, cols, losses, dlogits);
        return dot(c, losses);
      };
      ceLoss();
      const analytic = dlogits.map((g, i) => g * c[Math.floor(i / cols)]);
      checkGradient('softCrossEntropy', logits, analytic, ceLoss, NONLINEAR);

      const n = 6;
      const pred = random(63, n);
      const t = random(64, n);
      const w = new Float32Array([1, 0.25, 0, 3, 1, 0.5]);
      const sc = random(65, n);
      const seLosses = new Float32Array(n);
      const dpred = new Float32Array(n);
      const seLoss = (): number => {
        k.squaredError(pred, t, w, n, seLosses, dpred);
        return dot(sc, seLosses);
      };
      seLoss();
      checkGradient('squaredError', pred, dpred.map((g, i) => g * sc[i]), seLoss, NONLINEAR);
    });

  });
}
