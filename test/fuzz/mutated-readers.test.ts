import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSafetensors, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { openTfCheckpoint } from '../../src/checkpoint/tf/tensor-bundle.js';
import { checkHparam, HPARAM_KEYS } from '../../src/config/hparams.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { featurize } from '../../src/data/featurize.js';
import { getTask } from '../../src/data/tasks.js';
import { BamError } from '../../src/errors.js';
import { parseRunArgs } from '../../src/cli/run-args.js';
import { buildPredictionFile } from '../../src/run/prediction-files.js';
import { loadTeacherTargets } from '../../src/run/teacher-targets.js';
import { BasicTokenizer, FullTokenizer } from '../../src/tokenization/index.js';
import { vocabFromTokens } from '../../src/tokenization/vocab.js';
import { Rng } from '../../src/util/rng.js';
import { writeBundle } from '../checkpoint/bundle-fixture.js';
import { classify, mutate, mutateText, newTally, type Tally } from './mutate.js';

/**
 * A seeded mutation campaign over the readers of untrusted files, bounded to a few seconds. Corpus (one valid seed
 * input per reader, built here) and inputs tried (each 1-3 havoc mutations of the seed, see mutate.ts):
 *   TF checkpoint   .index (Snappy and plain SSTable blocks) of a 4-tensor bundle, and its data file   3,000
 *   safetensors     a 3-tensor file with metadata                                                        2,000
 *   GLUE TSV        17 RTE-layout rows, read as train and featurized with a 30-token vocab               2,000
 *   hparams JSON    the `bam run` JSON argument, as text (2,000) and as values swapped into keys (1,500)  3,500
 *   teacher files   an RTE train prediction file, as text (1,500) and as fields (500)                     2,000
 * 12,500 inputs in all. Every outcome must be a correct read or a one-line BamError: never another exception, and no
 * allocation driven by a length field (the buffers held after a read stay under 256 MiB). The last assertion is the
 * count of uncontrolled outcomes: zero.
 */

