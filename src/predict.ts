import { readFileSync } from 'node:fs';
import { modelTask, type LoadedModel, type ModelTask } from './checkpoint/load-model.js';
import { BamError } from './errors.js';
import { encoderInputBuffers, packBatch } from './model/encoder-batch.js';
import { encodeExample, type EncodedInput } from './tokenization/index.js';

/** One input: a text, or a text pair. */
export interface TextPair {
  textA: string;
  textB: string | null;
}

export interface PredictOptions {
  /** Task names to predict (default: every task of the model). */
  tasks?: string[];
  /** Longest WordPiece sequence ([CLS]/[SEP] included); default: the length the model was trained with. */
  maxLength?: number;
  batchSize?: number;
  /** Also return each task's raw head outputs (`logits`). */
  logits?: boolean;
  /** Also return the pooled [CLS] output. */
  pooled?: boolean;
  /** Also return the last layer's hidden states of the real tokens. */
  hidden?: boolean;
  /** Called after each batch with the number of inputs done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** A task's prediction for one input: the label and its probabilities, or the regression score on the task's scale. */
export interface TaskPrediction {
  label?: string;
  /** Softmax of the logits, by label name. */
  probabilities?: Record<string, number>;
  /** Regression: the head's output times the task's scale (STS-B: 0–5). */
  score?: number;
  /** The raw head outputs (for a bam regression head: score / 5). */
  logits?: number[];
}

export interface Prediction {
  /** By task name. */
  tasks: Record<string, TaskPrediction>;
  pooled_output?: number[];
  /** [tokens, hidden] for the real tokens ([CLS] and [SEP] included). */
  hidden_states?: number[][];
}

/** The raw outputs of a run over encoded inputs: per task [n, outputs], and the extras asked for. */
export interface HeadOutputs {
  tasks: ModelTask[];
  /** By task, in `tasks` order: [n · outputs] row-major. */
  outputs: Float32Array[];
  pooled?: Float32Array[];
  hidden?: Float32Array[];
}

const DEFAULT_BATCH_SIZE = 32;

/**
 * Runs the model in eval mode on encoded inputs through the fused inference path. Inputs are batched by length
 * (longest first, each batch cut to its longest sequence), so that little work goes to padding; results come back
 * in input order.
 */
export function runHeads(loaded: LoadedModel, encoded: readonly EncodedInput[], options: PredictOptions = {}): HeadOutputs {
  const tasks = (options.tasks ?? loaded.tasks.map((t) => t.name)).map((name) => modelTask(loaded, name));
  const { model } = loaded;
  const H = model.config.hiddenSize;
  const M = model.heads.maxOutputs;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const n = encoded.length;
  const wanted = tasks.map((t) => loaded.tasks.indexOf(t));
  const outputs = tasks.map((t) => new Float32Array(n * width(t)));
  const pooledRows = options.pooled ? new Array<Float32Array>(n) : undefined;
  const hiddenRows = options.hidden ? new Array<Float32Array>(n) : undefined;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => encoded[b].length - encoded[a].length || a - b);
  const longest = n > 0 ? encoded[order[0]].length : 1;
  const inputs = encoderInputBuffers(batchSize, longest);
  const taskIds = new Int32Array(batchSize);
  const k = model.kernels;
  const headOut = k.allocFloat(batchSize * M);
  for (let start = 0; start < n; start += batchSize) {
    const chunk = order.slice(start, start + batchSize);
    const { seq } = packBatch(chunk.map((i) => encoded[i]), inputs);
    // Pooled heads read only [CLS] rows, so the last layer computes every row only when hidden states are asked for.
    const sequence = model.encoder.infer(inputs, hiddenRows ? 'all' : model.heads.reads);
    if (hiddenRows) chunk.forEach((i, b) => { hiddenRows[i] = k.download(sequence, b * seq * H, encoded[i].length * H); });
    tasks.forEach((task, t) => {
      taskIds.fill(wanted[t]);
      model.heads.forward(sequence, inputs, taskIds, false, 0, headOut);
      const C = width(task);
      const batchOut = k.download(headOut, 0, chunk.length * M);
      chunk.forEach((i, b) => outputs[t].set(batchOut.subarray(b * M, b * M + C), i * C));
    });
    if (pooledRows) {
      // The pooler runs with the heads; with no task asked for, a pass with padding task ids computes it alone.
      if (tasks.length === 0) model.heads.forward(sequence, inputs, taskIds.fill(model.heads.heads.length), false, 0, headOut);
      const pooled = k.download(model.heads.pooled());
      chunk.forEach((i, b) => { pooledRows[i] = pooled.slice(b * H, (b + 1) * H); });
    }
    options.onProgress?.(Math.min(start + batchSize, n), n);
  }
  return { tasks, outputs, pooled: pooledRows, hidden: hiddenRows };
}

