import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PRETRAIN_KEYS, renderPretrainHparamsDoc } from '../../src/config/pretrain-hparams.js';

test('docs/pretrain-hparams.md is the rendering of the pretrain schema (regenerate it when the schema changes)', () => {
  const doc = readFileSync('docs/pretrain-hparams.md', 'utf8');
  assert.equal(doc, renderPretrainHparamsDoc());
  for (const key of PRETRAIN_KEYS) assert.ok(doc.includes(`| \`${key}\` |`), key);
});
