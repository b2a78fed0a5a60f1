import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTsv } from '../../src/data/tsv.js';
import { BamError } from '../../src/errors.js';
import { sharedData } from '../shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'bam-tsv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('quotes are literal text, as with QUOTE_NONE', () => {
  assert.deepEqual(readTsv(write('quotes.tsv', 'a\t"b\tc"\td\n')), [['a', '"b', 'c"', 'd']]);
});

test('a leading BOM is dropped, \\r\\n is tolerated and empty trailing fields are kept', () => {
  const rows = readTsv(write('bom.tsv', '\uFEFFx\ty\t\r\n1\t\t\r\n'));
  assert.deepEqual(rows, [['x', 'y', ''], ['1', '', '']]);
});

test('a BOM later in the file is text, not stripped', () => {
  assert.deepEqual(readTsv(write('inner-bom.tsv', 'a\n\uFEFFb\n')), [['a'], ['\uFEFFb']]);
});

test('the last line counts without a final newline; an empty line inside the file is an empty row', () => {
  assert.deepEqual(readTsv(write('no-final-newline.tsv', 'a\tb\n\nc')), [['a', 'b'], [], ['c']]);
  assert.deepEqual(readTsv(write('empty.tsv', '')), []);
});

test('maxLines keeps the first physical lines, header included', () => {
  const path = write('ten.tsv', Array.from({ length: 10 }, (_, i) => `row${i}\tx`).join('\n') + '\n');
  assert.deepEqual(readTsv(path, { maxLines: 3 }), [['row0', 'x'], ['row1', 'x'], ['row2', 'x']]);
  assert.equal(readTsv(path, { maxLines: 50 }).length, 10);
  assert.throws(() => readTsv(path, { maxLines: 0 }), /maxLines must be a positive integer/);
});

test('maxLines reads across chunk boundaries without breaking multi-byte characters', () => {
  // 1001-byte lines: the 65536-byte chunk boundary falls inside line 66, in the middle of a 2-byte "é".
  const line = 'é'.repeat(500);
  const path = write('multibyte.tsv', `${line}\n`.repeat(100));
  const rows = readTsv(path, { maxLines: 80 });
  assert.equal(rows.length, 80);
  assert.ok(rows.every((row) => row.length === 1 && row[0] === line));
});

test('a missing file is a one-line BamError naming the path and where GLUE files go', () => {
  const path = join(dir, 'absent', 'train.tsv');
  assert.throws(
    () => readTsv(path),
    (error: unknown) =>
      error instanceof BamError &&
      error.message.startsWith(`${path}: file not found`) &&
      error.message.includes('<bam_dir>/glue_data/<task>/') &&
      error.message.includes('bam init') &&
      !error.message.includes('\n'),
  );
  assert.throws(() => readTsv(path, { maxLines: 5 }), BamError);
  assert.throws(() => readTsv(dir), (error: unknown) => error instanceof BamError && error.message === `${dir}: is a directory, expected a TSV file`);
});

const mrpcTrain = sharedData('glue', 'MRPC', 'train.tsv');
test('real MRPC train: the BOM is gone from the header', { skip: mrpcTrain.skip }, () => {
  const rows = readTsv(mrpcTrain.path);
  assert.equal(rows.length, 3669);
  assert.deepEqual(rows[0], ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String']);
});

const colaDev = sharedData('glue', 'CoLA', 'dev.tsv');
test('real CoLA dev: no header and no final newline, 1043 rows', { skip: colaDev.skip }, () => {
  const rows = readTsv(colaDev.path);
  assert.equal(rows.length, 1043);
  assert.deepEqual(rows[rows.length - 1], ['w_80', '1', '', 'John talked to Bill about himself.']);
});
