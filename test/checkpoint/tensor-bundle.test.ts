import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TensorValue } from '../../src/checkpoint/tensor-source.js';
import { openTfCheckpoint } from '../../src/checkpoint/tf/tensor-bundle.js';
import { stringTensor, variantTensor, writeBundle, type FixtureTensor } from './bundle-fixture.js';
import { tempDir } from './temp-dir.js';

/**
 * Bundles written by the test fixture: every dtype of the format, several shards, many SSTable blocks with
 * prefix-compressed keys and restart points, Snappy blocks, and the entries the real checkpoints lack.
 */

/** Little-endian bytes of `values`, written one by one through DataView (independent of the reader's typed arrays). */
function encode<T>(width: number, values: T[], set: (view: DataView, offset: number, value: T) => void): Uint8Array {
  const bytes = new Uint8Array(width * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => set(view, i * width, value));
  return bytes;
}
const f32 = (v: number[]): Uint8Array => encode(4, v, (d, o, x) => d.setFloat32(o, x, true));
const f64 = (v: number[]): Uint8Array => encode(8, v, (d, o, x) => d.setFloat64(o, x, true));
const u16 = (v: number[]): Uint8Array => encode(2, v, (d, o, x) => d.setUint16(o, x, true));
const i16 = (v: number[]): Uint8Array => encode(2, v, (d, o, x) => d.setInt16(o, x, true));
const i32 = (v: number[]): Uint8Array => encode(4, v, (d, o, x) => d.setInt32(o, x, true));
const u32 = (v: number[]): Uint8Array => encode(4, v, (d, o, x) => d.setUint32(o, x, true));
const i64 = (v: bigint[]): Uint8Array => encode(8, v, (d, o, x) => d.setBigInt64(o, x, true));
const u64 = (v: bigint[]): Uint8Array => encode(8, v, (d, o, x) => d.setBigUint64(o, x, true));

interface DtypeCase {
  dtypeNumber: number;
  shape: number[];
  bytes: Uint8Array;
  expected: TensorValue;
}

/** One tensor per DataType of types.proto that holds numbers or strings, with hand-chosen edge values. */
const DTYPE_CASES: DtypeCase[] = [
  { dtypeNumber: 1, shape: [2, 3], bytes: f32([1.5, -2.25, 0, 1e-30, 3e38, -1]), expected: { dtype: 'float32', data: Float32Array.of(1.5, -2.25, 0, 1e-30, 3e38, -1) } },
  { dtypeNumber: 2, shape: [2], bytes: f64([Math.PI, -1e300]), expected: { dtype: 'float64', data: Float64Array.of(Math.PI, -1e300) } },
  { dtypeNumber: 3, shape: [3], bytes: i32([-1, 0, 2147483647]), expected: { dtype: 'int32', data: Int32Array.of(-1, 0, 2147483647) } },
  { dtypeNumber: 4, shape: [2], bytes: Uint8Array.of(0, 255), expected: { dtype: 'uint8', data: Uint8Array.of(0, 255) } },
  { dtypeNumber: 5, shape: [2], bytes: i16([-32768, 32767]), expected: { dtype: 'int16', data: Int16Array.of(-32768, 32767) } },
  { dtypeNumber: 6, shape: [2], bytes: Uint8Array.of(0x80, 0x7f), expected: { dtype: 'int8', data: Int8Array.of(-128, 127) } },
  { dtypeNumber: 8, shape: [1], bytes: f32([1, -2]), expected: { dtype: 'complex64', data: Float32Array.of(1, -2) } },
  { dtypeNumber: 9, shape: [2], bytes: i64([-(2n ** 63n), 2n ** 62n + 1n]), expected: { dtype: 'int64', data: BigInt64Array.of(-(2n ** 63n), 2n ** 62n + 1n) } },
  { dtypeNumber: 10, shape: [3], bytes: Uint8Array.of(1, 0, 1), expected: { dtype: 'bool', data: Uint8Array.of(1, 0, 1) } },
  { dtypeNumber: 11, shape: [1], bytes: Uint8Array.of(0xfb), expected: { dtype: 'qint8', data: Int8Array.of(-5) } },
  { dtypeNumber: 12, shape: [1], bytes: Uint8Array.of(200), expected: { dtype: 'quint8', data: Uint8Array.of(200) } },
  { dtypeNumber: 13, shape: [1], bytes: i32([-70000]), expected: { dtype: 'qint32', data: Int32Array.of(-70000) } },
  { dtypeNumber: 14, shape: [2], bytes: u16([0x3fc0, 0xc040]), expected: { dtype: 'bfloat16', data: Uint16Array.of(0x3fc0, 0xc040) } },
  { dtypeNumber: 15, shape: [1], bytes: i16([-300]), expected: { dtype: 'qint16', data: Int16Array.of(-300) } },
  { dtypeNumber: 16, shape: [1], bytes: u16([60000]), expected: { dtype: 'quint16', data: Uint16Array.of(60000) } },
  { dtypeNumber: 17, shape: [1], bytes: u16([65535]), expected: { dtype: 'uint16', data: Uint16Array.of(65535) } },
  { dtypeNumber: 18, shape: [1], bytes: f64([0.5, -0.25]), expected: { dtype: 'complex128', data: Float64Array.of(0.5, -0.25) } },
  { dtypeNumber: 19, shape: [4], bytes: u16([0x3c00, 0xc100, 0x0001, 0x7c00]), expected: { dtype: 'float16', data: Uint16Array.of(0x3c00, 0xc100, 0x0001, 0x7c00) } },
  { dtypeNumber: 22, shape: [1], bytes: u32([4294967295]), expected: { dtype: 'uint32', data: Uint32Array.of(4294967295) } },
  { dtypeNumber: 23, shape: [1], bytes: u64([2n ** 64n - 1n]), expected: { dtype: 'uint64', data: BigUint64Array.of(2n ** 64n - 1n) } },
];

