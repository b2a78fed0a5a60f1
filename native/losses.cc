// Per-example losses with their gradients, in double precision like the reference.
#include <cmath>
#include <limits>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

void softCrossEntropy(const float* logits, const float* targets, const float* weights, size_t rows, size_t cols,
                      float* losses, float* dlogits) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(40 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const float* z = logits + r * cols;
      const float* t = targets + r * cols;
      float* dz = dlogits + r * cols;
      const double w = weights[r];
      if (w == 0.0) {
        losses[r] = 0.0f;
        for (size_t j = 0; j < cols; j++) dz[j] = 0.0f;
        continue;
      }
      double max = -std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < cols; j++) {
        if (z[j] > max) max = z[j];
      }
      double sumExp = 0.0;
      for (size_t j = 0; j < cols; j++) sumExp += std::exp(z[j] - max);
      const double logSum = std::log(sumExp) + max;
      double loss = 0.0;
      double sumT = 0.0;
      for (size_t j = 0; j < cols; j++) {
        loss -= t[j] * (z[j] - logSum);
        sumT += t[j];
      }
      losses[r] = static_cast<float>(w * loss);
      for (size_t j = 0; j < cols; j++) dz[j] = static_cast<float>(w * (std::exp(z[j] - logSum) * sumT - t[j]));
    }
  });
}

void squaredError(const float* pred, const float* targets, const float* weights, size_t n, float* losses,
                  float* dpred) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(4), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      const double d = static_cast<double>(pred[i]) - targets[i];
      const double w = weights[i];
      losses[i] = static_cast<float>(w * d * d);
      dpred[i] = static_cast<float>(2.0 * w * d);
    }
  });
}

}  // namespace bam
