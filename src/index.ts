/**
 * bam as a library: BAM! Born-Again Multi-Task Networks on a BERT encoder with hand-written forward and backward
 * passes. The CLI (`bam run`, `bam predict`, ...) is built from these pieces.
 */
export { BamError } from './errors.js';

export { getKernels, referenceKernels, type KernelPreference } from './engine/index.js';
export type { ByteBuffer, FloatBuffer, IntBuffer, Kernels } from './engine/backend.js';
export type { MatrixLayout } from './engine/kernels.js';

export { type BertConfig, parseBertConfig, readBertConfig, bertConfigToJson } from './model/bert-config.js';
export { BertModel } from './model/bert-model.js';
export { BertEncoder, type EncoderInputs } from './model/bert-encoder.js';
export { TaskHeads, type HeadSpec } from './model/task-heads.js';
export { ParameterArena, type Parameter, type ParameterSpec } from './model/arena.js';

export { FullTokenizer, encodeExample, loadVocab, type EncodedInput, type Vocab } from './tokenization/index.js';

export { openCheckpoint } from './checkpoint/open-checkpoint.js';
export { openTfCheckpoint, type TfCheckpoint } from './checkpoint/tf/tensor-bundle.js';
export { openSafetensors, writeSafetensors, type SafetensorsFile } from './checkpoint/safetensors.js';
export type { TensorInfo, TensorSource } from './checkpoint/tensor-source.js';
export { loadWeights, type WeightFormat } from './checkpoint/load-weights.js';
export { findPretrainedFiles, type PretrainedFiles } from './checkpoint/pretrained-files.js';

export { resolveConfig, type RunConfig } from './config/resolve-config.js';
export { DEFAULT_HPARAMS, HPARAM_SCHEMA, type Hparams } from './config/hparams.js';

export type { Example } from './data/example.js';
export { getTask, TASK_NAMES, type Task } from './data/tasks.js';
export { featurize, type FeaturizedDataset } from './data/featurize.js';
export { taskMultiple, taskWeights } from './data/task-weighting.js';

export { MultitaskLoss, type LossHead, type LossTargets } from './train/multitask-loss.js';
export { AdamWeightDecay, learningRateAt, type OptimizerSettings } from './train/optimizer.js';
export { BatchStream, type TeacherTargets } from './train/batches.js';
export { train, trainingStep, goldWeight, type Distillation, type TrainerOptions, type TrainResult } from './train/trainer.js';

export { accuracy, binaryF1, matthewsCorrelation, pearson, spearman } from './eval/metrics.js';
export { createScorer, type Scorer } from './eval/scorers.js';

export { parseTextDocuments, readTextDocuments, type TokenizedDocument } from './pretrain/text-documents.js';
export { glueTrainText, type GlueText, type GlueTextOptions } from './pretrain/glue-text.js';
export {
  PretrainingData,
  DEFAULT_PRETRAINING_DATA_OPTIONS,
  HELDOUT_SEED,
  type MaskedInstances,
  type PretrainingDataOptions,
} from './pretrain/pretraining-data.js';
export { MlmBatchStream, sequentialBatches, type MlmBatch } from './pretrain/mlm-batches.js';

export { runBam, type RunOutcome } from './run/run-bam.js';
export { predictDataset, scoreOutputs } from './run/evaluate.js';
export { predict, readInputsFile, runHeads, type Prediction, type PredictOptions, type TaskPrediction, type TextPair } from './predict.js';
export { loadModel, type LoadedModel, type LoadModelOptions, type ModelFolderKind, type ModelTask } from './checkpoint/load-model.js';
export { exportModel, type ExportFormat, type ExportOptions } from './export/export-model.js';

export { expandRecipe, parseRecipe, readRecipe, METHODS, type ExperimentRecipe, type ExperimentRun, type Method } from './experiment/recipe.js';
