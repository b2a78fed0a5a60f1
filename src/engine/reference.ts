import type { Kernels } from './backend.js';
import { hostMemoryBackend } from './host-memory.js';
import { dropoutBits, dropoutScale, dropoutThreshold, type HostKernels, type MatrixLayout } from './kernels.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf(x) to double precision: W. J. Cody's rational Chebyshev approximations (the ones behind most C libraries'
 * erf), in three ranges.
 */
/**
 * The native kernels' check, in the same words: every id a row of the table. Without it a typed array quietly reads
 * past its end (undefined → NaN, or a shorter subarray) and the run reports results of garbage.
 */
function checkEmbeddingIds(kernel: string, ids: Int32Array, n: number, tableLength: number, dim: number): void {
  if (ids.length < n) throw new TypeError(`${kernel}: ids has ${ids.length} elements, ${n} needed`);
  // Rows of width 0 read nothing, so any id is fine (as native).
  if (dim === 0) return;
  const rows = Math.floor(tableLength / dim);
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= rows) throw new RangeError(`${kernel}: ids[${i}] = ${ids[i]} is outside the table's ${rows} rows`);
  }
}

export function erf(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    const t = ax * ax;
    const num = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const den = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    r = ax * num / den;
  } else if (ax < 4) {
    const num = ((((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax
      + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    const den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax
      + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = 1 - Math.exp(-ax * ax) * num / den;
  } else {
    const z = 1 / (ax * ax);
    const num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z
      + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    const den = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z
      + 2.33520497626869185e-3;
    r = 1 - Math.exp(-ax * ax) / ax * (0.564189583547756287 - z * num / den);
  }
  return x < 0 ? -r : r;
}

/** One operand of gemmInto: an array, the offset of its matrix, and its row stride. */
interface Operand {
  data: Float32Array;
  offset: number;
  ld: number;
}

/** gemm on row-major storage with row strides; loops ordered so the innermost one walks contiguous memory of B and C. */
function gemmInto(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Operand, b: Operand, beta: number, c: Operand, bias: Float32Array | undefined,
): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = transA ? a.data[a.offset + p * a.ld + i] : a.data[a.offset + i * a.ld + p];
      if (av === 0) continue;
      if (transB) {
        for (let j = 0; j < n; j++) row[j] += av * b.data[b.offset + j * b.ld + p];
      } else {
        const base = b.offset + p * b.ld;
        for (let j = 0; j < n; j++) row[j] += av * b.data[base + j];
      }
    }
    const cBase = c.offset + i * c.ld;
    for (let j = 0; j < n; j++) {
      const prev = beta === 0 ? 0 : beta * c.data[cBase + j];
      c.data[cBase + j] = alpha * row[j] + prev + (bias ? bias[j] : 0);
    }
  }
}

