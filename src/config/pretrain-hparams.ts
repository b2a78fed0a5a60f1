import { BamError } from '../errors.js';
import { TASK_NAMES } from '../data/tasks.js';
import { closestMatch, isFolderName, showValue } from './hparams.js';

/**
 * The hyperparameters of `bam pretrain`: one schema table, plain data, under the flag names of google-research/bert's
 * create_pretraining_data.py and run_pretraining.py where those exist. docs/pretrain-hparams.md is rendered from it.
 */
export interface PretrainHparams {
  text_files: string[];
  glue_train_text: boolean;
  glue_tasks: string[] | null;
  vocab_file: string | null;
  do_lower_case: boolean;
  init_model: string | null;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number | null;
  max_position_embeddings: number;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  initializer_range: number;
  max_seq_length: number;
  max_predictions_per_seq: number;
  masked_lm_prob: number;
  short_seq_prob: number;
  do_whole_word_mask: boolean;
  heldout_fraction: number;
  train_batch_size: number;
  eval_batch_size: number;
  num_train_steps: number;
  num_warmup_steps: number;
  learning_rate: number;
  weight_decay_rate: number;
  seed: number;
  save_checkpoints_steps: number;
  iterations_per_loop: number;
  eval_every_steps: number;
  keep_checkpoints: boolean;
  model_storage: 'float32' | 'float16';
  num_threads: number;
}

