import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { encodeExample, FullTokenizer, type EncodedInput } from '../../src/tokenization/index.js';
import { sharedData } from '../shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'bam-encode-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 a=4 b=5 c=6 d=7 e=8
const tinyVocabPath = join(dir, 'vocab.txt');
writeFileSync(tinyVocabPath, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'b', 'c', 'd', 'e'].join('\n') + '\n');
const tiny = FullTokenizer.fromVocabFile(tinyVocabPath, true);

function plain(encoded: EncodedInput) {
  return {
    tokens: encoded.tokens,
    length: encoded.length,
    inputIds: Array.from(encoded.inputIds),
    segmentIds: Array.from(encoded.segmentIds),
    inputMask: Array.from(encoded.inputMask),
  };
}

test('single text: [CLS] a [SEP], segment 0, mask on real tokens, zero padding', () => {
  assert.deepEqual(plain(encodeExample(tiny, 'A b C', null, 8)), {
    tokens: ['[CLS]', 'a', 'b', 'c', '[SEP]'],
    length: 5,
    inputIds: [2, 4, 5, 6, 3, 0, 0, 0],
    segmentIds: [0, 0, 0, 0, 0, 0, 0, 0],
    inputMask: [1, 1, 1, 1, 1, 0, 0, 0],
  });
});

test('single text is cut to max_seq_length - 2 tokens from the end', () => {
  assert.deepEqual(plain(encodeExample(tiny, 'a b c d e', undefined, 5)), {
    tokens: ['[CLS]', 'a', 'b', 'c', '[SEP]'],
    length: 5,
    inputIds: [2, 4, 5, 6, 3],
    segmentIds: [0, 0, 0, 0, 0],
    inputMask: [1, 1, 1, 1, 1],
  });
  assert.deepEqual(encodeExample(tiny, 'a b', null, 2).tokens, ['[CLS]', '[SEP]']);
});

test('pair: [CLS] a [SEP] b [SEP], segment 1 from b through the final [SEP]', () => {
  assert.deepEqual(plain(encodeExample(tiny, 'a b', 'c d', 10)), {
    tokens: ['[CLS]', 'a', 'b', '[SEP]', 'c', 'd', '[SEP]'],
    length: 7,
    inputIds: [2, 4, 5, 3, 6, 7, 3, 0, 0, 0],
    segmentIds: [0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
    inputMask: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
  });
});

test('pair truncation pops the last token of the longer text, of b on ties', () => {
  // Budget 8 - 3 = 5 for a (5 tokens) + b (2): a loses its last two.
  assert.deepEqual(encodeExample(tiny, 'a b c d e', 'e d', 8).tokens, ['[CLS]', 'a', 'b', 'c', '[SEP]', 'e', 'd', '[SEP]']);
  // b longer: b loses its last tokens.
  assert.deepEqual(encodeExample(tiny, 'e', 'a b c d', 6).tokens, ['[CLS]', 'e', '[SEP]', 'a', 'b', '[SEP]']);
  // Budget 6 - 3 = 3 for 2 + 2: the tie pops b.
  const tie = encodeExample(tiny, 'a b', 'c d', 6);
  assert.deepEqual(tie.tokens, ['[CLS]', 'a', 'b', '[SEP]', 'c', '[SEP]']);
  assert.deepEqual(Array.from(tie.segmentIds), [0, 0, 0, 0, 1, 1]);
  // Budget 4 for 3 + 3: the tie pops b (drops a), then a is longer and loses c.
  assert.deepEqual(encodeExample(tiny, 'a b c', 'd e a', 7).tokens, ['[CLS]', 'a', 'b', '[SEP]', 'd', 'e', '[SEP]']);
});

test('text_b counts only when it is non-empty and yields tokens, as in the reference', () => {
  const single = plain(encodeExample(tiny, 'a b', null, 5));
  assert.deepEqual(plain(encodeExample(tiny, 'a b', '', 5)), single);
  assert.deepEqual(plain(encodeExample(tiny, 'a b', ' \t', 5)), single);
  // Budget 4 - 3 = 1 for a (1) + b (1): the tie empties b, and the reference then writes no second [SEP].
  assert.deepEqual(plain(encodeExample(tiny, 'a', 'b', 4)), {
    tokens: ['[CLS]', 'a', '[SEP]'],
    length: 3,
    inputIds: [2, 4, 3, 0],
    segmentIds: [0, 0, 0, 0],
    inputMask: [1, 1, 1, 0],
  });
});

test('unknown words encode as [UNK]', () => {
  assert.deepEqual(Array.from(encodeExample(tiny, 'a zebra', null, 4).inputIds), [2, 4, 1, 3]);
});

test('max_seq_length too small for the layout is a BamError', () => {
  assert.throws(() => encodeExample(tiny, 'a', 'b', 2), (e: unknown) => e instanceof BamError && /at least 3/.test(e.message));
  assert.throws(() => encodeExample(tiny, 'a', null, 1), (e: unknown) => e instanceof BamError && /at least 2/.test(e.message));
  assert.throws(() => encodeExample(tiny, 'a', null, 4.5), BamError);
});

const forward = sharedData('goldens', 'hf-tiny-random', 'forward.json');
const uncasedVocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

interface ForwardGolden {
  max_length: number;
  pairs: [string, string][];
  tokens: string[][];
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
}

test('RTE pairs encode to the Hugging Face golden ids, segments and mask', { skip: forward.skip || uncasedVocab.skip }, () => {
  const golden = JSON.parse(readFileSync(forward.path, 'utf8')) as ForwardGolden;
  const tokenizer = FullTokenizer.fromVocabFile(uncasedVocab.path, true);
  assert.equal(golden.pairs.length, 8);
  golden.pairs.forEach(([textA, textB], i) => {
    const encoded = encodeExample(tokenizer, textA, textB, golden.max_length);
    const realCount = golden.attention_mask[i]!.filter((m) => m === 1).length;
    assert.deepEqual(encoded.tokens, golden.tokens[i]!.slice(0, realCount), `pair ${i} tokens`);
    assert.deepEqual(Array.from(encoded.inputIds), golden.input_ids[i], `pair ${i} input ids`);
    assert.deepEqual(Array.from(encoded.segmentIds), golden.token_type_ids[i], `pair ${i} segment ids`);
    assert.deepEqual(Array.from(encoded.inputMask), golden.attention_mask[i], `pair ${i} mask`);
  });
});
