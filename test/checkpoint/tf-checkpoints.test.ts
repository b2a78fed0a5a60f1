import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { elementCount, type TensorInfo } from '../../src/checkpoint/tensor-source.js';
import { openTfCheckpoint, type TfCheckpoint } from '../../src/checkpoint/tf/tensor-bundle.js';
import { sharedData } from '../shared-data.js';

/**
 * The seven real TensorFlow checkpoints in ../shared/data/tf-checkpoints. Every tensor's bytes are CRC32C-checked
 * against the CRC TensorFlow stored; names, dtypes and shapes are compared with what the model configs imply; values
 * with what is known about the models; and each shard's size with the sum of the sizes of its tensors.
 */

const checkpoints = sharedData('tf-checkpoints');
const skip = checkpoints.skip;

function open(prefix: string): TfCheckpoint {
  return openTfCheckpoint(`${checkpoints.path}/${prefix}`);
}

const FIXED_WIDTH_BYTES: Record<string, number> = { float32: 4, int32: 4, int64: 8 };

/** Bytes a string tensor takes in the data file: a varint per length, a 4-byte checksum, the bytes. */
function stringTensorBytes(elements: Uint8Array[]): number {
  const varintBytes = (n: number): number => (n < 0x80 ? 1 : 1 + varintBytes(Math.floor(n / 0x80)));
  return elements.reduce((sum, e) => sum + varintBytes(e.length) + e.length, 4);
}

/** Each shard's file size must equal the sum of its tensors' sizes (TensorFlow writes them back to back). */
function assertShardSizes(checkpoint: TfCheckpoint): void {
  const sums = new Array<number>(checkpoint.numShards).fill(0);
  for (const t of checkpoint.list()) {
    const value = checkpoint.read(t.name);
    const size = value.dtype === 'string' ? stringTensorBytes(value.data) : elementCount(t.shape) * FIXED_WIDTH_BYTES[t.dtype];
    sums[checkpoint.shardOf(t.name)] += size;
  }
  sums.forEach((sum, shard) => assert.equal(statSync(checkpoint.shardPath(shard)).size, sum, `shard ${shard}`));
}

/** Every tensor's CRC32C matches, by verify() and by verifyAll(). */
function assertCrcs(checkpoint: TfCheckpoint): void {
  for (const t of checkpoint.list()) assert.equal(checkpoint.verify(t.name), true, t.name);
  checkpoint.verifyAll();
}

function scalar(checkpoint: TfCheckpoint, name: string): number {
  const values = checkpoint.readFloat32(name);
  assert.equal(values.length, 1, name);
  return values[0];
}

