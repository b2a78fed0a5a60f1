import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { applyGlueLayout, countLines, planGlueLayout } from '../../src/setup/glue-layout.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { sharedData } from '../shared-data.js';
import { FIXTURE_GLUE, temporaryFolder, writeTree } from './glue-fixture.js';

const glue = sharedData('glue');
const scratch = temporaryFolder('glue-layout');
after(scratch.cleanup);

let runs = 0;
/** A new, empty bam_dir for one test. */
function newBamDir(): string {
  runs += 1;
  return join(scratch.dir, `bam${runs}`);
}

/** Every file under `dir`, as sorted relative paths. */
function listTree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => !lstatSync(join(dir, p)).isDirectory()).sort();
}

const REAL_LAYOUT = [
  'glue_data/cola/README', 'glue_data/cola/dev.tsv', 'glue_data/cola/test.tsv', 'glue_data/cola/train.tsv',
  'glue_data/mnli/diagnostic.tsv',
  'glue_data/mrpc/dev.tsv', 'glue_data/mrpc/test.tsv', 'glue_data/mrpc/train.tsv',
  'glue_data/qnli/dev.tsv', 'glue_data/qnli/test.tsv',
  'glue_data/rte/dev.tsv', 'glue_data/rte/test.tsv', 'glue_data/rte/train.tsv',
  'glue_data/sst/SST_original_README.txt', 'glue_data/sst/dev.tsv', 'glue_data/sst/test.tsv', 'glue_data/sst/train.tsv',
  'glue_data/sts/LICENSE.txt', 'glue_data/sts/dev.tsv', 'glue_data/sts/readme.txt', 'glue_data/sts/test.tsv', 'glue_data/sts/train.tsv',
  'glue_data/wnli/dev.tsv', 'glue_data/wnli/test.tsv', 'glue_data/wnli/train.tsv',
];

/** The source of each renamed folder in the shared GLUE download. */
const RENAMES: Record<string, string> = { cola: 'CoLA', mrpc: 'MRPC', qnli: 'QNLI', rte: 'RTE', sst: 'SST-2', sts: 'STS-B', wnli: 'WNLI' };

function sourceOf(dest: string): string {
  const [, task, file] = dest.split('/');
  return task === 'mnli' ? join(glue.path, 'diagnostic', 'diagnostic.tsv') : join(glue.path, RENAMES[task], file);
}

describe('planGlueLayout on the shared GLUE download', { skip: glue.skip }, () => {
  test('finds the seven tasks under their official names, QNLI without train, the diagnostic set for mnli', () => {
    const plan = planGlueLayout(glue.path);
    assert.deepEqual(plan.tasks.map((t) => [t.task, t.folder]), Object.entries(RENAMES));
    assert.deepEqual(plan.absentTasks, ['mnli', 'qqp']);
    for (const task of plan.tasks) {
      assert.deepEqual(task.missing.map((s) => s.file), task.task === 'qnli' ? ['train.tsv'] : [], task.task);
    }
    assert.deepEqual(plan.tasks.find((t) => t.task === 'qnli')?.missing, [{ file: 'train.tsv', role: 'train' }]);
    assert.deepEqual(plan.diagnostic, { source: join(glue.path, 'diagnostic', 'diagnostic.tsv'), dest: 'glue_data/mnli/diagnostic.tsv' });
  });
});

