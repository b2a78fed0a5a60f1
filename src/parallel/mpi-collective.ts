import { createRequire } from 'node:module';
import { BamError } from '../errors.js';
import type { Collective } from './collective.js';

/** The MPI addon node-gyp builds when Open MPI is installed, relative to dist/src/parallel/. */
const ADDON_PATH = '../../../build/Release/bam_mpi.node';

interface MpiAddon {
  init(): { rank: number; size: number; localSize: number };
  allReduceSum(buffer: Float32Array): Promise<void>;
  broadcast(buffer: Float32Array, root: number): Promise<void>;
  finalize(): void;
  abort(code: number): void;
}

/**
 * Seconds a collective may wait before the job is aborted. A rank that dies is noticed by mpirun, which ends the
 * job; the watchdog covers what it cannot see: a rank alive but stuck, a network partition.
 */
export const DEFAULT_COLLECTIVE_TIMEOUT_S = 600;

function loadAddon(): MpiAddon {
  try {
    return createRequire(import.meta.url)(ADDON_PATH) as MpiAddon;
  } catch (err) {
    const reason = err instanceof Error && (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
      ? 'build/Release/bam_mpi.node was not built (Open MPI was not found when the addon was built)'
      : `build/Release/bam_mpi.node failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
    throw new BamError(`this process was started by mpirun but ${reason}; run: apt-get install -y openmpi-bin libopenmpi-dev && npm run build:native`);
  }
}

/** The collective of an `mpirun` job: MPI_COMM_WORLD, every operation awaited off the JavaScript thread. */
export class MpiCollective implements Collective {
  readonly rank: number;
  readonly size: number;
  readonly localSize: number;
  private closed = false;

  constructor(private readonly addon: MpiAddon = loadAddon(), private readonly timeoutSeconds = DEFAULT_COLLECTIVE_TIMEOUT_S) {
    ({ rank: this.rank, size: this.size, localSize: this.localSize } = addon.init());
  }

  allReduceSum(buffer: Float32Array): Promise<void> {
    return this.watched('all-reduce', this.addon.allReduceSum(buffer));
  }

  broadcast(buffer: Float32Array, root: number): Promise<void> {
    return this.watched('broadcast', this.addon.broadcast(buffer, root));
  }

  abort(message: string): never {
    process.stderr.write(`bam: rank ${this.rank}/${this.size}: ${message}\n`);
    this.addon.abort(1);
    // MPI_Abort does not return; should the library return anyway, the process still must not go on.
    process.exit(1);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.finalize();
  }

  /** The operation, or an abort of the whole job when it has not completed within the timeout. */
  private async watched(what: string, operation: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.timeoutSeconds * 1000);
    });
    try {
      await Promise.race([operation, watchdog]);
    } catch (err) {
      const cause = err instanceof Error && err.message === 'timeout'
        ? `an MPI ${what} waited ${this.timeoutSeconds} s for the other ranks (one is stuck or unreachable); aborting the job`
        : `an MPI ${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      this.abort(cause);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether this process was started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE in every rank). */
export function startedByMpirun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OMPI_COMM_WORLD_SIZE !== undefined || env.PMIX_RANK !== undefined;
}
