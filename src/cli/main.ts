import { BamError } from '../errors.js';
import { runBench } from './bench.js';
import { runExport } from './export.js';
import { runInit } from './init.js';
import { runInspectCheckpoint } from './inspect-checkpoint.js';
import { runPredict } from './predict.js';
import { runPretrainCommand } from './pretrain.js';
import { runExperimentCommand } from './experiment.js';
import { runReport } from './report.js';
import { runResults } from './results.js';
import { runRun } from './run.js';
import { runTokenize } from './tokenize.js';

/** A command returns its exit status, or nothing for 0. */
type Command = (args: string[]) => Promise<number | void>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  run: { run: runRun, summary: "train and evaluate, as the original: bam run <model_name> <bam_dir> '<hparams JSON>'" },
  pretrain: { run: runPretrainCommand, summary: "masked-LM pretraining of an encoder from text: bam pretrain <model_name> <bam_dir> '<hparams JSON>'" },
  experiment: { run: runExperimentCommand, summary: 'run an experiment recipe (pretraining, single/multi/BAM runs over seeds), resumable: bam experiment <bam_dir> <recipe.json>' },
  init: { run: runInit, summary: 'lay out a bam_dir from a GLUE download (glue_data/, pretrained_models/, models/)' },
  results: { run: runResults, summary: 'print the dev results of trained models side by side' },
  report: { run: runReport, summary: 'report.md + offline report.html with charts for an experiment recipe or models' },
  bench: { run: runBench, summary: 'fine-tuning/inference/masked-LM throughput beside PyTorch and onnxruntime (tables + JSON)' },
  predict: { run: runPredict, summary: 'run a bam, Hugging Face or Google model folder on new inputs (JSON Lines out; GLUE dev metrics)' },
  export: { run: runExport, summary: 'a task of a model as a Hugging Face classifier folder, or with onnx/model.onnx (--format onnx)' },
  tokenize: { run: runTokenize, summary: 'WordPiece-tokenize stdin with a BERT vocab (JSON out)' },
  'inspect-checkpoint': { run: runInspectCheckpoint, summary: 'list the tensors of a TF checkpoint or .safetensors file' },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: bam <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nEnvironment: BAM_KERNELS=native|reference picks the compute kernels.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`bam: unknown command "${name}"\n${help()}`);
    return 1;
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