type Kind =
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'integer-or-null'; min: number; max: number }
  | { kind: 'number'; min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { kind: 'boolean' }
  | { kind: 'path-list' }
  | { kind: 'path-or-null' }
  | { kind: 'folder-name-or-null' }
  | { kind: 'task-list-or-null' }
  | { kind: 'choice'; values: readonly string[] };

interface Spec<T> {
  default: T;
  type: Kind;
  /** One sentence: what it means. */
  meaning: string;
  /** The original's flag it corresponds to, when there is one. */
  bert?: string;
}

/** Keys that give the model's size; a continued model takes them from its own config. */
export const MODEL_SIZE_KEYS = [
  'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings',
  'hidden_dropout_prob', 'attention_probs_dropout_prob', 'initializer_range',
] as const;

export const PRETRAIN_SCHEMA: { readonly [K in keyof PretrainHparams]: Spec<PretrainHparams[K]> } = {
  text_files: { default: [], type: { kind: 'path-list' }, meaning: 'plain-text files: one sentence per line, a blank line between documents (as BERT\'s sample_text.txt).', bert: 'input_file' },
  glue_train_text: { default: false, type: { kind: 'boolean' }, meaning: 'also use the sentences of the GLUE train splits under `<bam_dir>/glue_data` (train only, never dev or test), deduplicated, 100 sentences a document.' },
  glue_tasks: { default: null, type: { kind: 'task-list-or-null' }, meaning: 'the tasks whose train text `glue_train_text` reads; null: every task with a train.tsv.' },
  vocab_file: { default: null, type: { kind: 'path-or-null' }, meaning: 'the WordPiece vocab; null: the continued model\'s, else `<bam_dir>/pretrained_models/uncased_L-12_H-768_A-12/vocab.txt` (what `bam init --vocab` places).', bert: 'vocab_file' },
  do_lower_case: { default: true, type: { kind: 'boolean' }, meaning: 'lower-case and strip accents before WordPiece (uncased vocabularies).', bert: 'do_lower_case' },
  init_model: { default: null, type: { kind: 'folder-name-or-null' }, meaning: 'continue from this model under `<bam_dir>/pretrained_models/` (a `bam pretrain` output or a Hugging Face BertForMaskedLM folder); its config sets the size.', bert: 'init_checkpoint' },
  hidden_size: { default: 256, type: { kind: 'integer', min: 8, max: 4096 }, meaning: 'width of the encoder.' },
  num_hidden_layers: { default: 4, type: { kind: 'integer', min: 1, max: 48 }, meaning: 'transformer layers.' },
  num_attention_heads: { default: 4, type: { kind: 'integer', min: 1, max: 64 }, meaning: 'attention heads; must divide hidden_size.' },
  intermediate_size: { default: null, type: { kind: 'integer-or-null', min: 1, max: 16384 }, meaning: 'feed-forward width; null: 4 · hidden_size.' },
  max_position_embeddings: { default: 512, type: { kind: 'integer', min: 2, max: 4096 }, meaning: 'longest sequence the position table holds (at least max_seq_length).' },
  hidden_dropout_prob: { default: 0.1, type: { kind: 'number', min: 0, max: 1, maxExclusive: true }, meaning: 'dropout on embeddings and layer outputs.' },
  attention_probs_dropout_prob: { default: 0.1, type: { kind: 'number', min: 0, max: 1, maxExclusive: true }, meaning: 'dropout on attention probabilities.' },
  initializer_range: { default: 0.02, type: { kind: 'number', min: 0, max: 1, minExclusive: true }, meaning: 'standard deviation of the truncated-normal initialisation.' },
  max_seq_length: { default: 128, type: { kind: 'integer', min: 4, max: 4096 }, meaning: 'tokens per instance, [CLS] and [SEP] included.', bert: 'max_seq_length' },
  max_predictions_per_seq: { default: 20, type: { kind: 'integer', min: 1, max: 4096 }, meaning: 'most masked positions per instance.', bert: 'max_predictions_per_seq' },
  masked_lm_prob: { default: 0.15, type: { kind: 'number', min: 0, max: 1, minExclusive: true }, meaning: 'share of each instance\'s tokens to predict.', bert: 'masked_lm_prob' },
  short_seq_prob: { default: 0.1, type: { kind: 'number', min: 0, max: 1 }, meaning: 'chance that a document packs to a random shorter length.', bert: 'short_seq_prob' },
  do_whole_word_mask: { default: false, type: { kind: 'boolean' }, meaning: 'mask all WordPiece pieces of a word together.', bert: 'do_whole_word_mask' },
  heldout_fraction: { default: 0.05, type: { kind: 'number', min: 0, max: 0.5 }, meaning: 'the last documents held out for the held-out MLM loss and accuracy (masked once, with a fixed seed).' },
  train_batch_size: { default: 32, type: { kind: 'integer', min: 1, max: 4096 }, meaning: 'instances per step.', bert: 'train_batch_size' },
  eval_batch_size: { default: 64, type: { kind: 'integer', min: 1, max: 4096 }, meaning: 'instances per held-out batch.', bert: 'eval_batch_size' },
  num_train_steps: { default: 10000, type: { kind: 'integer', min: 1, max: 1e9 }, meaning: 'optimisation steps (each epoch masks the text afresh).', bert: 'num_train_steps' },
  num_warmup_steps: { default: 1000, type: { kind: 'integer', min: 0, max: 1e9 }, meaning: 'steps of linear learning-rate warmup, then linear decay to 0.', bert: 'num_warmup_steps' },
  learning_rate: { default: 1e-4, type: { kind: 'number', min: 0, max: 1, minExclusive: true }, meaning: 'peak learning rate of AdamWeightDecay (no bias correction, clipping at 1.0).', bert: 'learning_rate' },
  weight_decay_rate: { default: 0.01, type: { kind: 'number', min: 0, max: 1 }, meaning: 'decoupled weight decay, except LayerNorm and biases.' },
  seed: { default: 1, type: { kind: 'integer', min: 0, max: 2 ** 32 - 1 }, meaning: 'drives initialisation, packing, every epoch\'s masks and order, and dropout.', bert: 'random_seed' },
  save_checkpoints_steps: { default: 1000, type: { kind: 'integer', min: 1, max: 1e9 }, meaning: 'steps between resumable checkpoints (also saved on Ctrl-C).', bert: 'save_checkpoints_steps' },
  iterations_per_loop: { default: 100, type: { kind: 'integer', min: 1, max: 1e9 }, meaning: 'steps between progress lines and training-log records (also at least every 30 s).', bert: 'iterations_per_loop' },
  eval_every_steps: { default: 1000, type: { kind: 'integer', min: 0, max: 1e9 }, meaning: 'steps between held-out evaluations (and one at the end); 0: only at the end.' },
  keep_checkpoints: { default: false, type: { kind: 'boolean' }, meaning: 'keep the training checkpoint after the run (to continue with more steps, pretrain a new model with init_model instead).' },
  model_storage: { default: 'float32', type: { kind: 'choice', values: ['float32', 'float16'] }, meaning: 'how the saved model.safetensors stores its weights; float16 halves the file (each value rounded to its nearest half, widened back exactly on loading).' },
  num_threads: { default: 0, type: { kind: 'integer', min: 0, max: 1024 }, meaning: 'compute threads; 0: all cores.' },
};

export const PRETRAIN_KEYS = Object.keys(PRETRAIN_SCHEMA) as (keyof PretrainHparams)[];

export function describePretrainType(t: Kind): string {
  const range = (x: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): string =>
    `${x.minExclusive === true ? '(' : '['}${x.min}, ${x.max}${x.maxExclusive === true ? ')' : ']'}`;
  switch (t.kind) {
    case 'integer': return `an integer in ${range(t)}`;
    case 'integer-or-null': return `null or an integer in ${range(t)}`;
    case 'number': return `a number in ${range(t)}`;
    case 'boolean': return 'true or false';
    case 'path-list': return 'a list of file paths';
    case 'path-or-null': return 'null or a file path';
    case 'folder-name-or-null': return 'null or a folder name (no "/")';
    case 'task-list-or-null': return `null or a list of tasks from ${TASK_NAMES.join(', ')}`;
    case 'choice': return t.values.map((v) => JSON.stringify(v)).join(' or ');
  }
}

function fits(t: Kind, v: unknown): boolean {
  const inRange = (x: number, r: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): boolean =>
    (r.minExclusive === true ? x > r.min : x >= r.min) && (r.maxExclusive === true ? x < r.max : x <= r.max);
  switch (t.kind) {
    case 'integer': return typeof v === 'number' && Number.isSafeInteger(v) && inRange(v, t);
    case 'integer-or-null': return v === null || (typeof v === 'number' && Number.isSafeInteger(v) && inRange(v, t));
    case 'number': return typeof v === 'number' && Number.isFinite(v) && inRange(v, t);
    case 'boolean': return typeof v === 'boolean';
    case 'path-list': return Array.isArray(v) && v.every((p) => typeof p === 'string' && p !== '');
    case 'path-or-null': return v === null || (typeof v === 'string' && v !== '');
    case 'folder-name-or-null': return v === null || isFolderName(v);
    case 'task-list-or-null': return v === null || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && TASK_NAMES.includes(x)));
    case 'choice': return typeof v === 'string' && t.values.includes(v);
  }
}

