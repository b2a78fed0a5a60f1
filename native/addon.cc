// N-API bindings: one JavaScript function per kernel of src/engine/kernels.ts, same names and argument order.
// Each binding checks its arguments (see args.h) before the kernel touches memory.
#include <napi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "args.h"
#include "kernels.h"
#include "simd_level.h"

namespace bam {
namespace {

// Elements an operand of gemmStrided spans: the last matrix of the grid starts at (outer−1)·o + (inner−1)·i, and
// a matrix of `rows` rows of `cols` floats spans (rows−1)·ld + cols.
size_t gridSpan(const Args& args, const MatrixLayout& l, size_t outer, size_t inner, size_t rows, size_t cols,
                const char* name) {
  if (outer == 0 || inner == 0 || rows == 0 || cols == 0) return 0;
  if (l.ld < cols) args.rangeError(std::string(name) + ".ld " + std::to_string(l.ld) + " is below the row width " + std::to_string(cols));
  return args.product({outer - 1, l.outer}) + args.product({inner - 1, l.inner}) + args.product({rows - 1, l.ld}) + cols;
}

GridLayout grid(const MatrixLayout& l) { return GridLayout{l.ld, l.outer, l.inner}; }

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threadCount()); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const Args args(info, "setThreads", 1);
  const size_t n = args.size(0, "n");
  if (n > 1024) args.rangeError("n must be at most 1024, got " + std::to_string(n));
  setThreadCount(static_cast<int>(n));
  return info.Env().Undefined();
}

// Every level, best first: the order simdLevels lists the available ones in.
constexpr SimdLevel kSimdLevels[] = {SimdLevel::avx512, SimdLevel::avx2, SimdLevel::baseline};

std::string availableSimdLevels() {
  std::string names;
  for (SimdLevel level : kSimdLevels) {
    if (simdLevelAvailable(level)) names += (names.empty() ? "" : ", ") + std::string(simdLevelName(level));
  }
  return names;
}

Napi::Value SimdLevelInForce(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), simdLevelName(simdLevel()));
}

Napi::Value SimdLevels(const Napi::CallbackInfo& info) {
  Napi::Array levels = Napi::Array::New(info.Env());
  for (SimdLevel level : kSimdLevels) {
    if (simdLevelAvailable(level)) levels.Set(levels.Length(), Napi::String::New(info.Env(), simdLevelName(level)));
  }
  return levels;
}

Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  const Args args(info, "setSimdLevel", 1);
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setSimdLevel: level must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  for (SimdLevel level : kSimdLevels) {
    if (name != simdLevelName(level)) continue;
    if (!simdLevelAvailable(level)) args.rangeError("this CPU lacks " + name + "; it runs " + availableSimdLevels());
    setSimdLevel(level);
    return info.Env().Undefined();
  }
  args.rangeError("level must be avx512, avx2 or baseline, got '" + name + "'");
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const Args args(info, "gemm", 10);
  const bool transA = args.flag(0, "transA");
  const bool transB = args.flag(1, "transB");
  const int m = args.blasSize(2, "m");
  const int n = args.blasSize(3, "n");
  const int k = args.blasSize(4, "k");
  const float alpha = static_cast<float>(args.number(5, "alpha"));
  const float* a = args.floats(6, "a", args.product({size_t(m), size_t(k)}));
  const float* b = args.floats(7, "b", args.product({size_t(k), size_t(n)}));
  const float beta = static_cast<float>(args.number(8, "beta"));
  float* c = args.floats(9, "c", args.product({size_t(m), size_t(n)}));
  const float* bias = args.optionalFloats(10, "bias", size_t(n));
  gemm(transA, transB, m, n, k, alpha, a, b, beta, c, bias);
  return info.Env().Undefined();
}

