import { createRequire } from 'node:module';
import type { Kernels } from './kernels.js';

/** The addon node-gyp builds, relative to this module once compiled (dist/src/engine/native.js). */
const ADDON_PATH = '../../../build/Release/bam_native.node';

/** What the addon exports: every kernel, under the interface's names. */
type NativeAddon = Omit<Kernels, 'backend'>;

/** The functions the addon must export; a Record so that a kernel added to the interface cannot be forgotten here. */
const ADDON_FUNCTIONS: Record<keyof NativeAddon, true> = {
  threads: true, setThreads: true, gemm: true, gemmStrided: true, biasGrad: true, add: true,
  layerNormForward: true, layerNormBackward: true, geluForward: true, geluBackward: true, biasGeluForward: true, biasDropoutResidual: true, tanhForward: true,
  tanhBackward: true, softmaxForward: true, softmaxBackward: true, embeddingForward: true, embeddingBackward: true,
  dropoutForward: true, dropoutBackward: true, encoderLayerInference: true, softCrossEntropy: true, sparseCrossEntropy: true,
  squaredError: true, sumSquares: true, adamWeightDecay: true,
};

/** One line saying why the addon could not be loaded. */
function loadFailure(err: unknown): string {
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
    return 'build/Release/bam_native.node has not been built';
  }
  const message = err instanceof Error ? err.message : String(err);
  return `build/Release/bam_native.node failed to load: ${message.split('\n')[0]}`;
}

/** Loads the C++ kernels (OpenBLAS, multi-threaded); the error says why when they are not built or cannot load. */
export function loadNativeKernels(): { kernels: Kernels } | { error: string } {
  let addon: Partial<NativeAddon>;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Partial<NativeAddon>;
  } catch (err) {
    return { error: loadFailure(err) };
  }
  const missing = Object.keys(ADDON_FUNCTIONS).filter((name) => typeof addon[name as keyof NativeAddon] !== 'function');
  if (missing.length > 0) {
    return { error: `build/Release/bam_native.node is out of date (it lacks ${missing.join(', ')})` };
  }
  return { kernels: Object.freeze({ ...(addon as NativeAddon), backend: 'native' }) };
}
