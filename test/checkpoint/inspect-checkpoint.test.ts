import assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { openCheckpoint } from '../../src/checkpoint/open-checkpoint.js';
import { writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { runInspectCheckpoint } from '../../src/cli/inspect-checkpoint.js';
import { BamError } from '../../src/errors.js';
import { sharedData } from '../shared-data.js';
import { copyDir, tempDir } from './temp-dir.js';

const checkpoints = sharedData('tf-checkpoints');
const skip = checkpoints.skip;

/** A stdout stand-in that keeps what is written. */
function capture(): { stdout: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stdout, text: () => Buffer.concat(chunks).toString() };
}

async function inspect(args: string[]): Promise<string> {
  const out = capture();
  await runInspectCheckpoint(args, { stdout: out.stdout });
  return out.text();
}

/** The seven checkpoints and their tensor counts (README of the shared data, and the listings in tf-checkpoints.test). */
const SEVEN: [string, number][] = [
  ['half-plus-two-tf1/variables', 5],
  ['half-plus-two-tf2/variables', 4],
  ['tf1-regression-model/variables', 2],
  ['tf2-regression-savedmodel/variables', 7],
  ['keras-bert-tiny/bert_model.ckpt', 139],
  ['keras-gpt2-toy/model.ckpt', 40],
  ['t2t-transformer-2shards/model.ckpt-1', 250],
];

test('--json lists every tensor of the seven checkpoints with dtype, shape, shard and crc_ok', { skip }, async () => {
  for (const [prefix, count] of SEVEN) {
    const path = `${checkpoints.path}/${prefix}`;
    const listed = JSON.parse(await inspect([path, '--json']));
    assert.deepEqual(Object.keys(listed), ['tensors']);
    assert.equal(listed.tensors.length, count, prefix);
    const ckpt = openCheckpoint(path);
    try {
      if (ckpt.kind !== 'tf') assert.fail(`${prefix} opened as ${ckpt.kind}`);
      const expected = ckpt.list().map((t) => ({ ...t, shard: ckpt.shardOf(t.name), crc_ok: true }));
      assert.deepEqual(listed.tensors, expected, prefix);
    } finally {
      ckpt.close();
    }
  }
  const t2t = JSON.parse(await inspect([`${checkpoints.path}/t2t-transformer-2shards/model.ckpt-1.index`, '--json']));
  assert.deepEqual(t2t.tensors[0], { name: 'global_step', dtype: 'int64', shape: [], shard: 0, crc_ok: true });
  assert.equal(t2t.tensors.filter((t: { shard: number }) => t.shard === 1).length, 245);
});

test('the table form of a TF checkpoint', { skip }, async () => {
  const text = await inspect([`${checkpoints.path}/half-plus-two-tf2/variables`]);
  assert.equal(
    text,
    [
      'name                          dtype    shape  shard  crc',
      '_CHECKPOINTABLE_OBJECT_GRAPH  string   []     0      ok',
      'a/.ATTRIBUTES/VARIABLE_VALUE  float32  []     0      ok',
      'b/.ATTRIBUTES/VARIABLE_VALUE  float32  []     0      ok',
      'c/.ATTRIBUTES/VARIABLE_VALUE  float32  []     0      ok',
      '4 tensors, 4 elements; 1 data shard(s), every CRC32C ok',
      '',
    ].join('\n'),
  );
});

test('a safetensors file: shard 0 and crc_ok null (the format has no checksums)', async () => {
  const path = join(tempDir(), 'model.safetensors');
  writeSafetensors(path, [
    { name: 'w', shape: [2, 3], data: new Float32Array(6) },
    { name: 'b', shape: [3], data: new Float32Array(3) },
  ]);
  assert.deepEqual(JSON.parse(await inspect(['--json', path])), {
    tensors: [
      { name: 'b', dtype: 'float32', shape: [3], shard: 0, crc_ok: null },
      { name: 'w', dtype: 'float32', shape: [2, 3], shard: 0, crc_ok: null },
    ],
  });
  assert.equal(
    await inspect([path]),
    ['name  dtype    shape  shard  crc', 'b     float32  [3]    0      -', 'w     float32  [2,3]  0      -', '2 tensors, 9 elements; safetensors files carry no checksums', ''].join('\n'),
  );
});

