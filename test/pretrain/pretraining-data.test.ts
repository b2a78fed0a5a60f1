import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PretrainingData, type MaskedInstances } from '../../src/pretrain/pretraining-data.js';
import { parseTextDocuments } from '../../src/pretrain/text-documents.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { CLS, MASK, SEP, syntheticText, syntheticWords, tinyTokenizer } from './pretrain-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bam-pretraining-data-'));
after(() => rmSync(root, { recursive: true, force: true }));

const WORDS = 300;
const tokenizer = tinyTokenizer(syntheticWords(WORDS));
const wordId = (i: number): number => 5 + i;
const files = [join(root, 'a.txt'), join(root, 'b.txt')];
writeFileSync(files[0], syntheticText(1, 30, WORDS));
writeFileSync(files[1], syntheticText(2, 10, WORDS));
const options = { maxSeqLength: 32, maxPredictionsPerSeq: 6, heldoutFraction: 0.1, seed: 7 };

/** Row i of an epoch with its masked positions put back: the packed tokens. */
function unmasked(data: MaskedInstances, i: number): number[] {
  const { seqLength: L, maxPredictions: P } = data;
  const row = [...data.inputIds.subarray(i * L, i * L + L)];
  for (let k = 0; k < P; k++) if (data.maskedWeights[i * P + k] === 1) row[data.maskedPositions[i * P + k]] = data.maskedIds[i * P + k];
  return row;
}

function assertWellFormed(data: MaskedInstances): void {
  const { n, seqLength: L, maxPredictions: P } = data;
  for (let i = 0; i < n; i++) {
    const len = data.lengths[i];
    assert.ok(len >= 3 && len <= L);
    const row = unmasked(data, i);
    assert.equal(row[0], CLS);
    assert.equal(row[len - 1], SEP);
    assert.ok(row.slice(1, len - 1).every((token) => token !== CLS && token !== SEP && token !== MASK));
    assert.ok(row.slice(len).every((token) => token === 0));
    assert.deepEqual([...data.inputMask.subarray(i * L, i * L + L)], row.map((_, j) => (j < len ? 1 : 0)));
    const weights = [...data.maskedWeights.subarray(i * P, i * P + P)];
    const count = weights.filter((w) => w === 1).length;
    assert.deepEqual(weights, weights.map((_, k) => (k < count ? 1 : 0)));
    assert.ok(count >= 1);
  }
}

test('same files and seed give identical arrays: packing, every epoch\'s masks and the held-out split', () => {
  const first = PretrainingData.fromTextFiles(files, tokenizer, options);
  const second = PretrainingData.fromTextFiles(files, tokenizer, options);
  assert.deepEqual(second.train, first.train);
  assert.deepEqual(second.heldout, first.heldout);
  assert.deepEqual(second.maskEpoch(3), first.maskEpoch(3));
  assert.deepEqual(second.maskEpoch(0), first.maskEpoch(0));
  assert.ok(first.train.n > 40, `only ${first.train.n} instances`);
});

test('masks are drawn afresh every epoch over the same packed instances', () => {
  const data = PretrainingData.fromTextFiles(files, tokenizer, options);
  const epochs = [0, 1, 2].map((epoch) => data.maskEpoch(epoch));
  for (const epoch of epochs) {
    assertWellFormed(epoch);
    assert.deepEqual(epoch.lengths, data.train.lengths);
    for (let i = 0; i < data.train.n; i++) {
      assert.deepEqual(unmasked(epoch, i), [...data.train.tokenIds.subarray(i * 32, i * 32 + 32)]);
    }
  }
  const samePositions = (a: MaskedInstances, b: MaskedInstances): number =>
    Array.from({ length: a.n }, (_, i) => i).filter((i) =>
      a.maskedPositions.subarray(i * 6, i * 6 + 6).every((p, k) => p === b.maskedPositions[i * 6 + k]),
    ).length;
  // Rows of 1 prediction among ~15 candidates repeat by chance; most rows must differ.
  assert.ok(samePositions(epochs[0], epochs[1]) < data.train.n / 4, `${samePositions(epochs[0], epochs[1])} of ${data.train.n} rows repeat`);
  assert.ok(samePositions(epochs[1], epochs[2]) < data.train.n / 4);
  assert.notDeepEqual(epochs[0].inputIds, epochs[1].inputIds);
});

