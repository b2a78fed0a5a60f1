import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getTask, TASK_NAMES, type LoadOptions } from '../../src/data/tasks.js';
import { BamError } from '../../src/errors.js';

// MNLI and QQP are not in ../shared/data, so these fixtures follow the official GLUE column layouts.

const root = mkdtempSync(join(tmpdir(), 'bam-tasks-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes `<root>/<task>/<split>.tsv` from rows of fields and returns the folder. */
function writeTask(task: string, files: Record<string, string[][]>): string {
  const dir = join(root, task);
  mkdirSync(dir, { recursive: true });
  for (const [split, rows] of Object.entries(files)) {
    writeFileSync(join(dir, `${split}.tsv`), rows.map((row) => row.join('\t')).join('\n') + '\n');
  }
  return dir;
}

const once: LoadOptions = { multiple: 1, doubleUnordered: false };

/** An error that is a BamError with exactly this one-line message. */
function bamError(message: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof BamError, `expected a BamError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  };
}

const MNLI_PARSES = [
  '( ( The cat ) ( sat . ) )',
  '( ( A cat ) ( rests . ) )',
  '(ROOT (S (NP The cat) (VP sat) .))',
  '(ROOT (S (NP A cat) (VP rests) .))',
];
const MNLI_TRAIN_HEADER = [
  ...['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse'],
  ...['sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2', 'label1', 'gold_label'],
];
const MNLI_DEV_HEADER = [...MNLI_TRAIN_HEADER.slice(0, 11), 'label2', 'label3', 'label4', 'label5', 'gold_label'];
const MNLI_TEST_HEADER = MNLI_TRAIN_HEADER.slice(0, 10);

const mnliDir = writeTask('mnli', {
  train: [
    MNLI_TRAIN_HEADER,
    ['0', '31193', '31193n', 'government', ...MNLI_PARSES, 'The cat sat.', 'A cat "rests".', 'neutral', 'neutral'],
    ['1', '101457', '101457e', 'telephone', ...MNLI_PARSES, 'you know during the season', 'You lose the things.', 'entailment', 'entailment'],
    ['2', '134793', '134793e', 'fiction', ...MNLI_PARSES, 'One of our number', 'A member of my team', 'contradiction', 'contradiction'],
  ],
  dev_matched: [
    MNLI_DEV_HEADER,
    ['0', '63735', '63735n', 'slate', ...MNLI_PARSES, 'Matched one.', 'Matched two.', 'neutral', 'entailment', 'neutral', 'neutral', 'neutral', 'neutral'],
  ],
  dev_mismatched: [
    MNLI_DEV_HEADER,
    ['0', '75290', '75290c', 'letters', ...MNLI_PARSES, 'Mismatched one.', 'Mismatched two.', 'contradiction', 'contradiction', 'neutral', 'contradiction', 'contradiction', 'contradiction'],
    ['1', '133794', '133794c', 'verbatim', ...MNLI_PARSES, 'Mismatched three.', 'Mismatched four.', 'entailment', 'entailment', 'entailment', 'entailment', 'entailment', 'entailment'],
  ],
  test_matched: [MNLI_TEST_HEADER, ['0', '31493', '31493', 'travel', ...MNLI_PARSES, 'Test matched a.', 'Test matched b.']],
  test_mismatched: [MNLI_TEST_HEADER, ['0', '16130', '16130', 'facetoface', ...MNLI_PARSES, 'Test mismatched a.', 'Test mismatched b.']],
  diagnostic: [['index', 'sentence1', 'sentence2', 'label'], ['0', 'The cat sat on the mat.', 'The cat did not sit on the mat.', 'contradiction']],
});

test('task registry: names, kinds, labels, splits and metrics', () => {
  // The GLUE tasks, in alphabetical order among whatever other tasks the registry holds.
  const glue = ['cola', 'mnli', 'mrpc', 'qnli', 'qqp', 'rte', 'sst', 'sts', 'wnli'];
  assert.deepEqual(TASK_NAMES.filter((name) => glue.includes(name)), glue);
  assert.deepEqual([...TASK_NAMES], [...TASK_NAMES].sort());
  const mnli = getTask('mnli');
  assert.equal(mnli.kind, 'classification');
  assert.deepEqual(mnli.labelList, ['contradiction', 'entailment', 'neutral']);
  assert.deepEqual(mnli.devSplits, ['dev_matched', 'dev_mismatched']);
  assert.deepEqual(mnli.testSplits, ['test_matched', 'test_mismatched', 'diagnostic']);
  assert.deepEqual(getTask('rte').labelList, ['entailment', 'not_entailment']);
  assert.deepEqual(getTask('qnli').labelList, ['entailment', 'not_entailment']);
  for (const name of ['cola', 'mrpc', 'qqp', 'sst', 'wnli']) assert.deepEqual(getTask(name).labelList, ['0', '1']);
  const sts = getTask('sts');
  assert.equal(sts.kind, 'regression');
  assert.deepEqual(sts.labelList, []);
  assert.deepEqual(sts.metricNames, ['pearson', 'spearman', 'mse', 'loss']);
  assert.deepEqual(getTask('cola').metricNames, ['mcc', 'loss']);
  assert.deepEqual(getTask('mrpc').metricNames, ['accuracy', 'f1', 'loss']);
  assert.deepEqual(getTask('qqp').metricNames, ['accuracy', 'f1', 'loss']);
  for (const name of ['mnli', 'qnli', 'rte', 'sst', 'wnli']) assert.deepEqual(getTask(name).metricNames, ['accuracy', 'loss']);
  for (const name of TASK_NAMES.filter((n) => n !== 'mnli')) {
    assert.deepEqual([getTask(name).devSplits, getTask(name).testSplits], [['dev'], ['test']]);
  }
  assert.throws(() => getTask('squad'), bamError(`unknown task "squad" in task_names; the tasks are ${TASK_NAMES.join(', ')}`));
});

test('mnli train: sentences in columns 8 and 9, gold_label last; quotes kept; never doubled', () => {
  const examples = getTask('mnli').getExamples(mnliDir, 'train', { multiple: 2, doubleUnordered: true });
  assert.equal(examples.length, 6);
  assert.deepEqual(examples[0], { eid: 0, task: 'mnli', split: 'train', textA: 'The cat sat.', textB: 'A cat "rests".', label: 'neutral' });
  assert.deepEqual(examples.map((e) => e.eid), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(examples.map((e) => e.label), ['neutral', 'entailment', 'contradiction', 'neutral', 'entailment', 'contradiction']);
});

test('mnli dev: dev_matched and dev_mismatched are separate splits, gold_label from the last of 16 columns', () => {
  const mnli = getTask('mnli');
  const matched = mnli.getExamples(mnliDir, 'dev_matched', once);
  assert.deepEqual(matched, [{ eid: 0, task: 'mnli', split: 'dev_matched', textA: 'Matched one.', textB: 'Matched two.', label: 'neutral' }]);
  const mismatched = mnli.getExamples(mnliDir, 'dev_mismatched', once);
  assert.deepEqual(
    mismatched.map((e) => [e.eid, e.split, e.textA, e.label]),
    [
      [0, 'dev_mismatched', 'Mismatched one.', 'contradiction'],
      [1, 'dev_mismatched', 'Mismatched three.', 'entailment'],
    ],
  );
  assert.throws(
    () => mnli.getExamples(mnliDir, 'dev', once),
    bamError('task mnli has no split "dev"; its splits are train, dev_matched, dev_mismatched, test_matched, test_mismatched, diagnostic'),
  );
});

test('mnli test splits and diagnostic get the dummy label "contradiction"', () => {
  const mnli = getTask('mnli');
  assert.deepEqual(mnli.getExamples(mnliDir, 'test_matched', once), [
    { eid: 0, task: 'mnli', split: 'test_matched', textA: 'Test matched a.', textB: 'Test matched b.', label: 'contradiction' },
  ]);
  assert.deepEqual(mnli.getExamples(mnliDir, 'test_mismatched', once)[0].textB, 'Test mismatched b.');
  assert.deepEqual(mnli.getExamples(mnliDir, 'diagnostic', once), [
    { eid: 0, task: 'mnli', split: 'diagnostic', textA: 'The cat sat on the mat.', textB: 'The cat did not sit on the mat.', label: 'contradiction' },
  ]);
});

const qqpDir = writeTask('qqp', {
  train: [
    ['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'],
    ['133273', '213221', '213222', 'How is the life of a math student?', 'Which level of prepration is enough?', '0'],
    ['402555', '536040', '536041', 'How do I control my horny emotions?', 'How do you control your horniness?', '1'],
  ],
  dev: [
    ['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'],
    ['201359', '303345', '303346', 'Why are African-Americans so beautiful?', 'Why are hispanics so beautiful?', '0'],
  ],
  test: [
    ['id', 'question1', 'question2'],
    ['0', 'Would the idea of Trump and Putin in bed together scare you?', 'Do you think that if Donald Trump were elected President, he would be able to restore relations with Putin?'],
    ['1', 'What are the top ten Consumer-to-Consumer E-commerce online?', 'What are the top ten Consumer-to-Business E-commerce online?'],
  ],
});

test('qqp train/dev: questions in columns 3 and 4, is_duplicate in 5; not doubled', () => {
  const qqp = getTask('qqp');
  const train = qqp.getExamples(qqpDir, 'train', { multiple: 1, doubleUnordered: true });
  assert.deepEqual(train, [
    { eid: 0, task: 'qqp', split: 'train', textA: 'How is the life of a math student?', textB: 'Which level of prepration is enough?', label: '0' },
    { eid: 1, task: 'qqp', split: 'train', textA: 'How do I control my horny emotions?', textB: 'How do you control your horniness?', label: '1' },
  ]);
  assert.deepEqual(qqp.getExamples(qqpDir, 'dev', once)[0].textB, 'Why are hispanics so beautiful?');
});

test('qqp test: questions in columns 1 and 2, dummy label "0"', () => {
  const examples = getTask('qqp').getExamples(qqpDir, 'test', once);
  assert.deepEqual(
    examples.map((e) => [e.eid, e.textA, e.label]),
    [
      [0, 'Would the idea of Trump and Putin in bed together scare you?', '0'],
      [1, 'What are the top ten Consumer-to-Consumer E-commerce online?', '0'],
    ],
  );
});

test('sts reads the last columns, so an extra tab earlier in the row does not shift them', () => {
  const dir = writeTask('sts-extra-column', {
    train: [
      ['index', 'genre', 'filename', 'year', 'old_index', 'source1', 'source2', 'sentence1', 'sentence2', 'score'],
      ['0', 'main-news', 'headlines', '2016', '12', 'a', 'b', 'extra', 'First.', 'Second.', '3.800'],
      ['1', 'main-news', 'headlines', '2016', '13', 'a', 'b', 'Third.', 'Fourth.', ' 2.5 '],
    ],
  });
  assert.deepEqual(
    getTask('sts').getExamples(dir, 'train', once).map((e) => [e.textA, e.textB, e.label]),
    [
      ['First.', 'Second.', 3.8],
      ['Third.', 'Fourth.', 2.5],
    ],
  );
});

test('too few columns: file and line, needed and found, and which file was expected', () => {
  const dir = writeTask('rte-short-row', {
    train: [['index', 'sentence1', 'sentence2', 'label'], ['0', 'a', 'b', 'entailment'], ['1', 'only two']],
  });
  const path = join(dir, 'train.tsv');
  assert.throws(
    () => getTask('rte').getExamples(dir, 'train', once),
    bamError(`${path}:3: expected at least 4 tab-separated columns, found 2 (is this the GLUE rte train file?)`),
  );
  const qqp = writeTask('qqp-as-test', { test: [['id', 'question1', 'question2'], ['0', 'q']] });
  assert.throws(
    () => getTask('qqp').getExamples(qqp, 'test', once),
    bamError(`${join(qqp, 'test.tsv')}:2: expected at least 3 tab-separated columns, found 2 (is this the GLUE qqp test file?)`),
  );
  const sts = writeTask('sts-short', { dev: [['index', 'sentence1', 'sentence2', 'score'], ['a', '1.0']] });
  assert.throws(
    () => getTask('sts').getExamples(sts, 'dev', once),
    bamError(`${join(sts, 'dev.tsv')}:2: expected at least 3 tab-separated columns, found 2 (is this the GLUE sts dev file?)`),
  );
});

test('an empty line inside a file is a row with 0 columns', () => {
  const dir = writeTask('cola-blank', { dev: [['src', '1', '', 'Fine.'], [], ['src', '0', '*', 'Bad.']] });
  assert.throws(
    () => getTask('cola').getExamples(dir, 'dev', once),
    bamError(`${join(dir, 'dev.tsv')}:2: expected at least 4 tab-separated columns, found 0 (is this the GLUE cola dev file?)`),
  );
});

test('a label outside the label list names file, line, label and the allowed labels', () => {
  const dir = writeTask('mnli-bad-label', {
    dev_matched: [MNLI_DEV_HEADER, ['0', '1', '1n', 'slate', ...MNLI_PARSES, 'a', 'b', 'neutral', '', '', '', '', '-']],
  });
  assert.throws(
    () => getTask('mnli').getExamples(dir, 'dev_matched', once),
    bamError(`${join(dir, 'dev_matched.tsv')}:2: label "-" is not a mnli label; expected one of "contradiction", "entailment", "neutral"`),
  );
  const rte = writeTask('rte-bad-label', { train: [['index', 'sentence1', 'sentence2', 'label'], ['0', 'a', 'b', 'Entailment']] });
  assert.throws(
    () => getTask('rte').getExamples(rte, 'train', once),
    bamError(`${join(rte, 'train.tsv')}:2: label "Entailment" is not a rte label; expected one of "entailment", "not_entailment"`),
  );
});

test('a regression score that is not a number in 0..5 names file, line and value', () => {
  const scoresIn = (score: string): string =>
    writeTask(`sts-score-${score.replace(/\W/g, '_')}`, {
      train: [['index', 'sentence1', 'sentence2', 'score'], ['0', 'a', 'b', '1'], ['1', 'c', 'd', score]],
    });
  const loadScores = (dir: string): unknown[] => getTask('sts').getExamples(dir, 'train', once).map((e) => e.label);
  for (const score of ['5.000', '0', '.5', '1e0']) assert.deepEqual(loadScores(scoresIn(score)), [1, Number(score)]);
  for (const score of ['5.001', '-0.1', '', 'abc', '0x1', 'nan', 'Infinity']) {
    const dir = scoresIn(score);
    const message = `${join(dir, 'train.tsv')}:3: score "${score}" is not a number from 0 to 5 (the GLUE sts similarity score)`;
    assert.throws(() => loadScores(dir), bamError(message));
  }
});

test('test splits take no label column, so test rows with any label text load', () => {
  const dir = writeTask('rte-test', { test: [['index', 'sentence1', 'sentence2'], ['0', 'a', 'b']] });
  assert.equal(getTask('rte').getExamples(dir, 'test', once)[0].label, 'entailment');
});

test('a missing split file is a BamError naming it', () => {
  const dir = writeTask('wnli-empty', {});
  assert.throws(
    () => getTask('wnli').getExamples(dir, 'dev', once),
    (error: unknown) => error instanceof BamError && error.message.startsWith(`${join(dir, 'dev.tsv')}: file not found`),
  );
});
