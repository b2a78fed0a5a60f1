// Float transcendental functions written branch-free so that GCC vectorizes the loops that call them (the loop
// bodies of simd_dispatch.h).
#pragma once

#include <cstdint>
#include <cstring>

namespace bam {

inline float bitsToFloat(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// e^x for float x, within 2 ulp of the correctly rounded value on [-87.3, 88.7] (Cephes' expf polynomial after
// the reduction x = n·ln2 + r, |r| ≤ ln2/2); 0 below that range, as the reference's exp underflows there.
inline float fastExp(float x) {
  const float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  // Round to the nearest integer by adding and subtracting 1.5·2²³ (exact for |value| < 2²²; here |value| < 128).
  const float n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = clamped - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  const float result = e * bitsToFloat((static_cast<int32_t>(n) + 127) << 23);
  return x < -87.3f ? 0.0f : result;
}

// Φ(x) = ½·erfc(−x/√2), the standard normal CDF, from the Chebyshev fit of erfc in Numerical Recipes
// (fractional error below 1.2e-7 everywhere), so tiny left-tail values keep their relative accuracy.
inline float gaussianCdf(float x) {
  const float z = (x < 0.0f ? -x : x) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float halfErfc = 0.5f * t * fastExp(p - z * z);
  return x < 0.0f ? halfErfc : 1.0f - halfErfc;
}

// φ(x), the standard normal density.
inline float gaussianPdf(float x) { return 0.39894228040143268f * fastExp(-0.5f * x * x); }

}  // namespace bam
