import type { AnyBuffer, Kernels } from '../../src/engine/backend.js';
import { referenceKernels } from '../../src/engine/reference.js';

// A backend whose buffers are opaque handles, as a GPU backend's would be: any element read or write, `.length`,
// `.subarray`, iteration or inspection of a handle throws, and so does handing a kernel a host array where a buffer
// belongs. Only upload and download cross, and both are counted. Underneath, the reference backend computes, so
// results must equal it bit for bit; a test running the model, training, checkpoint and save code on this backend
// proves that nothing above the engine touches activations or parameters.

type HostArray = Float32Array | Int32Array | Uint8Array;

/** What a refused host access throws. */
export class HostAccessError extends Error {}

/** The transfers the backend has done: upload and download calls, and the elements downloaded. */
export interface TransferCount {
  uploads: number;
  downloads: number;
  downloadedElements: number;
}

export type OpaqueKernels = Kernels & { readonly transfers: TransferCount };

const arrays = new WeakMap<object, HostArray>();

function refuse(what: string): never {
  throw new HostAccessError(`host access to an opaque backend buffer (${what}); use upload or download`);
}

/** A handle on `array` that refuses everything but being passed back to the backend. */
function handle(array: HostArray): AnyBuffer {
  const proxy = new Proxy(Object.create(null) as object, {
    get: (_t, key) => refuse(`get ${String(key)}`),
    set: (_t, key) => refuse(`set ${String(key)}`),
    has: (_t, key) => refuse(`has ${String(key)}`),
    ownKeys: () => refuse('ownKeys'),
    getOwnPropertyDescriptor: (_t, key) => refuse(`getOwnPropertyDescriptor ${String(key)}`),
    defineProperty: (_t, key) => refuse(`defineProperty ${String(key)}`),
    deleteProperty: (_t, key) => refuse(`deleteProperty ${String(key)}`),
    getPrototypeOf: () => refuse('getPrototypeOf'),
    setPrototypeOf: () => refuse('setPrototypeOf'),
  });
  arrays.set(proxy, array);
  return proxy as AnyBuffer;
}

/** The array behind a handle; a host array (or anything else) where a buffer belongs is refused. */
function unwrap(b: unknown): HostArray {
  const array = typeof b === 'object' && b !== null ? arrays.get(b) : undefined;
  if (!array) refuse(`a ${describe(b)} was passed where a backend buffer belongs`);
  return array;
}

function describe(x: unknown): string {
  if (ArrayBuffer.isView(x)) return `host ${x.constructor.name}`;
  return x === null ? 'null' : typeof x;
}

/**
 * A kernel argument as the reference backend takes it: handles unwrapped, including inside the per-layer weight
 * object; host typed arrays refused except the optimizer's Float64Array segment table (kernel parameters, not data).
 */
function argument(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (arrays.has(x)) return arrays.get(x);
  if (x instanceof Float64Array) return x;
  if (ArrayBuffer.isView(x)) refuse(`a ${describe(x)} was passed where a backend buffer belongs`);
  return Object.fromEntries(Object.entries(x).map(([key, value]) => [key, argument(value)]));
}

/** A fresh opaque backend over the reference kernels, with its own transfer counts. */
export function opaqueKernels(): OpaqueKernels {
  const inner = referenceKernels as unknown as Record<string, (...args: unknown[]) => unknown>;
  const transfers: TransferCount = { uploads: 0, downloads: 0, downloadedElements: 0 };
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(inner)) {
    if (typeof fn === 'function') wrapped[name] = (...args: unknown[]) => fn.apply(inner, args.map(argument));
  }
  const special = {
    backend: 'opaque',
    transfers,
    allocFloat: (n: number) => handle(new Float32Array(n)),
    allocInt: (n: number) => handle(new Int32Array(n)),
    allocByte: (n: number) => handle(new Uint8Array(n)),
    size: (b: AnyBuffer) => unwrap(b).length,
    view: (b: AnyBuffer, offset: number, length: number) => handle(inner.view(unwrap(b), offset, length) as HostArray),
    upload(dst: AnyBuffer, src: Float32Array | Int32Array, offset = 0): void {
      if (arrays.has(src)) refuse('upload from a backend buffer');
      transfers.uploads++;
      inner.upload(unwrap(dst), src, offset);
    },
    download(src: AnyBuffer, offset?: number, length?: number): HostArray {
      const out = inner.download(unwrap(src), offset, length) as HostArray;
      transfers.downloads++;
      transfers.downloadedElements += out.length;
      return out;
    },
    hostMemory: () => null,
  };
  return Object.freeze({ ...wrapped, ...special }) as unknown as OpaqueKernels;
}
