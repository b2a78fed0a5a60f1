import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedData } from '../shared-data.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const golden = sharedData('goldens', 'hf-tiny-random');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const skip = golden.skip || vocab.skip;

interface Forward {
  pairs: [string, string][];
  attention_mask: number[][];
  last_hidden_state: number[][][];
  pooler_output: number[][];
  logits: number[][];
}

function bam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bam predict', { skip }, () => {
  test('reproduces Hugging Face on the golden pairs: logits, pooler_output and last_hidden_state within 1e-5', () => {
    const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as Forward;
    const pairs = join(mkdtempSync(join(tmpdir(), 'bam-predict-')), 'pairs.json');
    writeFileSync(pairs, JSON.stringify(ref.pairs));
    const r = bam('predict', '--model', golden.path, '--pairs', pairs, '--vocab', vocab.path, '--max-length', '48', '--hidden');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { logits: number[][]; pooler_output: number[][]; last_hidden_state: number[][][] };
    let worst = 0;
    const compare = (a: number, b: number): void => { worst = Math.max(worst, Math.abs(a - b)); };
    ref.logits.forEach((row, i) => row.forEach((v, j) => compare(out.logits[i][j], v)));
    ref.pooler_output.forEach((row, i) => row.forEach((v, j) => compare(out.pooler_output[i][j], v)));
    ref.last_hidden_state.forEach((rows, i) => rows.forEach((row, t) => {
      if (ref.attention_mask[i][t] === 1) row.forEach((v, j) => compare(out.last_hidden_state[i][t][j], v));
    }));
    assert.ok(worst <= 1e-5, `max abs error ${worst}`);
    // Padded to the longest input, as Hugging Face's padding=True.
    const longest = Math.max(...ref.attention_mask.map((m) => m.reduce((a, b) => a + b, 0)));
    assert.equal(out.last_hidden_state[0].length, longest);
  });

  test('a model folder without vocab.txt and no --vocab: one line saying to pass --vocab', () => {
    const pairs = join(mkdtempSync(join(tmpdir(), 'bam-predict-')), 'pairs.json');
    writeFileSync(pairs, '[["a", null]]');
    const r = bam('predict', '--model', golden.path, '--pairs', pairs);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^bam: .*no vocab\.txt in the model folder; pass --vocab FILE\n$/);
  });

  test('a malformed pairs file and an unknown option are refused in one line', () => {
    const pairs = join(mkdtempSync(join(tmpdir(), 'bam-predict-')), 'pairs.json');
    writeFileSync(pairs, '{"text": "a"}');
    const bad = bam('predict', '--model', golden.path, '--pairs', pairs, '--vocab', vocab.path);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^bam: .*pairs\.json: expected a JSON array of \[text_a, text_b or null\] pairs\n$/);
    const unknown = bam('predict', '--model', golden.path, '--pairz', pairs);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^bam: Unknown option '--pairz'; usage: bam predict/);
  });
});
