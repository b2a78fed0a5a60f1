import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { runTokenize } from '../../src/cli/tokenize.js';
import { BamError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'bam-cli-tokenize-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const vocabPath = join(dir, 'vocab.txt');
writeFileSync(vocabPath, ['[PAD]', '[UNK]', 'hello', 'Hello', 'world', '##s', ',', '!', 'cafe', 'café'].join('\n') + '\n');

/** Runs `bam tokenize` on the given stdin text and returns what it wrote to stdout. */
async function tokenizeCli(args: string[], input: string): Promise<string> {
  const chunks: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  await runTokenize(args, { stdin: Readable.from([Buffer.from(input)]), stdout });
  return chunks.join('');
}

function isOneLineBamError(pattern: RegExp) {
  return (e: unknown) => e instanceof BamError && pattern.test(e.message) && !e.message.includes('\n');
}

test('line mode: one JSON token array per input line, lower-cased by default', async () => {
  const output = await tokenizeCli(['--vocab', vocabPath], 'Hello, worlds!\r\n\nCafé\nzebra');
  assert.equal(output, '["hello",",","world","##s","!"]\n[]\n["cafe"]\n["[UNK]"]\n');
});

test('--cased keeps case and accents', async () => {
  const output = await tokenizeCli(['--cased', '--vocab', vocabPath], 'Hello café\n');
  assert.equal(output, '["Hello","café"]\n');
});

test('--json: one array of strings in, one array of token arrays out', async () => {
  const output = await tokenizeCli(['--vocab', vocabPath, '--json'], '["Hello world", "", "line\\nbreak worlds"]');
  assert.equal(output, '[["hello","world"],[],["[UNK]","[UNK]","world","##s"]]\n');
});

test('empty stdin in line mode writes nothing', async () => {
  assert.equal(await tokenizeCli(['--vocab', vocabPath], ''), '');
});

test('bad options are one-line BamErrors naming the problem', async () => {
  await assert.rejects(tokenizeCli(['--vocab', vocabPath, '--lower'], ''), isOneLineBamError(/--lower/));
  await assert.rejects(tokenizeCli(['--vocab', vocabPath, 'extra'], ''), isOneLineBamError(/'extra'/));
  await assert.rejects(tokenizeCli([], ''), isOneLineBamError(/--vocab FILE is required/));
  await assert.rejects(tokenizeCli(['--vocab'], ''), isOneLineBamError(/--vocab/));
  await assert.rejects(tokenizeCli(['--vocab', join(dir, 'absent.txt')], ''), isOneLineBamError(/absent\.txt/));
});

test('--json rejects input that is not an array of strings, saying what was expected', async () => {
  const args = ['--vocab', vocabPath, '--json'];
  await assert.rejects(tokenizeCli(args, '["unclosed"'), isOneLineBamError(/not valid JSON.*expected one JSON array of strings/));
  await assert.rejects(tokenizeCli(args, '{"text": "hi"}'), isOneLineBamError(/JSON object; expected one JSON array of strings/));
  await assert.rejects(tokenizeCli(args, '["ok", 3]'), isOneLineBamError(/element 1 .* a number/));
  await assert.rejects(tokenizeCli(args, ''), isOneLineBamError(/not valid JSON/));
});