describe('applyGlueLayout on the shared GLUE download', { skip: glue.skip }, () => {
  test('links every file, under the renamed folders, to its absolute source path', () => {
    const bamDir = newBamDir();
    const results = applyGlueLayout(planGlueLayout(glue.path), bamDir, { copy: false, force: false });
    assert.deepEqual(listTree(bamDir), REAL_LAYOUT);
    assert.deepEqual(readdirSync(join(bamDir, 'glue_data')).sort(), ['cola', 'mnli', 'mrpc', 'qnli', 'rte', 'sst', 'sts', 'wnli']);
    assert.equal(results.length, REAL_LAYOUT.length);
    assert.ok(results.every((r) => r.action === 'linked'));
    for (const dest of REAL_LAYOUT) {
      const path = join(bamDir, dest);
      assert.ok(lstatSync(path).isSymbolicLink(), dest);
      assert.equal(readlinkSync(path), sourceOf(dest), dest);
    }
    // The links resolve: the loader sees the real RTE train file (2490 rows + header, per the data README).
    assert.equal(countLines(join(bamDir, 'glue_data/rte/train.tsv')), 2491);
  });

  test('--copy gives real files with the bytes of their sources', () => {
    const bamDir = newBamDir();
    const results = applyGlueLayout(planGlueLayout(glue.path), bamDir, { copy: true, force: false });
    assert.ok(results.every((r) => r.action === 'copied'));
    assert.deepEqual(listTree(bamDir), REAL_LAYOUT);
    for (const dest of REAL_LAYOUT) {
      const path = join(bamDir, dest);
      assert.ok(lstatSync(path).isFile(), `${dest} is not a plain file`);
      assert.ok(readFileSync(path).equals(readFileSync(sourceOf(dest))), dest);
    }
    const edited = join(bamDir, 'glue_data', 'wnli', 'dev.tsv');
    chmodSync(edited, 0o644); // copies keep the read-only mode of the shared data
    writeFileSync(edited, 'an edited dev set\n');
    assertBamError(() => applyGlueLayout(planGlueLayout(glue.path), bamDir, { copy: true, force: false }), edited, 'is not a copy of', '--force');
  });

  test('is idempotent, with links and with copies', () => {
    for (const copy of [false, true]) {
      const bamDir = newBamDir();
      const plan = planGlueLayout(glue.path);
      applyGlueLayout(plan, bamDir, { copy, force: false });
      const again = applyGlueLayout(plan, bamDir, { copy, force: false });
      assert.deepEqual(again.map((r) => r.action), REAL_LAYOUT.map(() => 'unchanged'), `copy=${copy}`);
      assert.deepEqual(listTree(bamDir), REAL_LAYOUT, `copy=${copy}`);
    }
  });

  test('a different file at a destination stops it before anything is written, unless --force', () => {
    const bamDir = newBamDir();
    const conflict = join(bamDir, 'glue_data', 'rte', 'dev.tsv');
    mkdirSync(join(bamDir, 'glue_data', 'rte'), { recursive: true });
    writeFileSync(conflict, 'my own dev set\n');
    const plan = planGlueLayout(glue.path);
    assertBamError(() => applyGlueLayout(plan, bamDir, { copy: false, force: false }), conflict, '--force');
    assert.equal(readFileSync(conflict, 'utf8'), 'my own dev set\n');
    assert.deepEqual(listTree(bamDir), ['glue_data/rte/dev.tsv']);

    const forced = applyGlueLayout(plan, bamDir, { copy: false, force: true });
    assert.deepEqual(forced.filter((r) => r.action === 'replaced').map((r) => r.dest), ['glue_data/rte/dev.tsv']);
    assert.equal(readlinkSync(conflict), join(glue.path, 'RTE', 'dev.tsv'));
    assert.deepEqual(listTree(bamDir), REAL_LAYOUT);
  });

  test('switching between links and copies needs --force', () => {
    const bamDir = newBamDir();
    const plan = planGlueLayout(glue.path);
    applyGlueLayout(plan, bamDir, { copy: false, force: false });
    assertBamError(() => applyGlueLayout(plan, bamDir, { copy: true, force: false }), 'is not a copy of', `(and ${REAL_LAYOUT.length - 1} more)`, '--force');
    const forced = applyGlueLayout(plan, bamDir, { copy: true, force: true });
    assert.ok(forced.every((r) => r.action === 'replaced'));
    assert.ok(lstatSync(join(bamDir, 'glue_data/sst/train.tsv')).isFile());
  });
});