Napi::Value GemmStrided(const Napi::CallbackInfo& info) {
  const Args args(info, "gemmStrided", 15);
  const bool transA = args.flag(0, "transA");
  const bool transB = args.flag(1, "transB");
  const int m = args.blasSize(2, "m");
  const int n = args.blasSize(3, "n");
  const int k = args.blasSize(4, "k");
  const float alpha = static_cast<float>(args.number(5, "alpha"));
  const MatrixLayout la = args.layout(7, "aLayout");
  const MatrixLayout lb = args.layout(9, "bLayout");
  const float beta = static_cast<float>(args.number(10, "beta"));
  const MatrixLayout lc = args.layout(12, "cLayout");
  const size_t outer = args.size(13, "outer");
  const size_t inner = args.size(14, "inner");
  for (const MatrixLayout* l : {&la, &lb, &lc}) {
    if (l->ld > static_cast<size_t>(INT_MAX)) args.rangeError("a leading dimension exceeds BLAS's 32-bit sizes");
  }
  // A zero stride of c makes several products write one matrix: refused, and it bounds the loop by c's length.
  if ((outer > 1 && lc.outer == 0) || (inner > 1 && lc.inner == 0)) {
    if (m > 0 && n > 0) args.rangeError("cLayout has a zero stride for a grid dimension above 1: the products would overwrite each other");
  }
  const size_t um = size_t(m), un = size_t(n), uk = size_t(k);
  const float* a = args.floats(6, "a", gridSpan(args, la, outer, inner, transA ? uk : um, transA ? um : uk, "aLayout"));
  const float* b = args.floats(8, "b", gridSpan(args, lb, outer, inner, transB ? un : uk, transB ? uk : un, "bLayout"));
  float* c = args.floats(11, "c", gridSpan(args, lc, outer, inner, um, un, "cLayout"));
  gemmStrided(transA, transB, m, n, k, alpha, a, grid(la), b, grid(lb), beta, c, grid(lc), outer, inner);
  return info.Env().Undefined();
}

Napi::Value BiasGrad(const Napi::CallbackInfo& info) {
  const Args args(info, "biasGrad", 4);
  const size_t rows = args.size(1, "rows");
  const size_t cols = args.size(2, "cols");
  const float* dy = args.floats(0, "dy", args.product({rows, cols}));
  float* dbias = args.floats(3, "dbias", cols);
  biasGrad(dy, rows, cols, dbias);
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  const Args args(info, "add", 4);
  const size_t n = args.size(3, "n");
  add(args.floats(0, "a", n), args.floats(1, "b", n), args.floats(2, "out", n), n);
  return info.Env().Undefined();
}

Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  const Args args(info, "layerNormForward", 9);
  const size_t rows = args.size(6, "rows");
  const size_t cols = args.size(7, "cols");
  const double eps = args.number(8, "eps");
  const size_t total = args.product({rows, cols});
  layerNormForward(args.floats(0, "x", total), args.floats(1, "gamma", cols), args.floats(2, "beta", cols),
                   args.floats(3, "out", total), args.floats(4, "mean", rows), args.floats(5, "rstd", rows), rows,
                   cols, eps);
  return info.Env().Undefined();
}

Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const Args args(info, "layerNormBackward", 10);
  const size_t rows = args.size(8, "rows");
  const size_t cols = args.size(9, "cols");
  const size_t total = args.product({rows, cols});
  layerNormBackward(args.floats(0, "dy", total), args.floats(1, "x", total), args.floats(2, "gamma", cols),
                    args.floats(3, "mean", rows), args.floats(4, "rstd", rows), args.floats(5, "dx", total),
                    args.floats(6, "dgamma", cols), args.floats(7, "dbeta", cols), rows, cols);
  return info.Env().Undefined();
}

// (x, out, n) kernels.
template <void (*Kernel)(const float*, float*, size_t)>
Napi::Value Unary(const Napi::CallbackInfo& info, const char* name) {
  const Args args(info, name, 3);
  const size_t n = args.size(2, "n");
  Kernel(args.floats(0, "x", n), args.floats(1, "out", n), n);
  return info.Env().Undefined();
}

// (dy, saved forward value, dx, n) kernels.
template <void (*Kernel)(const float*, const float*, float*, size_t)>
Napi::Value UnaryBackward(const Napi::CallbackInfo& info, const char* name, const char* saved) {
  const Args args(info, name, 4);
  const size_t n = args.size(3, "n");
  Kernel(args.floats(0, "dy", n), args.floats(1, saved, n), args.floats(2, "dx", n), n);
  return info.Env().Undefined();
}

