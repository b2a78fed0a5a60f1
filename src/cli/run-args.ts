import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';
import { jsonSyntaxError } from '../util/json-file.js';

export interface RunArgs {
  modelName: string;
  bamDir: string;
  /** The hparams: the --hparams file's object, then the JSON argument's keys on top. */
  user: Record<string, unknown>;
  /** --overwrite: clear a model folder that holds another run's outputs. */
  overwrite: boolean;
}

/** The usage line of a command that takes `<model_name> <bam_dir> ['<json>'] [--hparams FILE.json]` (bam run, bam pretrain). */
export const modelCommandUsage = (command: string): string =>
  `bam ${command} <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json] [--threads N] [--overwrite]`;
export const RUN_USAGE = modelCommandUsage('run');
export const PRETRAIN_USAGE = modelCommandUsage('pretrain');
const QUOTING =
  'pass one JSON object in single quotes, e.g. bam run debug-model "$BAM_DIR" \'{"debug": true}\' (in Windows cmd: "{\\"debug\\": true}")';

/**
 * Parses the arguments after `bam run` (or another command of the same shape, e.g. `bam pretrain`):
 * `<model_name> <bam_dir> ['<json>'] [--hparams FILE.json]`.
 */
export function parseRunArgs(args: string[], command = 'run'): RunArgs {
  const USAGE = `usage: ${modelCommandUsage(command)}`;
  const positionals: string[] = [];
  let hparamsFile: string | undefined;
  let threads: number | undefined;
  let overwrite = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--threads' || arg.startsWith('--threads=')) {
      const value = arg === '--threads' ? args[++i] : arg.slice('--threads='.length);
      threads = Number(value);
      if (value === undefined || !Number.isInteger(threads) || threads < 1) throw new BamError(`--threads needs a whole number of threads ≥ 1, got ${value ?? 'nothing'}. ${USAGE}`);
    } else if (arg === '--hparams' || arg.startsWith('--hparams=')) {
      if (hparamsFile !== undefined) throw new BamError(`--hparams is given twice; pass one file. ${USAGE}`);
      const file = arg === '--hparams' ? args[++i] : arg.slice('--hparams='.length);
      if (file === undefined || file === '') throw new BamError(`--hparams needs a file: --hparams FILE.json. ${USAGE}`);
      hparamsFile = file;
    } else if (arg === '--overwrite') {
      overwrite = true;
    } else if (arg.startsWith('-') && arg.length > 1) {
      throw new BamError(`unknown option ${arg} for bam ${command}. ${USAGE}`);
    } else {
      positionals.push(arg);
    }
  }
  const [modelName, bamDir, json, ...extra] = positionals;
  if (modelName === undefined) throw new BamError(`missing <model_name> and <bam_dir>. ${USAGE}`);
  if (bamDir === undefined) throw new BamError(`missing <bam_dir> after the model name "${modelName}". ${USAGE}`);
  if (bamDir === '' || bamDir.trimStart().startsWith('{')) {
    throw new BamError(`<bam_dir> is ${bamDir === '' ? 'empty' : `missing (${bamDir} looks like the hparams)`}: is $BAM_DIR set? ${USAGE}`);
  }
  if (extra.length > 0) throw new BamError(tooManyArguments(positionals.slice(2), USAGE));
  const user: Record<string, unknown> = hparamsFile === undefined ? {} : readHparamsFile(hparamsFile);
  if (json !== undefined) Object.assign(user, parseHparamsArgument(json));
  // --threads is the num_threads hparam, given on the command line (e.g. per rank under mpirun).
  if (threads !== undefined) user.num_threads = threads;
  return { modelName, bamDir, user, overwrite };
}

/** More than one argument after <bam_dir>: most often a JSON object that the shell split at its spaces (issue #431). */
function tooManyArguments(afterBamDir: string[], USAGE: string): string {
  const shown = afterBamDir.map((arg) => JSON.stringify(arg)).join(' ');
  if (!afterBamDir.some((arg) => /[{}]/.test(arg))) {
    return `too many arguments: expected at most one hparams JSON after <bam_dir>, got ${afterBamDir.length} (${shown}). ${USAGE}`;
  }
  const cause = afterBamDir[0].startsWith("'")
    ? 'the shell split the hparams JSON into several arguments and kept the single quotes, so it does not treat them as quotes (Windows cmd)'
    : 'the shell split the hparams JSON into several arguments';
  return `${cause}: got ${shown}; ${QUOTING}`;
}

function parseHparamsArgument(text: string): Record<string, unknown> {
  const error = jsonSyntaxError(text);
  if (error) throw new BamError(`hparams argument is not valid JSON (${error.message}): ${shellHint(text)}${QUOTING}`);
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) {
    throw new BamError(`hparams argument must be one JSON object, got ${kindOf(value)}: ${QUOTING}`);
  }
  return value;
}

/** What the shell did to the text, when it shows. */
function shellHint(text: string): string {
  if (text.startsWith("'")) return 'the single quotes reached bam, so your shell does not treat them as quotes; ';
  if (/[{,]\s*[A-Za-z_][\w-]*\s*:/.test(text)) return 'the keys lack their double quotes, so your shell removed them; ';
  return '';
}

function readHparamsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new BamError(`--hparams ${path}: ${reason}; pass a JSON file holding one object, e.g. {"debug": true}`);
  }
  const error = jsonSyntaxError(text);
  if (error) {
    throw new BamError(`${path}:${error.line}:${error.column}: not valid JSON (${error.message}); the file must hold one JSON object, e.g. {"debug": true}`);
  }
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) {
    throw new BamError(`${path}: must hold one JSON object, e.g. {"debug": true}, got ${kindOf(value)}`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
