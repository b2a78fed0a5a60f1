import type { Kernels } from '../src/engine/backend.js';
import type { HostKernels } from '../src/engine/kernels.js';
import { loadNativeKernels } from '../src/engine/native.js';
import { hostReferenceKernels, referenceKernels } from '../src/engine/reference.js';

const native = loadNativeKernels();

/**
 * The kernel backends a parity test runs on: always the reference, and the native addon when it is built (a test
 * for it skips with the reason otherwise); each as a backend (`kernels`) and over host arrays (`host`).
 */
export const backends: { name: string; kernels: Kernels | null; host: HostKernels | null; skip: string | false }[] = [
  { name: 'reference', kernels: referenceKernels, host: hostReferenceKernels, skip: false },
  'kernels' in native
    ? { name: 'native', kernels: native.kernels, host: native.host, skip: false }
    : { name: 'native', kernels: null, host: null, skip: `native kernels not available: ${native.error}` },
];
