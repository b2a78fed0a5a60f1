import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseRunArgs } from '../../src/cli/run-args.js';
import { assertBamError } from './assert-bam-error.js';

const SINGLE_QUOTES = `'{"debug": true}'`;
const CMD_QUOTES = '"{\\"debug\\": true}"';
const dir = mkdtempSync(join(tmpdir(), 'bam-run-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('model name, bam_dir and the JSON argument', () => {
  assert.deepEqual(parseRunArgs(['debug-model', '/bam', '{"debug": true, "task_names": ["rte"]}']), {
    modelName: 'debug-model',
    bamDir: '/bam',
    user: { debug: true, task_names: ['rte'] },
    overwrite: false,
  });
  assert.deepEqual(parseRunArgs(['m', '/bam']), { modelName: 'm', bamDir: '/bam', user: {}, overwrite: false });
});

test('--hparams FILE is read first; the JSON argument\'s keys win; both option forms work', () => {
  const file = writeTemp('h.json', '\uFEFF{"debug": true, "learning_rate": 1e-5, "teachers": {"rte": "a"}}\n');
  assert.deepEqual(parseRunArgs(['--hparams', file, 'm', '/bam']).user, {
    debug: true,
    learning_rate: 1e-5,
    teachers: { rte: 'a' },
  });
  assert.deepEqual(parseRunArgs(['m', '/bam', '{"learning_rate": 2e-5, "teachers": {}}', `--hparams=${file}`]).user, {
    debug: true,
    learning_rate: 2e-5,
    teachers: {},
  });
});

test('--hparams errors name the file, the line and the column', () => {
  const missing = join(dir, 'missing.json');
  assertBamError(() => parseRunArgs(['m', '/bam', '--hparams', missing]), `--hparams ${missing}: file not found`);
  const bad = writeTemp('bad.json', '{\n  "debug": true,\n  "lr": tru\n}\n');
  assertBamError(() => parseRunArgs(['m', '/bam', '--hparams', bad]), `${bad}:3:12: not valid JSON (Unexpected token '\\n' at position 30)`);
  const list = writeTemp('list.json', '["rte"]');
  assertBamError(() => parseRunArgs(['m', '/bam', '--hparams', list]), `${list}: must hold one JSON object`, 'got an array');
  assertBamError(() => parseRunArgs(['m', '/bam', '--hparams']), '--hparams needs a file');
  assertBamError(() => parseRunArgs(['m', '/bam', '--hparams', list, '--hparams', list]), '--hparams is given twice');
});

test('malformed JSON: the position and the quoting to use', () => {
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', '{"debug": tru}']),
    "hparams argument is not valid JSON (Unexpected token '}' at position 13): pass one JSON object in single quotes",
    SINGLE_QUOTES,
    CMD_QUOTES,
  );
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', '{"debug":']),
    '(Unexpected end of JSON input at position 9)',
  );
});

test('the positions reported agree with V8\'s where V8 gives one', () => {
  const samples = ['{"a" 1}', '{"a":1,}', '[1', '{"a": 01}', '{"a": -}', '{"a": "\\q"}', '{"a": 1.}', '{"a": 1} x', '{"a": "b'];
  let compared = 0;
  for (const sample of samples) {
    let v8Position: number | undefined;
    try {
      JSON.parse(sample);
    } catch (error) {
      const match = /at position (\d+)/.exec((error as Error).message);
      if (match) v8Position = Number(match[1]);
    }
    if (v8Position === undefined) continue;
    const message = assertBamError(() => parseRunArgs(['m', '/bam', sample]), 'not valid JSON');
    const ours = /at position (\d+)\)/.exec(message);
    assert.ok(ours, message);
    assert.equal(Number(ours[1]), v8Position, sample);
    compared++;
  }
  assert.ok(compared >= 5, `only ${compared} samples had a V8 position`);
});

test('PowerShell-style stripped double quotes: position 1 and the hint', () => {
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', '{debug: true}']),
    "(Unexpected token 'd' at position 1)",
    'the keys lack their double quotes, so your shell removed them',
    CMD_QUOTES,
  );
});

test('issue #431: JSON split by the shell into several arguments', () => {
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', '{"debug":', 'true}']),
    'the shell split the hparams JSON into several arguments: got "{\\"debug\\":" "true}"',
    SINGLE_QUOTES,
    CMD_QUOTES,
  );
});

test('Windows cmd: single quotes kept and the JSON split', () => {
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', "'{debug:", "true}'"]),
    'kept the single quotes',
    'Windows cmd',
    CMD_QUOTES,
  );
  assertBamError(
    () => parseRunArgs(['debug-model', '/bam', "'{\"debug\":true}'"]),
    "(Unexpected token ''' at position 0)",
    'the single quotes reached bam',
    CMD_QUOTES,
  );
});

test('the JSON must be one object', () => {
  assertBamError(() => parseRunArgs(['m', '/bam', '[{"debug": true}]']), 'must be one JSON object, got an array', SINGLE_QUOTES);
  assertBamError(() => parseRunArgs(['m', '/bam', '5']), 'got a number');
  assertBamError(() => parseRunArgs(['m', '/bam', 'null']), 'got null');
});

test('missing or extra arguments give the usage line', () => {
  const usage = "usage: bam run <model_name> <bam_dir> ['<hparams JSON>'] [--hparams FILE.json] [--threads N] [--overwrite]";
  assertBamError(() => parseRunArgs([]), 'missing <model_name> and <bam_dir>', usage);
  assertBamError(() => parseRunArgs(['m']), 'missing <bam_dir> after the model name "m"', usage);
  assertBamError(() => parseRunArgs(['m', '/bam', 'a', 'b']), 'too many arguments', usage);
  assertBamError(() => parseRunArgs(['m', '/bam', '--fast']), 'unknown option --fast', usage);
  assertBamError(() => parseRunArgs(['-x', '/bam']), 'unknown option -x', usage);
});

test('--overwrite is an option, not an argument', () => {
  assert.equal(parseRunArgs(['m', '/bam']).overwrite, false);
  const args = parseRunArgs(['m', '--overwrite', '/bam', '{"debug": true}']);
  assert.deepEqual([args.modelName, args.bamDir, args.user, args.overwrite], ['m', '/bam', { debug: true }, true]);
});

test('an unset $BAM_DIR: the JSON lands in <bam_dir>, or <bam_dir> is empty', () => {
  assertBamError(() => parseRunArgs(['debug-model', '{"debug": true}']), '<bam_dir> is missing', 'is $BAM_DIR set?');
  assertBamError(() => parseRunArgs(['debug-model', '', '{"debug": true}']), '<bam_dir> is empty', 'is $BAM_DIR set?');
});
