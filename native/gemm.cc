#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// BLAS requires a leading dimension of at least 1 even when a matrix has no columns.
int leading(int cols) { return cols > 1 ? cols : 1; }

// Multiply-adds each block of a split gemm must reach. OpenBLAS computes small products (up to about 100³
// multiply-adds with its small-matrix kernels, below 28·512² with its AVX-512 direct sgemm) with other kernels than
// large ones, which sum in another order: a product split into small blocks would not equal the whole. Blocks this
// large (at least 3/4 of it after the 16-row rounding of their edges) take the blocked path the whole product takes,
// where an element's sums do not depend on where its block starts, so results are the same for any thread count.
constexpr double kMinBlockWork = 1 << 24;

// Rows or columns per block, at least: keeps the rounding of block edges to 16 within a quarter of a block.
constexpr size_t kMinBlockExtent = 64;

// One sgemm on the calling thread (OpenBLAS is kept single-threaded, see threads.cc).
void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
           float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, op(transA), op(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

// The pool splits C into one block of rows (or of columns, when C is wide) per thread, as far as blocks stay large
// (kMinBlockWork), and each thread runs a single-threaded sgemm on its block. OpenBLAS's own threads would spin after every call and fight the pool's
// threads for the same cores between the kernels of a layer.
void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c, const float* bias) {
  if (m == 0 || n == 0) return;
  const int lda = leading(transA ? m : k);
  const int ldb = leading(transB ? k : n);
  const size_t cols = static_cast<size_t>(n);
  ThreadPool& pool = ThreadPool::instance();
  const bool withBias = bias != nullptr;
  const bool byRows = m >= n;
  const size_t extent = static_cast<size_t>(byRows ? m : n);
  const double work = static_cast<double>(m) * n * k;
  const size_t threads = static_cast<size_t>(pool.size());
  const size_t parts = std::max<size_t>(1, std::min({threads, static_cast<size_t>(work / kMinBlockWork), extent / kMinBlockExtent}));
  // Block edges on multiples of 16 rows or columns keep every block's start aligned for the vector kernels, and
  // OpenBLAS's register tiles where they are in the whole product.
  auto edge = [&](size_t part) { return part == parts ? extent : (extent * part / parts) & ~size_t{15}; };
  pool.parallelFor(parts, 1, [&](size_t first, size_t last) {
    for (size_t part = first; part < last; part++) {
      const size_t lo = edge(part);
      const size_t hi = edge(part + 1);
      if (hi <= lo) continue;
      const int len = static_cast<int>(hi - lo);
      // C starts as the bias rows and sgemm accumulates onto them (beta = 1), saving a second pass over C; the
      // interface lets no input alias C, so the bias is intact while C is filled.
      float effectiveBeta = beta;
      if (withBias && beta == 0.0f) {
        for (size_t i = byRows ? lo : 0; i < (byRows ? hi : static_cast<size_t>(m)); i++) {
          std::memcpy(c + i * cols + (byRows ? 0 : lo), bias + (byRows ? 0 : lo), (byRows ? cols : hi - lo) * sizeof(float));
        }
        effectiveBeta = 1.0f;
      }
      if (byRows) {
        const float* aBlock = transA ? a + lo : a + lo * static_cast<size_t>(lda);
        sgemm(transA, transB, len, n, k, alpha, aBlock, lda, b, ldb, effectiveBeta, c + lo * cols, n);
      } else {
        const float* bBlock = transB ? b + lo * static_cast<size_t>(ldb) : b + lo;
        sgemm(transA, transB, m, len, k, alpha, a, lda, bBlock, ldb, effectiveBeta, c + lo, n);
      }
      if (withBias && beta != 0.0f) {
        for (size_t i = byRows ? lo : 0; i < (byRows ? hi : static_cast<size_t>(m)); i++) {
          float* row = c + i * cols;
          for (size_t j = byRows ? 0 : lo; j < (byRows ? cols : hi); j++) row[j] += bias[j];
        }
      }
    }
  });
}

void gemmStrided(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, GridLayout la,
                 const float* b, GridLayout lb, float beta, float* c, GridLayout lc, size_t outer, size_t inner) {
  const size_t count = outer * inner;
  if (m == 0 || n == 0 || count == 0) return;
  // Attention's matrices are small (e.g. 128×128×64): whole sgemms on separate threads.
  const size_t work = static_cast<size_t>(m) * n * (k > 0 ? k : 1);
  ThreadPool::instance().parallelFor(count, itemsPerChunk(work), [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; g++) {
      const size_t o = g / inner;
      const size_t i = g % inner;
      sgemm(transA, transB, m, n, k, alpha, a + o * la.outer + i * la.inner, static_cast<int>(la.ld),
            b + o * lb.outer + i * lb.inner, static_cast<int>(lb.ld), beta, c + o * lc.outer + i * lc.inner,
            static_cast<int>(lc.ld));
    }
  });
}

void biasGrad(const float* dy, size_t rows, size_t cols, float* dbias) {
  // Threads split the columns, and each column is summed over all rows in order: deterministic for any thread count.
  ThreadPool::instance().parallelFor(cols, itemsPerChunk(rows), [&](size_t begin, size_t end) {
    double* sums = scratch<double>(end - begin);
    for (size_t i = 0; i < rows; i++) {
      const float* row = dy + i * cols;
      for (size_t j = begin; j < end; j++) sums[j - begin] += row[j];
    }
    for (size_t j = begin; j < end; j++) dbias[j] = static_cast<float>(dbias[j] + sums[j - begin]);
  });
}

}  // namespace bam
