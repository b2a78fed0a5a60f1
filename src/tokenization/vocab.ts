import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';
import { stripPythonWhitespace } from './basic-tokenizer.js';

/** A WordPiece vocabulary: token → id and id → token, where id is the token's line index in vocab.txt. */
export interface Vocab {
  readonly tokenToId: ReadonlyMap<string, number>;
  readonly idToToken: readonly string[];
  /** Where the vocabulary came from (a file path), for error messages. */
  readonly source: string;
}

/**
 * Builds a vocabulary from tokens in id order. A token listed twice maps to its last id, as the reference's
 * dictionary assignment does.
 */
export function vocabFromTokens(tokens: readonly string[], source: string): Vocab {
  const tokenToId = new Map<string, number>();
  tokens.forEach((token, id) => tokenToId.set(token, id));
  return { tokenToId, idToToken: [...tokens], source };
}

function readVocabText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BamError(`vocab file not found: ${path}; pass the vocab.txt of a BERT model`);
    throw new BamError(`cannot read vocab file ${path} (${code ?? String(error)}); pass a readable vocab.txt`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BamError(`vocab file ${path} is not valid UTF-8; pass a BERT vocab.txt (UTF-8, one token per line)`);
  }
}

/**
 * Loads vocab.txt the way the reference's `load_vocab` does: one token per line (lines end at "\n"), each token
 * `strip()`ped, id = line index. A final line without "\n" still counts.
 */
export function loadVocab(path: string): Vocab {
  const text = readVocabText(path);
  if (text === '') throw new BamError(`vocab file ${path} is empty; pass a BERT vocab.txt (one token per line)`);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return vocabFromTokens(lines.map(stripPythonWhitespace), path);
}
