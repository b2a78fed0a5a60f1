// Cross-entropy against one gold class per row (the masked-LM loss over a vocabulary), vectorized like the
// attention softmax: float logits and exponentials, row sums in eight double lanes. Each row also reports its arg
// max, so MLM accuracy needs no second pass over [rows, vocab] logits.
#include <cmath>
#include <cstddef>

#include "kernels.h"
#include "simd_dispatch.h"
#include "simd_math.h"
#include "thread_pool.h"
#include "vec.h"

namespace bam {
namespace {

// One row: returns the loss −w·log softmax(z)[label]; writes dz = w·(softmax(z) − onehot(label)) (dz may alias z)
// and the first index of the largest logit.
BAM_SIMD_BODY float sparseCrossEntropyRow(const float* z, int32_t label, float w, float* dz, int32_t* argmax,
                                              size_t cols) {
  v8f lanesMax = {-3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    const v8f v = load8(z + j);
    lanesMax = v > lanesMax ? v : lanesMax;
  }
  float max = maxLanes(lanesMax);
  for (; j < cols; j++) max = z[j] > max ? z[j] : max;
  size_t first = 0;
  while (first < cols && z[first] != max) first++;
  *argmax = first < cols ? static_cast<int32_t>(first) : 0;  // all-NaN rows have no maximum
  v8d lanesSum = {};
  for (j = 0; j + 8 <= cols; j += 8) {
    v8f e;
    for (int l = 0; l < 8; l++) e[l] = fastExp(z[j + l] - max);
    lanesSum += widen(e);
  }
  double sum = sumLanes(lanesSum);
  for (; j < cols; j++) sum += fastExp(z[j] - max);
  const double logSum = std::log(sum) + max;
  const float loss = static_cast<float>(w * (logSum - z[label]));
  if (w == 0.0f) {
    for (j = 0; j < cols; j++) dz[j] = 0.0f;
    return 0.0f;
  }
  const float shift = static_cast<float>(logSum);
  for (j = 0; j < cols; j++) dz[j] = w * fastExp(z[j] - shift);
  dz[label] -= w;
  return loss;
}

}  // namespace

void sparseCrossEntropy(const float* logits, const int32_t* labels, const float* weights, size_t rows, size_t cols,
                        float* losses, float* dlogits, int32_t* argmax) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(30 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      losses[r] = simd::run<sparseCrossEntropyRow>(logits + r * cols, labels[r], weights[r], dlogits + r * cols, argmax + r, cols);
    }
  });
}

}  // namespace bam
