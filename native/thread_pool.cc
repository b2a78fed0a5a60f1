#include "thread_pool.h"

#include <algorithm>

namespace bam {

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::ThreadPool() = default;

ThreadPool::~ThreadPool() { stopWorkers(); }

void ThreadPool::resize(int threads) {
  std::lock_guard<std::mutex> dispatch(dispatchMutex_);
  const int total = std::max(1, threads);
  if (total == size_) return;
  stopWorkers();
  startWorkers(total - 1);
  size_ = total;
}

void ThreadPool::startWorkers(int count) {
  stopping_ = false;
  // A new worker must not take the last loop's generation for a new one: it would run (nothing) and decrement
  // running_ a second time inside the next loop, which would then wait for running_ == 0 forever. No loop runs
  // while the pool is resized (resize holds dispatchMutex_), so the current generation is the one already done.
  const unsigned long current = generation_;
  for (int i = 0; i < count; i++) workers_.emplace_back([this, current] { workerLoop(current); });
}

void ThreadPool::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  startCv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void ThreadPool::runChunks() {
  for (;;) {
    const size_t c = nextChunk_.fetch_add(1);
    if (c >= chunks_) return;
    const size_t begin = n_ * c / chunks_;
    const size_t end = n_ * (c + 1) / chunks_;
    (*fn_)(begin, end);
  }
}

void ThreadPool::workerLoop(unsigned long seen) {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      startCv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    runChunks();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--running_ == 0) doneCv_.notify_one();
    }
  }
}

void ThreadPool::parallelFor(size_t n, size_t minPerChunk, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  const size_t chunks = std::min<size_t>(static_cast<size_t>(size_), n / std::max<size_t>(1, minPerChunk));
  std::unique_lock<std::mutex> dispatch(dispatchMutex_, std::try_to_lock);
  if (chunks <= 1 || !dispatch.owns_lock() || workers_.empty()) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = &fn;
    n_ = n;
    chunks_ = chunks;
    nextChunk_.store(0);
    running_ = static_cast<int>(workers_.size());
    generation_++;
  }
  startCv_.notify_all();
  runChunks();
  std::unique_lock<std::mutex> lock(mutex_);
  doneCv_.wait(lock, [&] { return running_ == 0; });
  fn_ = nullptr;
}

}  // namespace bam
