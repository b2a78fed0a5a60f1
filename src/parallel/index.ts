import { singleProcess, type Collective } from './collective.js';
import { MpiCollective, startedByMpirun } from './mpi-collective.js';

export { singleProcess, type Collective } from './collective.js';
export { rankSlice } from './slices.js';

/** The collective of this process: MPI's when mpirun started it, else one process alone (bam as without MPI). */
export function processCollective(): Collective {
  return startedByMpirun() ? new MpiCollective() : singleProcess;
}

/**
 * Compute threads of one rank: the hparam when set, else this machine's cores shared among the ranks on it
 * (2 ranks on 2 cores: 1 thread each).
 */
export function threadsPerRank(numThreads: number, collective: Collective, cores: number): number {
  if (numThreads > 0) return numThreads;
  return Math.max(1, Math.floor(cores / collective.localSize));
}
