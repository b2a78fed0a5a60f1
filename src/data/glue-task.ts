import { join } from 'node:path';
import { BamError } from '../errors.js';
import type { Example } from './example.js';
import type { LoadOptions, MetricName } from './task.js';
import { readTsv } from './tsv.js';

/** Where one split's fields are. Negative indices count from the end of the row, as in Python. */
export interface SplitLayout {
  textA: number;
  textB: number | null;
  /** null on test splits, whose rows get the dummy label. */
  label: number | null;
  header: boolean;
}

/** A sentence pair in a file with a header line. */
export const pairLayout = (textA: number, textB: number, label: number | null): SplitLayout => ({ textA, textB, label, header: true });

/** One sentence per row. */
export const singleLayout = (textA: number, label: number | null, header: boolean): SplitLayout => ({
  textA,
  textB: null,
  label,
  header,
});

export interface TestSplit {
  layout: SplitLayout;
  /** GLUE's submission file for the split (e.g. `RTE.tsv`); null for a task outside the GLUE benchmark. */
  submissionFile: string | null;
}

/** A task read from TSV files `<split>.tsv` in the layout of the original's classification_tasks.py. */
export interface GlueTaskSpec {
  name: string;
  /** See Task.downloadFolder. */
  downloadFolder: string | null;
  /** The layout of train.tsv and of every dev split. */
  trainDev: SplitLayout;
  /** Default `['dev']`. */
  devSplits?: string[];
  /** A dev split's key in the results when it is not the task name (MNLI: `{dev_mismatched: 'mnli-mm'}`). */
  resultKeys?: Record<string, string>;
  testSplits: Record<string, TestSplit>;
  metricNames: MetricName[];
  /** Sentence order carries no meaning, so the train set may be doubled with swapped pairs. Default false. */
  unordered?: boolean;
  /** See Task.fixedTrainSize. */
  fixedTrainSize: number | null;
}

/** A data row with its label parsed, before repetition and doubling. */
interface ParsedRow {
  eid: number;
  textA: string;
  textB: string | null;
  label: string | number;
}

/** The file side of a Task (layouts, parsing, splits, output names); the subclasses add its head and implement Task. */
export abstract class GlueTask {
  readonly name: string;
  readonly downloadFolder: string | null;
  readonly devSplits: string[];
  readonly testSplits: string[];
  readonly metricNames: MetricName[];
  readonly fixedTrainSize: number | null;
  private readonly layouts: Record<string, SplitLayout>;
  private readonly resultKeys: Record<string, string>;
  private readonly submissionFiles: Record<string, string | null>;
  private readonly unordered: boolean;

  constructor(spec: GlueTaskSpec) {
    this.name = spec.name;
    this.downloadFolder = spec.downloadFolder;
    this.devSplits = spec.devSplits ?? ['dev'];
    this.testSplits = Object.keys(spec.testSplits);
    this.metricNames = spec.metricNames;
    this.fixedTrainSize = spec.fixedTrainSize;
    this.resultKeys = spec.resultKeys ?? {};
    this.unordered = spec.unordered ?? false;
    this.layouts = { train: spec.trainDev };
    for (const split of this.devSplits) this.layouts[split] = spec.trainDev;
    this.submissionFiles = {};
    for (const [split, test] of Object.entries(spec.testSplits)) {
      this.layouts[split] = test.layout;
      this.submissionFiles[split] = test.submissionFile;
    }
  }

  resultKey(devSplit: string): string {
    return this.resultKeys[devSplit] ?? this.name;
  }

  submissionFile(testSplit: string): string | null {
    return this.submissionFiles[testSplit] ?? null;
  }

  getExamples(dataDir: string, split: string, options: LoadOptions): Example[] {
    const layout = this.layouts[split];
    if (layout === undefined) {
      const splits = Object.keys(this.layouts).join(', ');
      throw new BamError(`task ${this.name} has no split "${split}"; its splits are ${splits}`);
    }
    if (!(Number.isInteger(options.multiple) && options.multiple >= 1)) {
      throw new Error(`getExamples: multiple must be a positive integer, got ${options.multiple}`);
    }
    const path = join(dataDir, `${split}.tsv`);
    const parsed = this.parseRows(path, split, layout, readTsv(path, { maxLines: options.maxLines }));
    const rows = options.maxRows === undefined ? parsed : parsed.slice(0, options.maxRows);
    const doubled = options.doubleUnordered && this.unordered && split === 'train';
    const examples: Example[] = [];
    for (let repetition = 0; repetition < options.multiple; repetition++) {
      for (const row of rows) examples.push({ ...row, task: this.name, split });
      if (doubled) {
        for (const row of rows) {
          examples.push({
            eid: row.eid + rows.length,
            task: this.name,
            split,
            // Unordered tasks are sentence pairs, so textB is always set here.
            textA: row.textB ?? '',
            textB: row.textA,
            label: row.label,
          });
        }
      }
    }
    return examples;
  }

  /** The label of a test-split row, which has none in the file. */
  protected abstract dummyLabel(): string | number;

  /** The label field checked and converted; `where` is `<file>:<line>` for the error message. */
  protected abstract parseLabel(field: string, where: string): string | number;

  private parseRows(path: string, split: string, layout: SplitLayout, lines: string[][]): ParsedRow[] {
    const used = [layout.textA, layout.textB, layout.label].filter((i): i is number => i !== null);
    const needed = Math.max(...used.map((i) => (i >= 0 ? i + 1 : -i)));
    const first = layout.header ? 1 : 0;
    const rows: ParsedRow[] = [];
    for (let i = first; i < lines.length; i++) {
      const line = lines[i];
      const where = `${path}:${i + 1}`;
      if (line.length < needed) {
        throw new BamError(
          `${where}: expected at least ${needed} tab-separated columns, found ${line.length} (is this the GLUE ${this.name} ${split} file?)`,
        );
      }
      rows.push({
        eid: i - first,
        textA: field(line, layout.textA),
        textB: layout.textB === null ? null : field(line, layout.textB),
        label: layout.label === null ? this.dummyLabel() : this.parseLabel(field(line, layout.label), where),
      });
    }
    return rows;
  }
}

function field(line: string[], index: number): string {
  return line[index >= 0 ? index : line.length + index];
}
