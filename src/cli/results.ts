import { BamError } from '../errors.js';
import { formatResultsTable } from '../run/results-table.js';

export const RESULTS_USAGE = 'bam results <bam_dir> <model_name> [<model_name> ...] [--baseline]';
const USAGE = RESULTS_USAGE;

/**
 * `bam results`: prints the dev results of trained models side by side; `--baseline` adds the majority-class
 * baseline of their tasks (the most frequent train label, or the mean train score, predicted for every dev example).
 */
export async function runResults(args: string[], io: { stdout: NodeJS.WritableStream } = process): Promise<void> {
  const baseline = args.includes('--baseline');
  const [bamDir, ...models] = args.filter((a) => a !== '--baseline');
  if (!bamDir || models.length === 0 || models.some((a) => a.startsWith('--'))) throw new BamError(`usage: ${USAGE}`);
  io.stdout.write(formatResultsTable(bamDir, models, baseline));
}
