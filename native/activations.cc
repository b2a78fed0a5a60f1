// Elementwise activations: exact-erf GELU (through the normal CDF) and tanh, in vectorized float arithmetic whose
// error (about 1e-7 relative) is far inside float32's own rounding of the surrounding layers.
#include <cmath>

#include "kernels.h"
#include "row_kernels.h"
#include "simd_dispatch.h"
#include "simd_math.h"
#include "thread_pool.h"

namespace bam {
namespace {

// Element operations per item, for the threading threshold.
constexpr size_t kGeluCost = 30;

BAM_SIMD_BODY void geluRange(const float* x, float* out, size_t begin, size_t end) {
  for (size_t i = begin; i < end; i++) out[i] = x[i] * gaussianCdf(x[i]);
}

BAM_SIMD_BODY void geluBackwardRange(const float* dy, const float* x, float* dx, size_t begin, size_t end) {
  for (size_t i = begin; i < end; i++) {
    const float v = x[i];
    dx[i] = dy[i] * (gaussianCdf(v) + v * gaussianPdf(v));
  }
}

BAM_SIMD_BODY void biasGeluRows(float* x, const float* bias, float* out, size_t cols, size_t begin, size_t end) {
  for (size_t r = begin; r < end; r++) {
    float* xr = x + r * cols;
    float* outr = out + r * cols;
    for (size_t j = 0; j < cols; j++) {
      const float v = xr[j] + bias[j];
      xr[j] = v;
      outr[j] = v * gaussianCdf(v);
    }
  }
}

BAM_SIMD_BODY void biasGeluInPlaceRows(float* x, const float* bias, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; r++) {
    float* xr = x + r * cols;
    for (size_t j = 0; j < cols; j++) {
      const float v = xr[j] + bias[j];
      xr[j] = v * gaussianCdf(v);
    }
  }
}

}  // namespace

void biasGeluInPlace(float* x, const float* bias, size_t rows, size_t cols) {
  simd::run<biasGeluInPlaceRows>(x, bias, rows, cols);
}

void biasGeluForward(float* x, const float* bias, float* out, size_t rows, size_t cols) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(kGeluCost * cols), [&](size_t begin, size_t end) {
    simd::run<biasGeluRows>(x, bias, out, cols, begin, end);
  });
}

void geluForward(const float* x, float* out, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(kGeluCost), [&](size_t begin, size_t end) { simd::run<geluRange>(x, out, begin, end); });
}

void geluBackward(const float* dy, const float* x, float* dx, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(2 * kGeluCost), [&](size_t begin, size_t end) {
    simd::run<geluBackwardRange>(dy, x, dx, begin, end);
  });
}

// tanh runs only on the pooler ([batch, hidden]), so the double-precision libm call costs nothing that matters.
void tanhForward(const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(x[i])));
}

void tanhBackward(const float* dy, const float* y, float* dx, size_t n) {
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace bam
