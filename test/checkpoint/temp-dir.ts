import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bam-checkpoint-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writable copies, in a fresh temporary folder, of the files of `sourceDir` (shared data is read-only). */
export function copyDir(sourceDir: string): string {
  const dir = tempDir();
  for (const name of readdirSync(sourceDir)) writeFileSync(join(dir, name), readFileSync(join(sourceDir, name)));
  return dir;
}
