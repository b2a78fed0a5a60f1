// Inverted dropout with the counter-based RNG of src/engine/kernels.ts (mix32 / dropoutBits / dropoutThreshold),
// reproduced bit for bit so that both backends draw the same mask.
//
// No fused multiply-adds (binding.gyp): dropout(x + bias)·scale + residual must round like the reference, step by
// step.
#include <cmath>

#include "kernels.h"
#include "row_kernels.h"
#include "simd_dispatch.h"
#include "thread_pool.h"

namespace bam {
namespace {

uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

// floor(p · 2³²), capped at 2³² − 1, computed in double exactly as the TypeScript does.
uint32_t dropoutThreshold(double p) {
  const double t = std::floor(p * 4294967296.0);
  if (!(t < 4294967295.0)) return 4294967295u;
  return t > 0.0 ? static_cast<uint32_t>(t) : 0u;
}

BAM_SIMD_BODY void dropoutRange(const float* x, float* out, uint8_t* mask, size_t begin, size_t end, uint32_t seedHash,
                                uint32_t threshold, float scale) {
  for (size_t i = begin; i < end; i++) {
    // Unsigned arithmetic wraps mod 2³², as Math.imul and `>>> 0` do.
    const bool keep = mix32(seedHash + static_cast<uint32_t>(i) * 0x9e3779b9u) >= threshold;
    mask[i] = keep ? 1 : 0;
    out[i] = keep ? x[i] * scale : 0.0f;
  }
}

BAM_SIMD_BODY void dropoutBackwardRange(const float* dy, const uint8_t* mask, float* dx, size_t begin, size_t end, float scale) {
  for (size_t i = begin; i < end; i++) dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}

BAM_SIMD_BODY void biasDropoutResidualRows(const float* x, const float* bias, const float* residual, float* out,
                                           uint8_t* mask, size_t cols, size_t begin, size_t end, uint32_t seedHash,
                                           uint32_t threshold, float scale) {
  for (size_t r = begin; r < end; r++) {
    const size_t o = r * cols;
    for (size_t j = 0; j < cols; j++) {
      const size_t i = o + j;
      const bool keep = mix32(seedHash + static_cast<uint32_t>(i) * 0x9e3779b9u) >= threshold;
      mask[i] = keep ? 1 : 0;
      out[i] = (keep ? (x[i] + bias[j]) * scale : 0.0f) + residual[i];
    }
  }
}

// 1 / (1 − p) rounded to float: the scale is applied in float, as x / (1 − p) is in float32 frameworks.
float keepScale(double p) { return static_cast<float>(1.0 / (1.0 - p)); }

BAM_SIMD_BODY void biasResidualBody(const float* x, const float* bias, const float* residual, float* out, size_t cols,
                                    size_t begin, size_t end) {
  for (size_t r = begin; r < end; r++) {
    const size_t o = r * cols;
    for (size_t j = 0; j < cols; j++) out[o + j] = (x[o + j] + bias[j]) + residual[o + j];
  }
}

}  // namespace

void biasResidualRows(const float* x, const float* bias, const float* residual, float* out, size_t cols, size_t begin,
                      size_t end) {
  simd::run<biasResidualBody>(x, bias, residual, out, cols, begin, end);
}

void dropoutForward(const float* x, float* out, uint8_t* mask, size_t n, double p, uint32_t seed) {
  const uint32_t threshold = dropoutThreshold(p);
  const uint32_t seedHash = mix32(seed);
  ThreadPool::instance().parallelFor(n, itemsPerChunk(8), [&](size_t begin, size_t end) {
    simd::run<dropoutRange>(x, out, mask, begin, end, seedHash, threshold, keepScale(p));
  });
}

void biasDropoutResidual(const float* x, const float* bias, const float* residual, float* out, uint8_t* mask,
                         size_t rows, size_t cols, double p, uint32_t seed) {
  ThreadPool& pool = ThreadPool::instance();
  if (p == 0.0) {
    pool.parallelFor(rows, itemsPerChunk(3 * cols), [&](size_t begin, size_t end) { biasResidualRows(x, bias, residual, out, cols, begin, end); });
    return;
  }
  const uint32_t threshold = dropoutThreshold(p);
  const uint32_t seedHash = mix32(seed);
  pool.parallelFor(rows, itemsPerChunk(10 * cols), [&](size_t begin, size_t end) {
    simd::run<biasDropoutResidualRows>(x, bias, residual, out, mask, cols, begin, end, seedHash, threshold, keepScale(p));
  });
}

void dropoutBackward(const float* dy, const uint8_t* mask, float* dx, size_t n, double p) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(2), [&](size_t begin, size_t end) {
    simd::run<dropoutBackwardRange>(dy, mask, dx, begin, end, keepScale(p));
  });
}

}  // namespace bam
