import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BamError } from '../errors.js';
import type { Task } from './task.js';

export type { ExampleTargets, LoadOptions, LossKind, MetricName, Task, TaskKind } from './task.js';

/**
 * The task registry is the folder ./tasks/: every module in it default-exports one Task, named as its file
 * (tasks/rte.ts is "rte"). Adding a task is adding a file there; nothing else lists the tasks.
 */
const TASKS_FOLDER = new URL('./tasks/', import.meta.url);

/** The tasks defined by the modules of `folder`, by name, in alphabetical order; exported for its tests. */
export async function loadTaskFolder(folder: URL): Promise<Record<string, Task>> {
  // The compiled modules; the .d.ts and .js.map files beside them are not tasks.
  const files = readdirSync(folder).filter((file) => file.endsWith('.js')).sort();
  const modules = await Promise.all(files.map((file) => import(new URL(file, folder).href) as Promise<{ default?: Task }>));
  const tasks: Record<string, Task> = {};
  files.forEach((file, i) => {
    const name = file.slice(0, -'.js'.length);
    const task = modules[i].default;
    if (task?.name !== name) {
      throw new BamError(`${fileURLToPath(new URL(file, folder))}: a task file must \`export default\` the Task named "${name}"`);
    }
    tasks[name] = task;
  });
  return tasks;
}

const TASKS = await loadTaskFolder(TASKS_FOLDER);

/** Every task name `task_names` may hold, in alphabetical order; also the folder names under `<bam_dir>/glue_data/`. */
export const TASK_NAMES: readonly string[] = Object.keys(TASKS);

export function getTask(name: string): Task {
  const task = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (task === undefined) throw new BamError(`unknown task "${name}" in task_names; the tasks are ${TASK_NAMES.join(', ')}`);
  return task;
}
