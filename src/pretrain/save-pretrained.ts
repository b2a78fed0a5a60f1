import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../checkpoint/safetensors.js';
import { huggingFaceTensors } from '../export/huggingface-tensors.js';
import { bertConfigToJson } from '../model/bert-config.js';
import type { BertMaskedLm } from '../model/bert-masked-lm.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * Saves a pretrained model in Hugging Face's BertForMaskedLM layout: model.safetensors (`bert.*` encoder and pooler,
 * `cls.predictions.*` head; the decoder is tied to the word embeddings and not stored), config.json, vocab.txt and
 * tokenizer_config.json. `bam run` loads it as a pretrained model and `bam pretrain` continues from it
 * (init_model). `storage` F16 halves the file (values rounded to their nearest half; loading widens them exactly).
 */
export function savePretrainedModel(dir: string, model: BertMaskedLm, vocabPath: string, doLowerCase: boolean, storage: 'F32' | 'F16' = 'F32'): void {
  writeSafetensors(join(dir, 'model.safetensors'), huggingFaceTensors(model.arena), { format: 'pt' }, storage);
  const c = model.config;
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(dir, 'config.json'), json({
    architectures: ['BertForMaskedLM'], model_type: 'bert', ...bertConfigToJson(c), layer_norm_eps: c.layerNormEps, pad_token_id: 0,
  }));
  writeFileAtomic(join(dir, 'tokenizer_config.json'), json({ tokenizer_class: 'BertTokenizer', do_lower_case: doLowerCase }));
  if (vocabPath !== join(dir, 'vocab.txt')) writeFileAtomic(join(dir, 'vocab.txt'), readFileSync(vocabPath));
}
