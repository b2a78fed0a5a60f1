import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderHparamsDoc } from '../../src/config/hparams-doc.js';
import { HPARAM_KEYS } from '../../src/config/hparams.js';
import { DERIVED_FIELDS } from '../../src/config/resolve-config.js';
import { projectRoot } from '../shared-data.js';

const DOC = join(projectRoot, 'docs', 'hparams.md');

// BAM_WRITE_DOCS=1 regenerates the file instead of checking it.
if (process.env.BAM_WRITE_DOCS === '1') writeFileSync(DOC, renderHparamsDoc());

test('docs/hparams.md is the rendering of the schema table', () => {
  assert.equal(
    readFileSync(DOC, 'utf8'),
    renderHparamsDoc(),
    'docs/hparams.md is out of date: rebuild, then run BAM_WRITE_DOCS=1 node --test <dist>/test/config/hparams-doc.test.js',
  );
});

test('the rendering has one table row per hparam and per derived field, each with five or three cells', () => {
  const lines = renderHparamsDoc().split('\n');
  for (const key of HPARAM_KEYS) {
    const rows = lines.filter((line) => line.startsWith(`| \`${key}\` |`));
    assert.equal(rows.length, 1, key);
    assert.equal(rows[0].split(/(?<!\\)\|/).length - 2, 5, key);
  }
  for (const key of Object.keys(DERIVED_FIELDS)) {
    const rows = lines.filter((line) => line.startsWith(`| \`${key}\` |`));
    assert.equal(rows.length, 1, key);
    assert.equal(rows[0].split(/(?<!\\)\|/).length - 2, 3, key);
  }
});

test('defaults show the single-task and debug overrides next to them', () => {
  const doc = renderHparamsDoc();
  assert.ok(doc.includes('| `train_batch_size` | `128` (single-task: `32`; debug: `32`) |'));
  assert.ok(doc.includes('| `learning_rate` | `0.0001` (single-task: `0.00005`) |'));
  assert.ok(doc.includes('| `model_name` | (command line) |'));
  assert.ok(doc.includes('| `tpu_name` | `null` | a non-empty string or null |'));
});
