import {
  closeSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { TaskName } from '../config/hparams.js';
import { getTask, TASK_NAMES } from '../data/tasks.js';
import { BamError } from '../errors.js';
import { replaceAtomically } from '../util/atomic-write.js';

/**
 * Folder names of the GLUE download (download_glue_data.py) by task, renamed by the original's README step: each
 * task's downloadFolder, for the tasks that are part of GLUE.
 */
export const OFFICIAL_FOLDERS: Readonly<Record<TaskName, string>> = Object.freeze(
  Object.fromEntries(TASK_NAMES.flatMap((name) => {
    const folder = getTask(name).downloadFolder;
    return folder === null ? [] : [[name, folder]];
  })),
);

const GLUE_TASKS = Object.keys(OFFICIAL_FOLDERS);

/** Where GLUE downloads put the diagnostic (AX) set, relative to the download folder, in order of preference. */
export const DIAGNOSTIC_SOURCES: readonly string[] = [join('diagnostic', 'diagnostic.tsv'), 'diagnostic.tsv', 'AX.tsv'];

/** The diagnostic set is predicted with the MNLI head, so the original moves it into the mnli folder. */
const DIAGNOSTIC_DEST = join('glue_data', 'mnli', 'diagnostic.tsv');

/** One file to make available in the bam_dir: an absolute source and a destination relative to the bam_dir. */
export interface Placement {
  source: string;
  dest: string;
}

export type SplitRole = 'train' | 'dev' | 'test';

export interface SplitFile {
  /** e.g. `train.tsv`, `dev_matched.tsv`. */
  file: string;
  role: SplitRole;
}

export interface TaskFolderPlan {
  task: TaskName;
  /** The folder's name in the download, e.g. `SST-2` (or `sst` when it was already renamed). */
  folder: string;
  /** The split files bam reads for this task. */
  splitFiles: SplitFile[];
  /** Every file of the folder (sub-folders included), each to `glue_data/<task>/<same relative path>`. */
  placements: Placement[];
  /** Split files absent from the folder. */
  missing: SplitFile[];
}

export interface GlueLayoutPlan {
  /** Absolute path of the GLUE download. */
  glueDir: string;
  /** Tasks found, in the order of GLUE_TASKS. */
  tasks: TaskFolderPlan[];
  /** Tasks with no folder in the download. */
  absentTasks: TaskName[];
  /** The diagnostic set, placed at `glue_data/mnli/diagnostic.tsv`; null when the download has none. */
  diagnostic: Placement | null;
}

export interface PlaceOptions {
  /** Copy the files instead of making symbolic links. */
  copy: boolean;
  /** Replace a different file or link at a destination. */
  force: boolean;
}

export type PlacementAction = 'linked' | 'copied' | 'replaced' | 'unchanged';

export interface PlacementResult extends Placement {
  action: PlacementAction;
}

function statOrNull(path: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    // ENOTDIR: a file stands where a parent folder should be; the path itself does not exist.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

function isDirectory(path: string): boolean {
  return statOrNull(path, true)?.isDirectory() ?? false;
}

function isFile(path: string): boolean {
  return statOrNull(path, true)?.isFile() ?? false;
}

/** The split files of a task: train, its dev splits and its test splits (the diagnostic set is placed on its own). */
function splitFilesOf(task: TaskName): SplitFile[] {
  const definition = getTask(task);
  const splits: [string, SplitRole][] = [
    ['train', 'train'],
    ...definition.devSplits.map((split): [string, SplitRole] => [split, 'dev']),
    ...definition.testSplits.filter((split) => split !== 'diagnostic').map((split): [string, SplitRole] => [split, 'test']),
  ];
  return splits.map(([split, role]) => ({ file: `${split}.tsv`, role }));
}

/** Relative paths of the files under `dir`, sub-folders walked; hidden entries (.DS_Store, ._*) are skipped. */
function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const relativePath = join(prefix, name);
    if (isDirectory(path)) files.push(...listFiles(path, relativePath));
    else if (isFile(path)) files.push(relativePath);
  }
  return files;
}

function findTaskFolder(glueDir: string, task: TaskName): string | null {
  const candidates = [OFFICIAL_FOLDERS[task], task].filter((name) => isDirectory(join(glueDir, name)));
  if (candidates.length > 1) {
    throw new BamError(
      `${glueDir}: both ${candidates[0]}/ and ${candidates[1]}/ are there for task ${task}; keep one of them and run bam init again`,
    );
  }
  return candidates[0] ?? null;
}

function planTaskFolder(glueDir: string, task: TaskName, folder: string): TaskFolderPlan {
  const files = listFiles(join(glueDir, folder));
  const splitFiles = splitFilesOf(task);
  return {
    task,
    folder,
    splitFiles,
    placements: files.map((file) => ({ source: join(glueDir, folder, file), dest: join('glue_data', task, file) })),
    missing: splitFiles.filter((split) => !files.includes(split.file)),
  };
}

function findDiagnostic(glueDir: string, tasks: TaskFolderPlan[]): Placement | null {
  const inMnli = tasks.find((t) => t.task === 'mnli')?.placements.find((p) => p.dest === DIAGNOSTIC_DEST);
  if (inMnli !== undefined) return inMnli;
  const source = DIAGNOSTIC_SOURCES.map((file) => join(glueDir, file)).find(isFile);
  return source === undefined ? null : { source, dest: DIAGNOSTIC_DEST };
}

