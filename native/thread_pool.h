// A persistent pool of worker threads for the non-GEMM kernels.
//
// Why our own pool rather than OpenMP: OpenBLAS (Debian's pthread build) already keeps its own worker threads;
// adding libgomp's pool beside it gives two sets of spinning threads competing for the same cores, and OpenMP's
// thread count would need to be kept in step with OpenBLAS's through a second API. A small pool we own is
// dependency-free, sized by the same setThreads call as OpenBLAS, and idles on a condition variable (no spinning).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bam {

class ThreadPool {
 public:
  // The process-wide pool (the addon may be loaded by several Node environments; they share it).
  static ThreadPool& instance();

  ~ThreadPool();

  // Total threads that run a parallel loop, the calling thread included (at least 1).
  int size() const { return size_; }

  // Sets the total thread count; workers are started or stopped to match.
  void resize(int threads);

  // Runs fn(begin, end) over contiguous chunks covering [0, n), in parallel when every chunk gets at least
  // minPerChunk items, otherwise inline on the calling thread. Chunk boundaries depend on the thread count, so
  // callers that reduce across chunks must not let the result depend on them (see fixedBlocks below).
  void parallelFor(size_t n, size_t minPerChunk, const std::function<void(size_t, size_t)>& fn);

 private:
  ThreadPool();
  void startWorkers(int count);
  void stopWorkers();
  // Runs the loops of the generations after `seen`, until stopped.
  void workerLoop(unsigned long seen);
  void runChunks();

  int size_ = 1;
  std::vector<std::thread> workers_;

  // Serialises parallel loops: a second caller (another Node worker thread) finds it taken and runs inline.
  std::mutex dispatchMutex_;

  std::mutex mutex_;
  std::condition_variable startCv_;
  std::condition_variable doneCv_;
  unsigned long generation_ = 0;
  bool stopping_ = false;
  int running_ = 0;

  // The loop being run (valid while running_ > 0 or the caller is inside parallelFor).
  const std::function<void(size_t, size_t)>* fn_ = nullptr;
  size_t n_ = 0;
  size_t chunks_ = 0;
  std::atomic<size_t> nextChunk_{0};
};

// Work, counted in simple element operations (about a nanosecond each), below which a chunk is not worth waking a
// thread for: a wake-up costs tens of microseconds.
constexpr size_t kMinChunkWork = size_t{1} << 15;

// Items per chunk for items that each cost costPerItem element operations.
inline size_t itemsPerChunk(size_t costPerItem) {
  return costPerItem >= kMinChunkWork ? 1 : kMinChunkWork / (costPerItem > 0 ? costPerItem : 1);
}

// A per-thread buffer of at least n elements, reused from call to call, so that kernels allocate nothing in the
// training loop (a fresh vector of a few hundred kilobytes would be mapped and faulted in on every call). Zeroed.
template <typename T>
T* scratch(size_t n) {
  static thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  std::fill(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n), T{});
  return buffer.data();
}

// Number of fixed-size blocks covering n items. Reductions accumulate one partial per block and add the partials in
// block order, so their result does not depend on the thread count.
inline size_t fixedBlocks(size_t n, size_t blockSize) { return (n + blockSize - 1) / blockSize; }

}  // namespace bam