test('another seed packs and masks differently, but holds out the same instances with the same masks', () => {
  const seven = PretrainingData.fromTextFiles(files, tokenizer, { ...options, shortSeqProb: 0.5 });
  const eight = PretrainingData.fromTextFiles(files, tokenizer, { ...options, shortSeqProb: 0.5, seed: 8 });
  assert.notDeepEqual(eight.train, seven.train);
  assert.deepEqual(eight.heldout, seven.heldout);
  assert.ok(seven.heldout.n > 0);
});

test('the held-out split is the last round(fraction · documents) documents, masked once', () => {
  // 36 synthetic documents, then 4 of marker words only: at 0.1 of 40 documents, exactly the 4 marker documents
  // are held out. Each packs whole into one instance (3 tokens, no short target needed: short_seq_prob 0).
  const markers = ['held0', 'held1', 'held2', 'held3'];
  const text = syntheticText(3, 36, WORDS) + markers.map((m) => `${m} ${m}\n${m}\n\n`).join('');
  const heldTokenizer = tinyTokenizer([...syntheticWords(WORDS), ...markers]);
  const markerIds = markers.map((_, k) => 5 + WORDS + 1 + k);
  const documents = parseTextDocuments(text, heldTokenizer, 'held.txt');
  const data = new PretrainingData(documents, heldTokenizer, { ...options, shortSeqProb: 0 });
  assert.deepEqual([data.trainDocuments, data.heldoutDocuments], [36, 4]);
  assertWellFormed(data.heldout);
  assert.deepEqual(
    Array.from({ length: data.heldout.n }, (_, i) => unmasked(data.heldout, i).slice(0, data.heldout.lengths[i])),
    markerIds.map((m) => [CLS, m, m, m, SEP]),
  );
  const trainTokens = new Set(data.train.tokenIds);
  assert.ok(markerIds.every((m) => !trainTokens.has(m)), 'held-out text leaked into training');
  assert.ok(trainTokens.has(wordId(35)));
  assert.equal(data.maskEpoch(0).n, data.train.n);

  const none = new PretrainingData(documents, heldTokenizer, { ...options, heldoutFraction: 0 });
  assert.deepEqual([none.trainDocuments, none.heldoutDocuments, none.heldout.n], [40, 0, 0]);
  // At least one document is held out, and at least one is kept for training.
  assert.equal(new PretrainingData(documents, heldTokenizer, { ...options, heldoutFraction: 0.001 }).heldoutDocuments, 1);
  assert.equal(new PretrainingData(documents, heldTokenizer, { ...options, heldoutFraction: 0.999 }).heldoutDocuments, 39);
});

test('bad options and a one-document corpus with a held-out split are BamErrors naming the setting and the fix', () => {
  const documents = parseTextDocuments(syntheticText(4, 3, WORDS), tokenizer, 'x.txt');
  const build = (extra: object) => () => new PretrainingData(documents, tokenizer, { ...options, ...extra });
  assertBamError(build({ maxSeqLength: 3 }), 'max_seq_length 3', 'at least 4');
  assertBamError(build({ maxSeqLength: 12.5 }), 'max_seq_length 12.5');
  assertBamError(build({ maxPredictionsPerSeq: 0 }), 'max_predictions_per_seq 0');
  assertBamError(build({ maskedLmProb: 0 }), 'masked_lm_prob 0', '(0, 1]');
  assertBamError(build({ shortSeqProb: 1.5 }), 'short_seq_prob 1.5');
  assertBamError(build({ heldoutFraction: 1 }), 'heldout_fraction 1', '[0, 1)');
  assertBamError(build({ seed: -1 }), 'seed -1');
  assertBamError(() => new PretrainingData(documents.slice(0, 1), tokenizer, options), 'one document', 'heldout_fraction to 0');
  assertBamError(() => new PretrainingData([], tokenizer, options), 'no pretraining documents');
});
