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
