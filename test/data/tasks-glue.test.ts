import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import type { Example } from '../../src/data/example.js';
import { FIXED_GLUE_TRAIN_SIZES } from '../../src/data/task-weighting.js';
import { getTask, type LoadOptions } from '../../src/data/tasks.js';
import { readTsv } from '../../src/data/tsv.js';
import { sharedData } from '../shared-data.js';

// Loaders on the real GLUE files in ../shared/data/glue (official folder names: CoLA, SST-2, STS-B, ...). Expected
// texts are copied from the files; label counts come from `cut -f<label> | sort | uniq -c`.

const once: LoadOptions = { multiple: 1, doubleUnordered: false };

function load(glueDir: string, task: string, split: string, options: LoadOptions = once): Example[] {
  return getTask(task).getExamples(dirname(sharedData('glue', glueDir, `${split}.tsv`).path), split, options);
}

function skipUnless(glueDir: string, file: string): { skip: string | false } {
  return { skip: sharedData('glue', glueDir, file).skip };
}

function countLabels(examples: Example[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { label } of examples) counts[String(label)] = (counts[String(label)] ?? 0) + 1;
  return counts;
}

function assertEidsAreRowIndices(examples: Example[]): void {
  examples.forEach((example, i) => assert.equal(example.eid, i));
}

/** Test files carry GLUE's own `index` column, which must equal the eid. */
function assertEidsMatchIndexColumn(glueDir: string, split: string, examples: Example[]): void {
  const rows = readTsv(sharedData('glue', glueDir, `${split}.tsv`).path);
  assert.equal(examples.length, rows.length - 1);
  examples.forEach((example, i) => assert.equal(String(example.eid), rows[i + 1][0]));
}

test('cola train: no header, 8551 single sentences', skipUnless('CoLA', 'train.tsv'), () => {
  const examples = load('CoLA', 'cola', 'train');
  assert.equal(examples.length, 8551);
  assert.equal(examples.length, FIXED_GLUE_TRAIN_SIZES.cola);
  assert.deepEqual(examples[0], {
    eid: 0,
    task: 'cola',
    split: 'train',
    textA: "Our friends won't buy this analysis, let alone the next one we propose.",
    textB: null,
    label: '1',
  });
  assert.deepEqual(examples[8550], { eid: 8550, task: 'cola', split: 'train', textA: 'What all did you get for Christmas?', textB: null, label: '1' });
  assert.deepEqual(countLabels(examples), { '0': 2528, '1': 6023 });
  assertEidsAreRowIndices(examples);
});

test('cola dev: no header, no final newline, 1043 rows', skipUnless('CoLA', 'dev.tsv'), () => {
  const examples = load('CoLA', 'cola', 'dev');
  assert.equal(examples.length, 1043);
  assert.equal(examples[0].textA, 'The sailors rode the breeze clear of the rocks.');
  assert.deepEqual(examples[1042], { eid: 1042, task: 'cola', split: 'dev', textA: 'John talked to Bill about himself.', textB: null, label: '1' });
  assert.deepEqual(countLabels(examples), { '0': 322, '1': 721 });
});

test('cola test: header, sentence in column 1, dummy label', skipUnless('CoLA', 'test.tsv'), () => {
  const examples = load('CoLA', 'cola', 'test');
  assert.equal(examples.length, 1063);
  assert.deepEqual(examples[0], { eid: 0, task: 'cola', split: 'test', textA: 'Bill whistled past the house.', textB: null, label: '0' });
  assert.equal(examples[1062].textA, 'A picture of himself frightened John.');
  assertEidsMatchIndexColumn('CoLA', 'test', examples);
});

