import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSafetensors, writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { expectShape } from '../../src/checkpoint/tensor-source.js';
import { sharedData } from '../shared-data.js';
import { tempDir } from './temp-dir.js';

const hfTiny = sharedData('goldens', 'hf-tiny-random', 'model.safetensors');
const FIX = 're-download or re-save the file';

/** A safetensors file from a header object and data bytes, padded as the format asks. */
function rawSafetensors(path: string, header: unknown, data: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(header));
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, ' ')]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  writeFileSync(path, Buffer.concat([length, padded, data]));
}

test('reads the Hugging Face tiny random BERT: names and shapes from config.json, HF init values', { skip: hfTiny.skip }, () => {
  const config = JSON.parse(readFileSync(hfTiny.path.replace('model.safetensors', 'config.json'), 'utf8'));
  const file = openSafetensors(hfTiny.path);
  try {
    const h = config.hidden_size;
    const linear = (name: string, outputs: number, inputs: number): [string, number[]][] => [
      [`${name}.bias`, [outputs]],
      [`${name}.weight`, [outputs, inputs]],
    ];
    const layerNorm = (name: string): [string, number[]][] => [[`${name}.LayerNorm.bias`, [h]], [`${name}.LayerNorm.weight`, [h]]];
    const expected: [string, number[]][] = [
      ...layerNorm('bert.embeddings'),
      ['bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, h]],
      ['bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, h]],
      ['bert.embeddings.word_embeddings.weight', [config.vocab_size, h]],
      ...linear('bert.pooler.dense', h, h),
      ...linear('classifier', 2, h),
    ];
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const layer = `bert.encoder.layer.${i}`;
      expected.push(
        ...layerNorm(`${layer}.attention.output`),
        ...linear(`${layer}.attention.output.dense`, h, h),
        ...['key', 'query', 'value'].flatMap((p) => linear(`${layer}.attention.self.${p}`, h, h)),
        ...linear(`${layer}.intermediate.dense`, config.intermediate_size, h),
        ...layerNorm(`${layer}.output`),
        ...linear(`${layer}.output.dense`, h, config.intermediate_size),
      );
    }
    expected.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    assert.deepEqual(file.list(), expected.map(([name, shape]) => ({ name, dtype: 'float32', shape })));
    assert.deepEqual(file.metadata, { format: 'pt' });

    // transformers' _init_weights: LayerNorm weight 1, bias 0; Linear bias 0; embeddings N(0, initializer_range)
    // with the padding row (pad_token_id 0) zeroed.
    for (const [name] of expected) {
      const values = file.readFloat32(name);
      if (name.endsWith('LayerNorm.weight')) assert.ok(values.every((v) => v === 1), name);
      else if (name.endsWith('.bias')) assert.ok(values.every((v) => v === 0), name);
    }
    const words = file.readFloat32('bert.embeddings.word_embeddings.weight');
    assert.ok(words.subarray(0, h).every((v) => v === 0), 'padding row is zero');
    const std = Math.sqrt(words.reduce((sum, v) => sum + v * v, 0) / words.length);
    assert.ok(Math.abs(std - config.initializer_range) < 1e-3, `std ${std}`);
  } finally {
    file.close();
  }
});

test('writing back every tensor of the Hugging Face file reproduces it byte for byte', { skip: hfTiny.skip }, () => {
  const source = openSafetensors(hfTiny.path);
  const path = join(tempDir(), 'copy.safetensors');
  try {
    // Given in reverse order: the writer sorts by name as Hugging Face does.
    const tensors = source.list().reverse().map(({ name, shape }) => ({ name, shape, data: source.readFloat32(name) }));
    writeSafetensors(path, tensors, { format: 'pt' });
  } finally {
    source.close();
  }
  assert.deepEqual(readFileSync(path), readFileSync(hfTiny.path));
});

test('round trip: sorted names, padded header, metadata, scalars, empty tensors, integer-like names', () => {
  const dir = tempDir();
  const path = join(dir, 'model.safetensors');
  writeFileSync(path, 'old contents');
  const tensors = [
    { name: 'b', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, -6.5) },
    { name: '10', shape: [], data: Float32Array.of(3.25) },
    { name: 'a.weight', shape: [0, 4], data: new Float32Array(0) },
    { name: '9', shape: [1], data: Float32Array.of(-0) },
  ];
  writeSafetensors(path, tensors, { format: 'pt', note: 'bam' });
  assert.deepEqual(readdirSync(dir), ['model.safetensors'], 'no temporary file is left behind');

  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.equal(headerLength % 8, 0);
  const headerText = bytes.subarray(8, 8 + headerLength).toString();
  assert.equal(
    headerText.trimEnd(),
    '{"__metadata__":{"format":"pt","note":"bam"},' +
      '"10":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
      '"9":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},' +
      '"a.weight":{"dtype":"F32","shape":[0,4],"data_offsets":[8,8]},' +
      '"b":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]}}',
  );
  assert.equal(bytes.length, 8 + headerLength + 32);

  const file = openSafetensors(path);
  try {
    assert.deepEqual(file.metadata, { format: 'pt', note: 'bam' });
    assert.deepEqual(file.list().map((t) => t.name), ['10', '9', 'a.weight', 'b']);
    for (const t of tensors) {
      assert.deepEqual(file.info(t.name), { name: t.name, dtype: 'float32', shape: t.shape });
      assert.deepEqual(file.readFloat32(t.name), t.data);
    }
    assert.equal(Object.is(file.readFloat32('9')[0], -0), true);
  } finally {
    file.close();
  }
});

