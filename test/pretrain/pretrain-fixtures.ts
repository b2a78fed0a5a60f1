import { FullTokenizer } from '../../src/tokenization/full-tokenizer.js';
import { vocabFromTokens } from '../../src/tokenization/vocab.js';
import { Rng } from '../../src/util/rng.js';

export const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
export const PAD = 0;
export const CLS = 2;
export const SEP = 3;
export const MASK = 4;

/** A lower-casing tokenizer over the specials, then `tokens` (ids 5, 6, ...). */
export function tinyTokenizer(tokens: readonly string[]): FullTokenizer {
  return new FullTokenizer(vocabFromTokens([...SPECIALS, ...tokens], 'tiny-vocab.txt'), true);
}

/**
 * An Rng whose uniform() returns the given values in order (int() and shuffle() are built on uniform()), so a test
 * can steer each random decision of the original's algorithm and check that the draws happen in its order.
 */
export class ScriptedRng extends Rng {
  private next = 0;

  constructor(private readonly values: readonly number[]) {
    super(0);
  }

  override uniform(): number {
    if (this.next >= this.values.length) throw new Error(`ScriptedRng: draw ${this.next + 1} was not scripted`);
    return this.values[this.next++];
  }

  /** How many draws were taken. */
  get used(): number {
    return this.next;
  }
}

/** uniform() values that make Rng.int(n) return k. */
export function pick(k: number, n: number): number {
  return (k + 0.5) / n;
}

/** uniform() values that make Rng.shuffle turn [0, 1, ..., n−1] into `target` (a permutation). */
export function shuffleDraws(target: readonly number[]): number[] {
  const items = target.map((_, i) => i);
  const draws: number[] = [];
  // Fisher–Yates from the end: at step i the item that must end at i is swapped in from j ≤ i.
  for (let i = items.length - 1; i > 0; i--) {
    const j = items.indexOf(target[i]);
    draws.push(pick(j, i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return draws;
}

/** Words w0 … w{n−1}, each a whole token of the tiny vocabulary, plus "##s" so some words split into pieces. */
export function syntheticWords(n: number): string[] {
  return [...Array.from({ length: n }, (_, i) => `w${i}`), '##s'];
}

/**
 * Plain text of `documents` documents, 1–8 sentences of 1–30 random words each; a word gets an "s" appended (two
 * WordPieces) one time in ten. The document index d is the first word of each document's first sentence, as "w{d}".
 */
export function syntheticText(seed: number, documents: number, words: number): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let d = 0; d < documents; d++) {
    const sentences = 1 + rng.int(8);
    for (let s = 0; s < sentences; s++) {
      const length = 1 + rng.int(30);
      const line = Array.from({ length }, () => `w${rng.int(words)}${rng.uniform() < 0.1 ? 's' : ''}`);
      if (s === 0) line[0] = `w${d}`;
      lines.push(line.join(' '));
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
