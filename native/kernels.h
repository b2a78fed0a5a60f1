// The compute kernels on raw pointers: the maths, free of N-API. addon.cc validates the JavaScript arguments
// (types, lengths, ranges) and calls these; each one's meaning is documented in src/engine/kernels.ts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bam {

// Threads used by OpenBLAS and by the thread pool of the other kernels; 0 means all available cores.
int threadCount();
void setThreadCount(int threads);
// Sizes the pool like OpenBLAS at load time (all cores, or OPENBLAS_NUM_THREADS when set).
void initThreadCount();

void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c, const float* bias);
// Matrix (o, i) of an operand starts at o·outer + i·inner; rows are ld apart.
struct GridLayout {
  size_t ld;
  size_t outer;
  size_t inner;
};
void gemmStrided(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, GridLayout la,
                 const float* b, GridLayout lb, float beta, float* c, GridLayout lc, size_t outer, size_t inner);
void biasGrad(const float* dy, size_t rows, size_t cols, float* dbias);

void add(const float* a, const float* b, float* out, size_t n);
double sumSquares(const float* x, size_t n);

void layerNormForward(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd,
                      size_t rows, size_t cols, double eps);
void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, size_t rows, size_t cols);

void geluForward(const float* x, float* out, size_t n);
void geluBackward(const float* dy, const float* x, float* dx, size_t n);
void biasGeluForward(float* x, const float* bias, float* out, size_t rows, size_t cols);
void biasDropoutResidual(const float* x, const float* bias, const float* residual, float* out, uint8_t* mask,
                         size_t rows, size_t cols, double p, uint32_t seed);
void tanhForward(const float* x, float* out, size_t n);
void tanhBackward(const float* dy, const float* y, float* dx, size_t n);

void softmaxForward(const float* scores, const float* mask, float* out, size_t batch, size_t heads, size_t rows,
                    size_t cols, double scale);
void softmaxBackward(const float* dy, const float* y, float* dx, size_t rows, size_t cols, double scale);

void embeddingForward(const float* table, const int32_t* ids, float* out, size_t n, size_t dim);
void embeddingBackward(const float* dout, const int32_t* ids, float* dtable, size_t n, size_t dim);

void dropoutForward(const float* x, float* out, uint8_t* mask, size_t n, double p, uint32_t seed);
void dropoutBackward(const float* dy, const uint8_t* mask, float* dx, size_t n, double p);

// One post-LN BERT layer's weights, as src/engine/kernels.ts EncoderLayerWeights describes them.
struct EncoderLayerWeights {
  const float *qkv, *qkvBias, *attnOut, *attnOutBias, *attnGamma, *attnBeta;
  const float *inter, *interBias, *out, *outBias, *outGamma, *outBeta;
};
void encoderLayerInference(const float* x, const float* mask, const EncoderLayerWeights& w, float* out, size_t batch,
                           size_t seq, size_t heads, size_t hidden, size_t intermediate, double eps, bool clsOnly);

void softCrossEntropy(const float* logits, const float* targets, const float* weights, size_t rows, size_t cols,
                      float* losses, float* dlogits);
// labels checked to lie in [0, cols); dlogits may alias logits.
void sparseCrossEntropy(const float* logits, const int32_t* labels, const float* weights, size_t rows, size_t cols,
                        float* losses, float* dlogits, int32_t* argmax);
void squaredError(const float* pred, const float* targets, const float* weights, size_t n, float* losses,
                  float* dpred);

// segments: count groups of (offset, length, learning rate, weight-decay rate), already checked against the arrays.
void adamWeightDecay(float* param, const float* grad, float* m, float* v, const double* segments, size_t count,
                     double beta1, double beta2, double eps, double gradScale);

}  // namespace bam
