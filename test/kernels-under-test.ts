import type { Kernels } from '../src/engine/kernels.js';
import { loadNativeKernels } from '../src/engine/native.js';
import { referenceKernels } from '../src/engine/reference.js';

const native = loadNativeKernels();

/**
 * The kernel backends a parity test runs on: always the reference, and the native addon when it is built (a test
 * for it skips with the reason otherwise).
 */
export const backends: { name: string; kernels: Kernels | null; skip: string | false }[] = [
  { name: 'reference', kernels: referenceKernels, skip: false },
  'kernels' in native
    ? { name: 'native', kernels: native.kernels, skip: false }
    : { name: 'native', kernels: null, skip: `native kernels not available: ${native.error}` },
];
