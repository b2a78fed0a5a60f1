// Single-threaded row kernels shared between the whole-tensor kernels and the fused inference layer
// (encoder_layer.cc), so that both compute exactly the same float operations.
#pragma once

#include <cstddef>

namespace bam {

// One attention-softmax row: o = softmax(scale · s + (1 − mk) · −10000); o may alias s.
void softmaxRow(const float* s, const float* mk, float* o, size_t cols, float scale);

// One layer-norm row (statistics in double, as layerNormForward); returns the row's mean and rstd.
void layerNormRow(const float* x, const float* gamma, const float* beta, float* out, size_t cols, double eps, float& mean,
                  float& rstd);

// out = (x + bias) + residual over rows [begin, end) of [*, cols] matrices.
void biasResidualRows(const float* x, const float* bias, const float* residual, float* out, size_t cols, size_t begin,
                      size_t end);

// x = gelu(x + bias) in place over a [rows, cols] matrix.
void biasGeluInPlace(float* x, const float* bias, size_t rows, size_t cols);

}  // namespace bam
