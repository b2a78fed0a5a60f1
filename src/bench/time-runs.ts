import { median } from './stats.js';
import type { Timing } from './worker-result.js';

/** The Timing of `ms` wall times on a batch of `batch` examples that used `cpuMs` of CPU time in all. */
function timingOf(ms: number[], cpuMs: number, batch: number): Timing {
  const msMedian = median(ms);
  return { ms_median: msMedian, ms_all: ms, examples_per_s: (batch * 1000) / msMedian, cpu_per_wall: cpuMs / ms.reduce((a, b) => a + b, 0) };
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000;
};

/** Times `runs` calls of `call` (given the call's index) after `warmup` untimed ones. */
export function timeRuns(warmup: number, runs: number, batch: number, call: (i: number) => void): Timing {
  for (let i = 0; i < warmup; i++) call(i);
  const ms: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = warmup; i < warmup + runs; i++) {
    const start = performance.now();
    call(i);
    ms.push(performance.now() - start);
  }
  return timingOf(ms, cpuMsSince(cpuStart), batch);
}

/** timeRuns for an asynchronous call, each awaited before the next starts. */
export async function timeAsyncRuns(warmup: number, runs: number, batch: number, call: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await call(i);
  const ms: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = warmup; i < warmup + runs; i++) {
    const start = performance.now();
    await call(i);
    ms.push(performance.now() - start);
  }
  return timingOf(ms, cpuMsSince(cpuStart), batch);
}
