#include <cmath>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

void layerNormForward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd,
                      size_t rows, size_t cols, double eps) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(4 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const float* xr = x + r * cols;
      float* outr = out + r * cols;
      double s = 0.0;
      for (size_t j = 0; j < cols; j++) s += xr[j];
      const double mu = s / static_cast<double>(cols);
      double v = 0.0;
      for (size_t j = 0; j < cols; j++) {
        const double d = xr[j] - mu;
        v += d * d;
      }
      const double rs = 1.0 / std::sqrt(v / static_cast<double>(cols) + eps);
      mean[r] = static_cast<float>(mu);
      rstd[r] = static_cast<float>(rs);
      for (size_t j = 0; j < cols; j++) outr[j] = static_cast<float>((xr[j] - mu) * rs * gamma[j] + beta[j]);
    }
  });
}

void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, size_t rows, size_t cols) {
  // dgamma and dbeta: one partial per fixed block of rows, added in block order (independent of the thread count).
  constexpr size_t kBlockRows = 32;
  const size_t blocks = fixedBlocks(rows, kBlockRows);
  std::vector<double> partials(blocks * 2 * cols, 0.0);
  ThreadPool::instance().parallelFor(blocks, itemsPerChunk(6 * kBlockRows * cols), [&](size_t begin, size_t end) {
    for (size_t blk = begin; blk < end; blk++) {
      double* pg = partials.data() + blk * 2 * cols;
      double* pb = pg + cols;
      const size_t stop = (blk + 1) * kBlockRows < rows ? (blk + 1) * kBlockRows : rows;
      for (size_t r = blk * kBlockRows; r < stop; r++) {
        const float* dyr = dy + r * cols;
        const float* xr = x + r * cols;
        float* dxr = dx + r * cols;
        const double mu = mean[r];
        const double rs = rstd[r];
        // dxhat = dy·gamma; dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
        double sumD = 0.0;
        double sumDX = 0.0;
        for (size_t j = 0; j < cols; j++) {
          const double xhat = (xr[j] - mu) * rs;
          const double g = dyr[j];
          const double d = g * gamma[j];
          sumD += d;
          sumDX += d * xhat;
          pg[j] += g * xhat;
          pb[j] += g;
        }
        const double meanD = sumD / static_cast<double>(cols);
        const double meanDX = sumDX / static_cast<double>(cols);
        for (size_t j = 0; j < cols; j++) {
          const double xhat = (xr[j] - mu) * rs;
          dxr[j] = static_cast<float>(rs * (dyr[j] * static_cast<double>(gamma[j]) - meanD - xhat * meanDX));
        }
      }
    }
  });
  for (size_t j = 0; j < cols; j++) {
    double g = 0.0;
    double b = 0.0;
    for (size_t blk = 0; blk < blocks; blk++) {
      g += partials[blk * 2 * cols + j];
      b += partials[blk * 2 * cols + cols + j];
    }
    dgamma[j] = static_cast<float>(dgamma[j] + g);
    dbeta[j] = static_cast<float>(dbeta[j] + b);
  }
}

}  // namespace bam
