import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erf } from '../../src/engine/reference.js';

/** erf at exact decimal points, to 20 significant digits (mpmath at 30 digits; erf(0.5), erf(1), erf(2) agree with A&S). */
const KNOWN: readonly [number, number][] = [
  [1e-10, 1.1283791670955125739e-10],
  [0.1, 0.1124629160182848922],
  [0.25, 0.27632639016823693299],
  [0.4999, 0.5204119951613865806],
  [0.5, 0.52049987781304653768],
  [0.75, 0.7111556336535151316],
  [1, 0.84270079294971486934],
  [1.3, 0.9340079449406524366],
  [-1.3, -0.9340079449406524366],
  [2, 0.99532226501895273416],
  [2.5, 0.99959304798255504106],
  [3, 0.99997790950300141456],
  [3.5, 0.99999925690162765859],
  [3.99, 0.99999998326078863548],
  [4, 0.99999998458274209972],
  [4.5, 0.99999999980338395585],
  [5, 0.99999999999846254021],
  [-5, -0.99999999999846254021],
  [6, 0.99999999999999997848],
];

test('reference erf matches high-precision values within 2e-16 absolute and 1e-15 relative', () => {
  for (const [x, expected] of KNOWN) {
    const got = erf(x);
    const err = Math.abs(got - expected);
    assert.ok(err <= 2e-16 || err <= 1e-15 * Math.abs(expected), `erf(${x}) = ${got}, expected ${expected} (error ${err})`);
  }
});

test('reference erf is odd, 0 at 0, ±1 in the tails and NaN for NaN', () => {
  assert.equal(erf(0), 0);
  for (const x of [0.3, 0.5, 1.7, 3.99, 4, 7.5]) assert.equal(erf(-x), -erf(x));
  assert.equal(erf(27), 1);
  assert.equal(erf(-Infinity), -1);
  assert.equal(erf(Infinity), 1);
  assert.ok(Number.isNaN(erf(NaN)));
});

test('reference erf is continuous across the approximation ranges at 0.5 and 4', () => {
  for (const edge of [0.5, 4]) {
    const below = erf(edge - 2 ** -40);
    const above = erf(edge);
    // erf'(x) = 2/√π·exp(−x²) bounds the jump a continuous erf can make over the 2⁻⁴⁰ step.
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-((edge - 2 ** -40) ** 2));
    assert.ok(above - below >= 0 && above - below <= slope * 2 ** -40 + 4e-16, `erf jumps at ${edge}: ${below} → ${above}`);
  }
});
