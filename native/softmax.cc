// Attention softmax with the additive padding mask. Rows are short (the sequence length), so each is done in
// float with 16 lanes of partial maxima and sums, which the compiler vectorizes; the error stays near float32's
// rounding (about 1e-7 relative).
#include <cstddef>

#include "kernels.h"
#include "simd_math.h"
#include "thread_pool.h"

namespace bam {
namespace {

// BERT's additive mask value for padded positions.
constexpr float kMaskedOffset = -10000.0f;
constexpr size_t kLanes = 16;

BAM_VECTOR_CLONES void softmaxRow(const float* s, const float* mk, float* o, size_t cols, float scale) {
  float lanes[kLanes];
  for (size_t l = 0; l < kLanes; l++) lanes[l] = -3.0e38f;
  size_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    for (size_t l = 0; l < kLanes; l++) {
      const float v = scale * s[j + l] + (1.0f - mk[j + l]) * kMaskedOffset;
      o[j + l] = v;
      lanes[l] = v > lanes[l] ? v : lanes[l];
    }
  }
  float max = -3.0e38f;
  for (; j < cols; j++) {
    o[j] = scale * s[j] + (1.0f - mk[j]) * kMaskedOffset;
    max = o[j] > max ? o[j] : max;
  }
  for (size_t l = 0; l < kLanes; l++) max = lanes[l] > max ? lanes[l] : max;

  for (size_t l = 0; l < kLanes; l++) lanes[l] = 0.0f;
  for (j = 0; j + kLanes <= cols; j += kLanes) {
    for (size_t l = 0; l < kLanes; l++) {
      const float e = fastExp(o[j + l] - max);
      o[j + l] = e;
      lanes[l] += e;
    }
  }
  double sum = 0.0;
  for (; j < cols; j++) {
    o[j] = fastExp(o[j] - max);
    sum += o[j];
  }
  for (size_t l = 0; l < kLanes; l++) sum += lanes[l];
  const float inv = static_cast<float>(1.0 / sum);
  for (j = 0; j < cols; j++) o[j] *= inv;
}

BAM_VECTOR_CLONES void softmaxBackwardRow(const float* dy, const float* y, float* dx, size_t cols, float scale) {
  float lanes[kLanes] = {};
  size_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    for (size_t l = 0; l < kLanes; l++) lanes[l] += dy[j + l] * y[j + l];
  }
  double dot = 0.0;
  for (; j < cols; j++) dot += static_cast<double>(dy[j]) * y[j];
  for (size_t l = 0; l < kLanes; l++) dot += lanes[l];
  const float d = static_cast<float>(dot);
  for (j = 0; j < cols; j++) dx[j] = scale * y[j] * (dy[j] - d);
}

}  // namespace

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
    for (size_t r = begin; r < end; r++) softmaxBackwardRow(dy + r * cols, y + r * cols, dx + r * cols, cols, static_cast<float>(scale));
  });
}

}  // namespace bam
