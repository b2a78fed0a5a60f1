import { BamError } from '../errors.js';
import { formatResultsTable } from '../run/results-table.js';

export const RESULTS_USAGE = 'bam results <bam_dir> <model_name> [<model_name> ...]';
const USAGE = RESULTS_USAGE;

/** `bam results`: prints the dev results of trained models side by side. */
export async function runResults(args: string[], io: { stdout: NodeJS.WritableStream } = process): Promise<void> {
  const [bamDir, ...models] = args;
  if (!bamDir || models.length === 0 || args.some((a) => a.startsWith('--'))) throw new BamError(`usage: ${USAGE}`);
  io.stdout.write(formatResultsTable(bamDir, models));
}
