// One thread count for everything: the pool's. OpenBLAS is kept single-threaded and the pool splits each gemm
// (gemm.cc), so that only one set of threads exists and none spins while another kernel runs.
#include <cblas.h>

#include <cstdlib>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

int threadCount() { return ThreadPool::instance().size(); }

void setThreadCount(int threads) {
  openblas_set_num_threads(1);
  ThreadPool::instance().resize(threads > 0 ? threads : openblas_get_num_procs());
}

// All cores by default, or OPENBLAS_NUM_THREADS / OMP_NUM_THREADS when the user set one, as OpenBLAS itself does.
void initThreadCount() {
  for (const char* name : {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && std::atoi(value) > 0) {
      setThreadCount(std::atoi(value));
      return;
    }
  }
  setThreadCount(0);
}

}  // namespace bam