test('sst train/dev/test', skipUnless('SST-2', 'train.tsv'), () => {
  const train = load('SST-2', 'sst', 'train');
  assert.equal(train.length, FIXED_GLUE_TRAIN_SIZES.sst);
  assert.deepEqual(train[0], { eid: 0, task: 'sst', split: 'train', textA: 'hide new secretions from the parental units ', textB: null, label: '0' });
  assert.equal(train[67348].textA, 'this new jangle of noise , mayhem and stupidity must be a serious contender for the title . ');
  assert.deepEqual(countLabels(train), { '0': 29780, '1': 37569 });

  const dev = load('SST-2', 'sst', 'dev');
  assert.equal(dev.length, 872);
  assert.equal(dev[871].textA, "looking aristocratic , luminous yet careworn in jane hamilton 's exemplary costumes , rampling gives a performance that could not be improved upon . ' ");

  const testSplit = load('SST-2', 'sst', 'test');
  assert.equal(testSplit.length, 1821);
  assert.deepEqual(testSplit[0], { eid: 0, task: 'sst', split: 'test', textA: 'uneasy mishmash of styles and genres .', textB: null, label: '0' });
  assertEidsMatchIndexColumn('SST-2', 'test', testSplit);
});

test('mrpc train: BOM header skipped, label in column 0, quotes kept', skipUnless('MRPC', 'train.tsv'), () => {
  const examples = load('MRPC', 'mrpc', 'train');
  assert.equal(examples.length, 3668);
  assert.deepEqual(examples[0], {
    eid: 0,
    task: 'mrpc',
    split: 'train',
    textA: 'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
    textB: 'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .',
    label: '1',
  });
  assert.equal(examples[3667].textB, 'The 30-year bond US30YT = RR grew 1-3 / 32 for a yield of 4.30 percent , down from 4.35 percent late Wednesday .');
  assert.equal(examples[3667].label, '0');
  assert.deepEqual(countLabels(examples), { '0': 1194, '1': 2474 });
});

test('mrpc train doubling: 3668 rows -> 7336 examples, swapped copy has eids N..2N-1', skipUnless('MRPC', 'train.tsv'), () => {
  const examples = load('MRPC', 'mrpc', 'train', { multiple: 1, doubleUnordered: true });
  assert.equal(examples.length, 7336);
  assert.equal(examples.length, FIXED_GLUE_TRAIN_SIZES.mrpc);
  assert.deepEqual(examples[3668], {
    eid: 3668,
    task: 'mrpc',
    split: 'train',
    textA: 'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .',
    textB: 'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
    label: '1',
  });
  for (let i = 0; i < 3668; i++) {
    const original = examples[i];
    const swapped = examples[i + 3668];
    assert.equal(swapped.eid, original.eid + 3668);
    assert.equal(swapped.textA, original.textB);
    assert.equal(swapped.textB, original.textA);
    assert.equal(swapped.label, original.label);
  }
});

test('mrpc train with multiple 3 and doubling: [rows, swapped] three times, eids reused', skipUnless('MRPC', 'train.tsv'), () => {
  const examples = load('MRPC', 'mrpc', 'train', { multiple: 3, doubleUnordered: true });
  assert.equal(examples.length, 22008); // the reference table's "examples after multiples"
  for (const repetition of [0, 1, 2]) {
    const start = repetition * 7336;
    assert.equal(examples[start].eid, 0);
    assert.equal(examples[start + 3667].eid, 3667);
    assert.equal(examples[start + 3668].eid, 3668);
    assert.equal(examples[start + 7335].eid, 7335);
    assert.equal(examples[start + 3668].textA, examples[0].textB);
  }
  assert.equal(new Set(examples.map((e) => e.eid)).size, 7336);
});

test('mrpc dev and test are never doubled', skipUnless('MRPC', 'dev.tsv'), () => {
  const dev = load('MRPC', 'mrpc', 'dev', { multiple: 1, doubleUnordered: true });
  assert.equal(dev.length, 408);
  assert.equal(dev[0].textB, '" The foodservice pie business does not fit our long-term growth strategy .');
  assert.equal(dev[407].textA, "Ex-KGB agent Putin added that the Beatles were considered ' propaganda of an alien ideology ' .");

  const testSplit = load('MRPC', 'mrpc', 'test', { multiple: 1, doubleUnordered: true });
  assert.equal(testSplit.length, 1725);
  assert.deepEqual(testSplit[1724], {
    eid: 1724,
    task: 'mrpc',
    split: 'test',
    textA: 'Sobig.F spreads when unsuspecting computer users open file attachments in emails that contain such familiar headings as " Thank You ! , " " Re : Details " or " Re : That Movie . "',
    textB: 'The virus spreads when unsuspecting computer users open file attachments in emails that contain familiar headings like " Thank You ! " and " Re : Details " .',
    label: '0',
  });
  assertEidsMatchIndexColumn('MRPC', 'test', testSplit);
});

