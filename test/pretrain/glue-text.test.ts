import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTsv } from '../../src/data/tsv.js';
import { glueTrainText } from '../../src/pretrain/glue-text.js';
import { parseTextDocuments } from '../../src/pretrain/text-documents.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { sharedData } from '../shared-data.js';
import { tinyTokenizer } from './pretrain-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bam-glue-text-'));
after(() => rmSync(root, { recursive: true, force: true }));

const tsv = (...rows: string[][]): string => rows.map((row) => row.join('\t')).join('\n') + '\n';

/**
 * A bam-style glue_data folder with every task's official column layout. Train sentences say which task and row
 * they come from; dev and test rows carry "devmarker" / "testmarker", which must never reach the pretraining text.
 * MRPC repeats a sentence across rows and STS-B repeats one of MRPC's; an RTE row has an empty second sentence.
 */
function writeGlue(dir: string): void {
  const files: Record<string, string> = {
    'cola/train.tsv': tsv(['src', '1', '', 'cola train one .'], ['src', '0', '*', 'cola train two .'], ['src', '1', '', 'cola train three .'], ['src', '1', '', 'cola train four .']),
    'cola/dev.tsv': tsv(['src', '1', '', 'cola devmarker .']),
    'cola/test.tsv': tsv(['index', 'sentence'], ['0', 'cola testmarker .']),
    'sst/train.tsv': tsv(['sentence', 'label'], ['sst train one', '1']),
    'sst/dev.tsv': tsv(['sentence', 'label'], ['sst devmarker', '0']),
    'sst/test.tsv': tsv(['index', 'sentence'], ['0', 'sst testmarker']),
    'mrpc/train.tsv': tsv(
      ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'],
      ['1', '1', '2', 'shared news sentence .', 'mrpc train b1 .'],
      ['0', '3', '4', 'mrpc train a2 .', 'shared news sentence .'],
    ),
    'mrpc/dev.tsv': tsv(['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'], ['1', '5', '6', 'mrpc devmarker a', 'mrpc devmarker b']),
    'mrpc/test.tsv': tsv(['index', '#1 ID', '#2 ID', '#1 String', '#2 String'], ['0', '7', '8', 'mrpc testmarker a', 'mrpc testmarker b']),
    'sts/train.tsv': tsv(['index', 'genre', 'sentence1', 'sentence2', 'score'], ['0', 'news', 'shared news sentence .', 'sts train b1 .', '3.2']),
    'sts/dev.tsv': tsv(['index', 'genre', 'sentence1', 'sentence2', 'score'], ['0', 'news', 'sts devmarker a', 'sts devmarker b', '1']),
    'sts/test.tsv': tsv(['index', 'genre', 'sentence1', 'sentence2'], ['0', 'news', 'sts testmarker a', 'sts testmarker b']),
    'rte/train.tsv': tsv(
      ['index', 'sentence1', 'sentence2', 'label'],
      ['0', 'rte train a1 .', 'rte train b1 .', 'entailment'],
      ['1', 'rte train a2 .', 'rte train b2 .', 'not_entailment'],
      ['2', 'rte train a3 .', ' ', 'entailment'],
      ['3', 'rte train a4 .', 'rte train b4 .', 'entailment'],
    ),
    'rte/dev.tsv': tsv(['index', 'sentence1', 'sentence2', 'label'], ['0', 'rte devmarker a', 'rte devmarker b', 'entailment']),
    'rte/test.tsv': tsv(['index', 'sentence1', 'sentence2'], ['0', 'rte testmarker a', 'rte testmarker b']),
    'wnli/train.tsv': tsv(['index', 'sentence1', 'sentence2', 'label'], ['0', 'wnli train a1 .', 'wnli train b1 .', '1']),
    'wnli/dev.tsv': tsv(['index', 'sentence1', 'sentence2', 'label'], ['0', 'wnli devmarker a', 'wnli devmarker b', '0']),
    'wnli/test.tsv': tsv(['index', 'sentence1', 'sentence2'], ['0', 'wnli testmarker a', 'wnli testmarker b']),
    'qnli/train.tsv': tsv(['index', 'question', 'sentence', 'label'], ['0', 'qnli train question ?', 'qnli train answer .', 'entailment']),
    'qnli/dev.tsv': tsv(['index', 'question', 'sentence', 'label'], ['0', 'qnli devmarker ?', 'qnli devmarker .', 'entailment']),
    'qnli/test.tsv': tsv(['index', 'question', 'sentence'], ['0', 'qnli testmarker ?', 'qnli testmarker .']),
    'qqp/train.tsv': tsv(['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'], ['0', '1', '2', 'qqp train q1 ?', 'qqp train q2 ?', '0']),
    'qqp/dev.tsv': tsv(['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'], ['0', '1', '2', 'qqp devmarker ?', 'qqp devmarker !', '1']),
    'qqp/test.tsv': tsv(['id', 'question1', 'question2'], ['0', 'qqp testmarker ?', 'qqp testmarker !']),
  };
  const mnliRow = (a: string, b: string, label: string | null): string[] => [
    ...['0', '1', '2', 'genre', '(a)', '(b)', '(A)', '(B)', a, b],
    ...(label === null ? [] : [label]),
  ];
  const mnliHeader = ['index', 'promptID', 'pairID', 'genre', 'p1', 'p2', 'P1', 'P2', 'sentence1', 'sentence2', 'gold_label'];
  files['mnli/train.tsv'] = tsv(mnliHeader, mnliRow('mnli train premise .', 'mnli train hypothesis .', 'neutral'));
  for (const split of ['dev_matched', 'dev_mismatched']) files[`mnli/${split}.tsv`] = tsv(mnliHeader, mnliRow(`mnli devmarker ${split}`, 'mnli devmarker b', 'entailment'));
  for (const split of ['test_matched', 'test_mismatched']) files[`mnli/${split}.tsv`] = tsv(mnliHeader.slice(0, 10), mnliRow(`mnli testmarker ${split}`, 'mnli testmarker b', null));
  files['mnli/diagnostic.tsv'] = tsv(['index', 'sentence1', 'sentence2'], ['0', 'diagnostic testmarker a', 'diagnostic testmarker b']);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

const glue = join(root, 'glue_data');
writeGlue(glue);

const TRAIN_SENTENCES = [
  'cola train one .', 'cola train two .', 'cola train three .', 'cola train four .',
  'mnli train premise .', 'mnli train hypothesis .',
  'shared news sentence .', 'mrpc train b1 .', 'mrpc train a2 .',
  'qnli train question ?', 'qnli train answer .',
  'qqp train q1 ?', 'qqp train q2 ?',
  'rte train a1 .', 'rte train b1 .', 'rte train a2 .', 'rte train b2 .', 'rte train a3 .', 'rte train a4 .', 'rte train b4 .',
  'sst train one',
  'sts train b1 .',
  'wnli train a1 .', 'wnli train b1 .',
];

test('glueTrainText reads the train split of every task, each distinct sentence once, and no dev or test text', () => {
  const result = glueTrainText(glue);
  // Every task with a train file in the fixture (the nine GLUE tasks; others in the registry have none here).
  assert.deepEqual(result.tasks, ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'rte', 'sst', 'sts', 'wnli']);
  assert.ok(!/devmarker|testmarker/.test(result.text), 'dev or test text in the pretraining text');
  const lines = result.text.split('\n').filter((line) => line !== '');
  assert.deepEqual([...lines].sort(), [...TRAIN_SENTENCES].sort());
  assert.equal(result.sentences, TRAIN_SENTENCES.length);
  // 100 sentences per document: one document per task.
  assert.equal(result.documents, 9);
  assert.equal(parseTextDocuments(result.text, tinyTokenizer([]), 'glue.txt').length, 9);
  assert.equal(glueTrainText(glue).text, result.text);
});

