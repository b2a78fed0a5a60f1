import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { huggingFaceName } from '../checkpoint/bert-names.js';
import { needsTranspose } from '../checkpoint/load-weights.js';
import { writeSafetensors, type Float32Tensor } from '../checkpoint/safetensors.js';
import type { Task } from '../data/tasks.js';
import { bertConfigToJson } from '../model/bert-config.js';
import type { BertModel } from '../model/bert-model.js';
import { writeJsonAtomic } from './prediction-files.js';

/** Transposes a [rows, cols] matrix. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

/**
 * Saves a trained model in Hugging Face's layout, so that transformers' `BertModel.from_pretrained(dir)` loads the
 * encoder and bam loads everything: model.safetensors (HF names, Linear weights [out, in]; task heads as
 * `task_specific.<task>.dense.{weight,bias}`), config.json, vocab.txt, and bam_model.json naming the tasks and labels.
 */
export function saveTrainedModel(dir: string, model: BertModel, tasks: Task[], vocabPath: string, doLowerCase: boolean): void {
  mkdirSync(dir, { recursive: true });
  const tensors: Float32Tensor[] = model.arena.parameters.map((p) => {
    const external = huggingFaceName(p.name);
    return needsTranspose(external, p)
      ? { name: external.name, shape: [p.shape[1], p.shape[0]], data: transpose(p.value, p.shape[0], p.shape[1]) }
      : { name: external.name, shape: p.shape, data: p.value };
  });
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const c = model.config;
  writeJsonAtomic(join(dir, 'config.json'), {
    architectures: ['BertModel'],
    model_type: 'bert',
    ...bertConfigToJson(c),
    layer_norm_eps: c.layerNormEps,
    pad_token_id: 0,
  });
  writeJsonAtomic(join(dir, 'bam_model.json'), {
    do_lower_case: doLowerCase,
    tasks: tasks.map((t) => ({ name: t.name, kind: t.kind, label_list: t.labelList })),
  });
  // Written rather than copied, so that the copy does not inherit a read-only mode from the source.
  const tmpVocab = join(dir, `vocab.txt.tmp-${process.pid}`);
  writeFileSync(tmpVocab, readFileSync(vocabPath));
  renameSync(tmpVocab, join(dir, 'vocab.txt'));
}
