// Attention softmax with the additive padding mask, vectorized: float scores and exponentials, the row sums in
// eight double lanes; the error stays near float32's rounding (about 1e-7 relative).
#include <cstddef>

#include "kernels.h"
#include "row_kernels.h"
#include "simd_dispatch.h"
#include "simd_math.h"
#include "thread_pool.h"
#include "vec.h"

namespace bam {
namespace {

// BERT's additive mask value for padded positions.
constexpr float kMaskedOffset = -10000.0f;

BAM_SIMD_BODY void softmaxRowBody(const float* s, const float* mk, float* o, size_t cols, float scale) {
  v8f lanesMax = {-3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f, -3.0e38f};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    const v8f v = scale * load8(s + j) + (1.0f - load8(mk + j)) * kMaskedOffset;
    store8(o + j, v);
    lanesMax = v > lanesMax ? v : lanesMax;
  }
  float max = maxLanes(lanesMax);
  for (; j < cols; j++) {
    o[j] = scale * s[j] + (1.0f - mk[j]) * kMaskedOffset;
    max = o[j] > max ? o[j] : max;
  }
  for (j = 0; j < cols; j++) o[j] = fastExp(o[j] - max);
  v8d lanesSum = {};
  for (j = 0; j + 8 <= cols; j += 8) lanesSum += widen(load8(o + j));
  double sum = sumLanes(lanesSum);
  for (; j < cols; j++) sum += o[j];
  const float inv = static_cast<float>(1.0 / sum);
  for (j = 0; j < cols; j++) o[j] *= inv;
}

BAM_SIMD_BODY void softmaxBackwardRow(const float* dy, const float* y, float* dx, size_t cols, float scale) {
  v8d lanes = {};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) lanes += widen(load8(dy + j)) * widen(load8(y + j));
  double dot = sumLanes(lanes);
  for (; j < cols; j++) dot += static_cast<double>(dy[j]) * y[j];
  const float d = static_cast<float>(dot);
  for (j = 0; j < cols; j++) dx[j] = scale * y[j] * (dy[j] - d);
}

}  // namespace

void softmaxRow(const float* s, const float* mk, float* o, size_t cols, float scale) {
  simd::run<softmaxRowBody>(s, mk, o, cols, scale);
}

void softmaxForward(const float* scores, const float* mask, float* out, size_t batch, size_t heads, size_t rows,
                    size_t cols, double scale) {
  const size_t rowsPerBatch = heads * rows;
  ThreadPool::instance().parallelFor(batch * rowsPerBatch, itemsPerChunk(20 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      softmaxRow(scores + r * cols, mask + (r / rowsPerBatch) * cols, out + r * cols, cols, static_cast<float>(scale));
    }
  });
}

void softmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t cols, double scale) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(4 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) simd::run<softmaxBackwardRow>(dy + r * cols, y + r * cols, dx + r * cols, cols, static_cast<float>(scale));
  });
}

}  // namespace bam
