#include <cblas.h>

#include <cstring>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// BLAS requires a leading dimension of at least 1 even when a matrix has no columns.
int leading(int cols) { return cols > 1 ? cols : 1; }

// Sets OpenBLAS to one thread for the lifetime of the object, so that pool threads can each run a whole sgemm.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : saved_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~SingleThreadedBlas() { openblas_set_num_threads(saved_); }

 private:
  int saved_;
};

}  // namespace

void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c, const float* bias) {
  if (m == 0 || n == 0) return;
  const int lda = leading(transA ? m : k);
  const int ldb = leading(transB ? k : n);
  const size_t cols = static_cast<size_t>(n);
  ThreadPool& pool = ThreadPool::instance();
  if (bias != nullptr && beta == 0.0f) {
    // C starts as the bias rows and sgemm accumulates onto them (beta = 1), saving a second pass over C. The
    // interface lets no input alias C, so the bias is intact while C is filled.
    pool.parallelFor(static_cast<size_t>(m), itemsPerChunk(cols), [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++) std::memcpy(c + i * cols, bias, cols * sizeof(float));
    });
    cblas_sgemm(CblasRowMajor, op(transA), op(transB), m, n, k, alpha, a, lda, b, ldb, 1.0f, c, n);
    return;
  }
  cblas_sgemm(CblasRowMajor, op(transA), op(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, n);
  if (bias == nullptr) return;
  pool.parallelFor(static_cast<size_t>(m), itemsPerChunk(cols), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      float* row = c + i * cols;
      for (size_t j = 0; j < cols; j++) row[j] += bias[j];
    }
  });
}

void gemmBatched(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, size_t strideA,
                 const float* b, size_t strideB, float beta, float* c, size_t strideC, size_t batch) {
  if (m == 0 || n == 0 || batch == 0) return;
  const int lda = leading(transA ? m : k);
  const int ldb = leading(transB ? k : n);
  auto one = [&](size_t i) {
    cblas_sgemm(CblasRowMajor, op(transA), op(transB), m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb,
                beta, c + i * strideC, n);
  };
  ThreadPool& pool = ThreadPool::instance();
  const bool disjointOutputs = strideC >= static_cast<size_t>(m) * static_cast<size_t>(n);
  if (pool.size() == 1 || batch < 2 || !disjointOutputs) {
    for (size_t i = 0; i < batch; i++) one(i);
    return;
  }
  // Attention's matrices are small (e.g. 128×128×64): whole sgemms on separate threads beat splitting each one.
  SingleThreadedBlas blas;
  pool.parallelFor(batch, 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) one(i);
  });
}

void biasGrad(const float* dy, size_t rows, size_t cols, float* dbias) {
  // Threads split the columns, and each column is summed over all rows in order: deterministic for any thread count.
  ThreadPool::instance().parallelFor(cols, itemsPerChunk(rows), [&](size_t begin, size_t end) {
    std::vector<double> sums(end - begin, 0.0);
    for (size_t i = 0; i < rows; i++) {
      const float* row = dy + i * cols;
      for (size_t j = begin; j < end; j++) sums[j - begin] += row[j];
    }
    for (size_t j = begin; j < end; j++) dbias[j] = static_cast<float>(dbias[j] + sums[j - begin]);
  });
}

}  // namespace bam
