import type { AnyBuffer, BufferOps, ByteBuffer, ClippedAdam, FloatBuffer, IntBuffer, Kernels } from './backend.js';
import type { HostKernels } from './kernels.js';

type HostArray = Float32Array | Int32Array | Uint8Array;

/** The host array a buffer of a host-memory backend is (the buffer types are that array under another name). */
const host = <T extends HostArray>(b: AnyBuffer): T => b as unknown as T;
const floats = (b: FloatBuffer): Float32Array => host<Float32Array>(b);
const ints = (b: IntBuffer): Int32Array => host<Int32Array>(b);

/** The buffer operations over host memory, as every backend must compute them (the reference of their meaning). */
const hostBufferOps: BufferOps = Object.freeze({
  allocFloat: (n: number) => new Float32Array(n) as unknown as FloatBuffer,
  allocInt: (n: number) => new Int32Array(n) as unknown as IntBuffer,
  allocByte: (n: number) => new Uint8Array(n) as unknown as ByteBuffer,
  size: (b: AnyBuffer) => host(b).length,
  view<T extends AnyBuffer>(b: T, offset: number, length: number): T {
    const array = host(b);
    if (offset < 0 || length < 0 || offset + length > array.length) {
      throw new RangeError(`view [${offset}, ${offset + length}) of a ${array.length}-element buffer`);
    }
    return array.subarray(offset, offset + length) as unknown as T;
  },
  upload(dst: AnyBuffer, src: Float32Array | Int32Array, offset = 0): void {
    host(dst).set(src, offset);
  },
  download(src: AnyBuffer, offset = 0, length?: number): never {
    const array = host(src);
    return array.slice(offset, length === undefined ? array.length : offset + length) as never;
  },
  hostMemory: (b: FloatBuffer) => floats(b),
  fill(b: FloatBuffer, value: number, offset: number, length: number): void {
    floats(b).fill(value, offset, offset + length);
  },
  copy(src: FloatBuffer, dst: FloatBuffer, n: number): void {
    floats(dst).set(floats(src).subarray(0, n));
  },
  gatherRows(src: FloatBuffer, srcLd: number, index: IntBuffer, n: number, cols: number, dst: FloatBuffer, dstLd: number): void {
    const s = floats(src);
    const d = floats(dst);
    const idx = ints(index);
    for (let r = 0; r < n; r++) d.set(s.subarray(idx[r] * srcLd, idx[r] * srcLd + cols), r * dstLd);
  },
  scatterAddRows(src: FloatBuffer, srcLd: number, index: IntBuffer, n: number, cols: number, dst: FloatBuffer, dstLd: number): void {
    const s = floats(src);
    const d = floats(dst);
    const idx = ints(index);
    for (let r = 0; r < n; r++) {
      const from = r * srcLd;
      const to = idx[r] * dstLd;
      for (let j = 0; j < cols; j++) d[to + j] += s[from + j];
    }
  },
  positionIds(out: IntBuffer, rows: number, seq: number): void {
    const o = ints(out);
    for (let i = 0; i < rows; i++) o[i] = i % seq;
  },
  firstRows(out: IntBuffer, batch: number, seq: number): void {
    const o = ints(out);
    for (let b = 0; b < batch; b++) o[b] = b * seq;
  },
  softTargets(teacher: FloatBuffer | null, teacherLd: number, labels: IntBuffer, rows: number, cols: number, goldWeight: number, temperature: number, out: FloatBuffer): void {
    const o = floats(out);
    const gold = ints(labels);
    const t = teacher ? floats(teacher) : null;
    o.fill(0, 0, rows * cols);
    for (let i = 0; i < rows; i++) {
      const at = i * cols;
      if (!t) {
        o[at + gold[i]] = 1;
        continue;
      }
      const base = i * teacherLd;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, t[base + j] / temperature);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(t[base + j] / temperature - max);
      for (let j = 0; j < cols; j++) o[at + j] = (1 - goldWeight) * Math.exp(t[base + j] / temperature - max) / sum;
      o[at + gold[i]] += goldWeight;
    }
  },
  weightedSum(a: FloatBuffer, wa: number, b: FloatBuffer, wb: number, out: FloatBuffer, n: number): void {
    const x = floats(a);
    const y = floats(b);
    const o = floats(out);
    for (let i = 0; i < n; i++) o[i] = wa * x[i] + wb * y[i];
  },
} as BufferOps);

/** The clipped optimizer step composed from the host kernels' sumSquares and adamWeightDecay. */
function clippedAdam(k: HostKernels): ClippedAdam {
  return {
    adamWeightDecay(param, grad, m, v, segments, beta1, beta2, eps, clipNorm, gradNorm) {
      const g = floats(grad);
      const norm = Math.sqrt(k.sumSquares(g, g.length));
      floats(gradNorm)[0] = norm;
      const scale = norm > clipNorm ? clipNorm / norm : 1;
      k.adamWeightDecay(floats(param), g, floats(m), floats(v), segments, beta1, beta2, eps, scale);
    },
  };
}

/**
 * A backend computing in host memory with the given kernels (native or reference): its buffers are typed arrays, so
 * the kernels take them as they are, without a wrapper per call.
 */
export function hostMemoryBackend(k: HostKernels): Kernels {
  const { sumSquares: _sumSquares, adamWeightDecay: _adam, ...kernels } = k;
  return Object.freeze({ ...(kernels as unknown as Kernels), ...hostBufferOps, ...clippedAdam(k), backend: k.backend });
}
