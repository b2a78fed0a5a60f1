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

const MNLI_LABELS = ['contradiction', 'entailment', 'neutral'];
const WORDS = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'home', 'quickly', 'never', 'always', 'people', 'city'];

/** A sentence of words chosen by a simple deterministic recurrence. */
function sentence(i: number, salt: number): string {
  return Array.from({ length: 4 + ((i + salt) % 5) }, (_, w) => WORDS[(i * 7 + w * 3 + salt) % WORDS.length]).join(' ');
}

/**
 * MNLI in the official column layout (MNLI is not in ../shared/data): train (12 columns, gold_label last),
 * dev_matched/dev_mismatched (16), test_matched/test_mismatched (10), and GLUE's diagnostic set (AX).
 */
export function writeMnliFixture(bamDir: string, rows: number): void {
  const dir = join(bamDir, 'glue_data', 'mnli');
  mkdirSync(dir, { recursive: true });
  const parses = ['(ROOT)', '(ROOT)', '(ROOT)', '(ROOT)'];
  const train = ['index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label'];
  const dev = [`${train[0].split('\t').slice(0, 11).join('\t')}\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label`];
  const test = [train[0].split('\t').slice(0, 10).join('\t')];
  const row = (i: number, salt: number): string[] => [String(i), String(1000 + i), `${1000 + i}e`, 'fiction', ...parses, sentence(i, salt), sentence(i, salt + 1)];
  const file = (name: string, lines: string[]): void => writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  const label = (i: number): string => MNLI_LABELS[i % 3];
  file('train.tsv', [...train, ...Array.from({ length: rows }, (_, i) => [...row(i, 0), label(i), label(i)].join('\t'))]);
  for (const [name, salt] of [['dev_matched.tsv', 1], ['dev_mismatched.tsv', 2]] as const) {
    file(name, [...dev, ...Array.from({ length: rows }, (_, i) => [...row(i, salt), label(i), label(i), label(i), label(i), label(i), label(i)].join('\t'))]);
  }
  for (const [name, salt] of [['test_matched.tsv', 3], ['test_mismatched.tsv', 4]] as const) {
    file(name, [...test, ...Array.from({ length: rows }, (_, i) => row(i, salt).join('\t'))]);
  }
  file('diagnostic.tsv', ['index\tsentence1\tsentence2\tlabel', ...Array.from({ length: rows }, (_, i) => `${i}\t${sentence(i, 5)}\t${sentence(i, 6)}\t${label(i)}`)]);
}
