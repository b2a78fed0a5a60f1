import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundHalfEven } from '../../src/data/task-weighting.js';
import { maskingVocab, maskInstance, type MaskingSettings, type MaskingVocab } from '../../src/pretrain/mask-tokens.js';
import { loadVocab } from '../../src/tokenization/vocab.js';
import { Rng } from '../../src/util/rng.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { fixtureVocab } from '../fixture-vocab.js';
import { CLS, MASK, pick, ScriptedRng, SEP, shuffleDraws, tinyTokenizer } from './pretrain-fixtures.js';

/** Ids 0–4 are the specials, 5–499 whole words, 500–999 "##" continuations. */
const V = 1000;
const FIRST_CONTINUATION = 500;
const VOCAB: MaskingVocab = {
  clsId: CLS,
  sepId: SEP,
  maskId: MASK,
  size: V,
  isContinuation: Uint8Array.from({ length: V }, (_, id) => (id >= FIRST_CONTINUATION ? 1 : 0)),
};
const BERT: MaskingSettings = { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, doWholeWordMask: false };

interface Masked {
  tokens: number[];
  positions: number[];
  labels: number[];
  weights: number[];
  count: number;
}

function mask(tokens: number[], settings: MaskingSettings, rng: Rng, maxPredictions = settings.maxPredictionsPerSeq): Masked {
  const row = {
    inputIds: Int32Array.from(tokens),
    positions: new Int32Array(maxPredictions),
    labels: new Int32Array(maxPredictions),
    weights: new Float32Array(maxPredictions),
  };
  const count = maskInstance(row, settings, VOCAB, rng);
  return { tokens: [...row.inputIds], positions: [...row.positions], labels: [...row.labels], weights: [...row.weights], count };
}

test('maskInstance follows the original draw by draw: shuffle, then per position 80% [MASK] / 10% random / 10% kept', () => {
  // Length 10 → round(1.5) = 2 predictions. Candidates are positions 1..8; the shuffle puts candidate 5 (position 6)
  // first and candidate 2 (position 3) second. Position 6: 0.9 ≥ 0.8, 0.7 ≥ 0.5 → random id 42; position 3: [MASK].
  const tokens = [CLS, 10, 11, 12, 13, 14, 15, 16, 17, SEP];
  const rng = new ScriptedRng([...shuffleDraws([5, 2, 0, 1, 3, 4, 6, 7]), 0.9, 0.7, pick(42, V), 0.1]);
  const out = mask(tokens, { ...BERT, maxPredictionsPerSeq: 4 }, rng);
  assert.equal(rng.used, 11);
  assert.deepEqual(out, {
    tokens: [CLS, 10, 11, MASK, 13, 14, 42, 16, 17, SEP],
    positions: [3, 6, 0, 0],
    labels: [12, 15, 0, 0],
    weights: [1, 1, 0, 0],
    count: 2,
  });
  // Position 8 first: 0.85 ≥ 0.8 then 0.3 < 0.5, so the token stays but is still predicted; then position 1: [MASK].
  const kept = mask(tokens, BERT, new ScriptedRng([...shuffleDraws([7, 0, 1, 2, 3, 4, 5, 6]), 0.85, 0.3, 0.5]));
  assert.deepEqual(kept.tokens, [CLS, MASK, 11, 12, 13, 14, 15, 16, 17, SEP]);
  assert.deepEqual(kept.positions.slice(0, 2), [1, 8]);
  assert.deepEqual(kept.labels.slice(0, 2), [10, 17]);
});

test('maskInstance with whole-word masking: "##" pieces join the candidate before them; a word that no longer fits is skipped', () => {
  // Words [1,2,3], [4], [5,6]; length 8 at probability 0.5 → 4 predictions. Shuffled order: word 3, word 1, word 2.
  // Word 3 (2 pieces) fits, word 1 (3 pieces) would make 5 and is skipped without a draw, word 2 fits: 3 predictions.
  const tokens = [CLS, 10, 500, 501, 11, 12, 502, SEP];
  const settings = { maskedLmProb: 0.5, maxPredictionsPerSeq: 20, doWholeWordMask: true };
  const rng = new ScriptedRng([...shuffleDraws([2, 0, 1]), 0.1, 0.1, 0.95, 0.2]);
  const out = mask(tokens, settings, rng, 5);
  assert.equal(rng.used, 6);
  assert.deepEqual(out, {
    tokens: [CLS, 10, 500, 501, 11, MASK, MASK, SEP],
    positions: [4, 5, 6, 0, 0],
    labels: [11, 12, 502, 0, 0],
    weights: [1, 1, 1, 0, 0],
    count: 3,
  });
  // Without it the same row has 6 single-position candidates (5 shuffle draws) and 4 predictions.
  const plain = mask(tokens, { ...settings, doWholeWordMask: false }, new Rng(3), 5);
  assert.equal(plain.count, 4);
});

