// Elementwise activations, in double precision like the reference (exact-erf GELU, tanh).
#include <cmath>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
// erf, exp and tanh cost tens of simple operations each.
constexpr size_t kTranscendentalCost = 20;

}  // namespace

void geluForward(const float* x, float* out, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(kTranscendentalCost), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const double v = x[i];
      out[i] = static_cast<float>(0.5 * v * (1.0 + std::erf(v * kSqrt1_2)));
    }
  });
}

void geluBackward(const float* dy, const float* x, float* dx, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(2 * kTranscendentalCost), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const double v = x[i];
      const double cdf = 0.5 * (1.0 + std::erf(v * kSqrt1_2));
      const double pdf = kInvSqrt2Pi * std::exp(-0.5 * v * v);
      dx[i] = static_cast<float>(dy[i] * (cdf + v * pdf));
    }
  });
}

void tanhForward(const float* x, float* out, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(kTranscendentalCost), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(x[i])));
  });
}

void tanhBackward(const float* dy, const float* y, float* dx, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(2), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const double yi = y[i];
      dx[i] = static_cast<float>(dy[i] * (1.0 - yi * yi));
    }
  });
}

}  // namespace bam