/** The reference kernels: straightforward TypeScript, float64 accumulation; the definition the native ones must match. */
export const hostReferenceKernels: HostKernels = {
  backend: 'reference',

  threads() {
    return 1;
  },

  setThreads() {},

  gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias) {
    const op = (data: Float32Array, ld: number): Operand => ({ data, offset: 0, ld });
    gemmInto(transA, transB, m, n, k, alpha, op(a, transA ? m : k), op(b, transB ? k : n), beta, op(c, n), bias);
  },

  gemmStrided(transA, transB, m, n, k, alpha, a, aLayout, b, bLayout, beta, c, cLayout, outer, inner) {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (data: Float32Array, l: MatrixLayout): Operand => ({ data, offset: o * l.outer + i * l.inner, ld: l.ld });
        gemmInto(transA, transB, m, n, k, alpha, at(a, aLayout), at(b, bLayout), beta, at(c, cLayout), undefined);
      }
    }
  },

  biasGrad(dy, rows, cols, dbias) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += dy[i * cols + j];
      dbias[j] += s;
    }
  },

  add(a, b, out, n) {
    for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  },

  layerNormForward(x, gamma, beta, out, mean, rstd, rows, cols, eps) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[o + j];
      const mu = s / cols;
      let v = 0;
      for (let j = 0; j < cols; j++) {
        const d = x[o + j] - mu;
        v += d * d;
      }
      const rs = 1 / Math.sqrt(v / cols + eps);
      mean[r] = mu;
      rstd[r] = rs;
      for (let j = 0; j < cols; j++) out[o + j] = (x[o + j] - mu) * rs * gamma[j] + beta[j];
    }
  },

  layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const mu = mean[r];
      const rs = rstd[r];
      // dxhat = dy·gamma; dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
      let sumD = 0;
      let sumDX = 0;
      for (let j = 0; j < cols; j++) {
        const xhat = (x[o + j] - mu) * rs;
        const g = dy[o + j];
        const d = g * gamma[j];
        sumD += d;
        sumDX += d * xhat;
        dgamma[j] += g * xhat;
        dbeta[j] += g;
      }
      const meanD = sumD / cols;
      const meanDX = sumDX / cols;
      for (let j = 0; j < cols; j++) {
        const xhat = (x[o + j] - mu) * rs;
        dx[o + j] = rs * (dy[o + j] * gamma[j] - meanD - xhat * meanDX);
      }
    }
  },

  geluForward(x, out, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = 0.5 * v * (1 + erf(v * SQRT1_2));
    }
  },

  geluBackward(dy, x, dx, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const cdf = 0.5 * (1 + erf(v * SQRT1_2));
      const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      dx[i] = dy[i] * (cdf + v * pdf);
    }
  },

  biasGeluForward(x, bias, out, rows, cols) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) x[r * cols + j] += bias[j];
    }
    this.geluForward(x, out, rows * cols);
  },

  biasDropoutResidual(x, bias, residual, out, mask, rows, cols, p, seed) {
    const threshold = dropoutThreshold(p);
    const scale = dropoutScale(p);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const i = r * cols + j;
        // x + bias rounded to float32 first, as the native kernel adds in float.
        const v = Math.fround(x[i] + bias[j]);
        let kept = v;
        if (p > 0) {
          const keep = dropoutBits(seed, i) >= threshold;
          mask[i] = keep ? 1 : 0;
          kept = keep ? Math.fround(v * scale) : 0;
        }
        out[i] = kept + residual[i];
      }
    }
  },

  tanhForward(x, out, n) {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
  },

  tanhBackward(dy, y, dx, n) {
    for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
  },

  softmaxForward(scores, mask, out, batch, heads, rows, cols, scale) {
    const row = new Float64Array(cols);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < rows; i++) {
          const o = ((b * heads + h) * rows + i) * cols;
          let max = -Infinity;
          for (let j = 0; j < cols; j++) {
            const s = scale * scores[o + j] + (1 - mask[b * cols + j]) * -10000;
            row[j] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let j = 0; j < cols; j++) {
            row[j] = Math.exp(row[j] - max);
            sum += row[j];
          }
          for (let j = 0; j < cols; j++) out[o + j] = row[j] / sum;
        }
      }
    }
  },

  softmaxBackward(dy, y, dx, rows, cols, scale) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = scale * y[o + j] * (dy[o + j] - dot);
    }
  },

  embeddingForward(table, ids, out, n, dim) {
    checkEmbeddingIds('embeddingForward', ids, n, table.length, dim);
    for (let i = 0; i < n; i++) out.set(table.subarray(ids[i] * dim, ids[i] * dim + dim), i * dim);
  },

  embeddingBackward(dout, ids, dtable, n, dim) {
    checkEmbeddingIds('embeddingBackward', ids, n, dtable.length, dim);
    for (let i = 0; i < n; i++) {
      const t = ids[i] * dim;
      const o = i * dim;
      for (let j = 0; j < dim; j++) dtable[t + j] += dout[o + j];
    }
  },

  dropoutForward(x, out, mask, n, p, seed) {
    const threshold = dropoutThreshold(p);
    const scale = dropoutScale(p);
    for (let i = 0; i < n; i++) {
      const keep = dropoutBits(seed, i) >= threshold;
      mask[i] = keep ? 1 : 0;
      out[i] = keep ? x[i] * scale : 0;
    }
  },

  dropoutBackward(dy, mask, dx, n, p) {
    const scale = dropoutScale(p);
    for (let i = 0; i < n; i++) dx[i] = mask[i] ? dy[i] * scale : 0;
  },

  encoderLayerInference(x, mask, w, out, batch, seq, heads, hidden, intermediate, eps, clsOnly) {
    const k = hostReferenceKernels;
    if (clsOnly) {
      const whole = new Float32Array(batch * seq * hidden);
      k.encoderLayerInference(x, mask, w, whole, batch, seq, heads, hidden, intermediate, eps, false);
      for (let b = 0; b < batch; b++) out.set(whole.subarray(b * seq * hidden, b * seq * hidden + hidden), b * seq * hidden);
      return;
    }
    const rows = batch * seq;
    const hd = hidden / heads;
    const qkv = new Float32Array(rows * 3 * hidden);
    const scores = new Float32Array(seq * seq);
    const context = new Float32Array(rows * hidden);
    const sum = new Float32Array(rows * hidden);
    const normed = new Float32Array(rows * hidden);
    const pre = new Float32Array(rows * intermediate);
    const act = new Float32Array(rows * intermediate);
    const mean = new Float32Array(rows);
    const rstd = new Float32Array(rows);
    const noMask = new Uint8Array(0);
    k.gemm(false, true, rows, 3 * hidden, hidden, 1, x, w.qkv, 0, qkv, w.qkvBias);
    const scoresOperand = { data: scores, offset: 0, ld: seq };
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const query = { data: qkv, offset: b * seq * 3 * hidden + h * hd, ld: 3 * hidden };
        gemmInto(false, true, seq, seq, hd, 1, query, { ...query, offset: query.offset + hidden }, 0, scoresOperand, undefined);
        k.softmaxForward(scores, mask.subarray(b * seq), scores, 1, 1, seq, seq, 1 / Math.sqrt(hd));
        const values = { ...query, offset: query.offset + 2 * hidden };
        gemmInto(false, false, seq, hd, seq, 1, scoresOperand, values, 0, { data: context, offset: b * seq * hidden + h * hd, ld: hidden }, undefined);
      }
    }
    k.gemm(false, false, rows, hidden, hidden, 1, context, w.attnOut, 0, sum);
    k.biasDropoutResidual(sum, w.attnOutBias, x, sum, noMask, rows, hidden, 0, 0);
    k.layerNormForward(sum, w.attnGamma, w.attnBeta, normed, mean, rstd, rows, hidden, eps);
    k.gemm(false, false, rows, intermediate, hidden, 1, normed, w.inter, 0, pre);
    k.biasGeluForward(pre, w.interBias, act, rows, intermediate);
    k.gemm(false, false, rows, hidden, intermediate, 1, act, w.out, 0, sum);
    k.biasDropoutResidual(sum, w.outBias, normed, sum, noMask, rows, hidden, 0, 0);
    k.layerNormForward(sum, w.outGamma, w.outBeta, out, mean, rstd, rows, hidden, eps);
  },

  softCrossEntropy(logits, targets, weights, rows, cols, losses, dlogits) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const w = weights[r];
      if (w === 0) {
        losses[r] = 0;
        for (let j = 0; j < cols; j++) dlogits[o + j] = 0;
        continue;
      }
      let max = -Infinity;
      for (let j = 0; j < cols; j++) if (logits[o + j] > max) max = logits[o + j];
      let sumExp = 0;
      for (let j = 0; j < cols; j++) sumExp += Math.exp(logits[o + j] - max);
      const logSum = Math.log(sumExp) + max;
      let loss = 0;
      let sumT = 0;
      for (let j = 0; j < cols; j++) {
        loss -= targets[o + j] * (logits[o + j] - logSum);
        sumT += targets[o + j];
      }
      losses[r] = w * loss;
      for (let j = 0; j < cols; j++) dlogits[o + j] = w * (Math.exp(logits[o + j] - logSum) * sumT - targets[o + j]);
    }
  },

  sparseCrossEntropy(logits, labels, weights, rows, cols, losses, dlogits, argmax) {
    for (let r = 0; r < rows; r++) {
      const label = labels[r];
      if (!(label >= 0 && label < cols)) throw new RangeError(`sparseCrossEntropy: labels[${r}] = ${label} is outside the ${cols} classes`);
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = -Infinity;
      let first = 0;
      for (let j = 0; j < cols; j++) {
        if (logits[o + j] > max) {
          max = logits[o + j];
          first = j;
        }
      }
      argmax[r] = first;
      let sumExp = 0;
      for (let j = 0; j < cols; j++) sumExp += Math.exp(logits[o + j] - max);
      const logSum = Math.log(sumExp) + max;
      const w = weights[r];
      losses[r] = w === 0 ? 0 : w * (logSum - logits[o + labels[r]]);
      for (let j = 0; j < cols; j++) dlogits[o + j] = w === 0 ? 0 : w * Math.exp(logits[o + j] - logSum);
      if (w !== 0) dlogits[o + labels[r]] -= w;
    }
  },

  squaredError(pred, targets, weights, n, losses, dpred) {
    for (let i = 0; i < n; i++) {
      const d = pred[i] - targets[i];
      losses[i] = weights[i] * d * d;
      dpred[i] = 2 * weights[i] * d;
    }
  },

  sumSquares(x, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return s;
  },

  adamWeightDecay(param, grad, m, v, segments, beta1, beta2, eps, gradScale) {
    for (let s = 0; s < segments.length; s += 4) {
      const off = segments[s];
      const end = off + segments[s + 1];
      const lr = segments[s + 2];
      const wd = segments[s + 3];
      for (let i = off; i < end; i++) {
        const g = gradScale * grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] -= lr * (mi / (Math.sqrt(vi) + eps) + wd * param[i]);
      }
    }
  },
};

/** The reference backend: the reference kernels over host-memory buffers. */
export const referenceKernels: Kernels = hostMemoryBackend(hostReferenceKernels);
