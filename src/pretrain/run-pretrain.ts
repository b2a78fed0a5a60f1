import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findPretrainedFiles } from '../checkpoint/pretrained-files.js';
import { loadWeights } from '../checkpoint/load-weights.js';
import { openCheckpoint } from '../checkpoint/open-checkpoint.js';
import type { PretrainHparams } from '../config/pretrain-hparams.js';
import type { FloatBuffer, Kernels } from '../engine/backend.js';
import { BamError } from '../errors.js';
import { readBertConfig, type BertConfig } from '../model/bert-config.js';
import { BertMaskedLm } from '../model/bert-masked-lm.js';
import { FullTokenizer } from '../tokenization/index.js';
import { MaskedLmLoss } from '../train/masked-lm-loss.js';
import { maskedLmTrainingStep, type MaskedLmBatch } from '../train/masked-lm-step.js';
import { AdamWeightDecay } from '../train/optimizer.js';
import { stepSeed } from '../train/trainer.js';
import { runTrainingLoop } from '../train/training-loop.js';
import { TrainingLog } from '../train/training-log.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { claimModelFolder, type RunIdentity } from '../run/model-folder.js';
import { singleProcess, type Collective } from '../parallel/collective.js';
import { glueTrainText } from './glue-text.js';
import { MlmBatchStream, sequentialBatches, type MlmBatch } from './mlm-batches.js';
import { savePretrainedModel } from './save-pretrained.js';
import { PretrainingData, type MaskedInstances } from './pretraining-data.js';
import { parseTextDocuments, readTextDocuments, type TokenizedDocument } from './text-documents.js';

/** The vocab `bam init --vocab` places, used when neither vocab_file nor init_model names one. */
const INIT_VOCAB = join('pretrained_models', 'uncased_L-12_H-768_A-12', 'vocab.txt');

/** Held-out masked-LM loss (mean per masked token) and accuracy. */
export interface HeldoutMetrics {
  mlm_loss: number;
  mlm_accuracy: number;
}

/** What `pretrain_results.json` records. */
export interface PretrainResults {
  model_name: string;
  steps: number;
  examples: number;
  train_instances: number;
  heldout_instances: number;
  documents: { train: number; heldout: number };
  heldout: HeldoutMetrics;
  hparams: PretrainHparams;
}

export interface PretrainOutcome {
  interrupted: boolean;
  results: PretrainResults | null;
  modelDir: string;
}

/** Gathers a batch's real predictions into flat rows b·seq + position and their labels (padding slots skipped). */
class BatchAdapter {
  private readonly rows: Int32Array;
  private readonly labels: Int32Array;

  constructor(maxRows: number) {
    this.rows = new Int32Array(maxRows);
    this.labels = new Int32Array(maxRows);
  }

  adapt(b: MlmBatch, maxPredictions: number): { batch: MaskedLmBatch; sequences: number } {
    const { batch, seq } = b.inputs;
    let count = 0;
    let sequences = 0;
    for (let s = 0; s < batch; s++) {
      if (b.inputs.inputMask[s * seq] !== 0) sequences++;
      for (let p = 0; p < maxPredictions; p++) {
        const at = s * maxPredictions + p;
        if (b.maskedWeights[at] === 0) continue;
        this.rows[count] = s * seq + b.maskedPositions[at];
        this.labels[count] = b.maskedIds[at];
        count++;
      }
    }
    return { batch: { inputs: b.inputs, positions: { count, rows: this.rows }, labels: this.labels }, sequences };
  }
}

/** The model config: the continued model's, or a new one of the hparams' size for the vocabulary. */
function modelConfig(h: PretrainHparams, initDir: string | null, vocabSize: number): BertConfig {
  if (initDir !== null) return readBertConfig(findPretrainedFiles(initDir).configPath);
  return {
    vocabSize, hiddenSize: h.hidden_size, numHiddenLayers: h.num_hidden_layers, numAttentionHeads: h.num_attention_heads,
    intermediateSize: h.intermediate_size ?? 4 * h.hidden_size, hiddenAct: 'gelu', hiddenDropoutProb: h.hidden_dropout_prob,
    attentionProbsDropoutProb: h.attention_probs_dropout_prob, maxPositionEmbeddings: h.max_position_embeddings,
    typeVocabSize: 2, initializerRange: h.initializer_range, layerNormEps: 1e-12,
  };
}

function loadDocuments(h: PretrainHparams, bamDir: string, tokenizer: FullTokenizer, log: (line: string) => void): TokenizedDocument[] {
  const documents: TokenizedDocument[] = h.text_files.length > 0 ? readTextDocuments(h.text_files, tokenizer) : [];
  if (h.glue_train_text) {
    const glue = glueTrainText(join(bamDir, 'glue_data'), h.glue_tasks === null ? {} : { tasks: h.glue_tasks });
    log(`GLUE train text: ${glue.sentences} distinct sentences of ${glue.tasks.join(', ')} in ${glue.documents} documents`);
    documents.push(...parseTextDocuments(glue.text, tokenizer, `${join(bamDir, 'glue_data')} (train splits)`));
  }
  return documents;
}

