import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { projectRoot, sharedData } from '../shared-data.js';

const golden = sharedData('goldens', 'hf-tiny-random');

test('the README library example, run as written from the project root, prints the golden model\'s logits (1e-5)', { skip: golden.skip }, () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const code = /### As a library\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has a js block under "### As a library"');
  // Only the package name changes: `bam` resolves to the built entry point.
  const script = code.replace("from 'bam'", `from '${pathToFileURL(join(projectRoot, 'dist', 'src', 'index.js')).href}'`);
  const dir = mkdtempSync(join(tmpdir(), 'bam-readme-'));
  try {
    writeFileSync(join(dir, 'example.mjs'), script);
    const r = spawnSync(process.execPath, [join(dir, 'example.mjs')], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const logits = JSON.parse(/\[-?\d[^\]]*\]\s*$/.exec(r.stdout)?.[0] ?? 'null') as number[];
    const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as { logits: number[][] };
    assert.equal(logits.length, 2);
    logits.forEach((v, j) => assert.ok(Math.abs(v - ref.logits[0][j]) <= 1e-5, `${v} vs ${ref.logits[0][j]}`));
    assert.match(r.stdout, /^\[ 'classifier' \] /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
