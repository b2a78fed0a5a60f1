import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getKernels } from '../engine/index.js';
import type { Kernels } from '../engine/backend.js';
import { BamError } from '../errors.js';
import { readBertConfig, type BertConfig } from '../model/bert-config.js';
import { BertModel } from '../model/bert-model.js';
import { headPrefix } from '../model/parameter-specs.js';
import { FullTokenizer } from '../tokenization/index.js';
import { readJsonObject } from '../util/json-file.js';
import { huggingFaceName } from './bert-names.js';
import { loadWeights } from './load-weights.js';
import { openCheckpoint } from './open-checkpoint.js';
import { findPretrainedFiles, type PretrainedFiles } from './pretrained-files.js';
import type { TensorSource } from './tensor-source.js';

/** A task the model has a head for. */
export interface ModelTask {
  name: string;
  kind: 'classification' | 'regression';
  /** Label names in logit order; empty for regression. */
  labels: string[];
  /**
   * Regression: the factor from the head's output to a score on the task's scale. bam's heads regress score / 5
   * (GLUE STS-B's 0–5, see featurize.ts), so 5 for a bam model; 1 for a Hugging Face regression head. 1 for
   * classification.
   */
  scale: number;
}

/**
 * What a model folder holds: `bam` — a model trained by `bam run` (`bam_model.json` names its task heads);
 * `huggingface-classifier` — a `BertForSequenceClassification` (one task, from `classifier.*`); `huggingface-encoder`
 * — a `BertModel`, `BertForMaskedLM` or `BertForPreTraining` (no task head); `tensorflow` — a Google BERT checkpoint.
 */
export type ModelFolderKind = 'bam' | 'huggingface-classifier' | 'huggingface-encoder' | 'tensorflow';

export interface LoadedModel {
  dir: string;
  kind: ModelFolderKind;
  config: BertConfig;
  /** The encoder and one head per task, in `tasks` order. */
  model: BertModel;
  tasks: ModelTask[];
  tokenizer: FullTokenizer;
  doLowerCase: boolean;
  vocabPath: string;
  /** The sequence length the model was trained with (bam models), else min(128, max_position_embeddings). */
  maxSeqLength: number;
  weightsPath: string;
  /** Tensors of the weights file that nothing loaded (a masked-LM head, optimizer slots, ...). */
  unusedTensors: string[];
}

export interface LoadModelOptions {
  kernels?: Kernels;
  /** vocab.txt to use instead of the folder's. */
  vocabPath?: string;
  /** Overrides the folder's lower-casing setting. */
  doLowerCase?: boolean;
}

/** The name the head of a Hugging Face classifier gets when its config names no `finetuning_task`. */
export const CLASSIFIER_TASK = 'classifier';

/** BERT's default sequence length (BAM's max_seq_length), for folders that do not record theirs. */
const DEFAULT_MAX_SEQ_LENGTH = 128;

const MODEL_FILE_FIX = "restore the file from the model's source";

/** bam_model.json, as src/run/save-model.ts writes it. */
interface BamModelFile {
  do_lower_case: boolean;
  max_seq_length?: number;
  tasks: { name: string; kind: 'classification' | 'regression'; label_list: string[] }[];
}

function readBamModelFile(path: string): BamModelFile {
  const json = readJsonObject(path, 'bam model description', MODEL_FILE_FIX);
  const fail = (detail: string): never => {
    throw new BamError(`${path}: ${detail}; bam_model.json is written by bam run as {"do_lower_case", "max_seq_length", "tasks": [{"name", "kind", "label_list"}]}`);
  };
  if (typeof json.do_lower_case !== 'boolean') fail('"do_lower_case" must be true or false');
  if (json.max_seq_length !== undefined && !(Number.isInteger(json.max_seq_length) && (json.max_seq_length as number) >= 3)) {
    fail('"max_seq_length" must be an integer ≥ 3');
  }
  if (!Array.isArray(json.tasks) || json.tasks.length === 0) fail('"tasks" must be a non-empty list');
  for (const t of json.tasks as Record<string, unknown>[]) {
    const ok = typeof t === 'object' && t !== null && typeof t.name === 'string' && /^[A-Za-z0-9_-]+$/.test(t.name) &&
      (t.kind === 'classification' || t.kind === 'regression') && Array.isArray(t.label_list) &&
      t.label_list.every((l) => typeof l === 'string') && (t.kind === 'regression' ? t.label_list.length === 0 : t.label_list.length >= 2);
    if (!ok) fail(`task ${JSON.stringify(t)} is not {"name", "kind": "classification" with ≥ 2 labels or "regression" with none, "label_list"}`);
  }
  return json as unknown as BamModelFile;
}

/** A Hugging Face classifier's one task, from config.json's id2label / num_labels / problem_type / finetuning_task. */
function huggingFaceTask(json: Record<string, unknown>, source: TensorSource, configPath: string): ModelTask {
  const numLabels = source.has('classifier.weight') ? source.info('classifier.weight').shape[0] : undefined;
  const id2label = json.id2label as Record<string, unknown> | undefined;
  const count = numLabels ?? (id2label ? Object.keys(id2label).length : (json.num_labels as number | undefined) ?? 2);
  const labels = Array.from({ length: count }, (_, i) => {
    const label = id2label?.[String(i)];
    return typeof label === 'string' ? label : `LABEL_${i}`;
  });
  if (id2label && Object.keys(id2label).length !== count) {
    throw new BamError(`${configPath}: id2label has ${Object.keys(id2label).length} labels but classifier.weight has ${count} rows; fix id2label`);
  }
  const regression = json.problem_type === 'regression' || (json.problem_type === undefined && count === 1);
  const name = typeof json.finetuning_task === 'string' && /^[A-Za-z0-9_-]+$/.test(json.finetuning_task) ? json.finetuning_task : CLASSIFIER_TASK;
  return regression ? { name, kind: 'regression', labels: [], scale: 1 } : { name, kind: 'classification', labels, scale: 1 };
}

