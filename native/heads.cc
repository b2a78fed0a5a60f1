// Attention head layout: [batch, seq, heads·headDim] ↔ [batch, heads, seq, headDim].
#include <cstring>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

// Copies every (b, s, h) block of headDim floats between the two layouts; toHeads picks the direction.
void permuteHeads(const float* x, float* out, size_t batch, size_t seq, size_t heads, size_t headDim, bool toHeads) {
  const size_t rowWidth = heads * headDim;
  ThreadPool::instance().parallelFor(batch * seq, itemsPerChunk(rowWidth), [&](size_t begin, size_t end) {
    for (size_t bs = begin; bs < end; bs++) {
      const size_t b = bs / seq;
      const size_t s = bs % seq;
      for (size_t h = 0; h < heads; h++) {
        const size_t merged = (bs * heads + h) * headDim;
        const size_t split = ((b * heads + h) * seq + s) * headDim;
        if (toHeads) {
          std::memcpy(out + split, x + merged, headDim * sizeof(float));
        } else {
          std::memcpy(out + merged, x + split, headDim * sizeof(float));
        }
      }
    }
  });
}

}  // namespace

void splitHeads(const float* x, float* out, size_t batch, size_t seq, size_t heads, size_t headDim) {
  permuteHeads(x, out, batch, seq, heads, headDim, true);
}

void mergeHeads(const float* x, float* out, size_t batch, size_t seq, size_t heads, size_t headDim) {
  permuteHeads(x, out, batch, seq, heads, headDim, false);
}

}  // namespace bam
