// BERT's AdamWeightDecay (no bias correction) as one fused pass over every segment of the parameter arena.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd_dispatch.h"
#include "thread_pool.h"

namespace bam {
namespace {

struct AdamConstants {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, gradScale;
};

// In float, vectorized: the update's rounding (about 1e-7 relative) is below what float32 parameters can hold.
// 1 − β is rounded from double: in float, 1 − 0.999f would be off by 1.3e-5 relative.
BAM_SIMD_BODY void adamRange(float* param, const float* grad, float* m, float* v, size_t begin, size_t end, float lr,
                             float wd, AdamConstants c) {
  for (size_t i = begin; i < end; i++) {
    const float g = c.gradScale * grad[i];
    const float mi = c.beta1 * m[i] + c.oneMinusBeta1 * g;
    const float vi = c.beta2 * v[i] + c.oneMinusBeta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] -= lr * (mi / (__builtin_sqrtf(vi) + c.eps) + wd * param[i]);
  }
}

}  // namespace

void adamWeightDecay(float* param, const float* grad, float* m, float* v, const double* segments, size_t count,
                     double beta1, double beta2, double eps, double gradScale) {
  // Threads split the concatenation of all segments, so many small tensors (biases, layer norms) share a dispatch.
  const AdamConstants constants{static_cast<float>(beta1), static_cast<float>(1.0 - beta1), static_cast<float>(beta2),
                                static_cast<float>(1.0 - beta2), static_cast<float>(eps), static_cast<float>(gradScale)};
  size_t* starts = scratch<size_t>(count + 1);
  for (size_t s = 0; s < count; s++) starts[s + 1] = starts[s] + static_cast<size_t>(segments[4 * s + 1]);
  ThreadPool::instance().parallelFor(starts[count], itemsPerChunk(12), [&](size_t begin, size_t end) {
    size_t s = static_cast<size_t>(std::upper_bound(starts, starts + count + 1, begin) - starts) - 1;
    for (size_t pos = begin; pos < end; s++) {
      const size_t stop = std::min(end, starts[s + 1]);
      const size_t base = static_cast<size_t>(segments[4 * s]) - starts[s];
      const float lr = static_cast<float>(segments[4 * s + 2]);
      const float wd = static_cast<float>(segments[4 * s + 3]);
      simd::run<adamRange>(param, grad, m, v, base + pos, base + stop, lr, wd, constants);
      pos = stop;
    }
  });
}

}  // namespace bam