/** Hugging Face folders say in tokenizer_config.json whether their vocab is cased; BERT's default is uncased. */
function folderLowerCase(dir: string): boolean {
  const path = join(dir, 'tokenizer_config.json');
  if (!existsSync(path)) return true;
  const value = readJsonObject(path, 'tokenizer config', MODEL_FILE_FIX).do_lower_case;
  return typeof value === 'boolean' ? value : true;
}

/** Which kind of folder, which tasks, and where each head's tensors are in the file. */
function describeFolder(files: PretrainedFiles, source: TensorSource): {
  kind: ModelFolderKind; tasks: ModelTask[]; headSources: Record<string, string>; bamFile: BamModelFile | null;
} {
  const bamPath = join(files.dir, 'bam_model.json');
  if (files.format === 'huggingface' && existsSync(bamPath)) {
    const bamFile = readBamModelFile(bamPath);
    const tasks = bamFile.tasks.map((t): ModelTask => ({ name: t.name, kind: t.kind, labels: [...t.label_list], scale: t.kind === 'regression' ? 5 : 1 }));
    // The names save-model.ts writes: task_specific.<task>.dense.{weight,bias}.
    const headSources = Object.fromEntries(tasks.map((t) => [t.name, huggingFaceName(`${headPrefix(t.name)}/kernel`).name.replace(/\.weight$/, '')]));
    return { kind: 'bam', tasks, headSources, bamFile };
  }
  if (files.format === 'tensorflow') return { kind: 'tensorflow', tasks: [], headSources: {}, bamFile: null };
  const json = readJsonObject(files.configPath, 'model config', MODEL_FILE_FIX);
  const architectures = Array.isArray(json.architectures) ? json.architectures : [];
  if (architectures.includes('BertForSequenceClassification') || source.has('classifier.weight')) {
    const task = huggingFaceTask(json, source, files.configPath);
    return { kind: 'huggingface-classifier', tasks: [task], headSources: { [task.name]: 'classifier' }, bamFile: null };
  }
  return { kind: 'huggingface-encoder', tasks: [], headSources: {}, bamFile: null };
}

/** A view of `source` that records which tensors are read. */
function recordingSource(source: TensorSource, read: Set<string>): TensorSource {
  return {
    path: source.path,
    list: () => source.list(),
    has: (name) => source.has(name),
    info: (name) => source.info(name),
    readFloat32: (name) => {
      read.add(name);
      return source.readFloat32(name);
    },
    close: () => source.close(),
  };
}

/**
 * Loads any model folder bam meets — its own trained models (`model_<trial>/` with `bam_model.json`), Hugging Face
 * `BertForSequenceClassification` / `BertModel` / `BertForMaskedLM` folders, Google TF checkpoints — with its task
 * heads, labels and tokenizer. A head the folder declares and the file lacks is a BamError naming the tensor;
 * tensors nothing uses are returned in `unusedTensors`.
 */
export function loadModel(dir: string, options: LoadModelOptions = {}): LoadedModel {
  const files = findPretrainedFiles(dir);
  const config = readBertConfig(files.configPath);
  const vocabPath = options.vocabPath ?? files.vocabPath;
  if (!vocabPath) throw new BamError(`${dir}: no vocab.txt in the model folder; pass --vocab FILE`);
  const source = openCheckpoint(files.weightsPath);
  try {
    const { kind, tasks, headSources, bamFile } = describeFolder(files, source);
    const model = new BertModel(options.kernels ?? getKernels(), config, tasks.map((t) => ({ task: t.name, numOutputs: t.kind === 'regression' ? 1 : t.labels.length })));
    const read = new Set<string>();
    loadWeights(model.arena, recordingSource(source, read), files.format, { headSources });
    const doLowerCase = options.doLowerCase ?? bamFile?.do_lower_case ?? folderLowerCase(dir);
    const maxSeqLength = Math.min(bamFile?.max_seq_length ?? DEFAULT_MAX_SEQ_LENGTH, config.maxPositionEmbeddings);
    return {
      dir,
      kind,
      config,
      model,
      tasks,
      tokenizer: FullTokenizer.fromVocabFile(vocabPath, doLowerCase),
      doLowerCase,
      vocabPath,
      maxSeqLength,
      weightsPath: files.weightsPath,
      unusedTensors: source.list().map((t) => t.name).filter((name) => !read.has(name)),
    };
  } finally {
    source.close();
  }
}

/** The model's task `name`; BamError listing the tasks it has otherwise. */
export function modelTask(loaded: LoadedModel, name: string): ModelTask {
  const task = loaded.tasks.find((t) => t.name === name);
  if (task) return task;
  const has = loaded.tasks.length > 0 ? `its tasks are ${loaded.tasks.map((t) => t.name).join(', ')}` : 'it has no task head (an encoder only)';
  throw new BamError(`${loaded.dir}: the model has no task "${name}"; ${has}`);
}

/** One line naming the tensors nothing used (the first ten), or null when every tensor was used. */
export function unusedTensorsNote(loaded: LoadedModel): string | null {
  const n = loaded.unusedTensors.length;
  if (n === 0) return null;
  const shown = loaded.unusedTensors.slice(0, 10).join(', ');
  return `${loaded.weightsPath}: ${n} tensor${n === 1 ? '' : 's'} that nothing uses: ${shown}${n > 10 ? `, and ${n - 10} more` : ''}`;
}
