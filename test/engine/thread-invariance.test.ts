import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeKernels } from '../../src/engine/native.js';
import { EXACT, firstOutside, KERNEL_CASES } from './kernel-cases.js';

// Every native kernel with 1, 2, 3 and 4 threads (more threads than this machine's cores is fine: the pool runs
// them anyway) must give bit-identical results. Threads split work only along dimensions no sum runs over, or into
// fixed blocks whose partial sums are added in block order; gemm splits only products large enough that OpenBLAS
// computes every block as it computes the whole (native/gemm.cc), and the fused layer's chunks do not depend on the
// thread count (native/encoder_layer.cc).

const loaded = loadNativeKernels();
const skip = 'error' in loaded ? `native kernels not available: ${loaded.error} (run "npm run build:native")` : false;

describe('results do not depend on the thread count', { skip }, () => {
  if (!('kernels' in loaded)) return;
  const native = loaded.host;

  for (const c of KERNEL_CASES) {
    test(c.name, () => {
      try {
        native.setThreads(1);
        const single = c.run(native);
        for (const threads of [2, 3, 4]) {
          native.setThreads(threads);
          assert.equal(native.threads(), threads);
          c.run(native).forEach((out, i) => {
            const differs = firstOutside(out, single[i], EXACT);
            if (differs) assert.fail(`${threads} threads, output ${i}: ${differs} (1 thread)`);
          });
        }
      } finally {
        native.setThreads(2);
      }
    });
  }
});
