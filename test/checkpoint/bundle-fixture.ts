import { writeFileSync } from 'node:fs';
import { crc32c, maskCrc32c } from '../../src/checkpoint/tf/crc32c.js';

/**
 * A minimal TensorBundle writer for tests, following tensor_bundle.cc and LevelDB's table builder, so the reader can
 * be tested on dtypes and layouts that the real checkpoints in ../shared/data do not contain.
 */

export interface FixtureTensor {
  /** The index key; a Uint8Array for binary keys (slices of partitioned variables). */
  key: string | Uint8Array;
  /** tensorflow.DataType enum number. */
  dtype: number;
  shape: number[];
  /** The bytes as written to the data file. */
  bytes: Uint8Array;
  shard?: number;
  /** Unmasked CRC32C to store; default: CRC32C of `bytes` (right for every fixed-width dtype). */
  crc?: number;
  /** Number of (empty) TensorSliceProto entries to record: marks a partitioned variable, which has no bytes. */
  slices?: number;
}

export interface FixtureOptions {
  numShards?: number;
  /** BundleHeaderProto.endianness: 0 little, 1 big. */
  endianness?: number;
  /** Entries per SSTable data block (default: all in one block). */
  entriesPerBlock?: number;
  /** Entries between restart points, which store their whole key (default 16, LevelDB's). */
  restartInterval?: number;
  /** Store blocks Snappy-"compressed" as one literal (a valid Snappy stream). */
  snappy?: boolean;
}

/** Writes PREFIX.index and PREFIX.data-*-of-* for these tensors. */
export function writeBundle(prefix: string, tensors: FixtureTensor[], options: FixtureOptions = {}): void {
  const numShards = options.numShards ?? 1;
  const shardBytes: number[][] = Array.from({ length: numShards }, () => []);
  const entries: [Uint8Array, Uint8Array][] = [[new Uint8Array(0), bundleHeader(numShards, options.endianness ?? 0)]];
  for (const t of tensors) {
    const key = typeof t.key === 'string' ? Buffer.from(t.key) : t.key;
    const shard = t.shard ?? 0;
    const offset = shardBytes[shard].length;
    if (!t.slices) shardBytes[shard].push(...t.bytes);
    const fields = [
      field(1, varint(t.dtype)),
      lengthDelimited(2, t.shape.flatMap((size) => lengthDelimited(2, field(1, varint(size))))),
      ...(t.slices ? [] : [field(3, varint(shard)), field(4, varint(offset)), field(5, varint(t.bytes.length))]),
      [(6 << 3) | 5, ...fixed32(maskCrc32c(t.crc ?? crc32c(t.bytes)))],
      ...Array.from({ length: t.slices ?? 0 }, () => lengthDelimited(7, [])),
    ];
    entries.push([key, Uint8Array.from(fields.flat())]);
  }
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  shardBytes.forEach((bytes, shard) => {
    const pad = (n: number): string => String(n).padStart(5, '0');
    writeFileSync(`${prefix}.data-${pad(shard)}-of-${pad(numShards)}`, Uint8Array.from(bytes));
  });
  writeFileSync(`${prefix}.index`, sstable(entries, options));
}

/** The data-file bytes of a string tensor and the CRC32C TensorFlow records for it (WriteStringTensor). */
export function stringTensor(strings: string[]): { bytes: Uint8Array; crc: number } {
  const elements = strings.map((s) => Buffer.from(s));
  const lengths = Uint8Array.from(elements.flatMap((e) => varint(e.length)));
  let crc = 0;
  for (const e of elements) crc = crc32c(Uint8Array.from(fixed32(e.length)), crc);
  const checksum = Uint8Array.from(fixed32(maskCrc32c(crc)));
  crc = crc32c(checksum, crc);
  for (const e of elements) crc = crc32c(e, crc);
  return { bytes: Buffer.concat([lengths, checksum, ...elements]), crc };
}

/** The data-file bytes of a variant tensor and the CRC32C TensorFlow records for it (WriteVariantTensor). */
export function variantTensor(elements: Uint8Array[]): { bytes: Uint8Array; crc: number } {
  const parts: Uint8Array[] = [];
  let crc = 0;
  for (const e of elements) {
    const length64 = new Uint8Array(8);
    new DataView(length64.buffer).setBigUint64(0, BigInt(e.length), true);
    crc = crc32c(e, crc32c(length64, crc));
    const checksum = Uint8Array.from(fixed32(maskCrc32c(crc)));
    crc = crc32c(checksum, crc);
    parts.push(Uint8Array.from(varint(e.length)), e, checksum);
  }
  return { bytes: Buffer.concat(parts), crc };
}

function bundleHeader(numShards: number, endianness: number): Uint8Array {
  const version = lengthDelimited(3, field(1, varint(1)));
  return Uint8Array.from([...field(1, varint(numShards)), ...field(2, varint(endianness)), ...version]);
}

function sstable(entries: [Uint8Array, Uint8Array][], options: FixtureOptions): Uint8Array {
  const out: number[] = [];
  const writeBlock = (block: [Uint8Array, Uint8Array][], restartInterval: number): number[] => {
    const offset = out.length;
    let contents = blockContents(block, restartInterval);
    let type = 0;
    if (options.snappy) {
      // Tag 61<<2: a literal whose length-1 follows in 2 bytes.
      contents = [...varint(contents.length), 61 << 2, ...fixed32(contents.length - 1).slice(0, 2), ...contents];
      type = 1;
    }
    out.push(...contents, type, ...fixed32(maskCrc32c(crc32c(Uint8Array.from([...contents, type])))));
    return [...varint(offset), ...varint(contents.length)];
  };
  const perBlock = options.entriesPerBlock ?? entries.length;
  const index: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < entries.length; i += perBlock) {
    const block = entries.slice(i, i + perBlock);
    index.push([block[block.length - 1][0], Uint8Array.from(writeBlock(block, options.restartInterval ?? 16))]);
  }
  const metaindexHandle = writeBlock([], 1);
  const indexHandle = writeBlock(index, 1);
  const footer = [...metaindexHandle, ...indexHandle];
  out.push(...footer, ...new Array<number>(40 - footer.length).fill(0), 0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
  return Uint8Array.from(out);
}

/** Entries with keys prefix-compressed against the previous key, a restart point every `restartInterval` entries. */
function blockContents(block: [Uint8Array, Uint8Array][], restartInterval: number): number[] {
  const out: number[] = [];
  const restarts: number[] = [];
  let previous: Uint8Array = new Uint8Array(0);
  block.forEach(([key, value], i) => {
    let shared = 0;
    if (i % restartInterval === 0) restarts.push(out.length);
    else while (shared < key.length && shared < previous.length && key[shared] === previous[shared]) shared++;
    out.push(...varint(shared), ...varint(key.length - shared), ...varint(value.length), ...key.subarray(shared), ...value);
    previous = key;
  });
  if (restarts.length === 0) restarts.push(0);
  for (const r of restarts) out.push(...fixed32(r));
  out.push(...fixed32(restarts.length));
  return out;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

function fixed32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function field(number: number, encodedVarint: number[]): number[] {
  return [...varint(number << 3), ...encodedVarint];
}

function lengthDelimited(number: number, payload: number[]): number[] {
  return [...varint((number << 3) | 2), ...varint(payload.length), ...payload];
}
