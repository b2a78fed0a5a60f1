// One thread count for everything: OpenBLAS's and the pool's are kept equal.
#include <cblas.h>

#include "kernels.h"
#include "thread_pool.h"

namespace bam {

int threadCount() { return ThreadPool::instance().size(); }

void setThreadCount(int threads) {
  const int total = threads > 0 ? threads : openblas_get_num_procs();
  openblas_set_num_threads(total);
  ThreadPool::instance().resize(total);
}

void initThreadCount() { setThreadCount(openblas_get_num_threads()); }

}  // namespace bam
