// Run-time choice of instruction set for the vectorized loops. The addon must run on any x86-64 machine, so there
// is no -march=native: each loop body is compiled for AVX-512, AVX2 and baseline x86-64, and simd::run<body>(...)
// calls the copy of the level in force (simd_level.h). A body is always inlined into each level's wrapper, which
// is what compiles it with that level's instructions.
//
// Every level computes the same IEEE float operations in the same order (no -ffast-math, no contraction into fused
// multiply-adds, reductions in explicit lanes of native/vec.h), so all levels give bit-identical results.
#pragma once

#include "simd_level.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BAM_SIMD_LEVELS 1
#else
#define BAM_SIMD_LEVELS 0
#endif

// Marks a loop body meant for simd::run.
#define BAM_SIMD_BODY inline __attribute__((always_inline))

namespace bam {
namespace simd {

#if BAM_SIMD_LEVELS
template <auto Body, typename... Args>
__attribute__((target("avx512f"))) auto runAvx512(Args... args) {
  return Body(args...);
}

template <auto Body, typename... Args>
__attribute__((target("avx2"))) auto runAvx2(Args... args) {
  return Body(args...);
}
#endif

// Body(args...) compiled for the level in force.
template <auto Body, typename... Args>
auto run(Args... args) {
#if BAM_SIMD_LEVELS
  switch (simdLevel()) {
    case SimdLevel::avx512:
      return runAvx512<Body>(args...);
    case SimdLevel::avx2:
      return runAvx2<Body>(args...);
    case SimdLevel::baseline:
      break;
  }
#endif
  return Body(args...);
}

}  // namespace simd
}  // namespace bam
