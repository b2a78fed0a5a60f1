import { BamError } from '../../errors.js';
import { crc32c, unmaskCrc32c } from './crc32c.js';
import { VarintCursor } from './varint.js';
import { snappyUncompress } from './snappy.js';

/**
 * Reader for the LevelDB table format that TensorFlow uses for a checkpoint's `.index` file
 * (tensorflow/core/lib/io/table*.cc, identical on disk to LevelDB's table/format.cc):
 *
 *   [data block]* [metaindex block] [index block] [footer: 48 bytes]
 *   footer = metaindex BlockHandle, index BlockHandle (varint64 offset + size each), zero padding to 40 bytes,
 *            8-byte magic 0xdb4775248b80fb57 (little-endian)
 *   block  = contents, then a 1-byte compression type (0 none, 1 Snappy) and the masked CRC32C of contents + type
 *   block contents = entries, then uint32 restart offsets, then uint32 restart count; each entry is
 *            varint32 shared, varint32 non_shared, varint32 value_length, key bytes after the shared prefix, value
 *
 * The index block maps a separator key to the handle of each data block. An index file is small (kilobytes even for
 * BERT-large), so the whole table is decoded at once into its entries, in key order.
 */

export interface SstableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

const FOOTER_BYTES = 48;
const BLOCK_TRAILER_BYTES = 5;
const MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb];
const COMPRESSION_NONE = 0;
const COMPRESSION_SNAPPY = 1;
const CORRUPT_FIX = 're-download or re-save the checkpoint';

interface BlockHandle {
  offset: number;
  size: number;
}

/** Every key/value entry of the table in `bytes` (the whole `.index` file at `path`), checking each block's CRC. */
export function readSstable(bytes: Uint8Array, path: string): SstableEntry[] {
  const footerStart = bytes.length - FOOTER_BYTES;
  if (footerStart < 0 || MAGIC.some((b, i) => bytes[bytes.length - 8 + i] !== b)) {
    throw new BamError(
      `${path}: truncated, or not a TensorFlow checkpoint index (no SSTable footer magic); ${CORRUPT_FIX}, and pass the checkpoint prefix (.../model.ckpt) or its .index file`,
    );
  }
  const footer = new VarintCursor(bytes, footerStart, (detail) => blockError(path, footerStart, `footer: ${detail}`));
  readBlockHandle(footer); // the metaindex block: TensorFlow writes it empty (no filters), so it is not read
  const indexHandle = readBlockHandle(footer);

  const entries: SstableEntry[] = [];
  for (const indexEntry of readBlockEntries(readBlock(bytes, indexHandle, footerStart, path), indexHandle.offset, path)) {
    const dataHandle = readBlockHandle(new VarintCursor(indexEntry.value, 0, (detail) =>
      blockError(path, indexHandle.offset, `index entry: ${detail}`),
    ));
    for (const entry of readBlockEntries(readBlock(bytes, dataHandle, footerStart, path), dataHandle.offset, path)) {
      const previous = entries[entries.length - 1];
      if (previous && Buffer.compare(previous.key, entry.key) >= 0) {
        blockError(path, dataHandle.offset, 'keys out of order');
      }
      entries.push(entry);
    }
  }
  return entries;
}

/** The contents of the block at `handle`, CRC-checked and decompressed. */
function readBlock(bytes: Uint8Array, handle: BlockHandle, footerStart: number, path: string): Uint8Array {
  const end = handle.offset + handle.size;
  if (end + BLOCK_TRAILER_BYTES > footerStart) {
    throw new BamError(
      `${path}: SSTable block [${handle.offset}, ${end}) lies outside the file (${bytes.length} bytes): the index is truncated or corrupted; ${CORRUPT_FIX}`,
    );
  }
  const stored = bytes.subarray(handle.offset, end);
  const compression = bytes[end];
  const storedCrc = (bytes[end + 1] | (bytes[end + 2] << 8) | (bytes[end + 3] << 16) | (bytes[end + 4] << 24)) >>> 0;
  if (crc32c(bytes.subarray(handle.offset, end + 1)) !== unmaskCrc32c(storedCrc)) {
    throw new BamError(
      `${path}: SSTable block at byte ${handle.offset} fails its CRC32C check: the index file is corrupted; ${CORRUPT_FIX}`,
    );
  }
  if (compression === COMPRESSION_NONE) return stored;
  if (compression === COMPRESSION_SNAPPY) return snappyUncompress(stored, `${path}: SSTable block at byte ${handle.offset}`);
  return blockError(path, handle.offset, `unknown compression type ${compression}`);
}

/** The entries of one block, with prefix-compressed keys expanded and restart points checked. */
function readBlockEntries(block: Uint8Array, blockOffset: number, path: string): SstableEntry[] {
  const fail = (detail: string): never => blockError(path, blockOffset, detail);
  if (block.length < 4) fail('shorter than its restart count');
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restartCount = view.getUint32(block.length - 4, true);
  const restartsStart = block.length - 4 - 4 * restartCount;
  if (restartsStart < 0) fail(`restart count ${restartCount} does not fit`);

  const entries: SstableEntry[] = [];
  const fullKeyOffsets = new Set<number>();
  const cursor = new VarintCursor(block, 0, fail);
  let previousKey: Uint8Array = new Uint8Array(0);
  while (cursor.pos < restartsStart) {
    const entryStart = cursor.pos;
    const shared = cursor.varint();
    const nonShared = cursor.varint();
    const valueLength = cursor.varint();
    if (shared > previousKey.length) fail(`entry shares ${shared} key bytes with a ${previousKey.length}-byte key`);
    const keyEnd = cursor.pos + nonShared;
    const valueEnd = keyEnd + valueLength;
    if (valueEnd > restartsStart) fail('entry runs into the restart array');
    const key = new Uint8Array(shared + nonShared);
    key.set(previousKey.subarray(0, shared));
    key.set(block.subarray(cursor.pos, keyEnd), shared);
    entries.push({ key, value: block.subarray(keyEnd, valueEnd) });
    if (shared === 0) fullKeyOffsets.add(entryStart);
    previousKey = key;
    cursor.pos = valueEnd;
  }
  // Each restart point must be the start of an entry that stores its whole key (a reader may seek to it).
  for (let i = 0; i < restartCount; i++) {
    const restart = view.getUint32(restartsStart + 4 * i, true);
    if (!fullKeyOffsets.has(restart) && !(entries.length === 0 && restart === 0)) fail(`bad restart point ${restart}`);
  }
  return entries;
}

function blockError(path: string, blockOffset: number, detail: string): never {
  throw new BamError(`${path}: corrupt SSTable block at byte ${blockOffset} (${detail}); ${CORRUPT_FIX}`);
}

/** A BlockHandle: two varint64s, the block's offset and size. */
function readBlockHandle(cursor: VarintCursor): BlockHandle {
  const offset = cursor.varint();
  return { offset, size: cursor.varint() };
}
