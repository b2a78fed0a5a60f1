import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes `path` appear in one step: `create` builds it under a temporary name beside it (a file, a link or a
 * folder), which is then renamed over `path` and the folder fsync'ed so the rename itself survives a power cut. On
 * any failure the temporary is removed and `path` is left as it was. A folder may replace only an empty folder.
 */
export function replaceAtomically(path: string, create: (temporary: string) => void): void {
  const temporary = `${path}.tmp-${process.pid}`;
  // One left by a process of the same id that was killed mid-write would make a link or folder fail to appear.
  rmSync(temporary, { recursive: true, force: true });
  try {
    create(temporary);
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    throw e;
  }
  syncFolder(dirname(path));
}

/**
 * Writes a file chunk by chunk so that readers and crashes see either the old content or the whole new one:
 * `writeChunks` hands each chunk to `write`; the file is fsync'ed before it replaces `path` (see replaceAtomically).
 * For large files (safetensors) that should not be assembled in memory first.
 */
export function writeChunksAtomic(path: string, writeChunks: (write: (bytes: Uint8Array) => void) => void): void {
  replaceAtomically(path, (temporary) => {
    const fd = openSync(temporary, 'w');
    try {
      writeChunks((bytes) => writeFully(fd, bytes));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Writes a whole file atomically and durably (see writeChunksAtomic); a string is written as UTF-8. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeChunksAtomic(path, (write) => write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
}

/** Writes `value` as one line of JSON (or indented by `indent` spaces), atomically and durably. */
export function writeJsonAtomic(path: string, value: unknown, indent?: number): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, indent)}\n`);
}

/** fsync of a folder, which makes renames and new entries in it durable. */
export function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** writeSync until every byte is out, in pieces of at most 1 GiB (Linux writes at most about 2 GiB a call). */
function writeFully(fd: number, bytes: Uint8Array): void {
  const maxWrite = 1 << 30;
  for (let done = 0; done < bytes.length; ) {
    done += writeSync(fd, bytes, done, Math.min(maxWrite, bytes.length - done));
  }
}
