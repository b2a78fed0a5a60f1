// Whole-array arithmetic: elementwise add and the sum of squares (for the global gradient norm).
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

void add(const float* a, const float* b, float* out, size_t n) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(1), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) out[i] = a[i] + b[i];
  });
}

double sumSquares(const float* x, size_t n) {
  constexpr size_t kBlock = 8192;
  std::vector<double> partials(fixedBlocks(n, kBlock), 0.0);
  ThreadPool::instance().parallelFor(partials.size(), itemsPerChunk(kBlock), [&](size_t begin, size_t end) {
    for (size_t blk = begin; blk < end; blk++) {
      const size_t stop = blk * kBlock + kBlock < n ? blk * kBlock + kBlock : n;
      double s = 0.0;
      for (size_t i = blk * kBlock; i < stop; i++) s += static_cast<double>(x[i]) * x[i];
      partials[blk] = s;
    }
  });
  double total = 0.0;
  for (double s : partials) total += s;
  return total;
}

}  // namespace bam
