import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeExperimentDir } from './fixture-experiment.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

function bam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'report', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bam report (command line)', () => {
  let bamDir = '';
  let recipe = '';
  before(() => {
    bamDir = makeExperimentDir('demo');
    recipe = join(bamDir, 'demo.json');
    const spec = { name: 'demo', pretrain: { model_name: 'tiny-mlm', hparams: {} }, tasks: ['rte', 'mrpc', 'sts'], seeds: [1, 2], methods: ['single', 'multi', 'bam'] };
    writeFileSync(recipe, JSON.stringify(spec));
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('a recipe: writes report.md and report.html into --out and prints their paths', () => {
    const out = join(bamDir, 'out');
    const r = bam(bamDir, recipe, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${join(out, 'report.md')}\n${join(out, 'report.html')}\n`);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /^# Experiment demo\n/);
    assert.match(md, /\n\| single \| 63\.00 ± 1\.41 \(2\) \| 83\.00 ± 1\.41 \(2\) \| 73\.00 ± 2\.83 \(2\) \| 73\.00 ± 1\.89 \(2\) \|\n/);
    assert.match(md, /\n- demo-bam-s2 \(training: step 20\/100\)\n/);
  });

  test('model names, and --pretrain for the pretraining log', () => {
    const out = join(bamDir, 'models-out');
    const r = bam(bamDir, 'demo-multi-s2', '--out', out, '--pretrain', join(bamDir, 'pretrained_models', 'tiny-mlm'));
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /\n\| demo-multi-s2 \| 65\.00 \(1\) \| 86\.00 \(1\) \| 76\.00 \(1\) \| 75\.67 \(1\) \|\n/);
    assert.match(md, /\n\| steps \| 300 of 400 \|\n/);
  });

  test('--help prints the usage and exits 0', () => {
    const r = bam('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: bam report <bam_dir> <experiment\.json \| model_name \.\.\.> --out DIR \[--pretrain DIR\]\n/);
  });

  test('usage errors and a runs folder with nothing are one line on stderr and exit 1', () => {
    const empty = join(bamDir, 'empty');
    mkdirSync(join(empty, 'models'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [[bamDir, recipe], /^bam: --out DIR is missing/],
      [[bamDir, '--out', 'x'], /^bam: name a bam_dir and a recipe or models; usage: bam report/],
      [[bamDir, recipe, 'demo-multi-s1', '--out', 'x'], /^bam: .*demo\.json: pass one experiment recipe alone/],
      [[bamDir, recipe, '--out', 'x', '--outt', 'y'], /^bam: Unknown option '--outt'/],
      [[empty, recipe, '--out', join(bamDir, 'none')], /^bam: .*empty\/models: none of the 10 runs/],
    ];
    for (const [args, message] of cases) {
      const r = bam(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    }
  });
});