test('writeSafetensors rejects data that does not match its shape, and duplicate names, writing nothing', () => {
  const dir = tempDir();
  const path = join(dir, 'bad.safetensors');
  assert.throws(() => writeSafetensors(path, [{ name: 'w', shape: [2, 2], data: new Float32Array(3) }]), {
    name: 'BamError',
    message: `${path}: tensor w has 3 values, but shape [2,2] needs 4; pass data that matches the shape`,
  });
  assert.throws(() => writeSafetensors(path, [{ name: 'w', shape: [1], data: new Float32Array(1) }, { name: 'w', shape: [1], data: new Float32Array(1) }]), {
    name: 'BamError',
    message: `${path}: tensor w is given twice; pass each tensor once`,
  });
  assert.deepEqual(readdirSync(dir), []);
});

test('reads every safetensors dtype; readFloat32 widens F16, BF16 and F64 and refuses integers', () => {
  const path = join(tempDir(), 'dtypes.safetensors');
  const parts: [string, string, number[], number[]][] = [
    // name, dtype, shape, little-endian bytes
    ['bf16', 'BF16', [2], [0xc0, 0x3f, 0x40, 0xc0]],
    ['bool', 'BOOL', [2], [1, 0]],
    ['f16', 'F16', [2], [0x00, 0x3c, 0x00, 0xc1]],
    ['f64', 'F64', [1], [0, 0, 0, 0, 0, 0, 0xf8, 0x3f]],
    ['i16', 'I16', [1], [0x00, 0x80]],
    ['i32', 'I32', [1], [0xfe, 0xff, 0xff, 0xff]],
    ['i64', 'I64', [1], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['i8', 'I8', [2], [0xff, 0x7f]],
    ['u16', 'U16', [1], [0xff, 0xff]],
    ['u32', 'U32', [1], [0xff, 0xff, 0xff, 0xff]],
    ['u64', 'U64', [1], [0, 0, 0, 0, 0, 0, 0, 0x80]],
    ['u8', 'U8', [1], [200]],
  ];
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, dtype, shape, bytes] of parts) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
  }
  rawSafetensors(path, header, Uint8Array.from(parts.flatMap((p) => p[3])));
  const file = openSafetensors(path);
  try {
    assert.deepEqual(file.readFloat32('bf16'), Float32Array.of(1.5, -3));
    assert.deepEqual(file.readFloat32('f16'), Float32Array.of(1, -2.5));
    assert.deepEqual(file.readFloat32('f64'), Float32Array.of(1.5));
    assert.deepEqual(file.read('bool'), { dtype: 'bool', data: Uint8Array.of(1, 0) });
    assert.deepEqual(file.read('i16'), { dtype: 'int16', data: Int16Array.of(-32768) });
    assert.deepEqual(file.read('i32'), { dtype: 'int32', data: Int32Array.of(-2) });
    assert.deepEqual(file.read('i64'), { dtype: 'int64', data: BigInt64Array.of(-1n) });
    assert.deepEqual(file.read('i8'), { dtype: 'int8', data: Int8Array.of(-1, 127) });
    assert.deepEqual(file.read('u16'), { dtype: 'uint16', data: Uint16Array.of(65535) });
    assert.deepEqual(file.read('u32'), { dtype: 'uint32', data: Uint32Array.of(4294967295) });
    assert.deepEqual(file.read('u64'), { dtype: 'uint64', data: BigUint64Array.of(2n ** 63n) });
    assert.deepEqual(file.read('u8'), { dtype: 'uint8', data: Uint8Array.of(200) });
    assert.deepEqual(file.list().map((t) => t.dtype), ['bfloat16', 'bool', 'float16', 'float64', 'int16', 'int32', 'int64', 'int8', 'uint16', 'uint32', 'uint64', 'uint8']);
    assert.throws(() => file.readFloat32('i64'), {
      name: 'BamError',
      message: `${path}: tensor i64 has dtype int64, expected a floating-point tensor (float32, float64, float16 or bfloat16); check the tensor name`,
    });
    assert.throws(() => file.info('nope'), {
      name: 'BamError',
      message: `${path}: no tensor named nope in this file; run 'bam inspect-checkpoint ${path}' to list its tensors`,
    });
  } finally {
    file.close();
  }
  assert.throws(() => file.read('u8'), { name: 'BamError', message: `${path}: read after close(); open the file again` });
});