const strings = stringTensor(['hello', '', 'wörld']);
const STRING_CASE = { key: 'dtypes/string', dtype: 7, shape: [3, 1], bytes: strings.bytes, crc: strings.crc };

function dtypeTensors(numShards: number): FixtureTensor[] {
  return [
    ...DTYPE_CASES.map((c, i) => ({ key: `dtypes/${c.expected.dtype}`, dtype: c.dtypeNumber, shape: c.shape, bytes: c.bytes, shard: i % numShards })),
    { ...STRING_CASE, shard: numShards - 1 },
  ];
}

for (const snappy of [false, true]) {
  test(`every dtype reads back exactly, over 3 shards and many small blocks${snappy ? ', Snappy blocks' : ''}`, () => {
    const prefix = join(tempDir(), 'model.ckpt');
    writeBundle(prefix, dtypeTensors(3), { numShards: 3, entriesPerBlock: 4, restartInterval: 3, snappy });
    const ckpt = openTfCheckpoint(prefix);
    try {
      const expectedNames = [...DTYPE_CASES.map((c) => `dtypes/${c.expected.dtype}`), 'dtypes/string'].sort();
      assert.deepEqual(ckpt.list().map((t) => t.name), expectedNames);
      DTYPE_CASES.forEach((c, i) => {
        const name = `dtypes/${c.expected.dtype}`;
        assert.deepEqual(ckpt.info(name), { name, dtype: c.expected.dtype, shape: c.shape });
        assert.deepEqual(ckpt.read(name), c.expected, name);
        assert.equal(ckpt.shardOf(name), i % 3);
        assert.equal(ckpt.verify(name), true);
      });
      const value = ckpt.read('dtypes/string');
      assert.equal(value.dtype, 'string');
      assert.deepEqual(value.data.map((s) => Buffer.from(s).toString()), ['hello', '', 'wörld']);
      assert.deepEqual(ckpt.info('dtypes/string').shape, [3, 1]);
      ckpt.verifyAll();
    } finally {
      ckpt.close();
    }
  });
}

test('readFloat32 widens float16, bfloat16 and float64 and refuses other dtypes', () => {
  const prefix = join(tempDir(), 'model.ckpt');
  writeBundle(prefix, dtypeTensors(1));
  const ckpt = openTfCheckpoint(prefix);
  try {
    assert.deepEqual(ckpt.readFloat32('dtypes/float16'), Float32Array.of(1, -2.5, 2 ** -24, Infinity));
    assert.deepEqual(ckpt.readFloat32('dtypes/bfloat16'), Float32Array.of(1.5, -3));
    assert.deepEqual(ckpt.readFloat32('dtypes/float64'), Float32Array.of(Math.fround(Math.PI), -Infinity));
    assert.deepEqual(ckpt.readFloat32('dtypes/float32'), Float32Array.of(1.5, -2.25, 0, 1e-30, 3e38, -1));
    for (const dtype of ['int32', 'int64', 'bool', 'complex64', 'string']) {
      assert.throws(() => ckpt.readFloat32(`dtypes/${dtype}`), {
        name: 'BamError',
        message: `${prefix}: tensor dtypes/${dtype} has dtype ${dtype}, expected a floating-point tensor (float32, float64, float16 or bfloat16); check the tensor name`,
      });
    }
  } finally {
    ckpt.close();
  }
});

