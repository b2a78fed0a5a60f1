import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { runInit } from '../../src/cli/init.js';
import { BamError } from '../../src/errors.js';
import { sharedData } from '../shared-data.js';
import { FIXTURE_GLUE, temporaryFolder, writeTree } from './glue-fixture.js';

const glue = sharedData('glue');
const uncasedVocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const scratch = temporaryFolder('cli-init');
after(scratch.cleanup);

/** Runs `bam init` with the given arguments and returns what it printed. */
async function init(...args: string[]): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  await runInit(args, { stdout });
  return text;
}

/** Asserts that `bam init` fails with a one-line BamError holding every fragment. */
async function assertInitFails(args: string[], ...fragments: string[]): Promise<void> {
  await assert.rejects(init(...args), (error: unknown) => {
    assert.ok(error instanceof BamError, `expected a BamError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `not one line: ${error.message}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${fragment}" missing from: ${error.message}`);
    return true;
  });
}

describe('bam init on the shared GLUE download', { skip: glue.skip || uncasedVocab.skip }, () => {
  const bamDir = join(scratch.dir, 'bam');

  test('lays out glue_data, pretrained_models and models, and reports what is missing', async () => {
    const report = await init(bamDir, '--glue', glue.path, '--vocab', uncasedVocab.path);
    const lines = report.split('\n');
    // Line counts from the data README: CoLA has no header and dev no final newline; SST-2 has a header.
    assert.ok(lines.includes('  cola  from CoLA/: train.tsv 8551 lines, dev.tsv 1043 lines, test.tsv 1064 lines (also README)'), report);
    assert.ok(lines.includes('  sst   from SST-2/: train.tsv 67350 lines, dev.tsv 873 lines, test.tsv 1822 lines (also SST_original_README.txt)'), report);
    assert.ok(lines.includes('  qnli  from QNLI/: dev.tsv 5464 lines, test.tsv 5464 lines'), report);
    assert.ok(lines.includes('  qnli: train.tsv missing (training on qnli will fail; dev/test present)'), report);
    assert.ok(lines.includes(`  mnli: absent (no MNLI/ or mnli/ in ${glue.path}); runs with mnli will fail`), report);
    assert.ok(lines.includes(`  qqp: absent (no QQP/ or qqp/ in ${glue.path}); runs with qqp will fail`), report);
    assert.ok(lines.some((l) => l.startsWith('diagnostic: diagnostic/diagnostic.tsv -> glue_data/mnli/diagnostic.tsv')), report);
    assert.ok(lines.includes(
      'pretrained_models/uncased_L-12_H-768_A-12/: vocab.txt (30522 lines) linked; bert_config.json written (BERT-base, vocab_size 30522)',
    ), report);
    // 25 GLUE files (4 CoLA, 3 MRPC, 2 QNLI, 3 RTE, 4 SST-2, 5 STS-B, 3 WNLI, the diagnostic set) and the vocab.
    assert.ok(lines.includes('files: 26 linked, 0 copied, 0 replaced, 0 already in place'), report);

    assert.ok(statSync(join(bamDir, 'models')).isDirectory());
    assert.equal(readlinkSync(join(bamDir, 'glue_data', 'sts', 'train.tsv')), join(glue.path, 'STS-B', 'train.tsv'));
    const config = JSON.parse(readFileSync(join(bamDir, 'pretrained_models', 'uncased_L-12_H-768_A-12', 'bert_config.json'), 'utf8'));
    assert.equal(config.vocab_size, 30522);
  });

  test('a second run changes nothing', async () => {
    const report = await init(bamDir, '--glue', glue.path, '--vocab', uncasedVocab.path);
    assert.ok(report.includes('files: 0 linked, 0 copied, 0 replaced, 26 already in place'), report);
    assert.ok(report.includes('vocab.txt (30522 lines) already in place; bert_config.json already there, kept'), report);
  });

  test('--copy over links needs --force, then replaces them with copies', async () => {
    await assertInitFails([bamDir, '--glue', glue.path, '--copy'], join(bamDir, 'glue_data'), 'is not a copy of', '--force');
    const report = await init(bamDir, '--glue', glue.path, '--copy', '--force');
    assert.ok(report.includes('files: 0 linked, 0 copied, 25 replaced, 0 already in place'), report);
  });
});

describe('bam init on a download with MNLI and QQP (fixture)', () => {
  test('reports the MNLI split that is missing and the diagnostic set taken from AX.tsv', async () => {
    const glueDir = join(scratch.dir, 'fixture-glue');
    writeTree(glueDir, FIXTURE_GLUE);
    const report = await init(join(scratch.dir, 'fixture-bam'), '--glue', glueDir, '--copy');
    const lines = report.split('\n');
    assert.ok(lines.includes(
      '  mnli  from MNLI/: train.tsv 3 lines, dev_matched.tsv 2 lines, dev_mismatched.tsv 4 lines, test_matched.tsv 1 line ' +
      '(also README.txt, original/multinli_1.0_train.txt)',
    ), report);
    assert.ok(lines.includes('  mnli: test_mismatched.tsv missing (writing mnli test predictions will fail; train/dev present)'), report);
    assert.ok(lines.includes('  rte   from rte/: train.tsv 1 line, dev.tsv 1 line, test.tsv 1 line'), report);
    assert.ok(lines.includes('diagnostic: AX.tsv -> glue_data/mnli/diagnostic.tsv (2 lines)'), report);
    assert.ok(lines.includes('files: 0 linked, 13 copied, 0 replaced, 0 already in place'), report);
    assert.ok(!report.includes('pretrained_models'), report);
  });

  test('without a diagnostic set, says so', async () => {
    const glueDir = join(scratch.dir, 'qqp-only');
    writeTree(glueDir, { 'QQP/train.tsv': 'id\n', 'QQP/dev.tsv': 'id\n', 'QQP/test.tsv': 'id\n' });
    const report = await init(join(scratch.dir, 'qqp-bam'), '--glue', glueDir);
    assert.ok(report.includes(`diagnostic: absent (no diagnostic/diagnostic.tsv, diagnostic.tsv, AX.tsv in ${glueDir})`), report);
    assert.ok(!existsSync(join(scratch.dir, 'qqp-bam', 'glue_data', 'mnli')));
  });
});

describe('bam init argument errors', () => {
  const bamDir = join(scratch.dir, 'never-written');

  test('exit with one line and write nothing', async () => {
    await assertInitFails([bamDir], '--glue DIR', 'usage: bam init');
    await assertInitFails(['--glue', scratch.dir], 'one bam_dir', 'usage: bam init');
    await assertInitFails([bamDir, 'extra', '--glue', scratch.dir], 'one bam_dir');
    await assertInitFails([bamDir, '--glue', scratch.dir, '--bogus'], '--bogus', 'usage: bam init');
    await assertInitFails([bamDir, '--glue', join(scratch.dir, 'nothing')], 'GLUE folder not found');
    const notGlue = join(scratch.dir, 'not-glue');
    writeTree(notGlue, { 'readme.txt': 'x' });
    await assertInitFails([bamDir, '--glue', notGlue], notGlue, 'no GLUE task folder found');
    await assertInitFails([bamDir, '--glue', notGlue, '--pretrained-model-name', 'x'], '--pretrained-model-name', '--vocab');
    const rteOnly = join(scratch.dir, 'rte-only');
    writeTree(rteOnly, { 'RTE/dev.tsv': 'x\n' });
    await assertInitFails([bamDir, '--glue', rteOnly, '--vocab', join(scratch.dir, 'no-vocab.txt')], 'vocab file not found');
    assert.ok(!existsSync(bamDir));
  });
});
