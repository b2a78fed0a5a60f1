import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonSyntaxError, readJsonFile, readJsonObject } from '../../src/util/json-file.js';
import { tempDir } from '../checkpoint/temp-dir.js';
import { assertBamError } from '../config/assert-bam-error.js';

const dir = tempDir();
const writeTemp = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('jsonSyntaxError: null for JSON; V8\'s position where its message names one', () => {
  assert.equal(jsonSyntaxError('{"a": [1, 2.5e-3, "x\\u00e9", null]}'), null);
  for (const [text, position] of [['{"a" 1}', 5], ['{"a":1,}', 7], ['{"a": 01}', 7], ['{"a": "\\q"}', 8], ['{"a": 1} x', 9]] as const) {
    assert.equal(jsonSyntaxError(text)?.position, position, text);
  }
});

test('jsonSyntaxError: positions Node 20 does not name (unexpected token, end of input), as an RFC 8259 scanner finds them', () => {
  const cases: [string, number, string][] = [
    ['{"debug": tru}', 13, "Unexpected token '}' at position 13"],
    ["'{\"debug\":true}'", 0, "Unexpected token ''' at position 0"],
    ['{"a": NaN}', 6, "Unexpected token 'N' at position 6"],
    ['[true, fals]', 11, "Unexpected token ']' at position 11"],
    ['{"debug":', 9, 'Unexpected end of JSON input at position 9'],
    ['tru', 3, 'Unexpected end of JSON input at position 3'],
    ['', 0, 'Unexpected end of JSON input at position 0'],
  ];
  for (const [text, position, message] of cases) {
    const error = jsonSyntaxError(text);
    assert.equal(error?.position, position, text);
    assert.equal(error?.message, message, text);
  }
});

test('jsonSyntaxError: line and column are 1-based; a control character is shown escaped', () => {
  assert.deepEqual(jsonSyntaxError('{\n  "debug": true,\n  "lr": tru\n}\n'), {
    position: 30, line: 3, column: 12, message: "Unexpected token '\\n' at position 30",
  });
  assert.deepEqual(jsonSyntaxError('{"a": 1,\n"b" 2}'), { position: 13, line: 2, column: 5, message: "Unexpected token '2' at position 13" });
});

test('readJsonFile: the value, a byte-order mark skipped', () => {
  assert.deepEqual(readJsonFile(writeTemp('ok.json', '\uFEFF{"trials": [1]}\n'), 'results file', 'rerun'), { trials: [1] });
  assert.deepEqual(readJsonFile(writeTemp('list.json', '[1, "a"]'), 'inputs', 'fix'), [1, 'a']);
});

test('readJsonFile: one line naming the file, what is wrong and the fix', () => {
  const missing = join(dir, 'missing.json');
  assertBamError(() => readJsonFile(missing, 'teacher file', 'train the teacher first'), `${missing}: teacher file not found; train the teacher first`);
  const folder = join(dir, 'a-folder.json');
  mkdirSync(folder);
  assertBamError(() => readJsonFile(folder, 'BERT config', 'pass a file'), `${folder}: cannot read BERT config (EISDIR); pass a file`);
  const broken = writeTemp('broken.json', '{\n  "debug": true,\n  "lr": tru\n}\n');
  assertBamError(
    () => readJsonFile(broken, 'experiment recipe', 'fix the recipe'),
    `${broken}: not valid JSON (Unexpected token '\\n' at position 30, line 3 column 12); fix the recipe`,
  );
});

test('readJsonObject: anything but an object is refused', () => {
  const list = writeTemp('array.json', '[]');
  assertBamError(() => readJsonObject(list, 'model config', 'restore it'), `${list}: model config must be a JSON object; restore it`);
  assert.deepEqual(readJsonObject(writeTemp('object.json', '{"vocab_size": 5}'), 'model config', 'restore it'), { vocab_size: 5 });
});
