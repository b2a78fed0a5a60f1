import assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { elementCount } from '../../src/checkpoint/tensor-source.js';
import { openTfCheckpoint } from '../../src/checkpoint/tf/tensor-bundle.js';
import { sharedData } from '../shared-data.js';
import { copyDir } from './temp-dir.js';

/** Deliberately corrupted copies of the real checkpoints: each must fail with its own one-line message. */

const checkpoints = sharedData('tf-checkpoints');
const skip = checkpoints.skip;
const FIX = 're-download or re-save the checkpoint';

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] ^= 0x40;
  writeFileSync(path, bytes);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a flipped byte in the data file fails exactly one tensor CRC, on verify, verifyAll and read', { skip }, () => {
  const dir = copyDir(`${checkpoints.path}/keras-bert-tiny`);
  const data = join(dir, 'bert_model.ckpt.data-00000-of-00001');
  flipByte(data, 1000);
  const ckpt = openTfCheckpoint(join(dir, 'bert_model.ckpt'));
  try {
    const bad = ckpt.list().filter((t) => !ckpt.verify(t.name));
    assert.equal(bad.length, 1);
    const message = new RegExp(
      `^${escape(data)}: tensor ${escape(bad[0].name)} fails its CRC32C check \\(index says 0x[0-9a-f]{8}, data gives 0x[0-9a-f]{8}\\): the data file is corrupted; ${FIX}$`,
    );
    assert.throws(() => ckpt.verifyAll(), { name: 'BamError', message });
    assert.throws(() => ckpt.read(bad[0].name), { name: 'BamError', message });
    assert.throws(() => ckpt.readFloat32(bad[0].name), { name: 'BamError', message });
    for (const t of ckpt.list()) {
      if (t.name !== bad[0].name) assert.equal(ckpt.read(t.name).data.length, elementCount(t.shape), `${t.name} still reads`);
    }
  } finally {
    ckpt.close();
  }
});

test('a flipped byte inside a string tensor fails its CRC', { skip }, () => {
  const dir = copyDir(`${checkpoints.path}/tf2-regression-savedmodel`);
  const data = join(dir, 'variables.data-00000-of-00001');
  flipByte(data, 300); // the object graph occupies bytes 28..565
  const ckpt = openTfCheckpoint(join(dir, 'variables'));
  try {
    assert.equal(ckpt.verify('_CHECKPOINTABLE_OBJECT_GRAPH'), false);
    assert.equal(ckpt.verify('w/.ATTRIBUTES/VARIABLE_VALUE'), true);
    assert.throws(() => ckpt.read('_CHECKPOINTABLE_OBJECT_GRAPH'), {
      name: 'BamError',
      message: new RegExp(`^${escape(data)}: tensor _CHECKPOINTABLE_OBJECT_GRAPH fails its CRC32C check \\(index says 0x[0-9a-f]{8}, data gives 0x[0-9a-f]{8}\\)`),
    });
  } finally {
    ckpt.close();
  }
});

test('a flipped byte in the index fails the SSTable block CRC (plain and Snappy-compressed blocks)', { skip }, () => {
  for (const [folder, prefix] of [['keras-bert-tiny', 'bert_model.ckpt'], ['half-plus-two-tf1', 'variables']]) {
    const dir = copyDir(`${checkpoints.path}/${folder}`);
    const index = join(dir, `${prefix}.index`);
    flipByte(index, 20); // inside the first data block, which starts at byte 0
    assert.throws(() => openTfCheckpoint(join(dir, prefix)), {
      name: 'BamError',
      message: `${index}: SSTable block at byte 0 fails its CRC32C check: the index file is corrupted; ${FIX}`,
    });
  }
});

test('a truncated index file has no footer', { skip }, () => {
  const dir = copyDir(`${checkpoints.path}/keras-bert-tiny`);
  const index = join(dir, 'bert_model.ckpt.index');
  truncateSync(index, 4000);
  assert.throws(() => openTfCheckpoint(join(dir, 'bert_model.ckpt')), {
    name: 'BamError',
    message: `${index}: truncated, or not a TensorFlow checkpoint index (no SSTable footer magic); ${FIX}, and pass the checkpoint prefix (.../model.ckpt) or its .index file`,
  });
});

test('a truncated data file is reported when opening, naming a tensor past the end', { skip }, () => {
  const dir = copyDir(`${checkpoints.path}/keras-bert-tiny`);
  const data = join(dir, 'bert_model.ckpt.data-00000-of-00001');
  truncateSync(data, 8000);
  assert.throws(
    () => openTfCheckpoint(join(dir, 'bert_model.ckpt')),
    (error: unknown) => {
      assert.ok(error instanceof Error && error.name === 'BamError');
      const match = new RegExp(`^${escape(data)}: truncated: tensor (\\S+) needs bytes (\\d+)\\.\\.(\\d+) but the file has 8000; ${FIX}$`).exec(error.message);
      assert.ok(match, error.message);
      assert.ok(Number(match[3]) > 8000);
      return true;
    },
  );
});

test('a missing data shard of the 2-shard checkpoint is named', { skip }, () => {
  const dir = copyDir(`${checkpoints.path}/t2t-transformer-2shards`);
  const prefix = join(dir, 'model.ckpt-1');
  rmSync(`${prefix}.data-00000-of-00002`);
  assert.throws(() => openTfCheckpoint(prefix), {
    name: 'BamError',
    message: `${prefix}.data-00000-of-00002: data shard 1 of 2 is missing; copy every ${prefix}.data-*-of-00002 file next to the .index file`,
  });
});
