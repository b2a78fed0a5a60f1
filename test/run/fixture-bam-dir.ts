import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataDir } from '../shared-data.js';

/** GLUE folders of ../shared/data the fixture links under glue_data/, by our task name. */
const TASK_FOLDERS: Record<string, string> = { rte: 'RTE', mrpc: 'MRPC', sts: 'STS-B', sst: 'SST-2' };

/** A tiny BERT config (the real uncased vocab, so the real tokenizer works) for fast end-to-end runs. */
export const TINY_BERT_CONFIG = {
  vocab_size: 30522, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64,
  hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 64,
  type_vocab_size: 2, initializer_range: 0.02,
};

/**
 * A bam_dir in a fresh temp folder: glue_data/<task> linked to the real GLUE files, and
 * pretrained_models/tiny/{vocab.txt, bert_config.json} (a debug run needs only these, as the original's run.sh).
 */
export function makeBamDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bam-test-'));
  mkdirSync(join(dir, 'glue_data'));
  for (const [task, folder] of Object.entries(TASK_FOLDERS)) symlinkSync(join(sharedDataDir, 'glue', folder), join(dir, 'glue_data', task));
  const pretrained = join(dir, 'pretrained_models', 'tiny');
  mkdirSync(pretrained, { recursive: true });
  symlinkSync(join(sharedDataDir, 'vocab', 'bert-base-uncased', 'vocab.txt'), join(pretrained, 'vocab.txt'));
  writeFileSync(join(pretrained, 'bert_config.json'), JSON.stringify(TINY_BERT_CONFIG));
  return dir;
}

/** Hparams of a small, fast debug run on the fixture: 16 rows per TSV, a 1-layer model of width 32. */
export const TINY_RUN = {
  debug: true,
  debug_max_lines: 17,
  debug_hidden_size: 32,
  debug_num_hidden_layers: 1,
  pretrained_model_name: 'tiny',
  max_seq_length: 32,
  train_batch_size: 8,
};
