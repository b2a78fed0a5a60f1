// Layer normalisation over the last axis. Row statistics are accumulated in eight double lanes (vectorized);
// the elementwise parts run in float.
//
// Besides keeping every SIMD level's results identical, compiling without fused multiply-adds (binding.gyp) matters
// here: in dy·gamma − mean(dy·gamma) an unrounded product would leave a residue where the maths cancels exactly,
// and rstd (up to 1/sqrt(eps)) would amplify it.
#include <cmath>

#include "kernels.h"
#include "row_kernels.h"
#include "simd_dispatch.h"
#include "thread_pool.h"
#include "vec.h"

namespace bam {
namespace {

BAM_SIMD_BODY double rowSum(const float* x, size_t cols) {
  v8d lanes = {};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) lanes += widen(load8(x + j));
  double s = sumLanes(lanes);
  for (; j < cols; j++) s += x[j];
  return s;
}

BAM_SIMD_BODY double rowSquaredDeviation(const float* x, size_t cols, double mu) {
  v8d lanes = {};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    const v8d d = widen(load8(x + j)) - mu;
    lanes += d * d;
  }
  double s = sumLanes(lanes);
  for (; j < cols; j++) s += (x[j] - mu) * (x[j] - mu);
  return s;
}

BAM_SIMD_BODY void normalizeRow(const float* x, const float* gamma, const float* beta, float* out, size_t cols, float mu,
                                float rs) {
  for (size_t j = 0; j < cols; j++) out[j] = (x[j] - mu) * rs * gamma[j] + beta[j];
}

// One row of the backward pass: accumulates the row's dgamma/dbeta into pg/pb (float) and writes dx.
BAM_SIMD_BODY void normBackwardRow(const float* dy, const float* x, const float* gamma, float* dx, float* pg, float* pb,
                                   size_t cols, float mu, float rs) {
  // dxhat = dy·gamma; dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
  v8d lanesD = {};
  v8d lanesDX = {};
  size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    const v8f xhat = (load8(x + j) - mu) * rs;
    const v8f g = load8(dy + j);
    const v8f d = g * load8(gamma + j);
    lanesD += widen(d);
    lanesDX += widen(d * xhat);
    store8(pg + j, load8(pg + j) + g * xhat);
    store8(pb + j, load8(pb + j) + g);
  }
  double sumD = sumLanes(lanesD);
  double sumDX = sumLanes(lanesDX);
  for (; j < cols; j++) {
    const float xhat = (x[j] - mu) * rs;
    const float d = dy[j] * gamma[j];
    sumD += d;
    sumDX += static_cast<double>(d) * xhat;
    pg[j] += dy[j] * xhat;
    pb[j] += dy[j];
  }
  const float meanD = static_cast<float>(sumD / static_cast<double>(cols));
  const float meanDX = static_cast<float>(sumDX / static_cast<double>(cols));
  for (j = 0; j < cols; j++) {
    const float xhat = (x[j] - mu) * rs;
    dx[j] = rs * (dy[j] * gamma[j] - meanD - xhat * meanDX);
  }
}

}  // namespace

void layerNormRow(const float* x, const float* gamma, const float* beta, float* out, size_t cols, double eps, float& mean,
                  float& rstd) {
  const double mu = simd::run<rowSum>(x, cols) / static_cast<double>(cols);
  const double rs = 1.0 / std::sqrt(simd::run<rowSquaredDeviation>(x, cols, mu) / static_cast<double>(cols) + eps);
  mean = static_cast<float>(mu);
  rstd = static_cast<float>(rs);
  simd::run<normalizeRow>(x, gamma, beta, out, cols, mean, rstd);
}

void layerNormForward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd,
                      size_t rows, size_t cols, double eps) {
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(4 * cols), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) layerNormRow(x + r * cols, gamma, beta, out + r * cols, cols, eps, mean[r], rstd[r]);
  });
}

void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, size_t rows, size_t cols) {
  // dgamma and dbeta: one float partial per fixed block of rows, added in block order in double (independent of
  // the thread count).
  constexpr size_t kBlockRows = 32;
  const size_t blocks = fixedBlocks(rows, kBlockRows);
  float* partials = scratch<float>(blocks * 2 * cols);
  ThreadPool::instance().parallelFor(blocks, itemsPerChunk(6 * kBlockRows * cols), [&](size_t begin, size_t end) {
    for (size_t blk = begin; blk < end; blk++) {
      float* pg = partials + blk * 2 * cols;
      float* pb = pg + cols;
      const size_t stop = (blk + 1) * kBlockRows < rows ? (blk + 1) * kBlockRows : rows;
      for (size_t r = blk * kBlockRows; r < stop; r++) {
        simd::run<normBackwardRow>(dy + r * cols, x + r * cols, gamma, dx + r * cols, pg, pb, cols, mean[r], rstd[r]);
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