const SEED = 20261201;
const isBamError = (e: unknown): boolean => e instanceof BamError;
const root = mkdtempSync(join(tmpdir(), 'bam-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

function report(t: { diagnostic: (m: string) => void }, name: string, tally: Tally, tried: number): void {
  t.diagnostic(`${name}: ${tried} inputs, ${tally.read} read, ${tally.refused} refused with a BamError, ${tally.uncontrolled.length} uncontrolled`);
  assert.equal(tally.read + tally.refused + tally.uncontrolled.length >= tried, true);
  assert.deepEqual(tally.uncontrolled.slice(0, 5), [], `${name}: uncontrolled outcomes`);
  // Both kinds occur, so the campaign reaches past the first check and the readers do refuse.
  assert.ok(tally.read > 0 && tally.refused > 0, `${name}: ${tally.read} read, ${tally.refused} refused`);
}

test('TensorFlow checkpoint reader: mutated .index and data files', (t) => {
  const dir = join(root, 'tf');
  mkdirSync(dir);
  const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
  const tensors = [
    { key: 'bert/embeddings/word_embeddings', dtype: 1, shape: [2, 3], bytes: f32([1, 2, 3, 4, 5, 6]) },
    { key: 'bert/pooler/dense/bias', dtype: 1, shape: [3], bytes: f32([0.5, -0.5, 2]) },
    { key: 'global_step', dtype: 9, shape: [], bytes: new Uint8Array(new BigInt64Array([7n]).buffer) },
    { key: 'output_weights', dtype: 2, shape: [2], bytes: new Uint8Array(Float64Array.from([1.5, -2]).buffer) },
  ];
  const tally = newTally();
  const rng = new Rng(SEED);
  let tried = 0;
  for (const snappy of [true, false]) {
    const prefix = join(dir, snappy ? 'snappy' : 'plain');
    writeBundle(prefix, tensors, { snappy, entriesPerBlock: 2, restartInterval: 1 });
    const index = readFileSync(`${prefix}.index`);
    const data = readFileSync(`${prefix}.data-00000-of-00001`);
    const expected = new Map(tensors.map((x) => [x.key, Buffer.from(x.bytes)]));
    for (let i = 0; i < 1500; i++, tried++) {
      const mutatesIndex = i % 3 !== 2;
      const prefixI = join(dir, `case`);
      writeFileSync(`${prefixI}.index`, mutatesIndex ? mutate(index, rng) : index);
      writeFileSync(`${prefixI}.data-00000-of-00001`, mutatesIndex ? data : mutate(data, rng));
      classify(tally, `tf ${snappy ? 'snappy' : 'plain'} #${i}`, () => {
        const ckpt = openTfCheckpoint(prefixI);
        try {
          for (const info of ckpt.list()) {
            const value = ckpt.read(info.name);
            // Blocks and tensors are checksummed: what reads is what was written.
            const want = expected.get(info.name);
            const array = value.data as Uint8Array;
            const got = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
            if (want !== undefined && !got.equals(want)) throw new Error(`tensor ${info.name} read with other bytes`);
          }
        } finally {
          ckpt.close();
        }
      }, isBamError);
    }
  }
  report(t, 'TF checkpoint', tally, tried);
});

test('safetensors reader: mutated files', (t) => {
  const path = join(root, 'seed.safetensors');
  writeSafetensors(path, [
    { name: 'bert.embeddings.word_embeddings.weight', shape: [4, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    { name: 'bert.pooler.dense.bias', shape: [2], data: Float32Array.from([0.25, -1]) },
    { name: 'classifier.weight', shape: [1, 2], data: Float32Array.from([3, 4]) },
  ], { format: 'pt' });
  const seed = readFileSync(path);
  const tally = newTally();
  const rng = new Rng(SEED + 1);
  const mutated = join(root, 'case.safetensors');
  for (let i = 0; i < 2000; i++) {
    writeFileSync(mutated, mutate(seed, rng));
    classify(tally, `safetensors #${i}`, () => {
      const file = openSafetensors(mutated);
      try {
        for (const info of file.list()) {
          const value = file.readFloat32(info.name);
          if (value.length !== info.shape.reduce((a, b) => a * b, 1)) throw new Error(`${info.name}: ${value.length} values for shape ${info.shape}`);
        }
      } finally {
        file.close();
      }
    }, isBamError);
  }
  report(t, 'safetensors', tally, 2000);
});

const WORDS = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'home', 'never', 'people', 'city', '.', ',', '!'];
const VOCAB = vocabFromTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS, '##s', '##ed', 'is', 'not'], 'fuzz-vocab');

test('GLUE TSV parsing and featurize: mutated RTE files', (t) => {
  const rows = Array.from({ length: 16 }, (_, i) => `${i}\t${WORDS.slice(i % 5, 5 + (i % 7)).join(' ')}\t${WORDS.slice(2, 4 + (i % 4)).join(' ')}\t${i % 2 ? 'entailment' : 'not_entailment'}`);
  const seed = ['index\tsentence1\tsentence2\tlabel', ...rows].join('\n') + '\n';
  const dir = join(root, 'glue', 'rte');
  mkdirSync(dir, { recursive: true });
  const task = getTask('rte');
  const tokenizer = new FullTokenizer(VOCAB, true);
  const tally = newTally();
  const rng = new Rng(SEED + 2);
  for (let i = 0; i < 2000; i++) {
    writeFileSync(join(dir, 'train.tsv'), mutate(Buffer.from(seed), rng));
    classify(tally, `tsv #${i}`, () => {
      const examples = task.getExamples(dir, 'train', { maxLines: i % 2 ? 10 : undefined, multiple: 1, doubleUnordered: true });
      const data = featurize(examples, ['rte'], tokenizer, 24);
      if (data.inputIds.some((id) => id < 0 || id >= VOCAB.idToToken.length)) throw new Error('a token id outside the vocabulary');
      if (examples.some((e) => !['entailment', 'not_entailment'].includes(String(e.label)))) throw new Error('a label outside the label list');
    }, isBamError);
  }
  report(t, 'GLUE TSV', tally, 2000);
});

/** Values a user may put in any hparam: types, boundaries, and the ones that once broke runs. */
const HPARAM_VALUES: unknown[] = [
  0, -1, 1, 0.1, 1e300, -1e300, 5000, 2 ** 31, 2 ** 53, 2.5, '', 'rte', '32', null, true, false, [], ['rte'], ['rte', 'rte'],
  ['nope'], {}, { rte: 'x' }, { rte: '../x' }, 'a\nb', 'x'.repeat(300), { rte: 1 },
];

test('hparams JSON: mutated argument text, and every hparam given odd values', (t) => {
  const seed = JSON.stringify({
    debug: true, task_names: ['rte', 'mrpc'], learning_rate: 2e-5, distill: true, teachers: { rte: 'rte-model', mrpc: 'mrpc-model' },
    num_train_epochs: 3, train_batch_size: 16, task_weight_exponent: 0.75, num_threads: 2,
  });
  const tally = newTally();
  const rng = new Rng(SEED + 3);
  const resolveArgument = (text: string): void => {
    const { modelName, bamDir, user } = parseRunArgs(['m', '/bam', text]);
    const config = resolveConfig(modelName, bamDir, user);
    for (const key of HPARAM_KEYS) if (key !== 'model_name' || config.model_name !== '') checkHparam(key, config[key]);
  };
  for (let i = 0; i < 2000; i++) classify(tally, `hparams text #${i}`, () => resolveArgument(mutateText(seed, rng)), isBamError);
  for (let i = 0; i < 1500; i++) {
    const user = JSON.parse(seed) as Record<string, unknown>;
    const key = i % 7 === 0 ? `${HPARAM_KEYS[rng.int(HPARAM_KEYS.length)]}x` : HPARAM_KEYS[rng.int(HPARAM_KEYS.length)];
    user[key] = HPARAM_VALUES[rng.int(HPARAM_VALUES.length)];
    classify(tally, `hparams ${key}=${JSON.stringify(user[key])}`, () => resolveArgument(JSON.stringify(user)), isBamError);
  }
  report(t, 'hparams', tally, 3500);
});

test('teacher prediction files: mutated text and fields', (t) => {
  const bamDir = join(root, 'bam');
  const task = getTask('rte');
  const tokenizer = new FullTokenizer(VOCAB, true);
  const examples = Array.from({ length: 12 }, (_, eid) => ({ eid, task: 'rte', split: 'train', textA: 'the cat', textB: 'a dog', label: 'entailment' }));
  const data = featurize(examples, ['rte'], tokenizer, 16);
  const config = resolveConfig('student', bamDir, { task_names: ['rte'], distill: true, teachers: { rte: 'teacher' } });
  const outputs = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
  const seedFile = buildPredictionFile('teacher', 1, task, 'train', data.eids, outputs, 2, { doubleUnordered: true, maxLines: null });
  const seed = JSON.stringify(seedFile);
  const path = config.distill_inputs('rte');
  mkdirSync(join(path, '..'), { recursive: true });
  const tally = newTally();
  const rng = new Rng(SEED + 4);
  const load = (): void => {
    const targets = loadTeacherTargets(config, [task], data, 2);
    if (!targets.logits.every(Number.isFinite)) throw new Error('a teacher target is not finite');
  };
  for (let i = 0; i < 1500; i++) {
    writeFileSync(path, mutateText(seed, rng));
    classify(tally, `teacher text #${i}`, load, isBamError);
  }
  const fields = Object.keys(seedFile);
  for (let i = 0; i < 500; i++) {
    const file = JSON.parse(seed) as Record<string, unknown>;
    const values: unknown[] = [...HPARAM_VALUES, 1e39, [1e39, 0], 'ab', { '01': [0, 0] }, { '': [0, 0] }, { '0x1': [0, 0] }];
    if (i % 2 === 0) file[fields[rng.int(fields.length)]] = values[rng.int(values.length)];
    else (file.predictions as Record<string, unknown>)[String(rng.int(14))] = values[rng.int(values.length)];
    writeFileSync(path, JSON.stringify(file));
    classify(tally, `teacher fields #${i}`, load, isBamError);
  }
  report(t, 'teacher files', tally, 2000);
});

test('the BasicTokenizer takes one word of 130,000 punctuation characters (it overflowed the stack)', () => {
  const tokens = new BasicTokenizer(true).tokenize('!'.repeat(130_000));
  assert.equal(tokens.length, 130_000);
  assert.ok(tokens.every((x) => x === '!'));
});
