// One post-LN BERT layer's forward pass for inference, fused: each chunk of whole sequences goes through the entire
// layer (QKV projection, attention, output projection, residual + LayerNorm, feed-forward, residual + LayerNorm),
// attention one (sequence, head) at a time with its scores in cache, and nothing is kept for a backward pass.
//
// Threads split the batch by sequences, each running single-threaded sgemms on its own chunks, with no barrier
// between the layer's steps. With fewer chunks than threads (a batch of one, say) the chunks run one after another
// and each step is split across the pool instead. Chunks do not depend on the thread count, and each step computes
// the same float operations in both ways (gemm's blocks equal one sgemm, see gemm.cc), so neither do the results.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "row_kernels.h"
#include "thread_pool.h"

namespace bam {
namespace {

// Rows per chunk: whole sequences adding up to about this many rows. sgemm on the chunk's weights (re-packed by
// OpenBLAS on every call) needs a few hundred rows to run at full speed; measured on BERT-mini and BERT-base, 1024
// rows beat 128, 256 and 512 by 5–15% and matched 2048 and whole batches.
constexpr size_t kChunkRows = 1024;

struct Dims {
  size_t seq, heads, hidden, intermediate, headDim;
  double eps;
};

// A chunk's activations, in a buffer each thread keeps (not zeroed: every element is written before it is read).
struct ChunkBuffers {
  float* qkv;      // [rows, 3·hidden]; with clsOnly, keys and values [rows, 2·hidden] then the queries [count, hidden]
  float* context;  // [rows, hidden], later the feed-forward output
  float* hidden;   // [rows, hidden]: the attention block's output
  float* inter;    // [rows, intermediate]
  float* scores;   // [heads, seq, seq]
  float* row;      // [hidden]: one residual sum
  float* clsIn;    // [count, hidden]: with clsOnly, the [CLS] rows of the input, then of the output

  ChunkBuffers(const Dims& d, size_t rows, size_t count) {
    static thread_local std::vector<float> buffer;
    const size_t need = rows * (5 * d.hidden + d.intermediate) + d.heads * d.seq * d.seq + d.hidden + 2 * count * d.hidden;
    if (buffer.size() < need) buffer.resize(need);
    qkv = buffer.data();
    context = qkv + rows * 3 * d.hidden;
    hidden = context + rows * d.hidden;
    inter = hidden + rows * d.hidden;
    scores = inter + rows * d.intermediate;
    row = scores + d.heads * d.seq * d.seq;
    clsIn = row + d.hidden;
  }