/** Runs the command on a corrupted copy: it must throw a one-line BamError matching `message` and print nothing. */
async function assertFails(args: string[], message: RegExp): Promise<void> {
  const out = capture();
  await assert.rejects(runInspectCheckpoint(args, { stdout: out.stdout }), (error: unknown) => {
    assert.ok(error instanceof BamError, String(error));
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.match(error.message, message);
    return true;
  });
  assert.equal(out.text(), '');
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] ^= 0x01;
  writeFileSync(path, bytes);
}

test('corrupted copies fail with one line: bad tensor CRC, bad block CRC, truncation, missing shard', { skip }, async () => {
  const bert = (): string => join(copyDir(`${checkpoints.path}/keras-bert-tiny`), 'bert_model.ckpt');

  const flippedData = bert();
  flipByte(`${flippedData}.data-00000-of-00001`, 4000);
  await assertFails([flippedData], /\.data-00000-of-00001: tensor \S+ fails its CRC32C check \(index says 0x[0-9a-f]{8}, data gives 0x[0-9a-f]{8}\): the data file is corrupted/);

  const flippedIndex = bert();
  flipByte(`${flippedIndex}.index`, 100);
  await assertFails([flippedIndex, '--json'], /\.index: SSTable block at byte 0 fails its CRC32C check: the index file is corrupted/);

  const truncated = bert();
  truncateSync(`${truncated}.data-00000-of-00001`, 100);
  await assertFails([truncated], /\.data-00000-of-00001: truncated: tensor \S+ needs bytes \d+\.\.\d+ but the file has 100;/);

  const twoShards = join(copyDir(`${checkpoints.path}/t2t-transformer-2shards`), 'model.ckpt-1');
  rmSync(`${twoShards}.data-00001-of-00002`);
  await assertFails([twoShards], /\.data-00001-of-00002: data shard 2 of 2 is missing;/);

  const path = join(tempDir(), 'short.safetensors');
  writeFileSync(path, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0]));
  await assertFails([path], /short\.safetensors: truncated: the header needs 208 bytes, the file has 8;/);
});

test('usage errors and paths that are no checkpoint', async () => {
  const usage = 'usage: bam inspect-checkpoint PREFIX_OR_FILE [--json]';
  await assertFails([], new RegExp(`^inspect-checkpoint: expected one checkpoint path, got 0; ${usage.replace(/[[\]]/g, '\\$&')}$`));
  await assertFails(['a', 'b'], /^inspect-checkpoint: expected one checkpoint path, got 2;/);
  await assertFails(['a', '--jsn'], /^inspect-checkpoint: unknown option --jsn;/);
  const dir = tempDir();
  await assertFails([join(dir, 'model.bin')], new RegExp(`^${dir}/model\\.bin: not a checkpoint; pass a \\.safetensors file, or a TensorFlow checkpoint prefix`));
});

test('openCheckpoint picks the format from the extension or the .index file beside the prefix', { skip }, () => {
  const prefix = `${checkpoints.path}/tf1-regression-model/variables`;
  for (const path of [prefix, `${prefix}.index`, `${prefix}.data-00000-of-00001`]) {
    const ckpt = openCheckpoint(path);
    assert.equal(ckpt.kind, 'tf');
    assert.equal(ckpt.list().length, 2);
    ckpt.close();
  }
  const path = join(tempDir(), 'x.safetensors');
  writeSafetensors(path, [{ name: 'w', shape: [1], data: Float32Array.of(2) }]);
  const file = openCheckpoint(path);
  assert.equal(file.kind, 'safetensors');
  assert.deepEqual(file.readFloat32('w'), Float32Array.of(2));
  file.close();
});
