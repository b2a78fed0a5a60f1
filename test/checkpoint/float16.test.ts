import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { float32ToHalfBits } from '../../src/checkpoint/float16.js';
import { openSafetensors, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { toFloat32 } from '../../src/checkpoint/tensor-source.js';
import { Rng } from '../../src/util/rng.js';

/** Every half bit pattern's value, by the safetensors reader's own widening. */
const HALVES = toFloat32({ dtype: 'float16', data: Uint16Array.from({ length: 65536 }, (_, i) => i) }, 'test', 'all halves');

test('every half value converts back to its own bits (NaNs stay NaN)', () => {
  for (let bits = 0; bits < 65536; bits++) {
    const value = HALVES[bits];
    if (Number.isNaN(value)) assert.ok(Number.isNaN(HALVES[float32ToHalfBits(value)]), `NaN ${bits}`);
    else assert.equal(float32ToHalfBits(value), bits, `bits ${bits.toString(16)} (${value})`);
  }
});

test('float32 values round to the nearest half, ties to even, overflow to Infinity', () => {
  const finite = Array.from(HALVES).map((v, bits) => ({ v, bits })).filter((h) => Number.isFinite(h.v));
  const rng = new Rng(8);
  for (let i = 0; i < 20000; i++) {
    const x = Math.fround((rng.uniform() * 2 - 1) * 2 ** (rng.int(40) - 26));
    const got = HALVES[float32ToHalfBits(x)];
    const best = Math.min(...finite.map((h) => Math.abs(h.v - x)));
    assert.equal(Math.abs(got - x), best, `${x} → ${got}`);
  }
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1); 1 + 3·2^-11 goes up.
  assert.equal(HALVES[float32ToHalfBits(1 + 2 ** -11)], 1);
  assert.equal(HALVES[float32ToHalfBits(1 + 3 * 2 ** -11)], 1 + 2 ** -9);
  assert.equal(HALVES[float32ToHalfBits(2 ** -25)], 0); // halfway to the smallest subnormal: even is 0
  assert.equal(HALVES[float32ToHalfBits(3 * 2 ** -26)], 2 ** -24);
  assert.equal(float32ToHalfBits(65520), 0x7c00); // rounds past 65504, the largest half
  assert.equal(HALVES[float32ToHalfBits(65519)], 65504);
  assert.equal(float32ToHalfBits(-Infinity), 0xfc00);
  assert.equal(float32ToHalfBits(-0), 0x8000);
});

test('safetensors F16 storage: half the bytes, and reading gives the float32 of each stored half exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bam-f16-'));
  try {
    const rng = new Rng(2);
    const data = Float32Array.from({ length: 1000 }, () => rng.normal() * 0.05);
    writeSafetensors(join(dir, 'a.safetensors'), [{ name: 'w', shape: [10, 100], data }], undefined, 'F16');
    writeSafetensors(join(dir, 'b.safetensors'), [{ name: 'w', shape: [10, 100], data }]);
    const header = (p: string): number => statSync(p).size;
    assert.ok(header(join(dir, 'b.safetensors')) - header(join(dir, 'a.safetensors')) === 2000);
    const file = openSafetensors(join(dir, 'a.safetensors'));
    assert.equal(file.info('w').dtype, 'float16');
    const back = file.readFloat32('w');
    file.close();
    back.forEach((v, i) => assert.equal(v, HALVES[float32ToHalfBits(data[i])]));
    let worst = 0;
    // Normal halves (|x| ≥ 2^-14) keep 11 significant bits: relative error at most 2^-11.
    back.forEach((v, i) => { if (Math.abs(data[i]) >= 2 ** -14) worst = Math.max(worst, Math.abs(v - data[i]) / Math.abs(data[i])); });
    assert.ok(worst <= 2 ** -11, `relative rounding ${worst}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
