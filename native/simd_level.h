// The instruction set the vectorized loops run with (see simd_dispatch.h): the best this CPU has at load time,
// or one the caller forces, e.g. to compare the levels' results.
#pragma once

namespace bam {

enum class SimdLevel { baseline, avx2, avx512 };

// The level in force.
SimdLevel simdLevel();

// Whether the addon was compiled with this level's loops and this CPU (and its OS) can run them.
bool simdLevelAvailable(SimdLevel level);

// Puts an available level in force for every kernel called afterwards (the caller checks availability).
void setSimdLevel(SimdLevel level);

// "avx512", "avx2" or "baseline", the names the JavaScript side uses.
const char* simdLevelName(SimdLevel level);

}  // namespace bam
