// BERT's AdamWeightDecay (no bias correction) as one fused pass over every segment of the parameter arena.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

void adamWeightDecay(float* param, const float* grad, float* m, float* v, const double* segments, size_t count,
                     double beta1, double beta2, double eps, double gradScale) {
  // Threads split the concatenation of all segments, so many small tensors (biases, layer norms) share a dispatch.
  std::vector<size_t> starts(count + 1, 0);
  for (size_t s = 0; s < count; s++) starts[s + 1] = starts[s] + static_cast<size_t>(segments[4 * s + 1]);
  ThreadPool::instance().parallelFor(starts[count], itemsPerChunk(12), [&](size_t begin, size_t end) {
    size_t s = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin()) - 1;
    for (size_t pos = begin; pos < end; s++) {
      const size_t stop = std::min(end, starts[s + 1]);
      const size_t base = static_cast<size_t>(segments[4 * s]) - starts[s];
      const double lr = segments[4 * s + 2];
      const double wd = segments[4 * s + 3];
      for (; pos < stop; pos++) {
        const size_t i = base + pos;
        const double g = gradScale * grad[i];
        const double mi = beta1 * m[i] + (1.0 - beta1) * g;
        const double vi = beta2 * v[i] + (1.0 - beta2) * g * g;
        m[i] = static_cast<float>(mi);
        v[i] = static_cast<float>(vi);
        param[i] = static_cast<float>(param[i] - lr * (mi / (std::sqrt(vi) + eps) + wd * param[i]));
      }
    }
  });
}

}  // namespace bam
