import { BamError } from '../errors.js';
import type { Kernels } from './backend.js';
import { loadNativeKernels } from './native.js';
import { referenceKernels } from './reference.js';

export type { Kernels } from './backend.js';
export { referenceKernels } from './reference.js';

export type KernelPreference = 'auto' | 'native' | 'reference';

const BUILD_HINT = 'Run "npm run build:native" after installing libopenblas-dev.';

let nativeLoad: ReturnType<typeof loadNativeKernels> | undefined;
let fallbackAnnounced = false;

/** The native kernels, or why they are unavailable; loaded once per process. */
function nativeKernels(): ReturnType<typeof loadNativeKernels> {
  nativeLoad ??= loadNativeKernels();
  return nativeLoad;
}

/** The backend named by BAM_KERNELS, or 'auto' when it is unset. */
function preferenceFromEnv(): KernelPreference {
  const value = process.env.BAM_KERNELS;
  if (value === undefined || value === '') return 'auto';
  if (value === 'native' || value === 'reference') return value;
  throw new BamError(`BAM_KERNELS=${value} is not a kernel backend; set it to native or reference, or unset it`);
}

/**
 * The kernels to compute with. 'auto' follows BAM_KERNELS when set, else takes the native kernels when they load,
 * else says so once on stderr and returns the pure-TypeScript reference. Naming 'native' (here or in BAM_KERNELS)
 * when the addon cannot load is an error.
 */
export function getKernels(preference: KernelPreference = 'auto'): Kernels {
  const fromEnv = preference === 'auto' ? preferenceFromEnv() : preference;
  if (fromEnv === 'reference') return referenceKernels;
  const loaded = nativeKernels();
  if ('kernels' in loaded) return loaded.kernels;
  if (fromEnv === 'native') {
    const source = preference === 'native' ? 'requested' : 'requested by BAM_KERNELS=native';
    throw new BamError(`native kernels ${source} but unavailable (${loaded.error}). ${BUILD_HINT}`);
  }
  if (!fallbackAnnounced) {
    fallbackAnnounced = true;
    process.stderr.write(
      `bam: native kernels unavailable (${loaded.error}); using the pure-TypeScript reference kernels (slow). ${BUILD_HINT}\n`,
    );
  }
  return referenceKernels;
}
