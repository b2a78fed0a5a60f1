import { join } from 'node:path';
import { BamError } from '../errors.js';
import type { Example } from './example.js';
import { readTsv } from './tsv.js';

export type TaskKind = 'classification' | 'regression';

/** Metrics a task reports, in the order its scorer returns them. */
export type MetricName = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman' | 'mse' | 'loss';

export interface LoadOptions {
  /** Debug mode: read at most this many physical lines of the file, header included. */
  maxLines?: number;
  /** How many times the examples are repeated (see task-weighting.ts; 1 outside the train split). */
  multiple: number;
  /** MRPC and STS train only: append a copy with the two sentences swapped, eids N..2N-1. */
  doubleUnordered: boolean;
}

export interface Task {
  readonly name: string;
  readonly kind: TaskKind;
  /** Label strings in logit order; empty for regression. */
  readonly labelList: string[];
  /** Splits scored after training (MNLI: dev_matched and dev_mismatched). */
  readonly devSplits: string[];
  /** Splits predicted for GLUE submission; their rows carry a dummy label. */
  readonly testSplits: string[];
  readonly metricNames: MetricName[];
  /** Examples of `<dataDir>/<split>.tsv`, where dataDir is the task's folder, e.g. `<bam_dir>/glue_data/rte`. */
  getExamples(dataDir: string, split: string, options: LoadOptions): Example[];
}

/** Where one split's fields are. Negative indices count from the end of the row, as in Python. */
interface SplitLayout {
  textA: number;
  textB: number | null;
  /** null on test splits, whose rows get the dummy label. */
  label: number | null;
  header: boolean;
}

interface TaskSpec {
  name: string;
  devSplits: string[];
  testSplits: string[];
  metricNames: MetricName[];
  layouts: Record<string, SplitLayout>;
  /** Sentence order carries no meaning, so the train set may be doubled with swapped pairs. */
  unordered: boolean;
}

/** A data row with its label parsed, before repetition and doubling. */
interface ParsedRow {
  eid: number;
  textA: string;
  textB: string | null;
  label: string | number;
}

abstract class GlueTask implements Task {
  abstract readonly kind: TaskKind;
  abstract readonly labelList: string[];
  readonly name: string;
  readonly devSplits: string[];
  readonly testSplits: string[];
  readonly metricNames: MetricName[];
  private readonly layouts: Record<string, SplitLayout>;
  private readonly unordered: boolean;

