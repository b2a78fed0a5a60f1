import { openCheckpoint } from '../checkpoint/open-checkpoint.js';
import { elementCount, formatShape } from '../checkpoint/tensor-source.js';
import { BamError } from '../errors.js';

export const INSPECT_USAGE = 'bam inspect-checkpoint PREFIX_OR_FILE [--json]';
const USAGE = `usage: ${INSPECT_USAGE}`;

/** One listed tensor; crc_ok is null for safetensors, a format without checksums (a failed CRC throws instead). */
interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  shard: number;
  crc_ok: true | null;
}

/**
 * `bam inspect-checkpoint PREFIX_OR_FILE [--json]`: lists every tensor of a TensorFlow checkpoint or a safetensors
 * file (name, dtype, shape, shard, CRC status) as a table, or as `{"tensors":[{name,dtype,shape,shard,crc_ok}]}`.
 * Every CRC32C of a TensorFlow checkpoint is checked first: a corrupted, truncated or incomplete checkpoint prints
 * nothing and throws a one-line BamError.
 */
export async function runInspectCheckpoint(
  args: string[],
  io: { stdout: NodeJS.WritableStream } = { stdout: process.stdout },
): Promise<void> {
  const { path, json } = parseArgs(args);
  const checkpoint = openCheckpoint(path);
  let rows: TensorRow[];
  let summary: string;
  try {
    if (checkpoint.kind === 'tf') {
      checkpoint.verifyAll();
      rows = checkpoint.list().map((t) => ({ ...t, shard: checkpoint.shardOf(t.name), crc_ok: true }));
      summary = `${checkpoint.numShards} data shard(s), every CRC32C ok`;
    } else {
      rows = checkpoint.list().map((t) => ({ ...t, shard: 0, crc_ok: null }));
      summary = 'safetensors files carry no checksums';
    }
  } finally {
    checkpoint.close();
  }
  const text = json ? `${JSON.stringify({ tensors: rows })}\n` : formatTable(rows, summary);
  await new Promise<void>((resolve, reject) => {
    io.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

function parseArgs(args: string[]): { path: string; json: boolean } {
  const positional: string[] = [];
  let json = false;
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg.startsWith('--')) throw new BamError(`inspect-checkpoint: unknown option ${arg}; ${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new BamError(`inspect-checkpoint: expected one checkpoint path, got ${positional.length}; ${USAGE}`);
  }
  return { path: positional[0], json };
}

function formatTable(rows: TensorRow[], summary: string): string {
  const cells = [
    ['name', 'dtype', 'shape', 'shard', 'crc'],
    ...rows.map((r) => [r.name, r.dtype, formatShape(r.shape), String(r.shard), r.crc_ok ? 'ok' : '-']),
  ];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const lines = cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  const elements = rows.reduce((sum, r) => sum + elementCount(r.shape), 0);
  lines.push(`${rows.length} tensors, ${elements} elements; ${summary}`);
  return `${lines.join('\n')}\n`;
}