test('half-plus-two-tf1 (Snappy-compressed index block): a=0.5, b=2, c=3', { skip }, () => {
  const ckpt = open('half-plus-two-tf1/variables');
  try {
    assert.deepEqual(ckpt.list(), ['a', 'a2', 'b', 'c', 'c2'].map((name) => ({ name, dtype: 'float32', shape: [] })));
    assert.deepEqual(['a', 'a2', 'b', 'c', 'c2'].map((n) => scalar(ckpt, n)), [0.5, 0.5, 2, 3, 3]);
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

/** The object graph of a TF2 checkpoint is a serialized TrackableObjectGraph naming every other key it holds. */
function assertObjectGraph(ckpt: TfCheckpoint, length: number): void {
  const graph = ckpt.read('_CHECKPOINTABLE_OBJECT_GRAPH');
  assert.equal(graph.dtype, 'string');
  assert.equal(graph.data.length, 1);
  const proto = Buffer.from(graph.data[0]);
  assert.equal(proto.length, length);
  assert.equal(proto[0], 0x0a, 'starts with field 1 (nodes), length-delimited');
  for (const { name } of ckpt.list()) {
    if (name !== '_CHECKPOINTABLE_OBJECT_GRAPH') assert.ok(proto.includes(name), `object graph names ${name}`);
  }
}

test('half-plus-two-tf2 (Snappy-compressed index block, string tensor): a=0.5, b=2, c=3, object graph', { skip }, () => {
  const ckpt = open('half-plus-two-tf2/variables');
  try {
    const variables = ['a', 'b', 'c'].map((v) => `${v}/.ATTRIBUTES/VARIABLE_VALUE`);
    assert.deepEqual(ckpt.list(), [
      { name: '_CHECKPOINTABLE_OBJECT_GRAPH', dtype: 'string', shape: [] },
      ...variables.map((name) => ({ name, dtype: 'float32', shape: [] })),
    ]);
    assert.deepEqual(variables.map((n) => scalar(ckpt, n)), [0.5, 2, 3]);
    assertObjectGraph(ckpt, 613);
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

test('tf1-regression-model: b and w, matching an independent DataView decoding of the data file', { skip }, () => {
  const ckpt = open('tf1-regression-model/variables');
  try {
    assert.deepEqual(ckpt.list(), [
      { name: 'b', dtype: 'float32', shape: [1] },
      { name: 'w', dtype: 'float32', shape: [1] },
    ]);
    const data = readFileSync(ckpt.shardPath(0));
    assert.equal(data.length, 8);
    // The index puts b at offset 0 and w at offset 4 (see the hex dump in the shared data).
    assert.deepEqual([...ckpt.readFloat32('b'), ...ckpt.readFloat32('w')], [data.readFloatLE(0), data.readFloatLE(4)]);
    assert.ok(ckpt.readFloat32('w')[0] !== 0, 'w was trained');
    assertCrcs(ckpt);
  } finally {
    ckpt.close();
  }
});

test('tf2-regression-savedmodel: object-based names, int64 iter, string object graph', { skip }, () => {
  const ckpt = open('tf2-regression-savedmodel/variables');
  try {
    const attr = (n: string): string => `${n}/.ATTRIBUTES/VARIABLE_VALUE`;
    const expected: TensorInfo[] = [
      { name: '_CHECKPOINTABLE_OBJECT_GRAPH', dtype: 'string', shape: [] },
      { name: attr('b'), dtype: 'float32', shape: [1] },
      { name: attr('optimizer/decay'), dtype: 'float32', shape: [] },
      { name: attr('optimizer/iter'), dtype: 'int64', shape: [] },
      { name: attr('optimizer/learning_rate'), dtype: 'float32', shape: [] },
      { name: attr('optimizer/momentum'), dtype: 'float32', shape: [] },
      { name: attr('w'), dtype: 'float32', shape: [1] },
    ];
    assert.deepEqual(ckpt.list(), expected);
    assert.deepEqual(ckpt.read(attr('optimizer/iter')), { dtype: 'int64', data: BigInt64Array.of(0n) });
    assertObjectGraph(ckpt, 531);
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

/** google-research/bert variable names and shapes for a bert_config.json. */
function bertVariables(config: { hidden_size: number; intermediate_size: number; num_hidden_layers: number; vocab_size: number; max_position_embeddings: number; type_vocab_size: number }): TensorInfo[] {
  const h = config.hidden_size;
  const f32 = (name: string, shape: number[]): TensorInfo => ({ name, dtype: 'float32', shape });
  const layerNorm = (scope: string): TensorInfo[] => [f32(`${scope}/LayerNorm/beta`, [h]), f32(`${scope}/LayerNorm/gamma`, [h])];
  const dense = (scope: string, inputs: number, outputs: number): TensorInfo[] => [
    f32(`${scope}/bias`, [outputs]),
    f32(`${scope}/kernel`, [inputs, outputs]),
  ];
  const variables = [
    ...layerNorm('bert/embeddings'),
    f32('bert/embeddings/position_embeddings', [config.max_position_embeddings, h]),
    f32('bert/embeddings/token_type_embeddings', [config.type_vocab_size, h]),
    f32('bert/embeddings/word_embeddings', [config.vocab_size, h]),
    ...dense('bert/pooler/dense', h, h),
    f32('cls/predictions/output_bias', [config.vocab_size]),
    ...layerNorm('cls/predictions/transform'),
    ...dense('cls/predictions/transform/dense', h, h),
    f32('cls/seq_relationship/output_bias', [2]),
    f32('cls/seq_relationship/output_weights', [2, h]),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = `bert/encoder/layer_${i}`;
    variables.push(
      ...layerNorm(`${layer}/attention/output`),
      ...dense(`${layer}/attention/output/dense`, h, h),
      ...['key', 'query', 'value'].flatMap((p) => dense(`${layer}/attention/self/${p}`, h, h)),
      ...dense(`${layer}/intermediate/dense`, h, config.intermediate_size),
      ...layerNorm(`${layer}/output`),
      ...dense(`${layer}/output/dense`, config.intermediate_size, h),
    );
  }
  return variables;
}

test('keras-bert-tiny: every BERT variable of bert_config.json with adam_m/adam_v slots, int64 global_step', { skip }, () => {
  const ckpt = open('keras-bert-tiny/bert_model.ckpt');
  try {
    const config = JSON.parse(readFileSync(`${checkpoints.path}/keras-bert-tiny/bert_config.json`, 'utf8'));
    const vocabLines = readFileSync(`${checkpoints.path}/keras-bert-tiny/vocab.txt`, 'utf8').trim().split('\n');
    assert.equal(config.vocab_size, vocabLines.length);
    const variables = bertVariables(config);
    const expected = [
      ...variables.flatMap((v) => [v, { ...v, name: `${v.name}/adam_m` }, { ...v, name: `${v.name}/adam_v` }]),
      { name: 'global_step', dtype: 'int64', shape: [] },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.equal(expected.length, 139);
    assert.deepEqual(ckpt.list(), expected);

    const step = ckpt.read('global_step');
    assert.equal(step.dtype, 'int64');
    assert.ok(step.data[0] > 0n, 'trained for some steps (it has Adam slots)');
    for (const { name } of variables) {
      // Adam's second moment is an average of squares; layer norms start at gamma=1, beta=0 and move little.
      assert.ok(ckpt.readFloat32(`${name}/adam_v`).every((v) => v >= 0), `${name}/adam_v >= 0`);
      if (name.endsWith('LayerNorm/gamma')) assert.ok(ckpt.readFloat32(name).every((v) => Math.abs(v - 1) < 1e-3), name);
      if (name.endsWith('LayerNorm/beta')) assert.ok(ckpt.readFloat32(name).every((v) => Math.abs(v) < 1e-3), name);
    }
    const embeddings = ckpt.readFloat32('bert/embeddings/word_embeddings');
    assert.equal(embeddings.length, 15 * 4);
    assert.ok(embeddings.every((v) => Number.isFinite(v) && Math.abs(v) < 1), 'initializer_range 0.02 scale');
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

test('keras-gpt2-toy: the 40 GPT-2 variables of hparams.json, fresh init (ln g=1, biases 0)', { skip }, () => {
  const ckpt = open('keras-gpt2-toy/model.ckpt');
  try {
    const hp = JSON.parse(readFileSync(`${checkpoints.path}/keras-gpt2-toy/hparams.json`, 'utf8'));
    const e = hp.n_embd;
    const f32 = (name: string, shape: number[]): TensorInfo => ({ name, dtype: 'float32', shape });
    const expected = [f32('model/ln_f/b', [e]), f32('model/ln_f/g', [e]), f32('model/wpe', [hp.n_ctx, e]), f32('model/wte', [hp.n_vocab, e])];
    for (let i = 0; i < hp.n_layer; i++) {
      const conv = (scope: string, inputs: number, outputs: number): TensorInfo[] => [
        f32(`model/h${i}/${scope}/b`, [outputs]),
        f32(`model/h${i}/${scope}/w`, [1, inputs, outputs]),
      ];
      expected.push(
        ...conv('attn/c_attn', e, 3 * e),
        ...conv('attn/c_proj', e, e),
        ...['ln_1', 'ln_2'].flatMap((ln) => [f32(`model/h${i}/${ln}/b`, [e]), f32(`model/h${i}/${ln}/g`, [e])]),
        ...conv('mlp/c_fc', e, 4 * e),
        ...conv('mlp/c_proj', 4 * e, e),
      );
    }
    expected.sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.equal(expected.length, 40);
    assert.deepEqual(ckpt.list(), expected);
    for (const { name } of expected) {
      const values = ckpt.readFloat32(name);
      if (name.endsWith('/g')) assert.ok(values.every((v) => v === 1), name);
      else if (name.endsWith('/b')) assert.ok(values.every((v) => v === 0), name);
      else assert.ok(values.some((v) => v !== 0) && values.every((v) => Math.abs(v) < 1), `${name} random`);
    }
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

test('t2t-transformer-2shards: 250 tensors over two shards, prefix-compressed keys, step-1 Adam powers', { skip }, () => {
  const ckpt = open('t2t-transformer-2shards/model.ckpt-1');
  try {
    const list = ckpt.list();
    assert.equal(ckpt.numShards, 2);
    assert.equal(list.length, 250);
    const count = (dtype: string): number => list.filter((t) => t.dtype === dtype).length;
    assert.deepEqual([count('float32'), count('int32'), count('int64')], [248, 1, 1]);
    assert.deepEqual(
      list.filter((t) => ckpt.shardOf(t.name) === 0).map((t) => [t.name, t.dtype, t.shape]),
      [
        ['global_step', 'int64', []],
        ['losses_avg/problem_0/extra_loss', 'float32', []],
        ['losses_avg/problem_0/total_loss', 'float32', []],
        ['losses_avg/problem_0/training_loss', 'float32', []],
        ['train_stats/problem_0_steps', 'int32', []],
      ],
    );
    // The checkpoint is model.ckpt-1: one step. TF's Adam starts beta^t at beta and multiplies once per step, and
    // hparams.json has beta1 0.9, beta2 0.98.
    assert.deepEqual(ckpt.read('global_step'), { dtype: 'int64', data: BigInt64Array.of(1n) });
    assert.ok(Math.abs(scalar(ckpt, 'training/beta1_power') - 0.9 ** 2) < 1e-6);
    assert.ok(Math.abs(scalar(ckpt, 'training/beta2_power') - 0.98 ** 2) < 1e-6);
    // hidden_size 16, filter_size 8; every variable has two Adam slots of its shape.
    const byName = new Map(list.map((t) => [t.name, t]));
    const variables = list.filter((t) => t.name.startsWith('transformer/'));
    assert.equal(variables.length * 3 + 7, list.length, 'each variable and its two slots, 5 shard-0 scalars, 2 powers');
    for (const v of variables) {
      assert.deepEqual(byName.get(`training/${v.name}/Adam`)?.shape, v.shape, `${v.name}/Adam`);
      assert.deepEqual(byName.get(`training/${v.name}/Adam_1`)?.shape, v.shape, `${v.name}/Adam_1`);
      if (/multihead_attention\/\w+\/kernel$/.test(v.name)) assert.deepEqual(v.shape, [16, 16], v.name);
      if (v.name.endsWith('ffn/conv1/kernel')) assert.deepEqual(v.shape, [16, 8], v.name);
      if (v.name.endsWith('ffn/conv2/kernel')) assert.deepEqual(v.shape, [8, 16], v.name);
    }
    assertCrcs(ckpt);
    assertShardSizes(ckpt);
  } finally {
    ckpt.close();
  }
});

test('openTfCheckpoint accepts the prefix, the .index file or a data file; info/has/readFloat32 errors', { skip }, () => {
  const prefix = `${checkpoints.path}/keras-bert-tiny/bert_model.ckpt`;
  for (const path of [prefix, `${prefix}.index`, `${prefix}.data-00000-of-00001`]) {
    const ckpt = openTfCheckpoint(path);
    assert.equal(ckpt.path, prefix);
    assert.equal(ckpt.list().length, 139);
    ckpt.close();
  }
  const ckpt = openTfCheckpoint(prefix);
  try {
    assert.equal(ckpt.has('global_step'), true);
    assert.equal(ckpt.has('bert/nope'), false);
    assert.deepEqual(ckpt.info('bert/pooler/dense/kernel'), { name: 'bert/pooler/dense/kernel', dtype: 'float32', shape: [4, 4] });
    assert.throws(() => ckpt.info('bert/nope'), {
      name: 'BamError',
      message: `${prefix}: no tensor named bert/nope in this checkpoint; run 'bam inspect-checkpoint ${prefix}' to list its tensors`,
    });
    assert.throws(() => ckpt.readFloat32('global_step'), {
      name: 'BamError',
      message: `${prefix}: tensor global_step has dtype int64, expected a floating-point tensor (float32, float64, float16 or bfloat16); check the tensor name`,
    });
  } finally {
    ckpt.close();
  }
  assert.throws(() => ckpt.read('global_step'), { name: 'BamError', message: `${prefix}: read after close(); open the checkpoint again` });
  assert.throws(() => openTfCheckpoint(`${checkpoints.path}/keras-bert-tiny/nothing.ckpt`), {
    name: 'BamError',
    message: `${checkpoints.path}/keras-bert-tiny/nothing.ckpt: no TensorFlow checkpoint here (${checkpoints.path}/keras-bert-tiny/nothing.ckpt.index not found); pass the checkpoint prefix (e.g. .../bert_model.ckpt) or its .index file`,
  });
});