test('sts: last three columns, numeric scores; doubling to 11498', skipUnless('STS-B', 'train.tsv'), () => {
  const train = load('STS-B', 'sts', 'train');
  assert.equal(train.length, 5749);
  assert.deepEqual(train[0], { eid: 0, task: 'sts', split: 'train', textA: 'A plane is taking off.', textB: 'An air plane is taking off.', label: 5 });
  assert.deepEqual(train[5748], {
    eid: 5748,
    task: 'sts',
    split: 'train',
    textA: 'Putin spokesman: Doping charges appear unfounded',
    textB: 'The Latest on Severe Weather: 1 Dead in Texas After Tornado',
    label: 0,
  });
  // Sum of the score column by awk: 15528.043397.
  assert.ok(Math.abs(train.reduce((sum, e) => sum + Number(e.label), 0) - 15528.043397) < 1e-6);

  const doubled = load('STS-B', 'sts', 'train', { multiple: 2, doubleUnordered: true });
  assert.equal(doubled.length, 2 * FIXED_GLUE_TRAIN_SIZES.sts);
  assert.equal(doubled[5749].eid, 5749);
  assert.equal(doubled[5749].textA, 'An air plane is taking off.');
  assert.equal(doubled[11498].eid, 0);

  const dev = load('STS-B', 'sts', 'dev', { multiple: 1, doubleUnordered: true });
  assert.equal(dev.length, 1500);
  assert.ok(Math.abs(dev.reduce((sum, e) => sum + Number(e.label), 0) - 3545.861333) < 1e-6);
});

test('sts test: last two columns, dummy score 0', skipUnless('STS-B', 'test.tsv'), () => {
  const examples = load('STS-B', 'sts', 'test');
  assert.equal(examples.length, 1379);
  assert.deepEqual(examples[0], { eid: 0, task: 'sts', split: 'test', textA: 'A girl is styling her hair.', textB: 'A girl is brushing her hair.', label: 0 });
  assert.equal(examples[1378].textB, 'North Korea Delegation Meets With South Korean Officials');
  assert.ok(examples.every((e) => e.label === 0));
  assertEidsMatchIndexColumn('STS-B', 'test', examples);
});

test('rte train/dev/test', skipUnless('RTE', 'train.tsv'), () => {
  const train = load('RTE', 'rte', 'train');
  assert.equal(train.length, FIXED_GLUE_TRAIN_SIZES.rte);
  assert.deepEqual(train[0], {
    eid: 0,
    task: 'rte',
    split: 'train',
    textA: 'No Weapons of Mass Destruction Found in Iraq Yet.',
    textB: 'Weapons of Mass Destruction Found in Iraq.',
    label: 'not_entailment',
  });
  assert.equal(train[2489].textB, 'U.S. to use Turkish military bases.');
  assert.deepEqual(countLabels(train), { entailment: 1249, not_entailment: 1241 });
  assertEidsMatchIndexColumn('RTE', 'train', train);

  const dev = load('RTE', 'rte', 'dev');
  assert.equal(dev.length, 277);
  assert.equal(dev[276].textB, 'Greenpeace director said that peace is terrorism.');
  assert.ok(dev[276].textA.startsWith('Danny Kennedy, Greenpeace campaigns director, said: "The burden of proof'));

  const testSplit = load('RTE', 'rte', 'test');
  assert.equal(testSplit.length, 3000);
  assert.deepEqual(testSplit[0], {
    eid: 0,
    task: 'rte',
    split: 'test',
    textA: "Mangla was summoned after Madhumita's sister Nidhi Shukla, who was the first witness in the case.",
    textB: 'Shukla is related to Mangla.',
    label: 'entailment',
  });
  assert.equal(testSplit[2999].textB, '26 people died in an airplane crash.');
});