test('documents are blocks of consecutive sentences of one task, interleaved by their place in their task', () => {
  // cola: 4 sentences → blocks at ¼ and ¾; rte: 7 sentences (one row's second sentence is blank) → blocks at
  // 1/8, 3/8, 5/8, 7/8 of 2, 2, 2, 1 sentences.
  const { text, tasks, documents } = glueTrainText(glue, { tasks: ['rte', 'cola'], sentencesPerDocument: 2 });
  assert.deepEqual(tasks, ['cola', 'rte']);
  assert.equal(documents, 6);
  assert.equal(
    text,
    [
      'rte train a1 .\nrte train b1 .',
      'cola train one .\ncola train two .',
      'rte train a2 .\nrte train b2 .',
      'rte train a3 .\nrte train a4 .',
      'cola train three .\ncola train four .',
      'rte train b4 .',
    ].join('\n\n') + '\n\n',
  );
});

test('glueTrainText skips tasks without a train file unless they are asked for by name', () => {
  const partial = join(root, 'partial');
  mkdirSync(join(partial, 'qnli'), { recursive: true });
  writeFileSync(join(partial, 'qnli', 'dev.tsv'), tsv(['index', 'question', 'sentence', 'label']));
  mkdirSync(join(partial, 'wnli'), { recursive: true });
  writeFileSync(join(partial, 'wnli', 'train.tsv'), tsv(['index', 'sentence1', 'sentence2', 'label'], ['0', 'a .', 'b .', '1']));
  assert.deepEqual(glueTrainText(partial).tasks, ['wnli']);
  assertBamError(() => glueTrainText(partial, { tasks: ['qnli'] }), join(partial, 'qnli', 'train.tsv'), 'leave qnli out');
  assertBamError(() => glueTrainText(partial, { tasks: ['squad'] }), 'unknown task "squad"');
  assertBamError(() => glueTrainText(partial, { tasks: [] }), 'no GLUE tasks');
  assertBamError(() => glueTrainText(join(root, 'nowhere')), 'nowhere', 'glue_data');
  assertBamError(() => glueTrainText(partial, { sentencesPerDocument: 0 }), 'sentences per document 0');
});

const sharedRte = sharedData('glue', 'RTE', 'train.tsv');

test('on the real RTE: exactly the distinct train sentences, none that occurs only in dev', { skip: sharedRte.skip }, () => {
  const dir = join(root, 'real');
  mkdirSync(dir);
  symlinkSync(join(sharedRte.path, '..'), join(dir, 'rte'));
  const { text, sentences } = glueTrainText(dir);
  const lines = text.split('\n').filter((line) => line !== '');
  const train = new Set(readTsv(sharedRte.path).slice(1).flatMap((row) => [row[1].trim(), row[2].trim()]));
  const devOnly = readTsv(sharedData('glue', 'RTE', 'dev.tsv').path)
    .slice(1)
    .flatMap((row) => [row[1].trim(), row[2].trim()])
    .filter((sentence) => !train.has(sentence));
  assert.equal(sentences, train.size);
  assert.deepEqual(new Set(lines), train);
  assert.equal(lines.length, train.size);
  assert.ok(devOnly.length > 400);
  assert.ok(devOnly.every((sentence) => !lines.includes(sentence)));
});
