import { parseArgs } from 'node:util';
import { loadModel, unusedTensorsNote } from '../checkpoint/load-model.js';
import { BamError } from '../errors.js';
import { EXPORT_FORMATS, exportModel, type ExportFormat } from '../export/export-model.js';
import { parseCliOptions } from './options.js';

export const EXPORT_USAGE = 'bam export <model_dir> --task T|all [--task T2 ...] --format huggingface|onnx --out DIR [--vocab FILE]';

export interface ExportIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `bam export`: a task of any model folder bam loads as a Hugging Face BertForSequenceClassification folder
 * (`--format huggingface`), or that folder plus `onnx/model.onnx` (`--format onnx`, for onnxruntime and
 * transformers.js). Prints the folders written.
 */
export async function runExport(args: string[], io: ExportIO = { stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const { values, positionals } = parseCliOptions(EXPORT_USAGE, () => parseArgs({
    args,
    options: {
      task: { type: 'string', multiple: true },
      format: { type: 'string' },
      out: { type: 'string' },
      vocab: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  }));
  if (positionals.length !== 1) throw new BamError(`bam export takes one model folder, got ${positionals.length}; usage: ${EXPORT_USAGE}`);
  const tasks = values.task ?? [];
  if (tasks.length === 0 || !values.format || !values.out) throw new BamError(`--task, --format and --out are required; usage: ${EXPORT_USAGE}`);
  if (!EXPORT_FORMATS.includes(values.format as ExportFormat)) {
    throw new BamError(`--format ${values.format} is not one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (tasks.includes('all') && tasks.length > 1) throw new BamError('--task all exports every task; pass it alone');
  const loaded = loadModel(positionals[0], { vocabPath: values.vocab });
  const note = unusedTensorsNote(loaded);
  if (note) io.stderr.write(`bam: note: ${note}\n`);
  const written = exportModel(loaded, { tasks: tasks.includes('all') ? 'all' : tasks, format: values.format as ExportFormat, outDir: values.out });
  for (const dir of written) io.stdout.write(`${dir}\n`);
}
