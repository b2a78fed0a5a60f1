// Whole-array arithmetic: elementwise add and the sum of squares (for the global gradient norm).

#include "kernels.h"
#include "simd_dispatch.h"
#include "thread_pool.h"

namespace bam {
namespace {

// Σ x² over [begin, end) in 8 double lanes (vectorizable, unlike one running sum); the lanes are added in order,
// so the result depends only on the block, not on the thread count.
BAM_SIMD_BODY double sumSquaresRange(const float* x, size_t begin, size_t end) {
  constexpr size_t kLanes = 8;
  double lanes[kLanes] = {};
  size_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    for (size_t l = 0; l < kLanes; l++) lanes[l] += static_cast<double>(x[i + l]) * x[i + l];
  }
  double s = 0.0;
  for (; i < end; i++) s += static_cast<double>(x[i]) * x[i];
  for (size_t l = 0; l < kLanes; l++) s += lanes[l];
  return s;
}

}  // namespace

void add(const float* a, const float* b, float* out, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(1), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) out[i] = a[i] + b[i];
  });
}

double sumSquares(const float* x, size_t n) {
  constexpr size_t kBlock = 8192;
  const size_t blocks = fixedBlocks(n, kBlock);
  double* partials = scratch<double>(blocks);
  ThreadPool::instance().parallelFor(blocks, itemsPerChunk(kBlock), [&](size_t begin, size_t end) {
    for (size_t blk = begin; blk < end; blk++) {
      const size_t stop = blk * kBlock + kBlock < n ? blk * kBlock + kBlock : n;
      partials[blk] = simd::run<sumSquaresRange>(x, blk * kBlock, stop);
    }
  });
  double total = 0.0;
  for (size_t blk = 0; blk < blocks; blk++) total += partials[blk];
  return total;
}

}  // namespace bam