Napi::Value GeluForward(const Napi::CallbackInfo& info) { return Unary<geluForward>(info, "geluForward"); }
Napi::Value GeluBackward(const Napi::CallbackInfo& info) {
  return UnaryBackward<geluBackward>(info, "geluBackward", "x");
}
Napi::Value BiasGeluForward(const Napi::CallbackInfo& info) {
  const Args args(info, "biasGeluForward", 5);
  const size_t rows = args.size(3, "rows");
  const size_t cols = args.size(4, "cols");
  const size_t total = args.product({rows, cols});
  biasGeluForward(args.floats(0, "x", total), args.floats(1, "bias", cols), args.floats(2, "out", total), rows, cols);
  return info.Env().Undefined();
}

Napi::Value TanhForward(const Napi::CallbackInfo& info) { return Unary<tanhForward>(info, "tanhForward"); }
Napi::Value TanhBackward(const Napi::CallbackInfo& info) {
  return UnaryBackward<tanhBackward>(info, "tanhBackward", "y");
}

Napi::Value SoftmaxForward(const Napi::CallbackInfo& info) {
  const Args args(info, "softmaxForward", 8);
  const size_t batch = args.size(3, "batch");
  const size_t heads = args.size(4, "heads");
  const size_t rows = args.size(5, "rows");
  const size_t cols = args.size(6, "cols");
  const double scale = args.number(7, "scale");
  const size_t total = args.product({batch, heads, rows, cols});
  softmaxForward(args.floats(0, "scores", total), args.floats(1, "mask", args.product({batch, cols})),
                 args.floats(2, "out", total), batch, heads, rows, cols, scale);
  return info.Env().Undefined();
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const Args args(info, "softmaxBackward", 6);
  const size_t rows = args.size(3, "rows");
  const size_t cols = args.size(4, "cols");
  const double scale = args.number(5, "scale");
  const size_t total = args.product({rows, cols});
  softmaxBackward(args.floats(0, "dy", total), args.floats(1, "y", total), args.floats(2, "dx", total), rows, cols,
                  scale);
  return info.Env().Undefined();
}

// The ids of an embedding kernel, each checked to name a row of the table.
const int32_t* embeddingIds(const Args& args, size_t n, size_t tableRows) {
  const int32_t* ids = args.ints(1, "ids", n);
  for (size_t i = 0; i < n; i++) {
    if (ids[i] < 0 || static_cast<size_t>(ids[i]) >= tableRows) {
      args.rangeError("ids[" + std::to_string(i) + "] = " + std::to_string(ids[i]) + " is outside the table's " +
                      std::to_string(tableRows) + " rows");
    }
  }
  return ids;
}

Napi::Value EmbeddingForward(const Napi::CallbackInfo& info) {
  const Args args(info, "embeddingForward", 5);
  const size_t n = args.size(3, "n");
  const size_t dim = args.size(4, "dim");
  const float* table = args.floats(0, "table", 0);
  const size_t tableRows = dim == 0 ? SIZE_MAX : args.length(0) / dim;
  const int32_t* ids = embeddingIds(args, n, tableRows);
  embeddingForward(table, ids, args.floats(2, "out", args.product({n, dim})), n, dim);
  return info.Env().Undefined();
}

Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  const Args args(info, "embeddingBackward", 5);
  const size_t n = args.size(3, "n");
  const size_t dim = args.size(4, "dim");
  const float* dout = args.floats(0, "dout", args.product({n, dim}));
  float* dtable = args.floats(2, "dtable", 0);
  const size_t tableRows = dim == 0 ? SIZE_MAX : args.length(2) / dim;
  embeddingBackward(dout, embeddingIds(args, n, tableRows), dtable, n, dim);
  return info.Env().Undefined();
}

double dropoutRate(const Args& args, size_t i) {
  const double p = args.number(i, "p");
  if (!(p >= 0.0 && p < 1.0)) args.rangeError("p must be in [0, 1), got " + std::to_string(p));
  return p;
}

Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  const Args args(info, "dropoutForward", 6);
  const size_t n = args.size(3, "n");
  const double p = dropoutRate(args, 4);
  const uint32_t seed = args.uint32(5, "seed");
  dropoutForward(args.floats(0, "x", n), args.floats(1, "out", n), args.bytes(2, "mask", n), n, p, seed);
  return info.Env().Undefined();
}

