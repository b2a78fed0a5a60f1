// Embedding gather and its scatter-add gradient. Ids are checked against the table by the caller.
#include <cstring>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

void embeddingForward(const float* table, const int32_t* ids, float* out, size_t n, size_t dim) {
  ThreadPool::instance().parallelFor(n, itemsPerChunk(dim), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      std::memcpy(out + i * dim, table + static_cast<size_t>(ids[i]) * dim, dim * sizeof(float));
    }
  });
}

void embeddingBackward(const float* dout, const int32_t* ids, float* dtable, size_t n, size_t dim) {
  // Repeated ids make rows collide, so threads split the columns instead; each column is summed in id order, which
  // is exactly the reference's float32 sequence of additions.
  ThreadPool::instance().parallelFor(dim, itemsPerChunk(n), [&](size_t begin, size_t end) {
    for (size_t i = 0; i < n; i++) {
      float* t = dtable + static_cast<size_t>(ids[i]) * dim;
      const float* d = dout + i * dim;
      for (size_t j = begin; j < end; j++) t[j] += d[j];
    }
  });
}

}  // namespace bam
