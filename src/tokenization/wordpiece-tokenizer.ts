import { whitespaceTokenize } from './basic-tokenizer.js';
import type { Vocab } from './vocab.js';

/**
 * BERT's WordpieceTokenizer: greedy longest-match-first from the left, continuation pieces prefixed with `##`.
 * A word longer than `maxInputCharsPerWord` code points, or one with any position that no vocab entry matches,
 * becomes a single unknown token.
 */
export class WordpieceTokenizer {
  constructor(
    private readonly vocab: Vocab,
    readonly unkToken = '[UNK]',
    readonly maxInputCharsPerWord = 200,
  ) {}

  tokenize(text: string): string[] {
    const output: string[] = [];
    for (const word of whitespaceTokenize(text)) {
      output.push(...this.tokenizeWord(word));
    }
    return output;
  }

  private tokenizeWord(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length > this.maxInputCharsPerWord) return [this.unkToken];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let match: string | undefined;
      while (start < end) {
        const candidate = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.tokenToId.has(candidate)) {
          match = candidate;
          break;
        }
        end -= 1;
      }
      if (match === undefined) return [this.unkToken];
      pieces.push(match);
      start = end;
    }
    return pieces;
  }
}
