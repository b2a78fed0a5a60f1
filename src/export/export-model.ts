import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelTask, type LoadedModel, type ModelTask } from '../checkpoint/load-model.js';
import { writeSafetensors } from '../checkpoint/safetensors.js';
import { BamError } from '../errors.js';
import { bertConfigToJson } from '../model/bert-config.js';
import { replaceAtomically } from '../util/atomic-write.js';
import { bertClassifierOnnx } from './bert-onnx.js';
import { sequenceClassifierTensors } from './huggingface-tensors.js';
import { encodeOnnxModel } from './onnx-proto.js';
import { specialTokensMapJson, tokenizerConfigJson, tokenizerJson } from './tokenizer-files.js';

export type ExportFormat = 'huggingface' | 'onnx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['huggingface', 'onnx'];

export interface ExportOptions {
  /** Task names, or 'all' for every task of the model. */
  tasks: string[] | 'all';
  format: ExportFormat;
  /** One task: the folder itself; several: one sub-folder per task. Must not exist or be empty. */
  outDir: string;
}

/** bam's version, from its package.json (dist/src/export/ → the project root). */
function bamVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** config.json of a BertForSequenceClassification for `task`. */
function classifierConfig(loaded: LoadedModel, task: ModelTask): Record<string, unknown> {
  const labels = task.kind === 'regression' ? ['LABEL_0'] : task.labels;
  return {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    ...bertConfigToJson(loaded.config),
    layer_norm_eps: loaded.config.layerNormEps,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    classifier_dropout: null,
    finetuning_task: task.name,
    problem_type: task.kind === 'regression' ? 'regression' : 'single_label_classification',
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Writes one task's folder into `dir` (which exists and is empty). */
function writeTaskFolder(dir: string, loaded: LoadedModel, task: ModelTask, format: ExportFormat, version: string): void {
  const tensors = sequenceClassifierTensors(loaded, task);
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileSync(join(dir, 'config.json'), json(classifierConfig(loaded, task)));
  writeFileSync(join(dir, 'vocab.txt'), readFileSync(loaded.vocabPath));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(loaded.tokenizer.vocab, loaded.doLowerCase)));
  // The model's own limit, not the length it was trained with: transformers.js truncates the concatenated pair from
  // the right (not BAM's longer-text-first), so the export lets every input the model can take through whole.
  writeFileSync(join(dir, 'tokenizer_config.json'), json(tokenizerConfigJson(loaded.doLowerCase, loaded.config.maxPositionEmbeddings)));
  writeFileSync(join(dir, 'special_tokens_map.json'), json(specialTokensMapJson()));
  if (format === 'onnx') {
    mkdirSync(join(dir, 'onnx'));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), encodeOnnxModel(bertClassifierOnnx(loaded.config, tensors, version)));
  }
}

/**
 * Exports tasks of a loaded model as Hugging Face `BertForSequenceClassification` folders (model.safetensors,
 * config.json with id2label/label2id/problem_type, vocab.txt, tokenizer.json, tokenizer_config.json), plus
 * `onnx/model.onnx` (opset 17) for the onnx format, the layout transformers.js loads. Everything is checked before
 * anything is written, and the folders appear at once (written under a temporary name, then renamed). Returns the
 * folders written.
 */
export function exportModel(loaded: LoadedModel, options: ExportOptions): string[] {
  const tasks = options.tasks === 'all' ? loaded.tasks : options.tasks.map((name) => modelTask(loaded, name));
  if (tasks.length === 0) {
    throw new BamError(`${loaded.dir}: the model has no task head to export (an encoder only); export a model trained by bam run or a BertForSequenceClassification`);
  }
  const out = options.outDir;
  if (existsSync(out) && readdirSync(out).length > 0) throw new BamError(`${out}: the export folder exists and is not empty; remove it or pass another --out`);
  const split = options.tasks === 'all' || tasks.length > 1;
  const version = bamVersion();
  mkdirSync(dirname(out), { recursive: true });
  // Renamed over `out` at the end, which (checked above) is missing or an empty folder.
  replaceAtomically(out, (tmp) => {
    for (const task of tasks) {
      const dir = split ? join(tmp, task.name) : tmp;
      mkdirSync(dir, { recursive: true });
      writeTaskFolder(dir, loaded, task, options.format, version);
    }
  });
  return split ? tasks.map((t) => join(out, t.name)) : [out];
}
