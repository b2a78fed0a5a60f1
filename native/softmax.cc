// Attention softmax with the additive padding mask, in double precision like the reference.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

// BERT's additive mask value for padded positions.
constexpr double kMaskedOffset = -10000.0;
constexpr size_t kExpCost = 20;

}  // namespace

void softmaxForward(const float* scores, const float* mask, float* out, size_t batch, size_t heads, size_t rows,
                    size_t cols, double scale) {
  const size_t totalRows = batch * heads * rows;
  const size_t rowsPerBatch = heads * rows;
  ThreadPool::instance().parallelFor(totalRows, itemsPerChunk(kExpCost * cols), [&](size_t begin, size_t end) {
    std::vector<double> row(cols);
    for (size_t r = begin; r < end; r++) {
      const float* s = scores + r * cols;
      const float* mk = mask + (r / rowsPerBatch) * cols;
      float* o = out + r * cols;
      double max = -std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < cols; j++) {
        const double v = scale * s[j] + (1.0 - mk[j]) * kMaskedOffset;
        row[j] = v;
        if (v > max) max = v;
      }
      double sum = 0.0;
      for (size_t j = 0; j < cols; j++) {
        row[j] = std::exp(row[j] - max);
        sum += row[j];
      }
      for (size_t j = 0; j < cols; j++) o[j] = static_cast<float>(row[j] / sum);
    }
  });
}

void softmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t cols, double scale) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(4 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const float* dyr = dy + r * cols;
      const float* yr = y + r * cols;
      float* dxr = dx + r * cols;
      double dot = 0.0;
      for (size_t j = 0; j < cols; j++) dot += static_cast<double>(dyr[j]) * yr[j];
      for (size_t j = 0; j < cols; j++) dxr[j] = static_cast<float>(scale * yr[j] * (dyr[j] - dot));
    }
  });
}

}  // namespace bam
