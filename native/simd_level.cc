#include "simd_level.h"

#include <atomic>
#include <initializer_list>

#include "simd_dispatch.h"

namespace bam {
namespace {

bool cpuRuns(SimdLevel level) {
#if BAM_SIMD_LEVELS
  // Static initialisers may run before libgcc's own CPU detection: initialise it first.
  __builtin_cpu_init();
  switch (level) {
    case SimdLevel::avx512:
      return __builtin_cpu_supports("avx512f");
    case SimdLevel::avx2:
      return __builtin_cpu_supports("avx2");
    case SimdLevel::baseline:
      return true;
  }
  return false;
#else
  return level == SimdLevel::baseline;
#endif
}

SimdLevel bestLevel() {
  for (SimdLevel level : {SimdLevel::avx512, SimdLevel::avx2}) {
    if (cpuRuns(level)) return level;
  }
  return SimdLevel::baseline;
}

// Relaxed: a kernel reads it once per dispatch, and a change need only reach kernels called after it.
std::atomic<SimdLevel> active{bestLevel()};

}  // namespace

SimdLevel simdLevel() { return active.load(std::memory_order_relaxed); }

bool simdLevelAvailable(SimdLevel level) { return cpuRuns(level); }

void setSimdLevel(SimdLevel level) { active.store(level, std::memory_order_relaxed); }

const char* simdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::avx512:
      return "avx512";
    case SimdLevel::avx2:
      return "avx2";
    case SimdLevel::baseline:
      return "baseline";
  }
  return "baseline";
}

}  // namespace bam
