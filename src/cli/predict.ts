import { once } from 'node:events';
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, modelTask, unusedTensorsNote, type LoadedModel, type ModelTask } from '../checkpoint/load-model.js';
import { featurize } from '../data/featurize.js';
import { getTask, type Task } from '../data/tasks.js';
import { BamError } from '../errors.js';
import { scoreOutputs } from '../run/evaluate.js';
import { formatResultsTxt } from '../run/results.js';
import { encodePairs, predictionAt, readInputsFile, runHeads, width, type TextPair } from '../predict.js';
import { parseCliOptions } from './options.js';

export const PREDICT_USAGE = 'bam predict <model_dir> (--input FILE.json|FILE.jsonl | --glue-task T --split S --input DIR|FILE.tsv) ' +
  '[--task T ...] [--max-length N] [--batch-size N] [--logits] [--pooled] [--hidden] [--vocab FILE] [--cased]';

export interface PredictIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Progress goes to stderr for inputs at least this long. */
const PROGRESS_FROM = 512;

/** GLUE rows: the examples of `split` of `task` in the file (or folder) given, read in the task's own column layout. */
function readGlueInputs(task: Task, split: string, input: string): { pairs: TextPair[]; labelled: boolean; examples: ReturnType<Task['getExamples']> } {
  let dataDir = input;
  try {
    if (statSync(input).isFile()) {
      dataDir = dirname(input);
      if (basename(input) !== `${split}.tsv`) throw new BamError(`${input}: --split ${split} reads ${split}.tsv; pass that file, its folder, or the matching --split`);
    }
  } catch (e) {
    if (e instanceof BamError) throw e;
    throw new BamError(`${input}: not found; pass the GLUE ${task.name} folder or its ${split}.tsv`);
  }
  let examples: ReturnType<Task['getExamples']>;
  try {
    examples = task.getExamples(dataDir, split, { multiple: 1, doubleUnordered: false });
  } catch (e) {
    if (!(e instanceof BamError) || /is this the GLUE/.test(e.message)) throw e;
    throw new BamError(`${e.message} (is this GLUE ${task.name}'s ${split}.tsv? pass the --glue-task whose file it is)`);
  }
  return { examples, pairs: examples.map((e) => ({ textA: e.textA, textB: e.textB })), labelled: !task.testSplits.includes(split) };
}

/** The model task that predicts GLUE task `glue`: --task if given, else the one named alike, else the only one. */
function glueModelTask(loaded: LoadedModel, glue: Task, requested: string[] | undefined): ModelTask {
  if (requested && requested.length > 1) throw new BamError('--glue-task scores one task; pass a single --task');
  const name = requested?.[0] ?? (loaded.tasks.length === 1 ? loaded.tasks[0].name : glue.name);
  const task = modelTask(loaded, name);
  const sameLabels = task.kind === glue.kind && task.labels.join('\t') === glue.labelList.join('\t');
  if (!sameLabels) {
    throw new BamError(`${loaded.dir}: task ${task.name} (${task.kind}, labels ${JSON.stringify(task.labels)}) cannot be scored on GLUE ${glue.name} (${glue.kind}, labels ${JSON.stringify(glue.labelList)}); pass the matching --task`);
  }
  return task;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

function positiveInt(value: string, option: string, minimum: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < minimum) throw new BamError(`${option} must be an integer ≥ ${minimum}, got ${value}`);
  return n;
}

/**
 * `bam predict`: runs any model folder bam loads on new inputs and writes one JSON line per input: each task's label
 * and probabilities (or regression score on the task's scale), optionally the logits, pooled output and hidden
 * states. With --glue-task on a labelled split it also prints the task's metrics (stderr), as `bam run` records them.
 */
export async function runPredict(args: string[], io: PredictIO = { stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const { values, positionals } = parseCliOptions(PREDICT_USAGE, () => parseArgs({
    args,
    options: {
      input: { type: 'string' },
      task: { type: 'string', multiple: true },
      'glue-task': { type: 'string' },
      split: { type: 'string' },
      'max-length': { type: 'string' },
      'batch-size': { type: 'string', default: '32' },
      logits: { type: 'boolean', default: false },
      pooled: { type: 'boolean', default: false },
      hidden: { type: 'boolean', default: false },
      vocab: { type: 'string' },
      cased: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  }));
  if (positionals.length !== 1) throw new BamError(`bam predict takes one model folder, got ${positionals.length}; usage: ${PREDICT_USAGE}`);
  if (!values.input) throw new BamError(`--input is required; usage: ${PREDICT_USAGE}`);
  if ((values['glue-task'] === undefined) !== (values.split === undefined)) throw new BamError('--glue-task and --split go together');
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 1);
  const glue = values['glue-task'] === undefined ? null : getTask(values['glue-task']);

  const loaded = loadModel(positionals[0], { vocabPath: values.vocab, doLowerCase: values.cased ? false : undefined });
  const maxLength = values['max-length'] === undefined ? loaded.maxSeqLength : positiveInt(values['max-length'], '--max-length', 3);
  const tasks = glue ? [glueModelTask(loaded, glue, values.task)] : (values.task ?? loaded.tasks.map((t) => t.name)).map((n) => modelTask(loaded, n));
  const glueInputs = glue && values.split ? readGlueInputs(glue, values.split, values.input) : null;
  const pairs = glueInputs?.pairs ?? readInputsFile(values.input);
  const note = unusedTensorsNote(loaded);
  if (note) io.stderr.write(`bam: note: ${note}\n`);

  let reported = 0;
  const run = runHeads(loaded, encodePairs(loaded, pairs, maxLength), {
    tasks: tasks.map((t) => t.name),
    batchSize,
    pooled: values.pooled,
    hidden: values.hidden,
    onProgress: (done, total) => {
      if (total < PROGRESS_FROM || (done < total && done - reported < total / 10)) return;
      reported = done;
      io.stderr.write(`bam: predicted ${done}/${total}\n`);
    },
  });
  for (let i = 0; i < pairs.length; i++) {
    const line = { index: i, ...(glueInputs ? { eid: glueInputs.examples[i].eid } : {}), ...predictionAt(loaded, run, i, values.logits) };
    await write(io.stdout, `${JSON.stringify(line)}\n`);
  }
  if (glue && glueInputs?.labelled) {
    const data = featurize(glueInputs.examples, [glue.name], loaded.tokenizer, maxLength);
    const metrics = scoreOutputs(glue, data, run.outputs[0], width(tasks[0]));
    await write(io.stderr, formatResultsTxt([{ trial: 1, seed: 0, results: { [tasks[0].name]: metrics } }]));
  }
}