  constructor(spec: TaskSpec) {
    this.name = spec.name;
    this.devSplits = spec.devSplits;
    this.testSplits = spec.testSplits;
    this.metricNames = spec.metricNames;
    this.layouts = spec.layouts;
    this.unordered = spec.unordered;
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
    const rows = this.parseRows(path, split, layout, readTsv(path, { maxLines: options.maxLines }));
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

class ClassificationTask extends GlueTask {
  readonly kind = 'classification';
  readonly labelList: string[];

  constructor(spec: TaskSpec, labelList: string[]) {
    super(spec);
    this.labelList = [...labelList];
  }

  protected dummyLabel(): string {
    return this.labelList[0];
  }

  protected parseLabel(field: string, where: string): string {
    if (this.labelList.includes(field)) return field;
    const allowed = this.labelList.map((label) => `"${label}"`).join(', ');
    throw new BamError(`${where}: label "${field}" is not a ${this.name} label; expected one of ${allowed}`);
  }
}

/** Scores in [0, 5] (STS-B); the model regresses score/5 (see featurize.ts). */
class RegressionTask extends GlueTask {
  readonly kind = 'regression';
  readonly labelList: string[] = [];

  protected dummyLabel(): number {
    return 0;
  }

  protected parseLabel(field: string, where: string): number {
    // Python float() syntax, which the original uses; JavaScript's Number() would also take "", "0x1f" and "Infinity".
    const text = field.trim();
    const score = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (score >= 0 && score <= 5) return score;
    throw new BamError(`${where}: score "${field}" is not a number from 0 to 5 (the GLUE ${this.name} similarity score)`);
  }
}

const pairLayout = (textA: number, textB: number, label: number | null): SplitLayout => ({ textA, textB, label, header: true });
const singleLayout = (textA: number, label: number | null, header: boolean): SplitLayout => ({
  textA,
  textB: null,
  label,
  header,
});

/** Train and dev share one layout; every test split another. */
function layoutsFor(
  devSplits: string[],
  trainDev: SplitLayout,
  testSplits: Record<string, SplitLayout>,
): Record<string, SplitLayout> {
  const layouts: Record<string, SplitLayout> = { train: trainDev };
  for (const split of devSplits) layouts[split] = trainDev;
  return { ...layouts, ...testSplits };
}

/** A classification task with the usual train/dev/test files. */
function standardTask(
  name: string,
  labelList: string[],
  trainDev: SplitLayout,
  test: SplitLayout,
  metricNames: MetricName[],
  unordered = false,
): Task {
  const layouts = layoutsFor(['dev'], trainDev, { test });
  return new ClassificationTask({ name, devSplits: ['dev'], testSplits: ['test'], metricNames, layouts, unordered }, labelList);
}

const BINARY = ['0', '1'];
const ENTAILMENT = ['entailment', 'not_entailment'];
const ACCURACY: MetricName[] = ['accuracy', 'loss'];
const ACCURACY_F1: MetricName[] = ['accuracy', 'f1', 'loss'];

const MNLI_DEV = ['dev_matched', 'dev_mismatched'];

/**
 * The GLUE tasks, with the column layouts of BAM's classification_tasks.py. Deliberate differences from the original:
 * MNLI scores dev_mismatched as well as dev_matched; MRPC and QQP also report F1; WNLI is added.
 */
const TASKS: Record<string, Task> = {
  // CoLA train/dev have no header line; its test file has one.
  cola: standardTask('cola', BINARY, singleLayout(3, 1, false), singleLayout(1, null, true), ['mcc', 'loss']),
  mnli: new ClassificationTask(
    {
      name: 'mnli',
      devSplits: MNLI_DEV,
      testSplits: ['test_matched', 'test_mismatched', 'diagnostic'],
      metricNames: ACCURACY,
      layouts: layoutsFor(MNLI_DEV, pairLayout(8, 9, -1), {
        test_matched: pairLayout(8, 9, null),
        test_mismatched: pairLayout(8, 9, null),
        diagnostic: pairLayout(1, 2, null),
      }),
      unordered: false,
    },
    ['contradiction', 'entailment', 'neutral'],
  ),
  mrpc: standardTask('mrpc', BINARY, pairLayout(3, 4, 0), pairLayout(3, 4, null), ACCURACY_F1, true),
  qnli: standardTask('qnli', ENTAILMENT, pairLayout(1, 2, 3), pairLayout(1, 2, null), ACCURACY),
  qqp: standardTask('qqp', BINARY, pairLayout(3, 4, 5), pairLayout(1, 2, null), ACCURACY_F1),
  rte: standardTask('rte', ENTAILMENT, pairLayout(1, 2, 3), pairLayout(1, 2, null), ACCURACY),
  sst: standardTask('sst', BINARY, singleLayout(0, 1, true), singleLayout(1, null, true), ACCURACY),
  sts: new RegressionTask({
    name: 'sts',
    devSplits: ['dev'],
    testSplits: ['test'],
    metricNames: ['pearson', 'spearman', 'mse', 'loss'],
    layouts: layoutsFor(['dev'], pairLayout(-3, -2, -1), { test: pairLayout(-2, -1, null) }),
    unordered: true,
  }),
  wnli: standardTask('wnli', BINARY, pairLayout(1, 2, 3), pairLayout(1, 2, null), ACCURACY),
};

/** Every task name `task_names` may hold, which are also the folder names under `<bam_dir>/glue_data/`. */
export const TASK_NAMES: readonly string[] = Object.keys(TASKS);

export function getTask(name: string): Task {
  const task = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (task === undefined) throw new BamError(`unknown task "${name}" in task_names; the tasks are ${TASK_NAMES.join(', ')}`);
  return task;
}