test('malformed files give one-line errors naming the file and the fault', () => {
  const dir = tempDir();
  const path = join(dir, 'bad.safetensors');
  const f32 = (shape: number[], offsets: number[]): unknown => ({ dtype: 'F32', shape, data_offsets: offsets });
  const cases: [unknown, number, string][] = [
    [{ w: f32([2], [0, 8]) }, 4, `truncated: tensor w ends at data byte 8, but the data section has 4 bytes`],
    [{ w: f32([3], [0, 8]) }, 8, `tensor w: data_offsets [0,8] hold 8 bytes, but F32 of shape [3] takes 12`],
    [{ w: { dtype: 'F8_E5M2', shape: [1], data_offsets: [0, 1] } }, 1, `tensor w has unsupported dtype "F8_E5M2" (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL)`],
    [{ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }, 12, `tensor b starts at data byte 8, expected 4 (tensors must tile the data section)`],
    [{ w: f32([1], [0, 4]) }, 6, `2 bytes after the last tensor`],
    [{ w: f32([-1], [0, 4]) }, 4, `tensor w has a bad shape [-1]`],
    [[1, 2], 0, `header is not a JSON object`],
    [{ __metadata__: { n: 1 } }, 0, `__metadata__ is not an object of strings`],
  ];
  for (const [header, dataBytes, detail] of cases) {
    rawSafetensors(path, header, new Uint8Array(dataBytes));
    assert.throws(() => openSafetensors(path), { name: 'BamError', message: `${path}: ${detail}; ${FIX}` }, detail);
  }
  writeFileSync(path, Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 0x7b]));
  assert.throws(() => openSafetensors(path), { name: 'BamError', message: `${path}: truncated: the header needs 24 bytes, the file has 9; ${FIX}` });
  writeFileSync(path, Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x2c]));
  assert.throws(() => openSafetensors(path), { name: 'BamError', message: new RegExp(`^${path}: header is not valid UTF-8 JSON \\(.+\\); ${FIX}$`) });
  writeFileSync(path, Buffer.from([1, 2, 3]));
  assert.throws(() => openSafetensors(path), { name: 'BamError', message: `${path}: truncated: 3 bytes, too short for a safetensors header; ${FIX}` });
  assert.throws(() => openSafetensors(join(dir, 'missing.safetensors')), {
    name: 'BamError',
    message: `${join(dir, 'missing.safetensors')}: file not found; pass the path of a .safetensors file`,
  });
});

test('expectShape names the file, the tensor, its shape and the expected one', () => {
  const path = join(tempDir(), 'model.safetensors');
  writeSafetensors(path, [{ name: 'bert.pooler.dense.weight', shape: [32, 32], data: new Float32Array(1024) }]);
  const file = openSafetensors(path);
  try {
    expectShape(file, 'bert.pooler.dense.weight', [32, 32]);
    assert.throws(() => expectShape(file, 'bert.pooler.dense.weight', [64, 32]), {
      name: 'BamError',
      message: `${path}: tensor bert.pooler.dense.weight has shape [32,32], expected [64,32] (the checkpoint does not match the model configuration; use the checkpoint that belongs to the config, or fix the config's sizes)`,
    });
    assert.throws(() => expectShape(file, 'bert.pooler.dense.weight', [32]), { name: 'BamError' });
  } finally {
    file.close();
  }
});
