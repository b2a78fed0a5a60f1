import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { loadModel } from '../../src/checkpoint/load-model.js';
import { encodePairs } from '../../src/predict.js';
import { glueDevPairs, trainTinyModel } from '../export/trained-model.js';
import { sharedData, sharedDataDir } from '../shared-data.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const golden = sharedData('goldens', 'hf-tiny-random');
const vocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');
const skip = golden.skip || vocab.skip || sharedData('glue', 'RTE', 'dev.tsv').skip;

function bam(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Line {
  index: number;
  eid?: number;
  tasks: Record<string, { label?: string; probabilities?: Record<string, number>; score?: number; logits?: number[] }>;
  pooled_output?: number[];
  hidden_states?: number[][];
}

const lines = (stdout: string): Line[] => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);

describe('bam predict', { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), 'bam-predict-'));
  let student = '';
  let runDir = '';
  after(() => rmSync(root, { recursive: true, force: true }));

  before(async () => {
    // The README's recipe, tiny: two single-task teachers, then the BAM student distilled from them.
    const { bamDir } = await trainTinyModel('rte-model', { task_names: ['rte'] });
    await trainTinyModel('mrpc-model', { task_names: ['mrpc'] }, bamDir);
    ({ modelDir: student, runDir } = await trainTinyModel('rte-mrpc-bam-model', {
      task_names: ['rte', 'mrpc'], distill: true, teachers: { rte: 'rte-model', mrpc: 'mrpc-model' },
    }, bamDir));
    // The 16 dev rows the debug run evaluated (debug_max_lines 17, header included), in GLUE's own layout.
    for (const [task, folder] of [['rte', 'RTE'], ['mrpc', 'MRPC']]) {
      mkdirSync(join(root, task));
      const text = readFileSync(join(sharedDataDir, 'glue', folder, 'dev.tsv'), 'utf8');
      writeFileSync(join(root, task, 'dev.tsv'), `${text.split('\n').slice(0, 17).join('\n')}\n`);
    }
  });

  test('the BAM student on GLUE dev: the metrics bam run recorded in results.txt, and one JSON line per row', () => {
    const recorded = readFileSync(join(runDir, 'results.txt'), 'utf8').split('\n');
    for (const [task, line] of [['rte', recorded[0]], ['mrpc', recorded[1]]]) {
      const r = bam('predict', student, '--glue-task', task, '--split', 'dev', '--input', join(root, task));
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, `${line}\n`);
      const out = lines(r.stdout);
      assert.deepEqual(out.map((l) => [l.index, l.eid]), Array.from({ length: 16 }, (_, i) => [i, i]));
      assert.deepEqual(Object.keys(out[0].tasks), [task]);
      const p = out[0].tasks[task].probabilities ?? {};
      assert.ok(Math.abs(Object.values(p).reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
  });

  test('its ONNX export gives bam predict\'s logits in onnxruntime-node within 1e-4 (JSON Lines input, a padded batch)', async () => {
    const pairs = glueDevPairs('MRPC', 10);
    const input = join(root, 'pairs.jsonl');
    writeFileSync(input, pairs.map((p) => JSON.stringify({ text_a: p.textA, text_b: p.textB })).join('\n'));
    const r = bam('predict', student, '--input', input, '--logits');
    assert.equal(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(Object.keys(out[0].tasks), ['rte', 'mrpc']);
    const exported = join(root, 'onnx');
    const e = bam('export', student, '--task', 'mrpc', '--format', 'onnx', '--out', exported);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(e.stdout, `${exported}\n`);
    const encoded = encodePairs(loadModel(student), pairs, 32);
    const seq = Math.max(...encoded.map((x) => x.length));
    const t = (pick: (x: (typeof encoded)[0]) => Int32Array): ort.Tensor =>
      new ort.Tensor('int64', BigInt64Array.from(encoded.flatMap((x) => Array.from(pick(x).subarray(0, seq))), BigInt), [encoded.length, seq]);
    const session = await ort.InferenceSession.create(join(exported, 'onnx', 'model.onnx'));
    const { logits } = await session.run({ input_ids: t((x) => x.inputIds), attention_mask: t((x) => x.inputMask), token_type_ids: t((x) => x.segmentIds) });
    const expected = out.flatMap((l) => l.tasks.mrpc.logits ?? []);
    const worst = Math.max(...expected.map((v, i) => Math.abs(v - (logits.data as Float32Array)[i])));
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
  });

  test('a Hugging Face classifier: logits and pooled output equal PyTorch\'s within 1e-5; hidden states of the real tokens', () => {
    const ref = JSON.parse(readFileSync(join(golden.path, 'forward.json'), 'utf8')) as {
      pairs: [string, string][]; attention_mask: number[][]; last_hidden_state: number[][][]; pooler_output: number[][]; logits: number[][];
    };
    const input = join(root, 'golden.json');
    writeFileSync(input, JSON.stringify(ref.pairs));
    const r = bam('predict', golden.path, '--input', input, '--vocab', vocab.path, '--max-length', '48', '--logits', '--pooled', '--hidden');
    assert.equal(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    let worst = 0;
    const compare = (a: number, b: number): void => { worst = Math.max(worst, Math.abs(a - b)); };
    out.forEach((l, i) => {
      l.tasks.classifier.logits?.forEach((v, j) => compare(v, ref.logits[i][j]));
      l.pooled_output?.forEach((v, j) => compare(v, ref.pooler_output[i][j]));
      const real = ref.attention_mask[i].reduce((a, b) => a + b, 0);
      assert.equal(l.hidden_states?.length, real);
      l.hidden_states?.forEach((row, t) => row.forEach((v, j) => compare(v, ref.last_hidden_state[i][t][j])));
    });
    assert.equal(out.length, 8);
    assert.ok(worst <= 1e-5, `max abs error ${worst}`);
  });

  test('wrong inputs get one line naming the file and the fix, and write nothing to stdout', () => {
    const input = join(root, 'one.json');
    writeFileSync(input, '[["a", null]]');
    const cases: [string[], RegExp][] = [
      [['predict', root, '--input', input], /no model found; expected Google's layout .* or Hugging Face's/],
      [['predict', student, '--task', 'cola', '--input', input], /rte-mrpc-bam-model\/model_1: the model has no task "cola"; its tasks are rte, mrpc/],
      [['predict', student, '--glue-task', 'rte', '--split', 'dev', '--input', join(root, 'mrpc')], /mrpc\/dev\.tsv:2: label .* is not a rte label/],
      [['predict', golden.path, '--input', input], /no vocab\.txt in the model folder; pass --vocab FILE/],
      [['predict', student, '--input', join(root, 'rte', 'dev.tsv')], /dev\.tsv:1: not a \{"text_a", "text_b"\} JSON line/],
      [['predict', student, '--inputz', input], /^bam: Unknown option '--inputz'; usage: bam predict/],
    ];
    for (const [args, message] of cases) {
      const r = bam(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^bam: [^\n]*\n$/);
      assert.equal(r.stdout, '');
    }
  });

  test('a truncated model.safetensors is refused in one line', () => {
    const copy = join(root, 'truncated');
    mkdirSync(copy);
    for (const f of readdirSync(student)) writeFileSync(join(copy, f), readFileSync(join(student, f)));
    const weights = readFileSync(join(student, 'model.safetensors'));
    writeFileSync(join(copy, 'model.safetensors'), weights.subarray(0, weights.length - 1000));
    const input = join(root, 'one.json');
    const r = bam('predict', copy, '--input', input);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^bam: .*truncated\/model\.safetensors: [^\n]*\n$/);
    const e = bam('export', copy, '--task', 'rte', '--format', 'onnx', '--out', join(root, 'never'));
    assert.equal(e.status, 1);
    assert.match(e.stderr, /^bam: .*truncated\/model\.safetensors: [^\n]*\n$/);
    assert.ok(!readdirSync(root).includes('never'));
  });
});
