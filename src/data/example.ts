/** One GLUE example as read from a TSV row. */
export interface Example {
  /** 0-based data-row index (header excluded); the swapped copy of a doubled train set uses N..2N-1. */
  eid: number;
  /** Task name, e.g. "rte". */
  task: string;
  /** Split the example was read from, e.g. "train", "dev_matched", "test". */
  split: string;
  textA: string;
  /** Second sentence, or null for single-sentence tasks (CoLA, SST-2). */
  textB: string | null;
  /**
   * Classification: the label string as written in the file (test splits get the task's first label as a dummy).
   * Regression: the raw score in 0–5 (test splits get 0).
   */
  label: string | number;
}