Napi::Value BiasDropoutResidual(const Napi::CallbackInfo& info) {
  const Args args(info, "biasDropoutResidual", 9);
  const size_t rows = args.size(5, "rows");
  const size_t cols = args.size(6, "cols");
  const double p = dropoutRate(args, 7);
  const uint32_t seed = args.uint32(8, "seed");
  const size_t total = args.product({rows, cols});
  biasDropoutResidual(args.floats(0, "x", total), args.floats(1, "bias", cols), args.floats(2, "residual", total),
                      args.floats(3, "out", total), args.bytes(4, "mask", p > 0.0 ? total : 0), rows, cols, p, seed);
  return info.Env().Undefined();
}

Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  const Args args(info, "dropoutBackward", 5);
  const size_t n = args.size(3, "n");
  const double p = dropoutRate(args, 4);
  dropoutBackward(args.floats(0, "dy", n), args.bytes(1, "mask", n), args.floats(2, "dx", n), n, p);
  return info.Env().Undefined();
}


Napi::Value SoftCrossEntropy(const Napi::CallbackInfo& info) {
  const Args args(info, "softCrossEntropy", 7);
  const size_t rows = args.size(3, "rows");
  const size_t cols = args.size(4, "cols");
  const size_t total = args.product({rows, cols});
  softCrossEntropy(args.floats(0, "logits", total), args.floats(1, "targets", total), args.floats(2, "weights", rows),
                   rows, cols, args.floats(5, "losses", rows), args.floats(6, "dlogits", total));
  return info.Env().Undefined();
}

Napi::Value SparseCrossEntropy(const Napi::CallbackInfo& info) {
  const Args args(info, "sparseCrossEntropy", 8);
  const size_t rows = args.size(3, "rows");
  const size_t cols = args.size(4, "cols");
  const size_t total = args.product({rows, cols});
  const int32_t* labels = args.ints(1, "labels", rows);
  for (size_t r = 0; r < rows; r++) {
    if (labels[r] < 0 || static_cast<size_t>(labels[r]) >= cols) {
      args.rangeError("labels[" + std::to_string(r) + "] = " + std::to_string(labels[r]) + " is outside the " +
                      std::to_string(cols) + " classes");
    }
  }
  sparseCrossEntropy(args.floats(0, "logits", total), labels, args.floats(2, "weights", rows), rows, cols,
                     args.floats(5, "losses", rows), args.floats(6, "dlogits", total), args.ints(7, "argmax", rows));
  return info.Env().Undefined();
}

Napi::Value SquaredError(const Napi::CallbackInfo& info) {
  const Args args(info, "squaredError", 6);
  const size_t n = args.size(3, "n");
  squaredError(args.floats(0, "pred", n), args.floats(1, "targets", n), args.floats(2, "weights", n), n,
               args.floats(4, "losses", n), args.floats(5, "dpred", n));
  return info.Env().Undefined();
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  const Args args(info, "sumSquares", 2);
  const size_t n = args.size(1, "n");
  return Napi::Number::New(info.Env(), sumSquares(args.floats(0, "x", n), n));
}

Napi::Value AdamWeightDecay(const Napi::CallbackInfo& info) {
  const Args args(info, "adamWeightDecay", 9);
  float* param = args.floats(0, "param", 0);
  const float* grad = args.floats(1, "grad", 0);
  float* m = args.floats(2, "m", 0);
  float* v = args.floats(3, "v", 0);
  const double* segments = args.doubles(4, "segments", 0);
  const size_t values = args.length(4);
  if (values % 4 != 0) args.rangeError("segments must hold 4 numbers per tensor, got " + std::to_string(values));
  size_t limit = args.length(0);
  for (size_t i = 1; i < 4; i++) limit = std::min(limit, args.length(i));
  for (size_t s = 0; s < values; s += 4) {
    const double offset = segments[s];
    const double length = segments[s + 1];
    const bool whole = offset >= 0 && length >= 0 && std::floor(offset) == offset && std::floor(length) == length;
    if (!whole || offset + length > static_cast<double>(limit)) {
      args.rangeError("segment " + std::to_string(s / 4) + " (offset " + std::to_string(offset) + ", length " +
                      std::to_string(length) + ") is not within the " + std::to_string(limit) + "-element arrays");
    }
  }
  adamWeightDecay(param, grad, m, v, segments, values / 4, args.number(5, "beta1"), args.number(6, "beta2"),
                  args.number(7, "eps"), args.number(8, "gradScale"));
  return info.Env().Undefined();
}

