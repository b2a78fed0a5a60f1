import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePretrainHparams } from '../config/pretrain-hparams.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { Kernels } from '../engine/backend.js';
import { BamError } from '../errors.js';
import { runPretrain } from '../pretrain/run-pretrain.js';
import { runBam } from '../run/run-bam.js';
import { formatDuration } from '../train/progress.js';
import { expandRecipe, type ExperimentRecipe, type ExperimentRun } from './recipe.js';

/**
 * The files of a finished step that the record keeps: small, and all that later steps and the report need. A
 * pretrained encoder is kept whole (the record's copy is what every fine-tuning run starts from); a fine-tuning run
 * keeps its results, its training log and its train predictions (the distillation targets of BAM students).
 */
const PRETRAINED_FILES = ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'training_log.jsonl', 'pretrain_results.json'];
const RUN_FILES = ['results.json', 'results.txt', 'training_log.jsonl'];
const TRAIN_PREDICTIONS = /^[a-z0-9_-]+_train_predictions_1\.json$/;

export interface ExperimentOptions {
  /**
   * The record: a folder laid out like a bam_dir (pretrained_models/, models/) holding what finished steps left,
   * committed so that the experiment continues, and its report is rebuilt, on a fresh machine.
   */
  recordDir: string;
  /** Where the record keeps pretrained encoders (whole model folders); default `<recordDir>/pretrained_models`. */
  encodersDir?: string;
  kernels: Kernels;
  log: (line: string) => void;
}

export interface ExperimentOutcome {
  interrupted: boolean;
  /** Steps trained now, and steps found finished in the record. */
  trained: string[];
  restored: string[];
}

function copyFiles(from: string, to: string, names: string[]): void {
  mkdirSync(to, { recursive: true });
  for (const name of names) if (existsSync(join(from, name))) copyFileSync(join(from, name), join(to, name));
}

function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
}

/** Train predictions a finished run wrote, by file name. */
function trainPredictions(outputsDir: string): string[] {
  return existsSync(outputsDir) ? readdirSync(outputsDir).filter((f) => TRAIN_PREDICTIONS.test(f)).sort() : [];
}

/** A run is finished when its results.json holds every trial the recipe asks for (one). */
function finished(modelDir: string): boolean {
  const path = join(modelDir, 'results.json');
  if (!existsSync(path)) return false;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as { trials?: unknown[] };
    return Array.isArray(value.trials) && value.trials.length >= 1;
  } catch {
    return false;
  }
}

/** Puts a finished run's recorded files into the bam_dir (so students find their teachers' predictions). */
function restoreRun(recordDir: string, bamDir: string, run: ExperimentRun): void {
  const from = join(recordDir, 'models', run.model_name);
  const to = join(bamDir, 'models', run.model_name);
  copyFiles(from, to, RUN_FILES);
  copyFiles(join(from, 'outputs'), join(to, 'outputs'), trainPredictions(join(from, 'outputs')));
}

function recordRun(recordDir: string, bamDir: string, run: ExperimentRun): void {
  const from = join(bamDir, 'models', run.model_name);
  const to = join(recordDir, 'models', run.model_name);
  copyFiles(from, to, RUN_FILES);
  copyFiles(join(from, 'outputs'), join(to, 'outputs'), trainPredictions(join(from, 'outputs')));
}

/**
 * Pretrains the recipe's encoder unless the record holds it, then puts the record's copy into the bam_dir; returns
 * whether it was trained now, or null when interrupted.
 */
async function pretrainStep(recipe: ExperimentRecipe, bamDir: string, o: ExperimentOptions): Promise<boolean | null> {
  const step = recipe.pretrain;
  if (step === undefined) return false;
  const recorded = join(o.encodersDir ?? join(o.recordDir, 'pretrained_models'), step.model_name);
  const target = join(bamDir, 'pretrained_models', step.model_name);
  if (existsSync(join(recorded, 'pretrain_results.json'))) {
    if (!PRETRAINED_FILES.every((f) => !existsSync(join(recorded, f)) || sameFile(join(recorded, f), join(target, f)))) copyFiles(recorded, target, PRETRAINED_FILES);
    o.log(`pretraining ${step.model_name}: finished (in ${recorded})`);
    return false;
  }
  o.log(`pretraining ${step.model_name}`);
  const outcome = await runPretrain(step.model_name, bamDir, resolvePretrainHparams(step.hparams), o.kernels, o.log);
  if (outcome.interrupted) return null;
  copyFiles(target, recorded, PRETRAINED_FILES);
  return true;
}

/**
 * `bam experiment`: runs a recipe's steps in order — pretraining, then every `bam run` it expands to (teachers
 * before their students) — skipping the steps the record shows finished and resuming an interrupted one from its
 * checkpoint. After each step its small outputs go into the record, so the experiment can span several sittings,
 * on fresh machines, and `bam report <record> <recipe>` rebuilds the report from the record alone.
 */
export async function runExperiment(bamDir: string, recipe: ExperimentRecipe, o: ExperimentOptions): Promise<ExperimentOutcome> {
  if (!existsSync(join(bamDir, 'glue_data'))) {
    throw new BamError(`${bamDir}: no glue_data/; lay the bam_dir out first: bam init ${bamDir} --glue <GLUE folder> --vocab <vocab.txt>`);
  }
  const trained: string[] = [];
  const restored: string[] = [];
  const started = process.hrtime.bigint();
  const pretrained = await pretrainStep(recipe, bamDir, o);
  if (pretrained === null) return { interrupted: true, trained, restored };
  if (recipe.pretrain !== undefined) (pretrained ? trained : restored).push(recipe.pretrain.model_name);
  const runs = expandRecipe(recipe);
  for (const [i, run] of runs.entries()) {
    const where = `[${i + 1}/${runs.length}] ${run.model_name}`;
    if (finished(join(o.recordDir, 'models', run.model_name))) {
      restoreRun(o.recordDir, bamDir, run);
      restored.push(run.model_name);
      continue;
    }
    o.log(`${where}: training (${run.method}${run.task === null ? '' : `, ${run.task}`}, seed ${run.seed}); elapsed ${formatDuration(Number(process.hrtime.bigint() - started) / 1e9)}`);
    const outcome = await runBam(resolveConfig(run.model_name, bamDir, run.hparams), o.kernels, o.log);
    if (outcome.interrupted) return { interrupted: true, trained, restored };
    recordRun(o.recordDir, bamDir, run);
    trained.push(run.model_name);
  }
  o.log(`experiment ${recipe.name}: ${trained.length} steps trained now, ${restored.length} found finished in ${o.recordDir}`);
  return { interrupted: false, trained, restored };
}
