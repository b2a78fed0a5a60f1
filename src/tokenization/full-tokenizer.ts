import { BamError } from '../errors.js';
import { BasicTokenizer } from './basic-tokenizer.js';
import { loadVocab, type Vocab } from './vocab.js';
import { WordpieceTokenizer } from './wordpiece-tokenizer.js';

/** BERT's end-to-end tokenizer: BasicTokenizer, then WordPiece on each resulting word. */
export class FullTokenizer {
  private readonly basic: BasicTokenizer;
  private readonly wordpiece: WordpieceTokenizer;

  constructor(readonly vocab: Vocab, doLowerCase: boolean) {
    this.basic = new BasicTokenizer(doLowerCase);
    this.wordpiece = new WordpieceTokenizer(vocab);
  }

  static fromVocabFile(path: string, doLowerCase: boolean): FullTokenizer {
    return new FullTokenizer(loadVocab(path), doLowerCase);
  }

  tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const word of this.basic.tokenize(text)) {
      tokens.push(...this.wordpiece.tokenize(word));
    }
    return tokens;
  }

  convertTokensToIds(tokens: string[]): number[] {
    return tokens.map((token) => {
      const id = this.vocab.tokenToId.get(token);
      if (id === undefined) {
        throw new BamError(
          `token ${JSON.stringify(token)} is not in the vocabulary ${this.vocab.source}; use the vocab.txt that belongs to the model`,
        );
      }
      return id;
    });
  }

  convertIdsToTokens(ids: number[]): string[] {
    return ids.map((id) => {
      const token = this.vocab.idToToken[id];
      if (token === undefined) {
        throw new BamError(
          `token id ${id} is outside the vocabulary ${this.vocab.source} (ids 0..${this.vocab.idToToken.length - 1}); use the vocab.txt that belongs to the model`,
        );
      }
      return token;
    });
  }
}