/**
 * The user's pretraining hparams over the defaults, every key and value checked: an unknown key (with the nearest
 * known one), a wrong type or an impossible combination is a one-line BamError before any work starts.
 */
export function resolvePretrainHparams(user: Record<string, unknown>): PretrainHparams {
  const h: Record<string, unknown> = structuredClone(Object.fromEntries(PRETRAIN_KEYS.map((k) => [k, PRETRAIN_SCHEMA[k].default])));
  for (const [key, value] of Object.entries(user)) {
    if (!Object.hasOwn(PRETRAIN_SCHEMA, key)) {
      const near = closestMatch(key, PRETRAIN_KEYS);
      throw new BamError(`"${key}" is not a bam pretrain hparam${near === undefined ? '' : ` (did you mean "${near}"?)`}; the hparams are listed in docs/pretrain-hparams.md`);
    }
    const type = PRETRAIN_SCHEMA[key as keyof PretrainHparams].type;
    if (!fits(type, value)) throw new BamError(`pretrain hparam "${key}" must be ${describePretrainType(type)}, got ${showValue(value)}`);
    h[key] = structuredClone(value);
  }
  const p = h as unknown as PretrainHparams;
  if (p.text_files.length === 0 && !p.glue_train_text) {
    throw new BamError('no pretraining text: set "text_files" (plain text, one sentence per line) or "glue_train_text": true');
  }
  if (p.glue_tasks !== null && !p.glue_train_text) throw new BamError('"glue_tasks" chooses the GLUE train text; set "glue_train_text": true too');
  if (p.init_model !== null) {
    const sizes = MODEL_SIZE_KEYS.filter((k) => Object.hasOwn(user, k));
    if (sizes.length > 0) throw new BamError(`"${sizes[0]}" sets the size of a new model, but "init_model" continues one whose config sets it; remove "${sizes[0]}"`);
  } else {
    if (p.hidden_size % p.num_attention_heads !== 0) {
      throw new BamError(`num_attention_heads ${p.num_attention_heads} must divide hidden_size ${p.hidden_size}`);
    }
    if (p.max_position_embeddings < p.max_seq_length) {
      throw new BamError(`max_position_embeddings ${p.max_position_embeddings} is below max_seq_length ${p.max_seq_length}; raise it or shorten max_seq_length`);
    }
  }
  if (p.num_warmup_steps > p.num_train_steps) {
    throw new BamError(`num_warmup_steps ${p.num_warmup_steps} exceeds num_train_steps ${p.num_train_steps}`);
  }
  if (p.max_predictions_per_seq > p.max_seq_length - 2) {
    throw new BamError(`max_predictions_per_seq ${p.max_predictions_per_seq} exceeds the ${p.max_seq_length - 2} maskable tokens of max_seq_length ${p.max_seq_length}`);
  }
  return p;
}

/** docs/pretrain-hparams.md: the schema as Markdown (a test keeps the file equal to this). */
export function renderPretrainHparamsDoc(): string {
  const rows = PRETRAIN_KEYS.map((k) => {
    const s = PRETRAIN_SCHEMA[k];
    return `| \`${k}\` | \`${JSON.stringify(s.default)}\` | ${describePretrainType(s.type)} | ${s.meaning} | ${s.bert === undefined ? '—' : `\`${s.bert}\``} |`;
  });
  return [
    '# bam pretrain hyperparameters',
    '',
    '<!-- Generated from src/config/pretrain-hparams.ts; do not edit by hand. -->',
    '',
    'Pass them as one JSON object, `bam pretrain <model_name> <bam_dir> \'{"glue_train_text": true}\'`, or in a file with',
    '`--hparams FILE.json` (the JSON argument\'s keys replace the file\'s). Masked-LM pretraining as google-research/bert\'s',
    '`create_pretraining_data.py` + `run_pretraining.py`, without next-sentence prediction: every instance is one segment',
    'of consecutive sentences, and the pooler, which only NSP trains, gets no gradient (only the decoupled weight decay).',
    '',
    '| hparam | default | allowed values | meaning | google-research/bert flag |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