test('the number of predictions is min(max_predictions_per_seq, max(1, Python round(length · 0.15))), specials counted', () => {
  const row = (length: number): number[] => [CLS, ...Array.from({ length: length - 2 }, (_, i) => 5 + i), SEP];
  // 3·0.15 = 0.45 → at least 1; 10·0.15 = 1.5 → 2; 30·0.15 = 4.5 → 4 and 70·0.15 = 10.5 → 10 (halves to even,
  // not up as Math.round would); 50·0.15 = 7.5 → 8; 128·0.15 = 19.2 → 19; capped at 20, or at 5.
  const cases: [number, number, number][] = [
    [3, 20, 1],
    [10, 20, 2],
    [30, 20, 4],
    [50, 20, 8],
    [70, 20, 10],
    [128, 20, 19],
    [200, 20, 20],
    [128, 5, 5],
  ];
  for (const [length, maxPredictions, expected] of cases) {
    const out = mask(row(length), { ...BERT, maxPredictionsPerSeq: maxPredictions }, new Rng(length));
    assert.equal(out.count, expected, `length ${length}, cap ${maxPredictions}`);
    assert.equal(out.weights.filter((w) => w === 1).length, expected);
  }
});

/** A row of random words, each a head piece followed by 0–2 "##" pieces. */
function randomRow(rng: Rng, length: number): { tokens: number[]; wordOf: number[] } {
  const tokens = [CLS];
  const wordOf = [-1];
  let word = 0;
  while (tokens.length < length - 1) {
    tokens.push(5 + rng.int(FIRST_CONTINUATION - 5));
    wordOf.push(word);
    for (let k = rng.int(3); k > 0 && tokens.length < length - 1; k--) {
      tokens.push(FIRST_CONTINUATION + rng.int(V - FIRST_CONTINUATION));
      wordOf.push(word);
    }
    word++;
  }
  tokens.push(SEP);
  wordOf.push(-1);
  return { tokens, wordOf };
}

/** Within `sigmas` standard deviations of a binomial(n, p) count. */
function assertBinomial(observed: number, n: number, p: number, sigmas: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(observed - n * p) <= sigmas * sd, `${what}: ${observed} of ${n}, expected ${(n * p).toFixed(1)} ± ${(sigmas * sd).toFixed(1)}`);
}

test('masking statistics over 20000 random rows: exact counts, 80/10/10 within 5σ, uniform positions, never [CLS]/[SEP]', () => {
  const corpus = new Rng(11);
  const rng = new Rng(12);
  let predictions = 0;
  let tokensTotal = 0;
  const outcome = { mask: 0, kept: 0, random: 0 };
  let randomIdSum = 0;
  let randomSpecials = 0;
  let firstMasked = 0;
  let lastMasked = 0;
  let edgeExpected = 0;
  let edgeVariance = 0;
  for (let r = 0; r < 20000; r++) {
    const length = 3 + corpus.int(126);
    const { tokens } = randomRow(corpus, length);
    const out = mask(tokens, BERT, rng);
    const expected = Math.min(20, Math.max(1, roundHalfEven(length * 0.15)));
    assert.equal(out.count, expected, `row ${r} of length ${length}`);
    predictions += out.count;
    tokensTotal += length;
    const masked = new Set(out.positions.slice(0, out.count));
    for (let slot = 0; slot < 20; slot++) {
      if (slot >= out.count) {
        assert.deepEqual([out.positions[slot], out.labels[slot], out.weights[slot]], [0, 0, 0]);
        continue;
      }
      const position = out.positions[slot];
      assert.ok(position >= 1 && position <= length - 2, `row ${r}: position ${position} is [CLS], [SEP] or outside the row`);
      if (slot > 0) assert.ok(position > out.positions[slot - 1], `row ${r}: positions not ascending`);
      assert.equal(out.labels[slot], tokens[position]);
      assert.equal(out.weights[slot], 1);
      const now = out.tokens[position];
      if (now === MASK) outcome.mask++;
      else if (now === tokens[position]) outcome.kept++;
      else {
        outcome.random++;
        randomIdSum += now;
        if (now < 5) randomSpecials++;
        assert.ok(now >= 0 && now < V);
      }
    }
    for (let i = 0; i < length; i++) if (!masked.has(i)) assert.equal(out.tokens[i], tokens[i], `row ${r}: unmasked position ${i} changed`);
    // Each candidate is equally likely: the first and the last ones are taken with probability count / candidates.
    const p = out.count / (length - 2);
    edgeExpected += p;
    edgeVariance += p * (1 - p);
    if (masked.has(1)) firstMasked++;
    if (masked.has(length - 2)) lastMasked++;
  }
  // Predictions are 15% of all tokens up to rounding (at most ½ a token per row) and the floor of 1 on short rows.
  assert.ok(Math.abs(predictions / tokensTotal - 0.15) < 0.005, `mask fraction ${predictions / tokensTotal}`);
  // A random id can itself be [MASK] or the original token, which moves 0.1/V of the mass to those outcomes.
  assertBinomial(outcome.mask, predictions, 0.8 + 0.1 / V, 5, '[MASK]');
  assertBinomial(outcome.kept, predictions, 0.1 + 0.1 / V, 5, 'kept');
  assertBinomial(outcome.random, predictions, 0.1 * (1 - 2 / V), 5, 'random');
  // Random ids are uniform over the whole vocabulary, specials included, as the original's vocab_words.
  const meanSd = V / Math.sqrt(12 * outcome.random);
  assert.ok(Math.abs(randomIdSum / outcome.random - (V - 1) / 2) < 5 * meanSd, `mean random id ${randomIdSum / outcome.random}`);
  assertBinomial(randomSpecials, outcome.random, 4 / (V - 2), 5, 'random specials (ids 0–4 but [MASK])');
  for (const [what, observed] of [['first candidate', firstMasked], ['last candidate', lastMasked]] as const) {
    const bound = 5 * Math.sqrt(edgeVariance);
    assert.ok(Math.abs(observed - edgeExpected) < bound, `${what} masked ${observed} times, expected ${edgeExpected.toFixed(0)} ± ${bound.toFixed(0)}`);
  }
});

