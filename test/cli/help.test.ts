import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

function bam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = ['run', 'init', 'results', 'report', 'bench', 'predict', 'export', 'tokenize', 'inspect-checkpoint'];

test('every command has --help and -h: exit 0, its usage on stdout, nothing on stderr', () => {
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = bam(command, flag);
      assert.equal(r.status, 0, `bam ${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: bam ${command} `), `bam ${command} ${flag}`);
      assert.equal(r.stderr, '');
    }
  }
});

test('bam run -h among other arguments shows the usage and trains nothing (no model named "-h")', () => {
  const bamDir = mkdtempSync(join(tmpdir(), 'bam-help-'));
  try {
    const r = bam('run', '-h', bamDir, '{"debug": true}');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: bam run <model_name> <bam_dir>/);
    assert.ok(!existsSync(join(bamDir, 'models')));
  } finally {
    rmSync(bamDir, { recursive: true, force: true });
  }
});

test('bam --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const r = bam('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `bam ${version}\n`);
});
