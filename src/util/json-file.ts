import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';

/** Where JSON text breaks (0-based position; 1-based line and column) and why, in one line. */
export interface JsonSyntaxError {
  position: number;
  line: number;
  column: number;
  /** "Unexpected token 'x' at position N", or "Unexpected end of JSON input at position N". */
  message: string;
}

/**
 * Where and why `text` is not JSON, in the same words on every Node version; null when it is JSON. The position is
 * V8's own: Node 20 names it in most messages but not for an unexpected token or the end of the input, so it is
 * found there as the end of the longest prefix V8 accepts as the start of a JSON text.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  const failure = parseFailure(text);
  if (failure === null) return null;
  const position = failure.position ?? endOfLongestJsonPrefix(text);
  const line = text.slice(0, position).split('\n').length;
  const column = position - text.lastIndexOf('\n', position - 1);
  if (position >= text.length) return { position, line, column, message: `Unexpected end of JSON input at position ${position}` };
  const char = text[position];
  // A control character is shown escaped so that the message stays one line.
  const shown = char < ' ' ? JSON.stringify(char).slice(1, -1) : char;
  return { position, line, column, message: `Unexpected token '${shown}' at position ${position}` };
}

/** JSON.parse's verdict: null when `text` is JSON, else the position its message names (undefined if none). */
function parseFailure(text: string): { position: number | undefined } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const message = (e as Error).message;
    const stated = /at position (\d+)/.exec(message);
    if (stated) return { position: Number(stated[1]) };
    return { position: /^Unexpected end of JSON input/.test(message) ? text.length : undefined };
  }
}

/** A prefix is accepted when V8 parses it or fails only at its end; acceptance only shrinks as the prefix grows. */
function endOfLongestJsonPrefix(text: string): number {
  let accepted = 0;
  let rejected = text.length;
  while (rejected - accepted > 1) {
    const middle = (accepted + rejected) >>> 1;
    const failure = parseFailure(text.slice(0, middle));
    if (failure === null || failure.position === middle) accepted = middle;
    else rejected = middle;
  }
  return accepted;
}

/**
 * The parsed content of a JSON file (a UTF-8 byte-order mark is skipped), or a one-line BamError naming the file,
 * what it is (`what`, e.g. "the BERT config"), what is wrong and `fix`.
 */
export function readJsonFile(path: string, what: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BamError(`${path}: ${code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? (e as Error).message})`}; ${fix}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const error = jsonSyntaxError(text);
    const where = error ? `${error.message}, line ${error.line} column ${error.column}` : (e as Error).message;
    throw new BamError(`${path}: not valid JSON (${where}); ${fix}`);
  }
}

/** readJsonFile for a file that must hold one JSON object. */
export function readJsonObject(path: string, what: string, fix: string): Record<string, unknown> {
  const value = readJsonFile(path, what, fix);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BamError(`${path}: ${what} must be a JSON object; ${fix}`);
  return value as Record<string, unknown>;
}
