import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { BamError } from '../errors.js';

export interface ReadTsvOptions {
  /** Read at most this many physical lines, header included (debug mode uses 50). */
  maxLines?: number;
}

const CHUNK_BYTES = 1 << 16;

/**
 * Reads a GLUE TSV file the way BAM's `read_tsv` does (Python `csv.reader` with `quotechar=None`, i.e. QUOTE_NONE):
 * one row per physical line, split on tabs, quote characters kept as literal text, empty fields kept. A leading
 * UTF-8 BOM is dropped (MRPC files start with one) and a `\r` before the `\n` is tolerated. The empty string after the
 * final newline is not a row; an empty line anywhere else is an empty row, as Python's reader yields `[]` for it.
 * Invalid UTF-8 bytes become U+FFFD, which the BERT tokenizer drops, matching the original's `errors="ignore"`.
 */
export function readTsv(path: string, options: ReadTsvOptions = {}): string[][] {
  const { maxLines } = options;
  if (maxLines !== undefined && !(Number.isInteger(maxLines) && maxLines >= 1)) {
    throw new Error(`readTsv: maxLines must be a positive integer, got ${maxLines}`);
  }
  let text = readText(path, maxLines);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = maxLines === undefined ? lines : lines.slice(0, maxLines);
  return kept.map((line) => {
    const content = line.endsWith('\r') ? line.slice(0, -1) : line;
    return content === '' ? [] : content.split('\t');
  });
}

/** The whole file, or (with maxLines) only the leading bytes that hold that many lines: debug runs skip most of a big file. */
function readText(path: string, maxLines: number | undefined): string {
  try {
    if (maxLines === undefined) return readFileSync(path, 'utf8');
    return readLeadingLines(path, maxLines);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new BamError(
        `${path}: file not found; GLUE data files go in <bam_dir>/glue_data/<task>/ (run \`bam init\` to lay out a GLUE download there)`,
      );
    }
    if (code === 'EISDIR') throw new BamError(`${path}: is a directory, expected a TSV file`);
    if (code === 'EACCES') throw new BamError(`${path}: permission denied; make the file readable`);
    throw error;
  }
}

function readLeadingLines(path: string, maxLines: number): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let newlines = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const bytesRead = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const filled = chunk.subarray(0, bytesRead);
      chunks.push(filled);
      for (const byte of filled) if (byte === 0x0a) newlines++;
      if (newlines >= maxLines) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
