import { Rng } from '../../src/util/rng.js';

/** Values that break length and offset fields: zero, one, sign bits, all ones, and the 31/32/53-bit limits. */
const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/**
 * One to three seeded byte-level mutations of `input`, as a fuzzer's havoc stage: bit flips, random and boundary
 * bytes, 32-bit boundary integers at any offset (length fields), deleted, duplicated and inserted ranges, truncation.
 */
export function mutate(input: Uint8Array, rng: Rng): Uint8Array {
  let bytes = Uint8Array.from(input);
  const ops = 1 + rng.int(3);
  for (let k = 0; k < ops; k++) {
    const at = bytes.length === 0 ? 0 : rng.int(bytes.length);
    switch (rng.int(8)) {
      case 0:
        if (bytes.length > 0) bytes[at] ^= 1 << rng.int(8);
        break;
      case 1:
        if (bytes.length > 0) bytes[at] = [0, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)];
        break;
      case 2: {
        const value = INTERESTING_U32[rng.int(INTERESTING_U32.length)];
        for (let i = 0; i < 4 && at + i < bytes.length; i++) bytes[at + i] = (value >>> (8 * i)) & 0xff;
        break;
      }
      case 3: {
        const end = Math.min(bytes.length, at + 1 + rng.int(16));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(end)]);
        break;
      }
      case 4: {
        const end = Math.min(bytes.length, at + 1 + rng.int(16));
        bytes = Uint8Array.from([...bytes.subarray(0, end), ...bytes.subarray(at, end), ...bytes.subarray(end)]);
        break;
      }
      case 5: {
        const inserted = Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...inserted, ...bytes.subarray(at)]);
        break;
      }
      case 6:
        bytes = bytes.slice(0, at);
        break;
      default:
        // A varint of a huge value (protobuf and Snappy lengths).
        bytes = Uint8Array.from([...bytes.subarray(0, at), 0xff, 0xff, 0xff, 0xff, 0x0f, ...bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** A mutated text: the UTF-8 bytes mutated, decoded again (invalid bytes become U+FFFD). */
export function mutateText(text: string, rng: Rng): string {
  return Buffer.from(mutate(Buffer.from(text, 'utf8'), rng)).toString('utf8');
}

/** What one mutated input did: read, refused with a BamError, or anything else (a bug). */
export interface Tally {
  read: number;
  refused: number;
  uncontrolled: string[];
}

export function newTally(): Tally {
  return { read: 0, refused: 0, uncontrolled: [] };
}

/**
 * Runs `read` on one input and files its outcome. The external memory (buffers) it leaves must stay under
 * `memoryCap` bytes: more means an allocation sized by an unchecked length field.
 */
export function classify(tally: Tally, label: string, read: () => void, isBamError: (e: unknown) => boolean, memoryCap = 256 * 2 ** 20): void {
  try {
    read();
    tally.read++;
  } catch (e) {
    if (isBamError(e) && !(e as Error).message.includes('\n')) tally.refused++;
    else tally.uncontrolled.push(`${label}: ${String(e instanceof Error ? `${e.name}: ${e.message}` : e).slice(0, 300)}`);
  }
  const external = process.memoryUsage().arrayBuffers;
  if (external > memoryCap) tally.uncontrolled.push(`${label}: ${external} bytes of buffers held after the read`);
}