  float* clsOut(size_t count, size_t H) const { return clsIn + count * H; }
};

void sgemm(bool transB, size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float beta,
           float* c, size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// C = A·op(B) + bias for contiguous operands: on this thread alone, or split across the pool.
void dense(bool pooled, bool transB, size_t m, size_t n, size_t k, const float* a, const float* b, const float* bias,
           float* c) {
  if (pooled) {
    gemm(false, transB, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a, b, 0.0f, c, bias);
    return;
  }
  float beta = 0.0f;
  if (bias != nullptr) {
    for (size_t i = 0; i < m; i++) std::memcpy(c + i * n, bias, n * sizeof(float));
    beta = 1.0f;
  }
  sgemm(transB, m, n, k, a, k, b, transB ? k : n, beta, c, n);
}

// Runs fn(i) for i in [0, n): on this thread, or split across the pool.
template <typename Fn>
void forEach(bool pooled, size_t n, size_t costPerItem, const Fn& fn) {
  if (!pooled) {
    for (size_t i = 0; i < n; i++) fn(i);
    return;
  }
  ThreadPool::instance().parallelFor(n, itemsPerChunk(costPerItem), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) fn(i);
  });
}

// out row = LayerNorm((y + bias) + residual), row by row.
void biasResidualLayerNorm(bool pooled, const float* y, const float* bias, const float* residual, const float* gamma,
                           const float* beta, float* out, size_t rows, const Dims& d, float* rowBuffer) {
  const size_t H = d.hidden;
  auto one = [&](size_t r, float* sum) {
    biasResidualRows(y + r * H, bias, residual + r * H, sum, H, 0, 1);
    float mean, rstd;
    layerNormRow(sum, gamma, beta, out + r * H, H, d.eps, mean, rstd);
  };
  if (!pooled) {
    for (size_t r = 0; r < rows; r++) one(r, rowBuffer);
    return;
  }
  ThreadPool::instance().parallelFor(rows, itemsPerChunk(8 * H), [&](size_t begin, size_t end) {
    static thread_local std::vector<float> sum;
    if (sum.size() < H) sum.resize(H);
    for (size_t r = begin; r < end; r++) one(r, sum.data());
  });
}

// From the attention context of n rows on: output projection, + bias + residual, LayerNorm, feed-forward with GELU,
// + bias + residual, LayerNorm into out. context is overwritten (it takes the feed-forward output).
void outputBlocks(bool pooled, const EncoderLayerWeights& w, float* context, const float* residual, float* out, size_t n,
                  const Dims& d, const ChunkBuffers& buf) {
  const size_t H = d.hidden, I = d.intermediate;
  // The output projection lands in `out` (free until the last step).
  dense(pooled, false, n, H, H, context, w.attnOut, nullptr, out);
  biasResidualLayerNorm(pooled, out, w.attnOutBias, residual, w.attnGamma, w.attnBeta, buf.hidden, n, d, buf.row);
  dense(pooled, false, n, I, H, buf.hidden, w.inter, nullptr, buf.inter);
  forEach(pooled, n, 40 * I, [&](size_t r) { biasGeluInPlace(buf.inter + r * I, w.interBias, 1, I); });
  dense(pooled, false, n, H, I, buf.inter, w.out, nullptr, context);
  biasResidualLayerNorm(pooled, context, w.outBias, buf.hidden, w.outGamma, w.outBeta, out, n, d, buf.row);
}

// Where attention reads its queries, keys and values and writes its context, for sequence s and head h:
// Q = q + s·qSeq + h·headDim (`queries` rows, qLd apart), K and V likewise from k and v (seq rows, kvLd apart),
// context = context + s·contextSeq + h·headDim (`queries` rows, hidden apart).
struct AttentionOperands {
  const float* q;
  size_t qSeq, qLd;
  const float* k;
  const float* v;
  size_t kvSeq, kvLd;
  float* context;
  size_t contextSeq;
  size_t queries;
};

// Attention over sequences [first, first + count), one (sequence, head) at a time: scores = Q·Kᵀ, softmax in place
// (scores stay in cache), context = P·V.
void attention(bool pooled, const AttentionOperands& a, const float* mask, size_t first, size_t count, const Dims& d,
               float* scoresBuffer) {
  const size_t S = d.seq, hd = d.headDim, m = a.queries;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  for (size_t s = 0; s < count; s++) {
    const float* maskRow = mask + (first + s) * S;
    forEach(pooled, d.heads, 4 * m * S * hd, [&](size_t h) {
      float* scores = scoresBuffer + h * m * S;
      const size_t kv = s * a.kvSeq + h * hd;
      sgemm(true, m, S, hd, a.q + s * a.qSeq + h * hd, a.qLd, a.k + kv, a.kvLd, 0.0f, scores, S);
      for (size_t i = 0; i < m; i++) softmaxRow(scores + i * S, maskRow, scores + i * S, S, scale);
      sgemm(false, m, hd, S, scores, S, a.v + kv, a.kvLd, 0.0f, a.context + s * a.contextSeq + h * hd, d.hidden);
    });
  }
}

// The layer over sequences [first, first + count) of the batch: every row, or with clsOnly only each sequence's
// first ([CLS]) row, whose queries attend over keys and values from every row.
void layerChunk(bool pooled, bool clsOnly, const float* x, const float* mask, const EncoderLayerWeights& w, float* out,
                size_t first, size_t count, const Dims& d) {
  const size_t S = d.seq, H = d.hidden;
  const size_t rows = count * S;
  const float* xc = x + first * S * H;
  float* outc = out + first * S * H;
  const ChunkBuffers buf(d, rows, count);
  if (!clsOnly) {
    dense(pooled, true, rows, 3 * H, H, xc, w.qkv, w.qkvBias, buf.qkv);
    const AttentionOperands a{buf.qkv, S * 3 * H, 3 * H, buf.qkv + H, buf.qkv + 2 * H, S * 3 * H, 3 * H, buf.context, S * H, S};
    attention(pooled, a, mask, first, count, d, buf.scores);
    outputBlocks(pooled, w, buf.context, xc, outc, rows, d, buf);
    return;
  }
  float* kv = buf.qkv;
  float* queries = buf.qkv + rows * 2 * H;
  for (size_t s = 0; s < count; s++) std::memcpy(buf.clsIn + s * H, xc + s * S * H, H * sizeof(float));
  dense(pooled, true, rows, 2 * H, H, xc, w.qkv + H * H, w.qkvBias + H, kv);
  dense(pooled, true, count, H, H, buf.clsIn, w.qkv, w.qkvBias, queries);
  const AttentionOperands a{queries, H, H, kv, kv + H, S * 2 * H, 2 * H, buf.context, H, 1};
  attention(pooled, a, mask, first, count, d, buf.scores);
  float* clsOut = buf.clsOut(count, H);
  outputBlocks(pooled, w, buf.context, buf.clsIn, clsOut, count, d, buf);
  for (size_t s = 0; s < count; s++) std::memcpy(outc + s * S * H, clsOut + s * H, H * sizeof(float));
}

}  // namespace

void encoderLayerInference(const float* x, const float* mask, const EncoderLayerWeights& w, float* out, size_t batch,
                           size_t seq, size_t heads, size_t hidden, size_t intermediate, double eps, bool clsOnly) {
  if (batch == 0 || seq == 0) return;
  const Dims d{seq, heads, hidden, intermediate, hidden / heads, eps};
  ThreadPool& pool = ThreadPool::instance();
  const size_t threads = static_cast<size_t>(pool.size());
  // As many sequences as fill a chunk: OpenBLAS may compute a row of a product differently for another number of
  // rows (gemm.cc), so the chunks must not depend on the thread count.
  const size_t perChunk = std::max<size_t>(1, kChunkRows / seq);
  const size_t chunks = (batch + perChunk - 1) / perChunk;
  auto run = [&](bool pooled, size_t chunk) {
    const size_t first = chunk * perChunk;
    const size_t count = first + perChunk <= batch ? perChunk : batch - first;
    layerChunk(pooled, clsOnly, x, mask, w, out, first, count, d);
  };
  if (chunks < threads) {
    for (size_t c = 0; c < chunks; c++) run(true, c);
    return;
  }
  pool.parallelFor(chunks, 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; c++) run(false, c);
  });
}

}  // namespace bam
