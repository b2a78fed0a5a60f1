const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE 754 half-precision bits nearest to a float32 value (round to nearest, ties to even, as numpy's
 * astype(float16) and torch's .half() do): overflow gives ±Infinity, tiny values become subnormals or ±0, NaN stays NaN.
 */
export function float32ToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // Normal half: keep 10 of the 23 mantissa bits, rounding on the other 13.
    let bits = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits++;
    return sign | bits; // a carry into the exponent is the right result, up to Infinity
  }
  if (unbiased < -25) return sign;
  // Subnormal half: the value is significand · 2^(unbiased − 23), i.e. significand >> (−unbiased − 1) units of
  // 2^-24 (the half subnormal step), rounded to nearest even on the bits shifted out.
  const significand = mantissa | 0x800000;
  const shift = -unbiased - 1;
  let bits = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (bits & 1) === 1)) bits++;
  return sign | bits;
}

/** A float32 array as half-precision bits. */
export function toHalfBits(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float32ToHalfBits(data[i]);
  return out;
}