/** Held-out MLM loss and accuracy, in eval mode through the inference path. */
function evaluateHeldout(model: BertMaskedLm, heldout: MaskedInstances, batchSize: number, loss: MaskedLmLoss, logits: FloatBuffer, adapter: BatchAdapter): HeldoutMetrics {
  let nll = 0;
  let correct = 0;
  let count = 0;
  for (const b of sequentialBatches(heldout, batchSize)) {
    const { batch } = adapter.adapt(b, heldout.maxPredictions);
    const n = batch.positions.count;
    if (n === 0) continue;
    model.infer(batch.inputs, batch.positions, logits);
    const r = loss.compute(logits, batch.labels, n, model.config.vocabSize, logits);
    nll += r.loss * (n + 1e-5);
    correct += r.correct;
    count += n;
  }
  return { mlm_loss: count > 0 ? nll / count : Number.NaN, mlm_accuracy: count > 0 ? correct / count : Number.NaN };
}

/** A digest of everything that determines the training, so that a checkpoint resumes only into the same run. */
function fingerprint(h: PretrainHparams, config: BertConfig, data: PretrainingData): string {
  const { num_threads: _t, iterations_per_loop: _i, eval_every_steps: _e, eval_batch_size: _b, save_checkpoints_steps: _s, keep_checkpoints: _k, model_storage: _m, ...relevant } = h;
  return createHash('sha256').update(JSON.stringify({ relevant, config, n: data.train.n })).update(data.train.tokenIds).digest('hex');
}

/**
 * `bam pretrain`: masked-LM pretraining of a BERT encoder (google-research/bert's create_pretraining_data.py +
 * run_pretraining.py without next-sentence prediction) into `<bam_dir>/pretrained_models/<model_name>/`, which
 * `bam run` loads as a pretrained model. Resumable: a killed or interrupted run continues from its last checkpoint.
 */
