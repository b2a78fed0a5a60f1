import { BamError } from '../../errors.js';
import { readVarint } from './varint.js';

/**
 * Snappy block decompression (the raw format, not the framed stream), as LevelDB/TensorFlow SSTables use it for
 * compressed blocks. Written here rather than taken from npm: the format is a varint length plus four tag kinds,
 * the project installs no extra dependencies, and only decompression of small index blocks is needed.
 *
 * Stream: varint32 uncompressed length, then elements. Each element starts with a tag byte whose low 2 bits say:
 *   0 literal: length-1 in the upper 6 bits, or (60..63) in 1..4 following little-endian bytes; then the bytes
 *   1 copy, length 4..11 in bits 2..4, 11-bit offset: bits 5..7 of the tag and one more byte
 *   2 copy, length 1..64 in the upper 6 bits, 16-bit little-endian offset
 *   3 copy, length 1..64 in the upper 6 bits, 32-bit little-endian offset
 * A copy repeats `length` bytes starting `offset` bytes back in the output; it may overlap what it writes.
 *
 * `where` names the data (file and block) in the one-line error thrown for a corrupt stream.
 */
export function snappyUncompress(input: Uint8Array, where: string): Uint8Array {
  const fail = (detail: string): never => {
    throw new BamError(`${where}: corrupt Snappy data (${detail}); re-download or re-save the checkpoint`);
  };
  let pos = 0;
  const readLittleEndian = (byteCount: number): number => {
    if (pos + byteCount > input.length) fail('element runs past the end of the input');
    let value = 0;
    for (let i = 0; i < byteCount; i++) value += input[pos + i] * 2 ** (8 * i);
    pos += byteCount;
    return value;
  };

  // A varint32: at most 5 bytes.
  const lengthVarint = readVarint(input, 0);
  if (!lengthVarint || lengthVarint[1] > 5) return fail('bad uncompressed-length varint');
  const [expectedLength] = lengthVarint;
  pos = lengthVarint[1];
  if (expectedLength > 0xffffffff) fail('uncompressed length over 4 GiB');
  // Checked before allocating: no element yields more than 64 bytes from 3 (a 2-byte-offset copy), so the declared
  // length cannot exceed 22 times the bytes left.
  if (expectedLength > (input.length - pos) * 22) fail(`uncompressed length ${expectedLength} is more than ${input.length - pos} bytes can expand to`);

  const out = new Uint8Array(expectedLength);
  let written = 0;
  while (pos < input.length) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) length = readLittleEndian(length - 59);
      length += 1;
      if (pos + length > input.length) fail('literal runs past the end of the input');
      if (written + length > out.length) fail('literal runs past the uncompressed length');
      out.set(input.subarray(pos, pos + length), written);
      pos += length;
      written += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) + readLittleEndian(1);
    } else {
      length = (tag >>> 2) + 1;
      offset = readLittleEndian(kind === 2 ? 2 : 4);
    }
    if (offset === 0 || offset > written) fail(`copy offset ${offset} at output byte ${written}`);
    if (written + length > out.length) fail('copy runs past the uncompressed length');
    if (offset >= length) {
      out.copyWithin(written, written - offset, written - offset + length);
      written += length;
    } else {
      // Overlapping copy: bytes written by this copy are read again by it (run-length style), so go byte by byte.
      for (let i = 0; i < length; i++, written++) out[written] = out[written - offset];
    }
  }
  if (written !== out.length) fail(`decompressed ${written} bytes, header says ${out.length}`);
  return out;
}
