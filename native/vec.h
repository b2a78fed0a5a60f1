// Eight-lane vectors (GCC vector extensions) for the reductions the auto-vectorizer leaves scalar under IEEE rules
// (a running max or a double sum over floats). They compile to AVX-512, AVX2 or SSE in each level's copy of a loop
// body (simd_dispatch.h).
#pragma once

#include <cstring>

namespace bam {

typedef float v8f __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

inline v8f load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store8(float* p, v8f v) { std::memcpy(p, &v, sizeof v); }

inline v8d widen(v8f v) { return __builtin_convertvector(v, v8d); }

// Lanes added in a fixed order, so the result does not depend on the instruction set.
inline double sumLanes(v8d v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

inline float maxLanes(v8f v) {
  float m = v[0];
  for (int l = 1; l < 8; l++) m = v[l] > m ? v[l] : m;
  return m;
}

}  // namespace bam