test('variant, unknown-dtype and partitioned entries: listed, CRC-checked, refused on read', () => {
  const prefix = join(tempDir(), 'model.ckpt');
  const variant = variantTensor([Uint8Array.of(1, 2, 3), new Uint8Array(200).fill(7)]);
  const sliceKey = Uint8Array.from([0, ...Buffer.from('part'), 0, 1, 1, 0]);
  const tensors: FixtureTensor[] = [
    { key: 'variant', dtype: 21, shape: [2], bytes: variant.bytes, crc: variant.crc },
    { key: 'future', dtype: 24, shape: [3], bytes: Uint8Array.of(1, 2, 3) },
    { key: 'part', dtype: 1, shape: [4], bytes: new Uint8Array(0), slices: 2 },
    { key: sliceKey, dtype: 1, shape: [2], bytes: f32([1, 2]) },
  ];
  writeBundle(prefix, tensors);
  const ckpt = openTfCheckpoint(prefix);
  try {
    assert.deepEqual(ckpt.list(), [
      { name: 'future', dtype: 'unknown(DataType 24)', shape: [3] },
      { name: 'part', dtype: 'float32', shape: [4] },
      { name: 'variant', dtype: 'variant', shape: [2] },
    ]);
    for (const name of ['future', 'part', 'variant']) assert.equal(ckpt.verify(name), true, name);
    ckpt.verifyAll();
    for (const [name, dtype] of [['variant', 'variant'], ['future', 'unknown(DataType 24)']]) {
      assert.throws(() => ckpt.read(name), {
        name: 'BamError',
        message: `${prefix}.index: tensor ${name} has dtype ${dtype}, which holds no model weights and which bam cannot decode; read the other tensors`,
      });
    }
    assert.throws(() => ckpt.read('part'), {
      name: 'BamError',
      message: `${prefix}.index: tensor part is a partitioned variable saved as 2 slices, which bam does not assemble; re-save the checkpoint with unpartitioned variables`,
    });
  } finally {
    ckpt.close();
  }

  // verifyAll also covers the slices' bytes, which no listed tensor owns.
  writeBundle(prefix, [...tensors.slice(0, 3), { ...tensors[3], crc: 12345 }]);
  const corrupted = openTfCheckpoint(prefix);
  try {
    assert.throws(() => corrupted.verifyAll(), {
      name: 'BamError',
      message: new RegExp(`^${prefix}\\.data-00000-of-00001: tensor part \\(a slice\\) fails its CRC32C check \\(index says 0x00003039, data gives 0x[0-9a-f]{8}\\): the data file is corrupted; re-download or re-save the checkpoint$`),
    });
  } finally {
    corrupted.close();
  }
});

test('an entry whose size contradicts its dtype and shape, and a big-endian bundle, are rejected when opening', () => {
  const prefix = join(tempDir(), 'model.ckpt');
  const cases: [FixtureTensor[], { numShards?: number; endianness?: number }, string][] = [
    [
      [{ key: 'w', dtype: 1, shape: [3], bytes: f32([1, 2]) }],
      {},
      `${prefix}.index: entry for tensor w says 8 bytes, but float32 of shape [3] takes 12; re-download or re-save the checkpoint`,
    ],
    [
      [{ key: 'w', dtype: 1, shape: [1], bytes: f32([1]) }],
      { endianness: 1 },
      `${prefix}.index: the checkpoint was written on a big-endian machine, which TensorFlow itself cannot read here; re-save it on a little-endian machine`,
    ],
  ];
  for (const [tensors, options, message] of cases) {
    writeBundle(prefix, tensors, options);
    assert.throws(() => openTfCheckpoint(prefix), { name: 'BamError', message });
  }
});
