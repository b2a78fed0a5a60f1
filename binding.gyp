# The native kernels (build/Release/bam_native.node): C++ on OpenBLAS through node-addon-api.
# Threads: OpenBLAS (Debian's pthread build) runs sgemm on its own threads; every other kernel runs on the
# persistent std::thread pool of native/thread_pool.h rather than OpenMP, so that only one extra set of threads
# exists beside OpenBLAS's, sized by the same setThreads call, with no libgomp dependency.
# No -march=native: the addon must run on any x86-64 machine; hot loops are compiled for AVX-512, AVX2 and baseline
# with run-time dispatch instead (native/simd_dispatch.h; BAM_SIMD forces a level). No -ffast-math: results keep IEEE
# semantics. Only -fno-trapping-math and -fno-math-errno, which let GCC vectorize loops with selects and square
# roots (we never enable FP traps nor read errno).
# -ffp-contract=off: no multiply-add is fused, so every level computes the same float operations and gives
# bit-identical results (test/engine/simd-levels.test.ts). Measured with contraction, the AVX-512 copies (which
# fuse; AVX2 and baseline cannot) differed from the others by up to 2e-6 relative in GELU, 6e-6 in AdamW's
# parameters and 1e-6 absolute in the fused layer, all as close to the reference as without; but the loops fused in
# their vector body and not in their tails, so GELU and AdamW also changed with the thread count. The cost, one
# thread at BERT-mini sizes: GELU and its gradient 1.6-1.75x slower (5.4 to 8.6 ms for 4M elements), softmax 1.15x,
# the fused inference layer 4%, the other kernels unchanged.
# -Wno-psabi: the eight-lane vector helpers of native/vec.h are always inlined, so the ABI note GCC prints for them
# does not apply.
{
  # The MPI collective (native/collective_mpi.cc) is a second addon, built only when pkg-config finds Open MPI
  # (Debian: libopenmpi-dev); without it one line says so and `mpirun ... bam run` stops with a clear message.
  "variables": {
    "with_mpi": "<!(pkg-config --exists ompi && echo 1 || (echo 'bam: Open MPI not found (apt-get install libopenmpi-dev openmpi-bin); building without mpirun support' >&2; echo 0))"
  },
  "conditions": [
    ["with_mpi==1", {
      "targets": [
        {
          "target_name": "bam_mpi",
          "sources": ["native/collective_mpi.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions"],
          "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "<!@(pkg-config --cflags ompi)"],
          "libraries": ["<!@(pkg-config --libs ompi)", "-ldl"]
        }
      ]
    }]
  ],
  "targets": [
    {
      "target_name": "bam_native",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/threads.cc",
        "native/simd_level.cc",
        "native/thread_pool.cc",
        "native/gemm.cc",
        "native/vector_ops.cc",
        "native/layer_norm.cc",
        "native/activations.cc",
        "native/softmax.cc",
        "native/embedding.cc",
        "native/dropout.cc",
        "native/encoder_layer.cc",
        "native/losses.cc",
        "native/sparse_cross_entropy.cc",
        "native/adam.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      # C++ exceptions on throughout: argument checks throw Napi errors (see native/args.h).
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      # cblas.h: pkg-config knows where each distribution puts OpenBLAS's; Debian's path is the fallback.
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fno-trapping-math",
        "-fno-math-errno",
        "-ffp-contract=off",
        "-Wno-psabi",
        "-fexceptions",
        "<!@(pkg-config --cflags-only-I openblas 2>/dev/null || echo -I/usr/include/x86_64-linux-gnu/openblas-pthread)"
      ],
      "libraries": [
        "<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)",
        "-pthread"
      ]
    }
  ]
}
