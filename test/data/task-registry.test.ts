import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { loadTaskFolder, TASK_NAMES } from '../../src/data/tasks.js';
import { BamError } from '../../src/errors.js';
import { tempDir } from '../checkpoint/temp-dir.js';

const scratch = tempDir();

/** A folder of task modules, each `export default` of an object with the given name (or no default export). */
function taskFolder(name: string, files: Record<string, string | null>): URL {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, taskName] of Object.entries(files)) {
    writeFileSync(join(dir, file), taskName === null ? 'export const x = 1;\n' : `export default { name: ${JSON.stringify(taskName)} };\n`);
  }
  return pathToFileURL(`${dir}/`);
}

test('the registry is the tasks folder: one module per task, named as its file, in alphabetical order', async () => {
  const folder = taskFolder('good', { 'beta.js': 'beta', 'alpha.js': 'alpha', 'alpha.js.map': null, 'alpha.d.ts': null });
  assert.deepEqual(Object.keys(await loadTaskFolder(folder)), ['alpha', 'beta']);
  const compiled = new URL('../../src/data/tasks/', import.meta.url);
  const files = readdirSync(compiled).filter((file) => file.endsWith('.js')).map((file) => file.slice(0, -3));
  assert.deepEqual([...TASK_NAMES], files.sort());
});

test('a task file that does not export its task is a BamError naming the file', async () => {
  for (const [label, taskName] of [['misnamed', 'delta'], ['no-default', null]] as const) {
    const folder = taskFolder(label, { 'gamma.js': taskName });
    await assert.rejects(loadTaskFolder(folder), (error: unknown) =>
      error instanceof BamError &&
      error.message === `${join(scratch, label, 'gamma.js')}: a task file must \`export default\` the Task named "gamma"`);
  }
});
