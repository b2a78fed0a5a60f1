import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../checkpoint/safetensors.js';
import type { Task } from '../data/tasks.js';
import { bertConfigToJson } from '../model/bert-config.js';
import type { BertModel } from '../model/bert-model.js';
import { huggingFaceTensors } from '../export/huggingface-tensors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js';

/**
 * Saves a trained model in Hugging Face's layout, so that transformers' `BertModel.from_pretrained(dir)` loads the
 * encoder and bam's loadModel loads everything: model.safetensors (HF names, Linear weights [out, in]; task heads
 * as `task_specific.<task>.dense.{weight,bias}`), config.json, vocab.txt, and bam_model.json naming the tasks, labels
 * and the sequence length trained with.
 */
export function saveTrainedModel(dir: string, model: BertModel, tasks: Task[], vocabPath: string, doLowerCase: boolean, maxSeqLength: number): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, 'model.safetensors'), huggingFaceTensors(model.arena), { format: 'pt' });
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
    max_seq_length: maxSeqLength,
    tasks: tasks.map((t) => ({ name: t.name, kind: t.kind, label_list: t.labelList })),
  });
  // Written rather than copied, so that the copy does not inherit a read-only mode from the source.
  writeFileAtomic(join(dir, 'vocab.txt'), readFileSync(vocabPath));
}
