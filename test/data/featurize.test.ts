import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Example } from '../../src/data/example.js';
import { featurize, type FeaturizedDataset } from '../../src/data/featurize.js';
import { FullTokenizer } from '../../src/tokenization/index.js';
import { fixtureVocab } from '../fixture-vocab.js';

const tokenizer = FullTokenizer.fromVocabFile(fixtureVocab.uncased, true);

function idOf(token: string): number {
  const id = tokenizer.vocab.tokenToId.get(token);
  assert.ok(id !== undefined, `${token} is not in the fixture vocab`);
  return id;
}

function example(task: string, eid: number, textA: string, textB: string | null, label: string | number): Example {
  return { eid, task, split: 'train', textA, textB, label };
}

function row(array: Int32Array | Float32Array, dataset: FeaturizedDataset, i: number): number[] {
  return Array.from(array.subarray(i * dataset.maxSeqLength, (i + 1) * dataset.maxSeqLength));
}

const ids = (words: string[]): number[] => words.map(idOf);
const padded = (values: number[], length: number): number[] => [...values, ...new Array<number>(length - values.length).fill(0)];

test('pairs, singles, task ids, labels and regression targets', () => {
  const examples = [
    example('rte', 7, 'The cat sat.', 'A dog ran.', 'not_entailment'),
    example('sts', 3, 'The cat.', 'A dog.', 3.8),
    example('cola', 0, 'The dog ran.', null, '1'),
  ];
  const data = featurize(examples, ['sts', 'rte', 'cola'], tokenizer, 16);
  assert.equal(data.n, 3);
  assert.equal(data.maxSeqLength, 16);
  assert.equal(data.inputIds.length, 48);

  const pair = ['[CLS]', 'the', 'cat', 'sat', '.', '[SEP]', 'a', 'dog', 'ran', '.', '[SEP]'];
  assert.deepEqual(row(data.inputIds, data, 0), padded(ids(pair), 16));
  assert.deepEqual(row(data.segmentIds, data, 0), padded([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 16));
  assert.deepEqual(row(data.inputMask, data, 0), padded(new Array<number>(11).fill(1), 16));

  assert.deepEqual(row(data.inputIds, data, 1), padded(ids(['[CLS]', 'the', 'cat', '.', '[SEP]', 'a', 'dog', '.', '[SEP]']), 16));
  assert.deepEqual(row(data.inputIds, data, 2), padded(ids(['[CLS]', 'the', 'dog', 'ran', '.', '[SEP]']), 16));
  assert.deepEqual(row(data.segmentIds, data, 2), new Array<number>(16).fill(0));

  assert.deepEqual(Array.from(data.taskIds), [1, 0, 2]);
  assert.deepEqual(Array.from(data.eids), [7, 3, 0]);
  assert.deepEqual(Array.from(data.labelIds), [1, -1, 1]);
  assert.deepEqual(Array.from(data.regressionTargets), [0, Math.fround(3.8 / 5), 0]);
  assert.deepEqual(data.tasks, ['rte', 'sts', 'cola']);
});

test('pair truncation pops from the longer side, from b on ties', () => {
  // max 8: 5 + 2 tokens must fit in 8 - 3 = 5, so a loses "four" and "five".
  const longer = featurize([example('rte', 0, 'one two three four five', 'six seven', 'entailment')], ['rte'], tokenizer, 8);
  assert.deepEqual(row(longer.inputIds, longer, 0), ids(['[CLS]', 'one', 'two', 'three', '[SEP]', 'six', 'seven', '[SEP]']));
  // max 7: 3 + 3 into 4; equal lengths pop b first, then a is longer.
  const tie = featurize([example('rte', 0, 'one two three', 'four five six', 'entailment')], ['rte'], tokenizer, 7);
  assert.deepEqual(row(tie.inputIds, tie, 0), ids(['[CLS]', 'one', 'two', '[SEP]', 'four', 'five', '[SEP]']));
  assert.deepEqual(row(tie.segmentIds, tie, 0), [0, 0, 0, 0, 1, 1, 1]);
});

test('single sentences keep max - 2 tokens; an empty text_b counts as none', () => {
  const data = featurize(
    [example('cola', 0, 'one two three four five', null, '0'), example('mrpc', 1, 'one two', '', '1')],
    ['cola', 'mrpc'],
    tokenizer,
    5,
  );
  assert.deepEqual(row(data.inputIds, data, 0), ids(['[CLS]', 'one', 'two', 'three', '[SEP]']));
  assert.deepEqual(row(data.inputIds, data, 1), padded(ids(['[CLS]', 'one', 'two', '[SEP]']), 5));
  assert.deepEqual(row(data.inputMask, data, 1), [1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(data.labelIds), [0, 1]);
});

test('an example whose task is not being trained is rejected', () => {
  assert.throws(() => featurize([example('rte', 0, 'a', 'b', 'entailment')], ['mrpc'], tokenizer, 8), /not in the task list mrpc/);
});

test('no examples give empty arrays', () => {
  const data = featurize([], ['rte'], tokenizer, 8);
  assert.equal(data.n, 0);
  assert.equal(data.inputIds.length, 0);
  assert.deepEqual(data.tasks, []);
});
