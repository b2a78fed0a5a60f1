import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';

export interface RunArgs {
  modelName: string;
  bamDir: string;
  /** The hparams: the --hparams file's object, then the JSON argument's keys on top. */
  user: Record<string, unknown>;
  /** --overwrite: clear a model folder that holds another run's outputs. */
  overwrite: boolean;
}

export const RUN_USAGE = "bam run <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json] [--overwrite]";
const USAGE = `usage: ${RUN_USAGE}`;
const QUOTING =
  'pass one JSON object in single quotes, e.g. bam run debug-model "$BAM_DIR" \'{"debug": true}\' (in Windows cmd: "{\\"debug\\": true}")';

/** Parses the arguments after `bam run`: `<model_name> <bam_dir> ['<json>'] [--hparams FILE.json]`. */
export function parseRunArgs(args: string[]): RunArgs {
  const positionals: string[] = [];
  let hparamsFile: string | undefined;
  let overwrite = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--hparams' || arg.startsWith('--hparams=')) {
      if (hparamsFile !== undefined) throw new BamError(`--hparams is given twice; pass one file. ${USAGE}`);
      const file = arg === '--hparams' ? args[++i] : arg.slice('--hparams='.length);
      if (file === undefined || file === '') throw new BamError(`--hparams needs a file: --hparams FILE.json. ${USAGE}`);
      hparamsFile = file;
    } else if (arg === '--overwrite') {
      overwrite = true;
    } else if (arg.startsWith('-') && arg.length > 1) {
      throw new BamError(`unknown option ${arg} for bam run. ${USAGE}`);
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
  if (extra.length > 0) throw new BamError(tooManyArguments(positionals.slice(2)));
  const user: Record<string, unknown> = hparamsFile === undefined ? {} : readHparamsFile(hparamsFile);
  if (json !== undefined) Object.assign(user, parseHparamsArgument(json));
  return { modelName, bamDir, user, overwrite };
}

/** More than one argument after <bam_dir>: most often a JSON object that the shell split at its spaces (issue #431). */
function tooManyArguments(afterBamDir: string[]): string {
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BamError(`hparams argument is not valid JSON (${describeJsonError(text, error)}): ${shellHint(text)}${QUOTING}`);
  }
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = jsonErrorPosition(text);
    const line = text.slice(0, position).split('\n').length;
    const column = position - text.lastIndexOf('\n', position - 1);
    throw new BamError(
      `${path}:${line}:${column}: not valid JSON (${describeJsonError(text, error)}); the file must hold one JSON object, e.g. {"debug": true}`,
    );
  }
  if (!isPlainObject(value)) {
    throw new BamError(`${path}: must hold one JSON object, e.g. {"debug": true}, got ${kindOf(value)}`);
  }
  return value;
}

/**
 * The same wording on every Node version: V8 omits the position from some of its messages, so the position is
 * found by our own scan; V8's message is the fallback should the scan find no fault.
 */
function describeJsonError(text: string, error: unknown): string {
  const position = jsonErrorPosition(text);
  if (position < 0) return (error as Error).message;
  if (position >= text.length) return `Unexpected end of JSON input at position ${position}`;
  const char = text[position];
  // A control character is shown escaped so that the message stays one line.
  const shown = char < ' ' ? JSON.stringify(char).slice(1, -1) : char;
  return `Unexpected token '${shown}' at position ${position}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Thrown inside jsonErrorPosition to stop at the first fault. */
class JsonFault {
  constructor(readonly position: number) {}
}

/**
 * Index of the first character at which `text` stops being JSON (RFC 8259); text.length when it ends too early;
 * -1 when it is valid JSON.
 */
function jsonErrorPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonFault(i);
  };
  const skipWhitespace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) fail();
    i++;
  };
  const isDigit = (): boolean => i < text.length && text[i] >= '0' && text[i] <= '9';
  const digits = (): void => {
    if (!isDigit()) fail();
    while (isDigit()) i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      if (i >= text.length || text[i] < ' ') fail();
      const char = text[i++];
      if (char === '"') return;
      if (char !== '\\') continue;
      if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
      else if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++) {
          if (!/^[0-9a-fA-F]$/.test(text[i] ?? '')) fail();
          i++;
        }
      } else fail();
    }
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const literal = (word: string): void => {
    for (const char of word) expect(char);
  };
  const value = (): void => {
    skipWhitespace();
    const char = text[i];
    if (char === '{') object();
    else if (char === '[') array();
    else if (char === '"') string();
    else if (char === '-' || isDigit()) number();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else fail();
    skipWhitespace();
  };
  const object = (): void => {
    expect('{');
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipWhitespace();
      string();
      skipWhitespace();
      expect(':');
      value();
      if (text[i] !== ',') break;
      i++;
    }
    expect('}');
  };
  const array = (): void => {
    expect('[');
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      if (text[i] !== ',') break;
      i++;
    }
    expect(']');
  };
  try {
    value();
    if (i < text.length) fail();
    return -1;
  } catch (fault) {
    if (fault instanceof JsonFault) return fault.position;
    throw fault;
  }
}
