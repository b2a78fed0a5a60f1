import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { loadNativeKernels, SIMD_LEVELS, type SimdLevel } from '../../src/engine/native.js';
import { hostReferenceKernels as ref } from '../../src/engine/reference.js';
import { EXACT, firstOutside, KERNEL_CASES } from './kernel-cases.js';

// The native kernels under every SIMD level this CPU runs (native/simd_dispatch.h): each level's results must be
// bit-identical to the best level's (the addon is compiled without floating-point contraction, and every
// reduction adds its lanes in a fixed order), and within each kernel's stated tolerance of the reference.

const loaded = loadNativeKernels();
const skip = 'error' in loaded ? `native kernels not available: ${loaded.error} (run "npm run build:native")` : false;

describe('SIMD levels give bit-identical results', { skip }, () => {
  if (!('kernels' in loaded)) return;
  const { host: native, simd } = loaded;
  const levels = simd.simdLevels();
  native.setThreads(2);

  test('the levels this CPU runs: the best is in force at load, baseline always among them', (t) => {
    t.diagnostic(`levels compared: ${levels.join(', ')}`);
    assert.equal(levels[levels.length - 1], 'baseline');
    assert.deepEqual(levels, SIMD_LEVELS.filter((l) => levels.includes(l)), 'best first');
    if (process.env.BAM_SIMD === undefined || process.env.BAM_SIMD === '') assert.equal(simd.simdLevel(), levels[0]);
  });

  for (const c of KERNEL_CASES) {
    test(c.name, () => {
      const expected = c.reference?.length ? c.run(ref) : undefined;
      let best: ReturnType<typeof c.run> | undefined;
      try {
        for (const level of levels) {
          simd.setSimdLevel(level);
          assert.equal(simd.simdLevel(), level);
          const outs = c.run(native);
          best ??= outs;
          outs.forEach((out, i) => {
            const vsBest = firstOutside(out, best![i], EXACT);
            if (vsBest) assert.fail(`${level} output ${i} differs from ${levels[0]}'s: ${vsBest}`);
            const vsReference = expected && firstOutside(out, expected[i], c.reference![i]);
            if (vsReference) assert.fail(`${level} output ${i} vs the reference: ${vsReference}`);
          });
        }
      } finally {
        simd.setSimdLevel(levels[0]);
      }
    });
  }

  test('BAM_SIMD forces a level at load; a name that is no level, or one the CPU lacks, is a BamError', (t) => {
    const saved = process.env.BAM_SIMD;
    t.after(() => {
      if (saved === undefined) delete process.env.BAM_SIMD;
      else process.env.BAM_SIMD = saved;
      simd.setSimdLevel(levels[0]);
    });
    for (const level of levels) {
      process.env.BAM_SIMD = level;
      const again = loadNativeKernels();
      assert.ok('simd' in again);
      assert.equal(again.simd.simdLevel(), level);
      assert.equal(simd.simdLevel(), level, 'one addon, one level for every loader');
    }
    process.env.BAM_SIMD = 'sse4';
    assert.throws(() => loadNativeKernels(), (err: unknown) => err instanceof BamError && /^BAM_SIMD=sse4: sse4 is not an instruction set level; set it to one of .*, or unset it$/.test(err.message));
    assert.throws(() => simd.setSimdLevel('sse4' as SimdLevel), (err: unknown) => err instanceof BamError && /^setSimdLevel: sse4 is not an instruction set level; choose one of /.test(err.message));
    // Runs only on a CPU without AVX-512 or AVX2.
    for (const lacking of SIMD_LEVELS.filter((l) => !levels.includes(l))) {
      process.env.BAM_SIMD = lacking;
      assert.throws(() => loadNativeKernels(), (err: unknown) => err instanceof BamError && err.message.includes(`this CPU lacks ${lacking}`));
      assert.throws(() => simd.setSimdLevel(lacking), (err: unknown) => err instanceof BamError && err.message.includes(`this CPU lacks ${lacking}`));
    }
  });
});
