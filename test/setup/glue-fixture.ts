import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fresh temporary folder; `cleanup` removes it. */
export function temporaryFolder(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `bam-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `root`, creating folders as needed. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/**
 * A small GLUE download with the tasks the shared data lacks, under their official names: MNLI (without
 * test_mismatched.tsv, with an `original/` sub-folder as in GLUE's zip) and QQP, plus an already-renamed `rte/`,
 * the diagnostic set as a top-level AX.tsv, and a macOS `.DS_Store` that must be skipped.
 */
export const FIXTURE_GLUE: Record<string, string> = {
  'MNLI/train.tsv': 'index\tpromptID\n0\ta\n1\tb\n',
  'MNLI/dev_matched.tsv': 'index\n0\n',
  'MNLI/dev_mismatched.tsv': 'index\n0\n1\n2',
  'MNLI/test_matched.tsv': 'index\n',
  'MNLI/README.txt': 'MultiNLI\n',
  'MNLI/original/multinli_1.0_train.txt': 'gold_label\n',
  'MNLI/.DS_Store': 'junk',
  'QQP/train.tsv': 'id\tqid1\n1\t2\n',
  'QQP/dev.tsv': 'id\n',
  'QQP/test.tsv': 'id\n',
  'rte/train.tsv': 'index\tsentence1\tsentence2\tlabel\n',
  'rte/dev.tsv': 'index\tsentence1\tsentence2\tlabel\n',
  'rte/test.tsv': 'index\tsentence1\tsentence2\n',
  'AX.tsv': 'index\tsentence1\tsentence2\n0\tx\ty\n',
};