test('wnli train/dev/test (labels 0/1, columns 1, 2, 3)', skipUnless('WNLI', 'train.tsv'), () => {
  const train = load('WNLI', 'wnli', 'train');
  assert.equal(train.length, 635);
  assert.deepEqual(train[0], {
    eid: 0,
    task: 'wnli',
    split: 'train',
    textA: 'I stuck a pin through a carrot. When I pulled the pin out, it had a hole.',
    textB: 'The carrot had a hole.',
    label: '1',
  });
  assert.deepEqual(countLabels(train), { '0': 323, '1': 312 });
  const dev = load('WNLI', 'wnli', 'dev');
  assert.equal(dev.length, 71);
  assert.deepEqual([dev[70].textB, dev[70].label], ['Eric was not particularly eager to see it.', '0']);
  const testSplit = load('WNLI', 'wnli', 'test');
  assert.equal(testSplit.length, 146);
  assert.equal(testSplit[145].textB, 'Some of the glue was stuck on the window sill.');
  assertEidsMatchIndexColumn('WNLI', 'test', testSplit);
});

test('qnli dev/test', skipUnless('QNLI', 'dev.tsv'), () => {
  const dev = load('QNLI', 'qnli', 'dev');
  assert.equal(dev.length, 5463);
  assert.deepEqual(dev[0], {
    eid: 0,
    task: 'qnli',
    split: 'dev',
    textA: 'What came into force after the new constitution was herald?',
    textB: 'As of that day, the new constitution heralding the Second Republic came into force.',
    label: 'entailment',
  });
  assert.equal(dev[5462].label, 'not_entailment');
  const testSplit = load('QNLI', 'qnli', 'test');
  assert.equal(testSplit.length, 5463);
  assert.equal(testSplit[5462].textB, 'In 1709–13, a plague epidemic that followed the Great Northern War (1700–21, Sweden v. Russia and allies) killed about 100,000 in Sweden, and 300,000 in Prussia.');
  assertEidsMatchIndexColumn('QNLI', 'test', testSplit);
});

const diagnostic = sharedData('glue', 'diagnostic', 'diagnostic.tsv');
test('mnli diagnostic: columns 1, 2 with header, dummy label, 1104 rows', { skip: diagnostic.skip }, () => {
  const examples = getTask('mnli').getExamples(dirname(diagnostic.path), 'diagnostic', once);
  assert.equal(examples.length, 1104);
  assert.deepEqual(examples[0], {
    eid: 0,
    task: 'mnli',
    split: 'diagnostic',
    textA: 'The cat sat on the mat.',
    textB: 'The cat did not sit on the mat.',
    label: 'contradiction',
  });
  assert.equal(examples[1103].textB, 'A general artificial intelligence should always come with an off switch.');
});

test('debug maxLines 50 counts the header: 49 examples with a header, 50 without', skipUnless('RTE', 'train.tsv'), () => {
  const debug = (glueDir: string, task: string, split: string, doubleUnordered = false): Example[] =>
    load(glueDir, task, split, { maxLines: 50, multiple: 1, doubleUnordered });
  assert.equal(debug('RTE', 'rte', 'train').length, 49);
  assert.equal(debug('CoLA', 'cola', 'train').length, 50);
  assert.equal(debug('CoLA', 'cola', 'dev').length, 50);
  assert.equal(debug('CoLA', 'cola', 'test').length, 49);
  const mrpc = debug('MRPC', 'mrpc', 'train', true);
  assert.equal(mrpc.length, 98);
  assert.deepEqual(mrpc.map((e) => e.eid), Array.from({ length: 98 }, (_, i) => i));
  assert.equal(mrpc[49].textA, mrpc[0].textB);
});
