import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HPARAMS } from '../config/hparams.js';
import { BamError } from '../errors.js';
import {
  applyGlueLayout,
  countLines,
  DIAGNOSTIC_SOURCES,
  displayPath,
  makeFolder,
  OFFICIAL_FOLDERS,
  planGlueLayout,
} from '../setup/glue-layout.js';
import type { GlueLayoutPlan, PlacementAction, PlacementResult, SplitRole, TaskFolderPlan } from '../setup/glue-layout.js';
import { applyPretrainedStub, planPretrainedStub } from '../setup/pretrained-stub.js';
import type { PretrainedStubResult } from '../setup/pretrained-stub.js';
import { parseCliOptions } from './options.js';

export const INIT_USAGE = 'bam init <bam_dir> --glue DIR [--vocab FILE] [--pretrained-model-name NAME] [--copy] [--force]';

interface InitOptions {
  bamDir: string;
  glueDir: string;
  vocabPath: string | undefined;
  modelName: string;
  copy: boolean;
  force: boolean;
}

function parseInitArgs(args: string[]): InitOptions {
  const { values, positionals } = parseCliOptions(INIT_USAGE, () => parseArgs({
    args,
    options: {
      glue: { type: 'string' },
      vocab: { type: 'string' },
      'pretrained-model-name': { type: 'string' },
      copy: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  }));
  if (positionals.length !== 1) {
    throw new BamError(`bam init takes one bam_dir, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}; usage: ${INIT_USAGE}`);
  }
  if (values.glue === undefined) throw new BamError(`--glue DIR (the folder of a GLUE download) is required; usage: ${INIT_USAGE}`);
  if (values['pretrained-model-name'] !== undefined && values.vocab === undefined) {
    throw new BamError(`--pretrained-model-name only names the folder for --vocab FILE; pass --vocab too; usage: ${INIT_USAGE}`);
  }
  return {
    bamDir: resolve(positionals[0]),
    glueDir: values.glue,
    vocabPath: values.vocab,
    modelName: values['pretrained-model-name'] ?? DEFAULT_HPARAMS.pretrained_model_name,
    copy: values.copy,
    force: values.force,
  };
}

const CONSEQUENCES: Record<SplitRole, (task: string) => string> = {
  train: (task) => `training on ${task} will fail`,
  dev: (task) => `evaluating ${task} will fail`,
  test: (task) => `writing ${task} test predictions will fail`,
};

const ROLES: SplitRole[] = ['train', 'dev', 'test'];

function lineCount(path: string): string {
  const n = countLines(path);
  return `${n} ${n === 1 ? 'line' : 'lines'}`;
}

function foundTaskLine(task: TaskFolderPlan, glueDir: string): string {
  const present = task.splitFiles.filter((split) => !task.missing.includes(split));
  const splits = present.map((split) => `${split.file} ${lineCount(join(glueDir, task.folder, split.file))}`);
  const splitNames = new Set(task.splitFiles.map((split) => split.file));
  const others = task.placements.map((p) => displayPath(p.source, join(glueDir, task.folder))).filter((file) => !splitNames.has(file));
  const also = others.length > 0 ? ` (also ${others.join(', ')})` : '';
  return `  ${task.task.padEnd(4)}  from ${task.folder}/: ${splits.length > 0 ? splits.join(', ') : 'no split file'}${also}`;
}

/** e.g. `qnli: train.tsv missing (training on qnli will fail; dev/test present)`. */
function missingSplitsLine(task: TaskFolderPlan): string {
  const missingRoles = ROLES.filter((role) => task.missing.some((split) => split.role === role));
  const presentRoles = ROLES.filter((role) => !missingRoles.includes(role) && task.splitFiles.some((split) => split.role === role));
  const consequences = missingRoles.map((role) => CONSEQUENCES[role](task.task)).join('; ');
  const present = presentRoles.length > 0 ? `${presentRoles.join('/')} present` : 'no split file present';
  return `  ${task.task}: ${task.missing.map((split) => split.file).join(', ')} missing (${consequences}; ${present})`;
}

function diagnosticLine(plan: GlueLayoutPlan): string {
  if (plan.diagnostic === null) {
    return `diagnostic: absent (no ${DIAGNOSTIC_SOURCES.join(', ')} in ${plan.glueDir}); writing mnli diagnostic predictions will fail`;
  }
  const { source, dest } = plan.diagnostic;
  return `diagnostic: ${displayPath(source, plan.glueDir)} -> ${dest} (${lineCount(source)})`;
}

function pretrainedLine(stub: PretrainedStubResult): string {
  const vocab = `vocab.txt (${stub.vocabSize} lines) ${describeAction(stub.vocab.action)}`;
  if (stub.config === 'written') return `${stub.modelDir}/: ${vocab}; bert_config.json written (BERT-base, vocab_size ${stub.vocabSize})`;
  const config = stub.configVocabSize === stub.vocabSize
    ? 'bert_config.json already there, kept'
    : `bert_config.json already there and kept, but its vocab_size (${stub.configVocabSize ?? 'none'}) is not vocab.txt's ${stub.vocabSize} lines; ` +
      'remove it and run bam init again to write one for this vocab';
  return `${stub.modelDir}/: ${vocab}; ${config}`;
}

function describeAction(action: PlacementAction): string {
  return action === 'unchanged' ? 'already in place' : action;
}

function summaryLine(results: PlacementResult[]): string {
  const actions: PlacementAction[] = ['linked', 'copied', 'replaced', 'unchanged'];
  const counts = actions.map((action) => `${results.filter((r) => r.action === action).length} ${describeAction(action)}`);
  return `files: ${counts.join(', ')}`;
}

function formatReport(options: InitOptions, plan: GlueLayoutPlan, placed: PlacementResult[], stub: PretrainedStubResult | null): string {
  const lines = [`bam init: ${options.bamDir} from ${plan.glueDir} (${options.copy ? 'copies' : 'symbolic links'})`, 'glue_data/:'];
  lines.push(...plan.tasks.map((task) => foundTaskLine(task, plan.glueDir)));
  const incomplete = plan.tasks.filter((task) => task.missing.length > 0);
  if (incomplete.length > 0 || plan.absentTasks.length > 0) {
    lines.push('missing:', ...incomplete.map(missingSplitsLine));
    lines.push(...plan.absentTasks.map((task) =>
      `  ${task}: absent (no ${OFFICIAL_FOLDERS[task]}/ or ${task}/ in ${plan.glueDir}); runs with ${task} will fail`));
  }
  lines.push(diagnosticLine(plan));
  if (stub !== null) lines.push(pretrainedLine(stub));
  lines.push('models/: ready', summaryLine(stub === null ? placed : [...placed, stub.vocab]));
  return `${lines.join('\n')}\n`;
}

/**
 * `bam init <bam_dir> --glue DIR`: the original's set-up step. Lays a GLUE download out as `<bam_dir>/glue_data/<task>/`
 * (CoLA → cola, SST-2 → sst, STS-B → sts, …, the diagnostic set into mnli) with links or copies, optionally puts a
 * vocab and a BERT-base bert_config.json into `pretrained_models/<name>/`, creates `models/`, and reports what is missing.
 */
export async function runInit(args: string[], io: { stdout: NodeJS.WritableStream } = { stdout: process.stdout }): Promise<void> {
  const options = parseInitArgs(args);
  const plan = planGlueLayout(options.glueDir);
  const stubPlan = options.vocabPath === undefined ? null : planPretrainedStub(options.vocabPath, options.modelName);
  const placeOptions = { copy: options.copy, force: options.force };
  const placed = applyGlueLayout(plan, options.bamDir, placeOptions);
  const stub = stubPlan === null ? null : applyPretrainedStub(stubPlan, options.bamDir, placeOptions);
  makeFolder(join(options.bamDir, 'models'));
  io.stdout.write(formatReport(options, plan, placed, stub));
}
