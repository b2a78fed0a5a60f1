import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostReferenceKernels as referenceKernels } from '../../src/engine/reference.js';
import { Rng } from '../../src/util/rng.js';
import { backends } from '../kernels-under-test.js';

/** rows × cols logits with a planted maximum per row, labels, and weights with one zero-weight row. */
function problem(rows: number, cols: number, seed: number): { logits: Float32Array; labels: Int32Array; weights: Float32Array; peak: Int32Array } {
  const rng = new Rng(seed);
  const logits = Float32Array.from({ length: rows * cols }, () => 4 * rng.normal());
  const peak = Int32Array.from({ length: rows }, () => rng.int(cols));
  peak.forEach((j, r) => { logits[r * cols + j] = 30; });
  const labels = Int32Array.from({ length: rows }, () => rng.int(cols));
  const weights = Float32Array.from({ length: rows }, (_, r) => (r === 1 ? 0 : 0.25 + rng.uniform()));
  return { logits, labels, weights, peak };
}

/** Loss and gradient in float64 from the definition, for one row. */
function expectedRow(z: Float32Array, label: number, w: number): { loss: number; grad: number[] } {
  const max = Math.max(...z);
  const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
  const logSum = Math.log(sum) + max;
  return { loss: w * (logSum - z[label]), grad: Array.from(z, (v, j) => w * (Math.exp(v - logSum) - (j === label ? 1 : 0))) };
}

describe('sparseCrossEntropy', () => {
  for (const backend of backends) {
    // 1000 columns: long rows with a vector tail (1000 = 125·8) and 1003 for a scalar remainder.
    for (const cols of [1000, 1003, 5]) {
      test(`${backend.name} kernels, ${cols} classes: loss, gradient and arg max from the definition (relative 1e-5)`, { skip: backend.skip }, () => {
        const k = backend.host!;
        const rows = 6;
        const { logits, labels, weights, peak } = problem(rows, cols, cols);
        const losses = new Float32Array(rows);
        const dlogits = new Float32Array(rows * cols);
        const argmax = new Int32Array(rows);
        k.sparseCrossEntropy(logits, labels, weights, rows, cols, losses, dlogits, argmax);
        for (let r = 0; r < rows; r++) {
          const z = logits.subarray(r * cols, (r + 1) * cols);
          const e = expectedRow(z, labels[r], weights[r]);
          assert.equal(argmax[r], peak[r], `row ${r} arg max`);
          assert.ok(Math.abs(losses[r] - e.loss) <= 1e-5 * Math.abs(e.loss) + 1e-7, `row ${r} loss ${losses[r]} vs ${e.loss}`);
          for (let j = 0; j < cols; j++) {
            const d = dlogits[r * cols + j];
            assert.ok(Math.abs(d - e.grad[j]) <= 1e-5 * Math.abs(e.grad[j]) + 1e-8, `row ${r} dlogits[${j}] ${d} vs ${e.grad[j]}`);
          }
        }
        assert.equal(losses[1], 0);
        assert.ok(dlogits.subarray(cols, 2 * cols).every((v) => v === 0), 'a zero-weight row has zero gradient');
      });
    }

    test(`${backend.name} kernels: dlogits may alias logits`, { skip: backend.skip }, () => {
      const k = backend.host!;
      const { logits, labels, weights } = problem(4, 300, 9);
      const separate = new Float32Array(logits.length);
      const losses = new Float32Array(4);
      const argmax = new Int32Array(4);
      k.sparseCrossEntropy(logits, labels, weights, 4, 300, losses, separate, argmax);
      const inPlace = Float32Array.from(logits);
      const lossesInPlace = new Float32Array(4);
      k.sparseCrossEntropy(inPlace, labels, weights, 4, 300, lossesInPlace, inPlace, new Int32Array(4));
      assert.deepEqual(inPlace, separate);
      assert.deepEqual(lossesInPlace, losses);
    });

    test(`${backend.name} kernels: a label outside the classes is refused`, { skip: backend.skip }, () => {
      const k = backend.host!;
      const z = new Float32Array(6);
      assert.throws(() => k.sparseCrossEntropy(z, Int32Array.from([0, 3]), new Float32Array(2), 2, 3, new Float32Array(2), z, new Int32Array(2)), /labels\[1\] = 3 is outside the 3 classes/);
      assert.throws(() => k.sparseCrossEntropy(z, Int32Array.from([-1, 0]), new Float32Array(2), 2, 3, new Float32Array(2), z, new Int32Array(2)), /labels\[0\] = -1/);
    });
  }

  test('native equals reference on a vocabulary-sized problem (relative 1e-5)', { skip: backends[1].skip }, () => {
    const native = backends[1].host!;
    const rows = 40;
    const cols = 30522;
    const { logits, labels, weights } = problem(rows, cols, 4);
    const run = (k: typeof referenceKernels): { losses: Float32Array; d: Float32Array; argmax: Int32Array } => {
      const losses = new Float32Array(rows);
      const d = new Float32Array(rows * cols);
      const argmax = new Int32Array(rows);
      k.sparseCrossEntropy(logits, labels, weights, rows, cols, losses, d, argmax);
      return { losses, d, argmax };
    };
    const a = run(referenceKernels);
    const b = run(native);
    assert.deepEqual(b.argmax, a.argmax);
    let worst = 0;
    a.losses.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b.losses[i]) / Math.max(Math.abs(v), 1e-3)); });
    a.d.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b.d[i]) / (Math.abs(v) + 1e-6)); });
    assert.ok(worst <= 1e-5, `worst relative difference ${worst}`);
  });
});