describe('a GLUE download with MNLI and QQP (fixture)', () => {
  const glueDir = join(scratch.dir, 'fixture-glue');
  writeTree(glueDir, FIXTURE_GLUE);

  test('maps MNLI and QQP, accepts a renamed rte/, finds AX.tsv, reports MNLI test_mismatched missing', () => {
    const plan = planGlueLayout(glueDir);
    assert.deepEqual(plan.tasks.map((t) => [t.task, t.folder]), [['mnli', 'MNLI'], ['qqp', 'QQP'], ['rte', 'rte']]);
    assert.deepEqual(plan.absentTasks, ['cola', 'mrpc', 'qnli', 'sst', 'sts', 'wnli']);
    const mnli = plan.tasks[0];
    assert.deepEqual(mnli.splitFiles.map((s) => s.file), [
      'train.tsv', 'dev_matched.tsv', 'dev_mismatched.tsv', 'test_matched.tsv', 'test_mismatched.tsv',
    ]);
    assert.deepEqual(mnli.missing, [{ file: 'test_mismatched.tsv', role: 'test' }]);
    assert.deepEqual(plan.tasks[1].missing, []);
    assert.deepEqual(plan.diagnostic, { source: join(glueDir, 'AX.tsv'), dest: 'glue_data/mnli/diagnostic.tsv' });

    const bamDir = newBamDir();
    applyGlueLayout(plan, bamDir, { copy: true, force: false });
    assert.deepEqual(listTree(bamDir), [
      'glue_data/mnli/README.txt', 'glue_data/mnli/dev_matched.tsv', 'glue_data/mnli/dev_mismatched.tsv',
      'glue_data/mnli/diagnostic.tsv', 'glue_data/mnli/original/multinli_1.0_train.txt', 'glue_data/mnli/test_matched.tsv',
      'glue_data/mnli/train.tsv',
      'glue_data/qqp/dev.tsv', 'glue_data/qqp/test.tsv', 'glue_data/qqp/train.tsv',
      'glue_data/rte/dev.tsv', 'glue_data/rte/test.tsv', 'glue_data/rte/train.tsv',
    ]);
    assert.equal(readFileSync(join(bamDir, 'glue_data/mnli/diagnostic.tsv'), 'utf8'), FIXTURE_GLUE['AX.tsv']);
    assert.equal(readFileSync(join(bamDir, 'glue_data/mnli/original/multinli_1.0_train.txt'), 'utf8'), 'gold_label\n');
  });

  test('a diagnostic.tsv already in the mnli folder is the diagnostic set', () => {
    const renamed = join(scratch.dir, 'renamed-glue');
    writeTree(renamed, { 'mnli/train.tsv': 'a\n', 'mnli/diagnostic.tsv': 'in mnli\n', 'AX.tsv': 'top level\n' });
    const plan = planGlueLayout(renamed);
    assert.deepEqual(plan.diagnostic, { source: join(renamed, 'mnli', 'diagnostic.tsv'), dest: 'glue_data/mnli/diagnostic.tsv' });
    const results = applyGlueLayout(plan, newBamDir(), { copy: false, force: false });
    assert.equal(results.filter((r) => r.dest === 'glue_data/mnli/diagnostic.tsv').length, 1);
  });

  test('pointing --glue at the bam_dir\'s own glue_data leaves every file as it is, even with --force', () => {
    const bamDir = newBamDir();
    applyGlueLayout(planGlueLayout(glueDir), bamDir, { copy: true, force: false });
    const own = join(bamDir, 'glue_data');
    const results = applyGlueLayout(planGlueLayout(own), bamDir, { copy: false, force: true });
    assert.ok(results.every((r) => r.action === 'unchanged'));
    assert.equal(readFileSync(join(own, 'qqp', 'train.tsv'), 'utf8'), FIXTURE_GLUE['QQP/train.tsv']);
    assert.ok(lstatSync(join(own, 'qqp', 'train.tsv')).isFile());
  });

  test('a dangling link at a destination is a conflict; --force replaces the link only', () => {
    const bamDir = newBamDir();
    mkdirSync(join(bamDir, 'glue_data', 'qqp'), { recursive: true });
    const dangling = join(bamDir, 'glue_data', 'qqp', 'dev.tsv');
    symlinkSync(join(scratch.dir, 'nowhere.tsv'), dangling);
    const plan = planGlueLayout(glueDir);
    assertBamError(() => applyGlueLayout(plan, bamDir, { copy: false, force: false }), dangling, 'is not a link to');
    applyGlueLayout(plan, bamDir, { copy: false, force: true });
    assert.equal(readlinkSync(dangling), join(glueDir, 'QQP', 'dev.tsv'));
    assert.ok(existsSync(join(glueDir, 'QQP', 'dev.tsv')));
  });
});

describe('planGlueLayout errors', () => {
  test('a missing folder, a folder without GLUE tasks, a task under two names', () => {
    const missing = join(scratch.dir, 'no-such-glue');
    assertBamError(() => planGlueLayout(missing), missing, 'GLUE folder not found', '--glue');
    const empty = join(scratch.dir, 'not-glue');
    writeTree(empty, { 'notes.txt': 'x', 'diagnostic/diagnostic.tsv': 'x' });
    assertBamError(() => planGlueLayout(empty), empty, 'no GLUE task folder found', 'CoLA', '--glue');
    const twice = join(scratch.dir, 'twice-glue');
    writeTree(twice, { 'CoLA/train.tsv': 'x', 'cola/train.tsv': 'x' });
    assertBamError(() => planGlueLayout(twice), 'CoLA/', 'cola/', 'keep one');
  });

  test('a file where a task folder has to go is a one-line error', () => {
    const bamDir = newBamDir();
    writeTree(bamDir, { 'glue_data/rte': 'not a folder' });
    const glueDir = join(scratch.dir, 'rte-only');
    writeTree(glueDir, { 'RTE/train.tsv': 'x\n' });
    assertBamError(() => applyGlueLayout(planGlueLayout(glueDir), bamDir, { copy: false, force: true }), join(bamDir, 'glue_data', 'rte'));
  });
});

describe('countLines', () => {
  test('counts a last line without a newline, as Python\'s readline does', () => {
    const dir = join(scratch.dir, 'lines');
    writeTree(dir, { 'a.txt': 'x\ny\n', 'b.txt': 'x\ny', 'c.txt': '', 'd.txt': '\n\n', 'e.txt': 'z\n'.repeat(700_000) });
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((n) => countLines(join(dir, `${n}.txt`))), [2, 2, 0, 2, 700_000]);
  });

  test('CoLA dev: 1043 rows, no header, no final newline (per the data README)', { skip: glue.skip }, () => {
    assert.equal(countLines(join(glue.path, 'CoLA', 'dev.tsv')), 1043);
  });
});
