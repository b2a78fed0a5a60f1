import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getTask, TASK_NAMES } from '../data/tasks.js';
import { BamError } from '../errors.js';
import { stripPythonWhitespace } from '../tokenization/basic-tokenizer.js';

export interface GlueTextOptions {
  /** Tasks to read, each from `<glueDataDir>/<task>/train.tsv`. Default: every GLUE task whose train file exists. */
  tasks?: readonly string[];
  /** Consecutive sentences of one task per document (default 100). */
  sentencesPerDocument?: number;
}

export interface GlueText {
  /** Pretraining text: one sentence per line, a blank line after each document. */
  text: string;
  /** Tasks read, in TASK_NAMES order. */
  tasks: string[];
  sentences: number;
  documents: number;
}

export const DEFAULT_SENTENCES_PER_DOCUMENT = 100;

/**
 * Pretraining text from the sentence columns of GLUE train splits (dev and test are never read), each distinct
 * sentence once (MRPC and STS-B repeat sentences across rows; the first occurrence is kept), tasks in TASK_NAMES
 * order and rows in file order.
 *
 * Documents are blocks of `sentencesPerDocument` consecutive sentences of one task. Without next-sentence prediction
 * a document boundary only stops packing, and rows of a GLUE file are mostly unrelated anyway, so the block size is
 * chosen for packing: one row per document would make most instances a single short sentence (CoLA and SST-2 rows
 * are about 10 WordPieces), leaving the far position embeddings almost untrained; one document per file would leave
 * too few documents to hold the last ones out. Blocks of 100 sentences fill max_seq_length 128 about ten times over,
 * so at most one short instance in ten comes from a boundary.
 *
 * The blocks are interleaved by their relative place in their task (block k of n sorts at (k + ½) / n), so the last
 * fraction of documents, which PretrainingData holds out, is about the last fraction of every task.
 */
export function glueTrainText(glueDataDir: string, options: GlueTextOptions = {}): GlueText {
  const size = options.sentencesPerDocument ?? DEFAULT_SENTENCES_PER_DOCUMENT;
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new BamError(
      `sentences per document ${size} is invalid; use a positive integer (default ${DEFAULT_SENTENCES_PER_DOCUMENT})`,
    );
  }
  const tasks = tasksToRead(glueDataDir, options.tasks);
  const seen = new Set<string>();
  const blocks: { place: number; sentences: string[] }[] = [];
  for (const task of tasks) {
    const sentences: string[] = [];
    const examples = getTask(task).getExamples(join(glueDataDir, task), 'train', { multiple: 1, doubleUnordered: false });
    for (const example of examples) {
      for (const field of [example.textA, example.textB]) {
        const sentence = field === null ? '' : stripPythonWhitespace(field);
        if (sentence === '' || seen.has(sentence)) continue;
        seen.add(sentence);
        sentences.push(sentence);
      }
    }
    const count = Math.ceil(sentences.length / size);
    for (let k = 0; k < count; k++) {
      blocks.push({ place: (k + 0.5) / count, sentences: sentences.slice(k * size, (k + 1) * size) });
    }
  }
  // Array.prototype.sort is stable, so equal places keep task order.
  blocks.sort((a, b) => a.place - b.place);
  const text = blocks.map((block) => block.sentences.join('\n') + '\n\n').join('');
  return { text, tasks, sentences: seen.size, documents: blocks.length };
}

function tasksToRead(glueDataDir: string, requested: readonly string[] | undefined): string[] {
  const trainFile = (task: string): string => join(glueDataDir, task, 'train.tsv');
  if (requested !== undefined) {
    if (requested.length === 0) {
      throw new BamError('no GLUE tasks given for pretraining text; name at least one task or leave the list out');
    }
    for (const task of requested) {
      getTask(task);
      if (!existsSync(trainFile(task))) {
        throw new BamError(`${trainFile(task)}: file not found; put the GLUE ${task} train split there or leave ${task} out`);
      }
    }
    return TASK_NAMES.filter((task) => requested.includes(task));
  }
  const found = TASK_NAMES.filter((task) => existsSync(trainFile(task)));
  if (found.length === 0) {
    throw new BamError(
      `${glueDataDir}: no <task>/train.tsv found; point at a bam_dir's glue_data folder (run \`bam init\` to lay one out)`,
    );
  }
  return found;
}