export async function runPretrain(
  modelName: string, bamDir: string, h: PretrainHparams, kernels: Kernels, log: (line: string) => void, collective: Collective = singleProcess,
  options: { overwrite?: boolean } = {},
): Promise<PretrainOutcome> {
  // Data-parallel under mpirun: every rank trains its slice of each batch; only rank 0 writes files.
  const writes = collective.rank === 0;
  if (!existsSync(bamDir)) throw new BamError(`bam_dir ${bamDir} not found; lay one out with: bam init ${bamDir} --glue <GLUE folder> --vocab <vocab.txt>`);
  const modelDir = join(bamDir, 'pretrained_models', modelName);
  if (h.init_model === modelName) throw new BamError(`"init_model" is the model being written (${modelName}); continue into a new name`);
  const initDir = h.init_model === null ? null : join(bamDir, 'pretrained_models', h.init_model);
  if (initDir !== null && !existsSync(initDir)) throw new BamError(`init_model ${initDir} not found; name a folder under ${join(bamDir, 'pretrained_models')}`);
  const vocabPath = h.vocab_file ?? (initDir !== null ? join(initDir, 'vocab.txt') : join(bamDir, INIT_VOCAB));
  if (!existsSync(vocabPath)) throw new BamError(`${vocabPath}: vocab not found; set "vocab_file" to a BERT vocab.txt, or lay out the bam_dir with bam init --vocab`);
  const tokenizer = FullTokenizer.fromVocabFile(vocabPath, h.do_lower_case);
  const config = modelConfig(h, initDir, tokenizer.vocab.idToToken.length);
  if (config.vocabSize < tokenizer.vocab.idToToken.length) {
    throw new BamError(`${vocabPath} has ${tokenizer.vocab.idToToken.length} tokens but the model's vocab_size is ${config.vocabSize}; use the model's own vocab.txt`);
  }
  if (config.maxPositionEmbeddings < h.max_seq_length) {
    throw new BamError(`max_seq_length ${h.max_seq_length} exceeds the model's max_position_embeddings ${config.maxPositionEmbeddings}`);
  }

  const data = new PretrainingData(loadDocuments(h, bamDir, tokenizer, log), tokenizer, {
    maxSeqLength: h.max_seq_length, maxPredictionsPerSeq: h.max_predictions_per_seq, maskedLmProb: h.masked_lm_prob,
    shortSeqProb: h.short_seq_prob, doWholeWordMask: h.do_whole_word_mask, heldoutFraction: h.heldout_fraction, seed: h.seed,
  });
  const model = new BertMaskedLm(kernels, config);
  model.initialize(h.seed);
  if (initDir !== null) {
    const files = findPretrainedFiles(initDir);
    const source = openCheckpoint(files.weightsPath);
    try {
      loadWeights(model.arena, source, files.format);
    } finally {
      source.close();
    }
  }
  const stream = new MlmBatchStream(data, h.train_batch_size);
  const P = h.max_predictions_per_seq;
  const optimizer = new AdamWeightDecay(kernels, model.arena, {
    learningRate: h.learning_rate, numTrainSteps: h.num_train_steps, warmupProportion: 0, warmupSteps: h.num_warmup_steps,
    lrDecay: 0, weightDecayRate: h.weight_decay_rate, numLayers: config.numHiddenLayers,
  });
  const maxRows = Math.max(h.train_batch_size, h.eval_batch_size) * P;
  const loss = new MaskedLmLoss(kernels, maxRows);
  const logits = kernels.allocFloat(maxRows * config.vocabSize);
  const adapter = new BatchAdapter(maxRows);
  model.encoder.reserve(h.train_batch_size, h.max_seq_length);
  log(
    `${modelName}: ${config.numHiddenLayers} layers of width ${config.hiddenSize}, ${model.arena.size} parameters; ` +
    `${data.train.n} train instances (${data.trainDocuments} documents, ${stream.stepsPerEpoch} steps an epoch), ` +
    `${data.heldout.n} held out; ${h.num_train_steps} steps of ${h.train_batch_size}${initDir === null ? '' : `, continuing ${initDir}`}; kernels ${kernels.backend}`,
  );

  // The folder belongs to this pretraining, as bam run's model folders do: the same hparams resume, others are refused.
  const release = writes ? claimModelFolder(modelDir, pretrainIdentity(h), { overwrite: options.overwrite ?? false }) : null;
  let failed = true;
  try {
    const outcome = await trainAndSave();
    failed = false;
    return outcome;
  } finally {
    release?.({ failed });
  }

  async function trainAndSave(): Promise<PretrainOutcome> {
    const checkpointDir = join(modelDir, 'checkpoints');
    const trainingLog = new TrainingLog(join(modelDir, 'training_log.jsonl'));
    const heldout = (step: number): HeldoutMetrics => {
      const metrics = evaluateHeldout(model, data.heldout, h.eval_batch_size, loss, logits, adapter);
      if (writes) trainingLog.append({ type: 'eval', step, heldout: metrics });
      log(`step ${step} held-out: MLM loss ${metrics.mlm_loss.toFixed(4)}, MLM accuracy ${(100 * metrics.mlm_accuracy).toFixed(2)}%`);
      return metrics;
    };
    const result = await runTrainingLoop(model.arena, async (s) => {
      const { batch, sequences } = adapter.adapt(stream.batchAt(s), P);
      const r = await maskedLmTrainingStep(model, batch, loss, optimizer, s, stepSeed(h.seed, s), logits, collective);
      const n = batch.positions.count;
      return {
        loss: { sum: r.loss * (n + 1e-5), count: n },
        mlmAccuracy: { sum: r.correct, count: n },
        learningRate: r.learningRate,
        lambda: null,
        examples: sequences,
      };
    }, {
      numTrainSteps: h.num_train_steps,
      checkpointDir,
      saveEverySteps: h.save_checkpoints_steps,
      saveFinal: h.keep_checkpoints,
      logEverySteps: h.iterations_per_loop,
      run: { fingerprint: fingerprint(h, config, data), numTrainSteps: h.num_train_steps },
      log,
      lossUnit: 'masked token',
      trainingLog,
      collective,
      afterStep: (s) => {
        if (h.eval_every_steps > 0 && s % h.eval_every_steps === 0 && s < h.num_train_steps) heldout(s);
      },
    });
    if (result.interrupted) return { interrupted: true, results: null, modelDir };
    const metrics = heldout(h.num_train_steps);
    if (!writes) return { interrupted: false, results: null, modelDir };
    savePretrainedModel(modelDir, model, vocabPath, h.do_lower_case, h.model_storage === 'float16' ? 'F16' : 'F32');
    const results: PretrainResults = {
      model_name: modelName,
      steps: h.num_train_steps,
      examples: h.num_train_steps * h.train_batch_size,
      train_instances: data.train.n,
      heldout_instances: data.heldout.n,
      documents: { train: data.trainDocuments, heldout: data.heldoutDocuments },
      heldout: metrics,
      hparams: h,
    };
    writeFileAtomic(join(modelDir, 'pretrain_results.json'), `${JSON.stringify(results, null, 2)}\n`);
    if (!h.keep_checkpoints) rmSync(checkpointDir, { recursive: true, force: true });
    return { interrupted: false, results, modelDir };
  }
}

/** Hparams that change nothing the pretraining writes, so the folder's owner stays the same when they change. */
const NOT_IDENTITY = new Set(['num_threads', 'iterations_per_loop', 'eval_batch_size']);

function pretrainIdentity(h: PretrainHparams): RunIdentity {
  return { command: 'bam pretrain', settings: Object.fromEntries(Object.entries(h).filter(([k]) => !NOT_IDENTITY.has(k))) };
}
