import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTextDocuments, readTextDocuments } from '../../src/pretrain/text-documents.js';
import { assertBamError } from '../config/assert-bam-error.js';
import { tinyTokenizer } from './pretrain-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'bam-text-documents-'));
after(() => rmSync(root, { recursive: true, force: true }));

const WORDS = ['the', 'cat', 'sat', '.', 'a', 'dog', 'ran', '!', 'birds', 'fly', 'fish', 'swim', '##s'];
const tokenizer = tinyTokenizer(WORDS);
const id = (word: string): number => WORDS.indexOf(word) + 5;
const ids = (text: string): number[] => text.split(' ').map(id);
const asLists = (documents: Int32Array[][]): number[][][] => documents.map((d) => d.map((s) => [...s]));

test('sample_text.txt format: a line per sentence, blank (or whitespace-only) lines end documents, token-less lines are dropped', () => {
  // A BOM, CRLF line ends, a line of spaces and one of a no-break space (both blank to Python's strip()), a line of
  // control characters (no tokens, so dropped without ending the document), an unknown word ([UNK] = 1).
  const text = '\uFEFFThe cat sat.\r\nA dog ran!\n\n   \n\u00a0\nBirds fly\n\u0001\u0002\nfish swim zebra\n\n\n';
  assert.deepEqual(asLists(parseTextDocuments(text, tokenizer, 'sample.txt')), [
    [ids('the cat sat .'), ids('a dog ran !')],
    [ids('birds fly'), [...ids('fish swim'), 1]],
  ]);
});

test('readTextDocuments: files in order, and a file always ends a document', () => {
  writeFileSync(join(root, 'one.txt'), 'the cat\nsat');
  writeFileSync(join(root, 'two.txt'), 'a dog\n\nfish\n');
  assert.deepEqual(asLists(readTextDocuments([join(root, 'one.txt'), join(root, 'two.txt')], tokenizer)), [
    [ids('the cat'), ids('sat')],
    [ids('a dog')],
    [ids('fish')],
  ]);
});

test('bad pretraining text is a BamError naming the file and the fix', () => {
  assertBamError(() => readTextDocuments([join(root, 'missing.txt')], tokenizer), 'missing.txt', 'file not found');
  writeFileSync(join(root, 'blank.txt'), '\n \n\n');
  assertBamError(() => readTextDocuments([join(root, 'blank.txt')], tokenizer), 'blank.txt', 'one sentence per line');
  assertBamError(() => readTextDocuments([root], tokenizer), root, 'is a directory');
  assertBamError(() => readTextDocuments([], tokenizer), 'no pretraining text files');
});
