import { readFileSync } from 'node:fs';
import { BamError } from '../errors.js';
import { runBench } from './bench.js';
import { runExperimentCommand } from './experiment.js';
import { EXPORT_USAGE, runExport } from './export.js';
import { INIT_USAGE, runInit } from './init.js';
import { INSPECT_USAGE, runInspectCheckpoint } from './inspect-checkpoint.js';
import { PREDICT_USAGE, runPredict } from './predict.js';
import { runPretrainCommand } from './pretrain.js';
import { runReport } from './report.js';
import { RESULTS_USAGE, runResults } from './results.js';
import { PRETRAIN_USAGE, RUN_USAGE } from './run-args.js';
import { runRun } from './run.js';
import { runTokenize, TOKENIZE_USAGE } from './tokenize.js';

/** A command returns its exit status, or nothing for 0. */
type Command = (args: string[]) => Promise<number | void>;

/** `usage` is printed for `bam <command> --help`; a command without one handles --help itself. */
const COMMANDS: Record<string, { run: Command; summary: string; usage?: string }> = {
  run: { run: runRun, summary: "train and evaluate, as the original: bam run <model_name> <bam_dir> '<hparams JSON>'", usage: RUN_USAGE },
  pretrain: { run: runPretrainCommand, summary: "masked-LM pretraining of an encoder from text: bam pretrain <model_name> <bam_dir> '<hparams JSON>'", usage: PRETRAIN_USAGE },
  experiment: { run: runExperimentCommand, summary: 'run an experiment recipe (pretraining, single/multi/BAM runs over seeds), resumable' },
  init: { run: runInit, summary: 'lay out a bam_dir from a GLUE download (glue_data/, pretrained_models/, models/)', usage: INIT_USAGE },
  results: { run: runResults, summary: 'print the dev results of trained models side by side', usage: RESULTS_USAGE },
  report: { run: runReport, summary: 'report.md + offline report.html with charts for an experiment recipe or models' },
  bench: { run: runBench, summary: 'fine-tuning/inference/masked-LM throughput beside PyTorch and onnxruntime (tables + JSON)' },
  predict: { run: runPredict, summary: 'run a bam, Hugging Face or Google model folder on new inputs (JSON Lines out; GLUE dev metrics)', usage: PREDICT_USAGE },
  export: { run: runExport, summary: 'a task of a model as a Hugging Face classifier folder, or with onnx/model.onnx (--format onnx)', usage: EXPORT_USAGE },
  tokenize: { run: runTokenize, summary: 'WordPiece-tokenize stdin with a BERT vocab (JSON out)', usage: TOKENIZE_USAGE },
  'inspect-checkpoint': { run: runInspectCheckpoint, summary: 'list the tensors of a TF checkpoint or .safetensors file', usage: INSPECT_USAGE },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: bam <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    '`bam <command> --help` shows its usage; `bam --version` the version.\n' +
    'Environment: BAM_KERNELS=native|reference picks the compute kernels.\n';
}

/** The package's version, from package.json (two folders above dist/src/cli and src/cli alike: ../../..). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || isHelp(name) || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`bam ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`bam: unknown command ${JSON.stringify(name)}\n${help()}`);
    return 1;
  }
  if (command.usage !== undefined && args.some(isHelp)) {
    process.stdout.write(`usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  try {
    return (await command.run(args)) ?? 0;
  } catch (e) {
    if (e instanceof BamError) {
      process.stderr.write(`bam: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
