import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** What a benchmark ran on, for the header line and the JSON. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  openblas: string;
  node: string;
  /** null when PyTorch was not measured. */
  torch: string | null;
  /** onnxruntime-node's version; null when it was not measured. */
  onnxruntime: string | null;
  /** ISO 8601 time the run started. */
  date: string;
}

/** The CPU model named by the first "model name" line of /proc/cpuinfo text. */
export function cpuModelFrom(cpuinfo: string): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
  return match ? match[1].trim() : 'unknown CPU';
}

function readCpuModel(): string {
  try {
    return cpuModelFrom(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return 'unknown CPU';
  }
}

/** The version of Debian's OpenBLAS package, which the native addon links against. */
function openblasVersion(): string {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'libopenblas0'], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.trim() !== '' ? query.stdout.trim() : 'unknown version';
}

export function machineInfo(torchVersion: string | null, onnxruntimeVersion: string | null): MachineInfo {
  return {
    cpu: readCpuModel(),
    cores: availableParallelism(),
    openblas: openblasVersion(),
    node: process.version,
    torch: torchVersion,
    onnxruntime: onnxruntimeVersion,
    date: new Date().toISOString(),
  };
}