/**
 * Which file of a GLUE download goes where under `<bam_dir>`: task folders under their official names (CoLA, SST-2,
 * …) or their bam names (cola, sst, …) become `glue_data/<task>/`, and the diagnostic set goes into `glue_data/mnli/`.
 */
export function planGlueLayout(glueDir: string): GlueLayoutPlan {
  const root = resolve(glueDir);
  if (!isDirectory(root)) {
    throw new BamError(`${root}: GLUE folder not found; pass --glue the folder of a GLUE download (the one holding CoLA, SST-2, …)`);
  }
  const tasks: TaskFolderPlan[] = [];
  const absentTasks: TaskName[] = [];
  for (const task of GLUE_TASKS) {
    const folder = findTaskFolder(root, task);
    if (folder === null) absentTasks.push(task);
    else tasks.push(planTaskFolder(root, task, folder));
  }
  if (tasks.length === 0) {
    const names = GLUE_TASKS.map((task) => OFFICIAL_FOLDERS[task]).join(', ');
    throw new BamError(`${root}: no GLUE task folder found (expected ${names} or their lower-case bam names); pass --glue the folder that holds them`);
  }
  return { glueDir: root, tasks, absentTasks, diagnostic: findDiagnostic(root, tasks) };
}

/** Every placement of the plan, the diagnostic set once. */
export function placementsOf(plan: GlueLayoutPlan): Placement[] {
  const placements = plan.tasks.flatMap((task) => task.placements);
  if (plan.diagnostic !== null && !placements.includes(plan.diagnostic)) placements.push(plan.diagnostic);
  return placements;
}

function sameBytes(a: string, b: string): boolean {
  return statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));
}

/** Whether `dest` already provides `source` the way the options ask: a link to it, or a copy of it. */
function isInPlace(source: string, dest: string, destStats: Stats, options: PlaceOptions): boolean {
  const sourceStats = statSync(source);
  // The very same file (e.g. --glue pointing into the bam_dir itself): never touch it.
  if (!destStats.isSymbolicLink() && destStats.dev === sourceStats.dev && destStats.ino === sourceStats.ino) return true;
  if (options.copy) return destStats.isFile() && sameBytes(source, dest);
  if (!destStats.isSymbolicLink()) return false;
  return statOrNull(dest, true) !== null && realpathSync(dest) === realpathSync(source);
}

function describeConflict(dest: string, source: string, options: PlaceOptions): string {
  return `${dest} already exists and is not ${options.copy ? 'a copy of' : 'a link to'} ${source}`;
}

/**
 * Writes `dest` as a link to (or copy of) `source` under a temporary name, then renames it into place, so a reader
 * never sees a half-written file and an existing file is replaced in one step.
 */
function placeAtomically(source: string, dest: string, options: PlaceOptions): void {
  replaceAtomically(dest, (temporary) => (options.copy ? copyFileSync(source, temporary) : symlinkSync(source, temporary)));
}

/** Creates a folder and its parents; a file in the way is a one-line BamError. */
export function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BamError(`${path}: cannot create this folder (${code}); remove the file in its way or pick another bam_dir`);
  }
}

/**
 * Links (or copies) each source to `<bamDir>/<dest>`. Destinations that already hold the same file are left alone;
 * a different file or link at a destination is an error unless `force` is set. Every destination is checked before
 * anything is written, so a conflict leaves the bam_dir as it was. Sources are only read.
 */
export function placeFiles(placements: Placement[], bamDir: string, options: PlaceOptions): PlacementResult[] {
  const root = resolve(bamDir);
  const checked = placements.map((placement) => {
    const dest = join(root, placement.dest);
    const destStats = statOrNull(dest, false);
    if (destStats?.isDirectory()) {
      throw new BamError(`${dest} is a folder where bam init puts a file from ${placement.source}; move the folder away and run bam init again`);
    }
    const inPlace = destStats !== null && isInPlace(placement.source, dest, destStats, options);
    return { placement, dest, exists: destStats !== null, inPlace };
  });
  const conflicts = checked.filter((c) => c.exists && !c.inPlace);
  if (conflicts.length > 0 && !options.force) {
    const first = conflicts[0];
    const others = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : '';
    throw new BamError(`${describeConflict(first.dest, first.placement.source, options)}${others}; pass --force to replace ${conflicts.length > 1 ? 'them' : 'it'}`);
  }
  return checked.map(({ placement, dest, exists, inPlace }) => {
    if (inPlace) return { ...placement, action: 'unchanged' };
    makeFolder(dirname(dest));
    placeAtomically(placement.source, dest, options);
    const action: PlacementAction = exists ? 'replaced' : options.copy ? 'copied' : 'linked';
    return { ...placement, action };
  });
}

/** Lays the plan's files out under `<bamDir>/glue_data/` (see placeFiles for links, copies and conflicts). */
export function applyGlueLayout(plan: GlueLayoutPlan, bamDir: string, options: PlaceOptions): PlacementResult[] {
  makeFolder(join(resolve(bamDir), 'glue_data'));
  return placeFiles(placementsOf(plan), bamDir, options);
}

/** Lines of a text file as Python's readline sees them: a last line without "\n" still counts. */
export function countLines(path: string): number {
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    let lines = 0;
    let lastByte = 0x0a;
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      for (let i = 0; i < n; i++) if (buffer[i] === 0x0a) lines++;
      lastByte = buffer[n - 1];
    }
    return lastByte === 0x0a ? lines : lines + 1;
  } finally {
    closeSync(fd);
  }
}

/** `path` relative to `from` when it lies inside it, else absolute; for short report lines. */
export function displayPath(path: string, from: string): string {
  const rel = relative(from, path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}
