import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { FullTokenizer, loadVocab } from '../../src/tokenization/index.js';
import { sharedData } from '../shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'bam-vocab-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeVocab(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('vocab ids are line indices and tokens are strip()ped like Python', () => {
  // \x1c and \x85 are Python whitespace (stripped); U+FEFF is not (kept), unlike JavaScript's trim().
  const vocab = loadVocab(writeVocab('strip.txt', '[PAD]\n  hello \r\n\u001cworld\u0085\n\n\ufeffbom\nlast'));
  assert.deepEqual(vocab.idToToken, ['[PAD]', 'hello', 'world', '', '\ufeffbom', 'last']);
  assert.equal(vocab.tokenToId.get('hello'), 1);
  assert.equal(vocab.tokenToId.get('world'), 2);
  assert.equal(vocab.tokenToId.get(''), 3);
  assert.equal(vocab.tokenToId.get('last'), 5);
  assert.equal(vocab.tokenToId.size, 6);
});

test('a trailing newline does not add a token; a repeated token maps to its last line', () => {
  const vocab = loadVocab(writeVocab('dup.txt', 'a\nb\na\n'));
  assert.deepEqual(vocab.idToToken, ['a', 'b', 'a']);
  assert.equal(vocab.tokenToId.get('a'), 2);
  assert.equal(vocab.tokenToId.size, 2);
});

test('missing, empty and non-UTF-8 vocab files are BamErrors naming the file', () => {
  const missing = join(dir, 'absent.txt');
  assert.throws(() => loadVocab(missing), (e: unknown) => e instanceof BamError && e.message.includes(missing) && !e.message.includes('\n'));
  const empty = writeVocab('empty.txt', '');
  assert.throws(() => loadVocab(empty), (e: unknown) => e instanceof BamError && e.message.includes(empty) && /empty/.test(e.message));
  const latin1 = join(dir, 'latin1.txt');
  writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.throws(() => loadVocab(latin1), (e: unknown) => e instanceof BamError && e.message.includes('UTF-8'));
  assert.throws(() => loadVocab(dir), (e: unknown) => e instanceof BamError && e.message.includes(dir));
});

const uncasedVocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

test('bert-base-uncased vocab: size and special token ids', { skip: uncasedVocab.skip }, () => {
  const tokenizer = FullTokenizer.fromVocabFile(uncasedVocab.path, true);
  assert.equal(tokenizer.vocab.idToToken.length, 30522);
  assert.deepEqual(tokenizer.convertTokensToIds(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']), [0, 100, 101, 102, 103]);
  assert.deepEqual(tokenizer.convertIdsToTokens([0, 100, 101, 102, 103]), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  assert.throws(() => tokenizer.convertTokensToIds(['Hello']), (e: unknown) => e instanceof BamError && e.message.includes(uncasedVocab.path));
  assert.throws(() => tokenizer.convertIdsToTokens([30522]), BamError);
  assert.throws(() => tokenizer.convertIdsToTokens([-1]), BamError);
});
