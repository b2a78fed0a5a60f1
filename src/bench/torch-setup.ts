import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The interpreter Debian's python3-torch installs into; the PyTorch reference always runs under it. */
export const PYTHON = '/usr/bin/python3';

export type TorchAvailability = { available: true; version: string } | { available: false; reason: string };

/** What finding and installing PyTorch needs from the system (tests pass a fake). */
export interface TorchSystem {
  /** torch.__version__, or null when `import torch` fails. */
  torchVersion(): string | null;
  /** Whether apt-get exists and this process runs as root. */
  canInstall(): boolean;
  /** Runs apt-get with its output on stderr; true when it exits 0. */
  aptGet(args: string[]): boolean;
}

export const debianSystem: TorchSystem = {
  torchVersion() {
    const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    return probe.status === 0 ? probe.stdout.trim() : null;
  },
  canInstall() {
    return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  },
  aptGet(args) {
    const run = spawnSync('/usr/bin/apt-get', args, {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return run.status === 0;
  },
};

const INSTALL = ['install', '-y', 'python3-torch'];

/**
 * PyTorch for the reference measurements: found, or installed from Debian's python3-torch when running as root with
 * apt-get (refreshing the package lists and retrying once when the install fails on a stale list).
 */
export function ensureTorch(log: (line: string) => void, system: TorchSystem = debianSystem): TorchAvailability {
  const found = system.torchVersion();
  if (found !== null) return { available: true, version: found };
  if (!system.canInstall()) {
    return { available: false, reason: `"import torch" fails under ${PYTHON}; install it as root with: apt-get install -y python3-torch` };
  }
  log(`bench: PyTorch not found under ${PYTHON}; running apt-get ${INSTALL.join(' ')}`);
  if (!system.aptGet(INSTALL)) {
    log('bench: the install failed; running apt-get update and trying once more');
    if (system.aptGet(['update'])) system.aptGet(INSTALL);
  }
  const installed = system.torchVersion();
  if (installed !== null) return { available: true, version: installed };
  return { available: false, reason: `apt-get ${INSTALL.join(' ')} did not make "import torch" work under ${PYTHON}` };
}