Napi::Value EncoderLayerInference(const Napi::CallbackInfo& info) {
  const Args args(info, "encoderLayerInference", 11);
  const size_t batch = args.size(4, "batch");
  const size_t seq = args.size(5, "seq");
  const size_t heads = args.size(6, "heads");
  const size_t hidden = args.size(7, "hidden");
  const size_t inter = args.size(8, "intermediate");
  const double eps = args.number(9, "eps");
  const bool clsOnly = args.flag(10, "clsOnly");
  if (heads == 0 || hidden % heads != 0) {
    args.rangeError("heads (" + std::to_string(heads) + ") must divide hidden (" + std::to_string(hidden) + ")");
  }
  if (!(eps > 0.0)) args.rangeError("eps must be positive");
  const size_t n = args.product({batch, seq, hidden});
  if (args.product({batch, seq}) > static_cast<size_t>(INT_MAX) || args.product({3, hidden}) > static_cast<size_t>(INT_MAX) ||
      inter > static_cast<size_t>(INT_MAX)) {
    args.rangeError("sizes exceed BLAS's 32-bit sizes");
  }
  // Every field first (their getters may run JavaScript), then the raw pointers, with no JavaScript in between.
  const char* const fields[] = {"qkv", "qkvBias", "attnOut", "attnOutBias", "attnGamma", "attnBeta",
                                "inter", "interBias", "out", "outBias", "outGamma", "outBeta"};
  Napi::Value values[12];
  for (size_t f = 0; f < 12; f++) values[f] = args.field(2, "weights", fields[f]);
  auto weight = [&](const char* field, size_t need) {
    size_t f = 0;
    while (std::string(fields[f]) != field) f++;
    return args.floatsOf(values[f], std::string("weights.") + field, need);
  };
  const float* x = args.floats(0, "x", n);
  const float* mask = args.floats(1, "mask", args.product({batch, seq}));
  const EncoderLayerWeights w{
      weight("qkv", 3 * hidden * hidden), weight("qkvBias", 3 * hidden),
      weight("attnOut", hidden * hidden), weight("attnOutBias", hidden),
      weight("attnGamma", hidden), weight("attnBeta", hidden),
      weight("inter", hidden * inter), weight("interBias", inter),
      weight("out", inter * hidden), weight("outBias", hidden),
      weight("outGamma", hidden), weight("outBeta", hidden),
  };
  float* out = args.floats(3, "out", n);
  if (out < x + n && x < out + n) args.rangeError("out must not overlap x");
  encoderLayerInference(x, mask, w, out, batch, seq, heads, hidden, inter, eps, clsOnly);
  return info.Env().Undefined();
}

Napi::Object exportKernels(Napi::Env env, Napi::Object exports) {
  initThreadCount();
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"threads", Threads},
      {"setThreads", SetThreads},
      {"simdLevel", SimdLevelInForce},
      {"simdLevels", SimdLevels},
      {"setSimdLevel", SetSimdLevel},
      {"gemm", Gemm},
      {"gemmStrided", GemmStrided},
      {"biasGrad", BiasGrad},
      {"add", Add},
      {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward},
      {"geluForward", GeluForward},
      {"biasGeluForward", BiasGeluForward},
      {"biasDropoutResidual", BiasDropoutResidual},
      {"geluBackward", GeluBackward},
      {"tanhForward", TanhForward},
      {"tanhBackward", TanhBackward},
      {"softmaxForward", SoftmaxForward},
      {"softmaxBackward", SoftmaxBackward},
      {"embeddingForward", EmbeddingForward},
      {"embeddingBackward", EmbeddingBackward},
      {"dropoutForward", DropoutForward},
      {"dropoutBackward", DropoutBackward},
      {"encoderLayerInference", EncoderLayerInference},
      {"softCrossEntropy", SoftCrossEntropy},
      {"sparseCrossEntropy", SparseCrossEntropy},
      {"squaredError", SquaredError},
      {"sumSquares", SumSquares},
      {"adamWeightDecay", AdamWeightDecay},
  };
  for (const auto& [name, fn] : functions) exports.Set(name, Napi::Function::New(env, fn, name));
  return exports;
}

}  // namespace
}  // namespace bam

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return bam::exportKernels(env, exports); }

NODE_API_MODULE(bam_native, Init)
