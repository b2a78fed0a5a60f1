import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (tests run from dist/test/..., sources live in test/...). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/data beside the project, where the real GLUE data, checkpoints and goldens live. */
export const sharedDataDir = resolve(projectRoot, '..', 'shared', 'data');

/**
 * Path of a file under ../shared/data, or a skip reason for node:test when it is absent.
 * Use as: `const p = sharedData('goldens', 'x.json'); test('...', { skip: p.skip }, () => ...)`.
 */
export function sharedData(...parts: string[]): { path: string; skip: string | false } {
  const path = join(sharedDataDir, ...parts);
  return { path, skip: existsSync(path) ? false : `shared data not found: ${path} (tests that read ../shared/data skip without it)` };
}
