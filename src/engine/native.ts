import { createRequire } from 'node:module';
import { BamError } from '../errors.js';
import type { Kernels } from './backend.js';
import { hostMemoryBackend } from './host-memory.js';
import type { HostKernels } from './kernels.js';

/** The addon node-gyp builds, relative to this module once compiled (dist/src/engine/native.js). */
const ADDON_PATH = '../../../build/Release/bam_native.node';

/** The instruction sets the addon's vectorized loops are compiled for, best first. */
export const SIMD_LEVELS = ['avx512', 'avx2', 'baseline'] as const;

export type SimdLevel = (typeof SIMD_LEVELS)[number];

/**
 * Which compiled copy of the vectorized loops the native kernels run. Every level gives bit-identical results
 * (test/engine/simd-levels.test.ts); forcing one serves to check that, or to measure its speed.
 */
export interface SimdControl {
  /** The level in force: the best this CPU runs, or BAM_SIMD's when it is set. */
  simdLevel(): SimdLevel;
  /** The levels this CPU runs, best first (always ending with baseline). */
  simdLevels(): SimdLevel[];
  /** Puts a level in force for the kernels called afterwards; a level this CPU lacks is a BamError. */
  setSimdLevel(level: SimdLevel): void;
}

/** What the addon exports: every kernel, under the interface's names, and the level control. */
type NativeAddon = Omit<HostKernels, 'backend'> & {
  simdLevel(): SimdLevel;
  simdLevels(): SimdLevel[];
  setSimdLevel(level: string): void;
};

/** The functions the addon must export; a Record so that a kernel added to the interface cannot be forgotten here. */
const ADDON_FUNCTIONS: Record<keyof NativeAddon, true> = {
  threads: true, setThreads: true, gemm: true, gemmStrided: true, biasGrad: true, add: true,
  layerNormForward: true, layerNormBackward: true, geluForward: true, geluBackward: true, biasGeluForward: true, biasDropoutResidual: true, tanhForward: true,
  tanhBackward: true, softmaxForward: true, softmaxBackward: true, embeddingForward: true, embeddingBackward: true,
  dropoutForward: true, dropoutBackward: true, encoderLayerInference: true, softCrossEntropy: true, sparseCrossEntropy: true,
  squaredError: true, sumSquares: true, adamWeightDecay: true, simdLevel: true, simdLevels: true, setSimdLevel: true,
};

/** One line saying why the addon could not be loaded. */
function loadFailure(err: unknown): string {
  if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
    return 'build/Release/bam_native.node has not been built';
  }
  const message = err instanceof Error ? err.message : String(err);
  return `build/Release/bam_native.node failed to load: ${message.split('\n')[0]}`;
}

/** Why `level` cannot be put in force on this CPU, or null when it can. */
function simdRefusal(level: string, available: SimdLevel[]): string | null {
  if (!(SIMD_LEVELS as readonly string[]).includes(level)) return `${level} is not an instruction set level`;
  if (!available.includes(level as SimdLevel)) return `this CPU lacks ${level}`;
  return null;
}

function simdControl(addon: NativeAddon): SimdControl {
  return Object.freeze({
    simdLevel: () => addon.simdLevel(),
    simdLevels: () => addon.simdLevels(),
    setSimdLevel(level: SimdLevel) {
      const refusal = simdRefusal(level, addon.simdLevels());
      if (refusal !== null) throw new BamError(`setSimdLevel: ${refusal}; choose one of ${addon.simdLevels().join(', ')}`);
      addon.setSimdLevel(level);
    },
  });
}

/** Puts BAM_SIMD's level in force when it is set; a name that is not a level, or one this CPU lacks, is a BamError. */
function applySimdFromEnv(simd: SimdControl): void {
  const value = process.env.BAM_SIMD;
  if (value === undefined || value === '') return;
  const refusal = simdRefusal(value, simd.simdLevels());
  if (refusal !== null) {
    throw new BamError(`BAM_SIMD=${value}: ${refusal}; set it to one of ${simd.simdLevels().join(', ')}, or unset it`);
  }
  simd.setSimdLevel(value as SimdLevel);
}

/**
 * Loads the C++ kernels (OpenBLAS, multi-threaded) with their level control: as a backend (`kernels`) and over host
 * arrays (`host`, for the kernel tests). The error says why when they are not built or cannot load. Throws a
 * BamError when BAM_SIMD asks for a level they cannot run.
 */
export function loadNativeKernels(): { kernels: Kernels; host: HostKernels; simd: SimdControl } | { error: string } {
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
  const complete = addon as NativeAddon;
  const simd = simdControl(complete);
  applySimdFromEnv(simd);
  const { simdLevel: _level, simdLevels: _levels, setSimdLevel: _set, ...kernels } = complete;
  const host: HostKernels = Object.freeze({ ...kernels, backend: 'native' });
  return { kernels: hostMemoryBackend(host), host, simd };
}
