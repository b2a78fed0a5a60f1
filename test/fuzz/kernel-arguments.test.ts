import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backends } from '../kernels-under-test.js';

/** The kernels' argument checks found missing by the mutation campaign, on every backend that has them. */

for (const { name, host: kernels, skip } of backends) {
  test(`${name}: an embedding id outside the table is refused, not read`, { skip }, () => {
    const table = new Float32Array(4 * 3);
    const out = new Float32Array(2 * 3);
    assert.throws(() => kernels!.embeddingForward(table, Int32Array.from([1, 4]), out, 2, 3), { name: 'RangeError', message: /ids\[1\] = 4 is outside the table's 4 rows/ });
    assert.throws(() => kernels!.embeddingForward(table, Int32Array.from([-1, 0]), out, 2, 3), { name: 'RangeError', message: /ids\[0\] = -1/ });
    assert.throws(() => kernels!.embeddingBackward(out, Int32Array.from([0, 9]), table, 2, 3), { name: 'RangeError', message: /ids\[1\] = 9/ });
    kernels!.embeddingForward(Float32Array.from({ length: 12 }, (_, i) => i), Int32Array.from([3, 0]), out, 2, 3);
    assert.deepEqual([...out], [9, 10, 11, 0, 1, 2]);
  });
}

const native = backends.find((b) => b.name === 'native')!;

test('native: counts larger than any array, and overlapping output matrices, are refused (they looped for ever)', { skip: native.skip }, () => {
  const k = native.host!;
  const empty = new Float32Array(0);
  assert.throws(() => k.softmaxBackward(empty, empty, empty, 2 ** 53 - 1, 0, 1), { name: 'RangeError', message: /rows is 9007199254740991, more than any array holds/ });
  const zero = { ld: 2, outer: 0, inner: 0 };
  const m = new Float32Array(4);
  assert.throws(() => k.gemmStrided(false, false, 2, 2, 2, 1, m, zero, m, zero, 0, m, zero, 2 ** 32, 2 ** 32), { name: 'RangeError', message: /cLayout has a zero stride/ });
});

test('native: encoderLayerInference reads every weight (getters included) before it takes a pointer to x', { skip: native.skip }, () => {
  const k = native.host!;
  const [batch, seq, hidden, inter] = [1, 2, 4, 8];
  const x = new Float32Array(batch * seq * hidden).fill(0.5);
  const sizes: Record<string, number> = {
    qkv: 3 * hidden * hidden, qkvBias: 3 * hidden, attnOut: hidden * hidden, attnOutBias: hidden, attnGamma: hidden, attnBeta: hidden,
    inter: hidden * inter, interBias: inter, out: inter * hidden, outBias: hidden, outGamma: hidden, outBeta: hidden,
  };
  const weights = Object.fromEntries(Object.entries(sizes).map(([field, n]) => [field, new Float32Array(n).fill(0.1)]));
  // The last field's getter detaches x's memory: the kernel must then see an empty x, not read freed memory.
  Object.defineProperty(weights, 'outBeta', {
    get: () => {
      structuredClone(x.buffer, { transfer: [x.buffer] });
      return new Float32Array(hidden);
    },
  });
  const out = new Float32Array(batch * seq * hidden);
  assert.throws(
    () => k.encoderLayerInference(x, new Float32Array(batch * seq), weights as never, out, batch, seq, 2, hidden, inter, 1e-12, false),
    { name: 'TypeError', message: /x/ },
  );
  assert.equal(x.length, 0);
});
