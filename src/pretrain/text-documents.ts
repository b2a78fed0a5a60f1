import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';
import { stripPythonWhitespace } from '../tokenization/basic-tokenizer.js';
import type { FullTokenizer } from '../tokenization/full-tokenizer.js';

/** A document as WordPiece ids: one Int32Array per sentence (line), in order. */
export type TokenizedDocument = Int32Array[];

/**
 * The input format of google-research/bert's create_pretraining_data.py: one sentence per line, blank lines between
 * documents. Each line is `strip()`ped and tokenized; a blank line ends the document, a line that yields no tokens is
 * dropped, and documents left empty are removed. `source` names the text in error messages.
 */
export function parseTextDocuments(text: string, tokenizer: FullTokenizer, source: string): TokenizedDocument[] {
  const documents: TokenizedDocument[] = [[]];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const rawLine of body.split('\n')) {
    const line = stripPythonWhitespace(rawLine);
    if (line === '') {
      documents.push([]);
      continue;
    }
    const tokens = tokenizer.tokenize(line);
    if (tokens.length > 0) documents[documents.length - 1].push(Int32Array.from(tokenizer.convertTokensToIds(tokens)));
  }
  const kept = documents.filter((document) => document.length > 0);
  if (kept.length === 0) {
    throw new BamError(`${source}: no text to pretrain on; give plain text, one sentence per line, blank lines between documents`);
  }
  return kept;
}

/**
 * Documents of several text files, in file order. Unlike the original, which reads its files as one stream, a file
 * always ends a document, so a file that lacks a final blank line does not merge into the next one.
 */
export function readTextDocuments(paths: readonly string[], tokenizer: FullTokenizer): TokenizedDocument[] {
  if (paths.length === 0) throw new BamError('no pretraining text files given; pass one or more plain-text files');
  return paths.flatMap((path) => parseTextDocuments(readText(path), tokenizer, path));
}

/** A file's text; invalid UTF-8 becomes U+FFFD, which the tokenizer drops (the original decodes with errors="ignore"). */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BamError(`${path}: file not found; pass an existing plain-text file to pretrain on`);
    if (code === 'EISDIR') throw new BamError(`${path}: is a directory; pass the text files inside it`);
    if (code === 'EACCES') throw new BamError(`${path}: permission denied; make the file readable`);
    throw error;
  }
}