test('whole-word masking over 5000 random rows: every word is masked whole or not at all, at most the count', () => {
  const corpus = new Rng(21);
  const rng = new Rng(22);
  const wholeWord = { ...BERT, doWholeWordMask: true };
  let splitWithout = 0;
  let predictions = 0;
  let targets = 0;
  for (let r = 0; r < 5000; r++) {
    const length = 3 + corpus.int(126);
    const { tokens, wordOf } = randomRow(corpus, length);
    const target = Math.min(20, Math.max(1, roundHalfEven(length * 0.15)));
    const splitWords = (out: Masked): number => {
      const taken = new Map<number, number>();
      for (const position of out.positions.slice(0, out.count)) taken.set(wordOf[position], (taken.get(wordOf[position]) ?? 0) + 1);
      return [...taken].filter(([word, n]) => n !== wordOf.filter((w) => w === word).length).length;
    };
    const out = mask(tokens, wholeWord, rng);
    assert.equal(splitWords(out), 0, `row ${r}: a word was masked in part`);
    // As in the original, a row whose every word is longer than the count left gets fewer predictions, even none.
    assert.ok(out.count <= target, `row ${r}: ${out.count} predictions for a target of ${target}`);
    predictions += out.count;
    targets += target;
    splitWithout += splitWords(mask(tokens, BERT, rng));
  }
  // The check can fail: without whole-word masking many words are masked in part.
  assert.ok(splitWithout > 1000, `only ${splitWithout} words split without whole-word masking`);
  // Skipping words that do not fit loses little: well over 90% of the target count is still predicted.
  assert.ok(predictions / targets > 0.9, `whole-word masking predicts ${predictions / targets} of the target count`);
});

test('maskingVocab reads the special ids and "##" pieces of a vocab.txt', () => {
  const vocab = loadVocab(fixtureVocab.uncased);
  const ids = maskingVocab(vocab);
  assert.deepEqual([ids.clsId, ids.sepId, ids.maskId, ids.size], [2, 3, 4, 35]);
  assert.equal(ids.isContinuation[vocab.tokenToId.get('##s') ?? -1], 1);
  assert.equal(ids.isContinuation[vocab.tokenToId.get('s') ?? -1], 0);
  assert.equal(ids.isContinuation[vocab.tokenToId.get('#') ?? -1], 0);
  assert.equal(ids.isContinuation.length, 35);
  assert.deepEqual(vocab.idToToken.filter((_, id) => ids.isContinuation[id] === 1), ['##s', '##ing']);
});

test('maskingVocab: a vocabulary without [MASK] is a BamError naming it', () => {
  const tokenizer = tinyTokenizer(['hello']);
  const { tokenToId, idToToken } = tokenizer.vocab;
  const withoutMask = { tokenToId: new Map([...tokenToId].filter(([token]) => token !== '[MASK]')), idToToken, source: 'no-mask/vocab.txt' };
  assertBamError(() => maskingVocab(withoutMask), 'no-mask/vocab.txt', '[MASK]');
});