/** Number of head outputs of a task. */
export function width(task: ModelTask): number {
  return task.kind === 'regression' ? 1 : task.labels.length;
}

function softmax(row: Float32Array): number[] {
  const max = Math.max(...row);
  const exps = Array.from(row, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** The label (argmax, first on ties), probabilities or score of row i of a task's outputs. */
export function taskPrediction(task: ModelTask, outputs: Float32Array, i: number, withLogits: boolean): TaskPrediction {
  const C = width(task);
  const row = outputs.subarray(i * C, (i + 1) * C);
  const prediction: TaskPrediction = {};
  if (task.kind === 'regression') {
    prediction.score = row[0] * task.scale;
  } else {
    let best = 0;
    for (let j = 1; j < C; j++) if (row[j] > row[best]) best = j;
    prediction.label = task.labels[best];
    const p = softmax(row);
    prediction.probabilities = Object.fromEntries(task.labels.map((l, j) => [l, p[j]]));
  }
  if (withLogits) prediction.logits = Array.from(row);
  return prediction;
}

/** Encodes inputs with the model's tokenizer as BAM does (truncating the longer text first). */
export function encodePairs(loaded: LoadedModel, pairs: readonly TextPair[], maxLength: number): EncodedInput[] {
  if (maxLength > loaded.config.maxPositionEmbeddings) {
    throw new BamError(`--max-length ${maxLength} exceeds the model's max_position_embeddings ${loaded.config.maxPositionEmbeddings}`);
  }
  return pairs.map((p) => encodeExample(loaded.tokenizer, p.textA, p.textB, maxLength));
}

/** Input i's prediction from a run: every task's, and the extras the run kept. */
export function predictionAt(loaded: LoadedModel, run: HeadOutputs, i: number, withLogits: boolean): Prediction {
  const prediction: Prediction = {
    tasks: Object.fromEntries(run.tasks.map((task, t) => [task.name, taskPrediction(task, run.outputs[t], i, withLogits)])),
  };
  if (run.pooled) prediction.pooled_output = Array.from(run.pooled[i]);
  if (run.hidden) {
    const H = loaded.config.hiddenSize;
    const rows = run.hidden[i];
    prediction.hidden_states = Array.from({ length: rows.length / H }, (_, j) => Array.from(rows.subarray(j * H, (j + 1) * H)));
  }
  return prediction;
}

/** Predicts every requested task of the model for each input, in input order. */
export function predict(loaded: LoadedModel, pairs: readonly TextPair[], options: PredictOptions = {}): Prediction[] {
  const run = runHeads(loaded, encodePairs(loaded, pairs, options.maxLength ?? loaded.maxSeqLength), options);
  return pairs.map((_, i) => predictionAt(loaded, run, i, options.logits === true));
}

const INPUT_SHAPES = 'a JSON list of [text_a, text_b or null] pairs or of strings, or JSON Lines of {"text_a", "text_b"}';

function asPair(value: unknown): TextPair | null {
  if (typeof value === 'string') return { textA: value, textB: null };
  if (Array.isArray(value) && (value.length === 1 || value.length === 2) && typeof value[0] === 'string' &&
    (value[1] === undefined || value[1] === null || typeof value[1] === 'string')) {
    return { textA: value[0], textB: value[1] ?? null };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { text_a: a, text_b: b } = value as Record<string, unknown>;
    if (typeof a === 'string' && (b === undefined || b === null || typeof b === 'string')) return { textA: a, textB: b ?? null };
  }
  return null;
}

/**
 * Reads inputs from a JSON list (`[[text_a, text_b or null], ...]`, strings, or `{"text_a", "text_b"}` objects) or
 * from JSON Lines of `{"text_a", "text_b"}` (text_b optional).
 */
export function readInputsFile(path: string): TextPair[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BamError(`${path}: cannot read the inputs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass ${INPUT_SHAPES}`);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new BamError(`${path}: not valid JSON (${(e as Error).message}); pass ${INPUT_SHAPES}`);
    }
    const pairs = (json as unknown[]).map(asPair);
    const bad = pairs.findIndex((p) => p === null);
    if (bad >= 0) throw new BamError(`${path}: item ${bad} is not an input; pass ${INPUT_SHAPES}`);
    return pairs as TextPair[];
  }
  const pairs: TextPair[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown = null;
    try {
      json = JSON.parse(line);
    } catch {
      // Reported below, with the line number.
    }
    const pair = typeof json === 'object' && !Array.isArray(json) ? asPair(json) : null;
    if (pair === null) throw new BamError(`${path}:${i + 1}: not a {"text_a", "text_b"} JSON line; pass ${INPUT_SHAPES}`);
    pairs.push(pair);
  });
  if (pairs.length === 0) throw new BamError(`${path}: no inputs; pass ${INPUT_SHAPES}`);
  return pairs;
}
