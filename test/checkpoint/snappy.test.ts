import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snappyUncompress } from '../../src/checkpoint/tf/snappy.js';
import { BamError } from '../../src/errors.js';

/** Hand-built streams: varint uncompressed length, then tagged elements (see snappy.ts for the tag layout). */
const stream = (...parts: (number | string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : typeof p === 'string' ? [...Buffer.from(p)] : p)));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const uncompress = (input: Uint8Array): string => text(snappyUncompress(input, 'test block'));

test('literal with the length in the tag', () => {
  assert.equal(uncompress(stream(5, (5 - 1) << 2, 'hello')), 'hello');
});

test('literals with 1- and 2-byte lengths after the tag (tag values 60 and 61)', () => {
  const hundred = 'x'.repeat(100);
  assert.equal(uncompress(stream(100, 60 << 2, 99, hundred)), hundred);
  const long = 'abc'.repeat(100);
  assert.equal(uncompress(stream([0xac, 0x02], 61 << 2, [0x2b, 0x01], long)), long); // 300 = 0x12c, 299 = 0x012b
});

test('copy with a 1-byte offset (length 4..11, offset up to 2047)', () => {
  assert.equal(uncompress(stream(8, 3 << 2, 'abcd', 0x01, 4)), 'abcdabcd');
  // offset 261 = 0x105: high bits 1 go in tag bits 5..7; length 5 -> (5-4) in bits 2..4.
  const prefix = 'abcdefghij'.repeat(30);
  const expected = prefix + prefix.slice(300 - 261, 300 - 261 + 5);
  assert.equal(uncompress(stream([0xb1, 0x02], 61 << 2, [0x2b, 0x01], prefix, (1 << 5) | (1 << 2) | 1, 0x05)), expected);
});

test('copy with a 2-byte offset', () => {
  assert.equal(uncompress(stream(12, 5 << 2, 'abcdef', ((6 - 1) << 2) | 2, [6, 0])), 'abcdefabcdef');
});

test('copy with a 4-byte offset', () => {
  assert.equal(uncompress(stream(7, 3 << 2, 'wxyz', ((3 - 1) << 2) | 3, [3, 0, 0, 0])), 'wxyzxyz');
});

test('overlapping copies repeat the bytes they write', () => {
  assert.equal(uncompress(stream(9, 1 << 2, 'ab', ((7 - 1) << 2) | 2, [2, 0])), 'ababababa');
  assert.equal(uncompress(stream(11, 0, 'a', ((10 - 4) << 2) | 1, 1)), 'a'.repeat(11));
});

test('empty stream', () => {
  assert.equal(uncompress(stream(0)), '');
});

test('corrupt streams give a one-line BamError naming the block', () => {
  const cases: [string, Uint8Array][] = [
    ['copy offset 0 at output byte 4', stream(8, 3 << 2, 'abcd', 0x01, 0)],
    ['copy offset 5 at output byte 4', stream(8, 3 << 2, 'abcd', 0x01, 5)],
    ['decompressed 4 bytes, header says 8', stream(8, 3 << 2, 'abcd')],
    ['literal runs past the uncompressed length', stream(3, 3 << 2, 'abcd')],
    ['literal runs past the end of the input', stream(5, 4 << 2, 'abc')],
    ['bad uncompressed-length varint', stream(0x80)],
    // A varint32 takes at most 5 bytes, even when its value (here 0) would fit.
    ['bad uncompressed-length varint', stream(0x80, 0x80, 0x80, 0x80, 0x80, 0x00)],
    ['uncompressed length over 4 GiB', stream(0x80, 0x80, 0x80, 0x80, 0x10)],
    ['element runs past the end of the input', stream(8, 3 << 2, 'abcd', ((4 - 1) << 2) | 2, 4)],
  ];
  for (const [detail, input] of cases) {
    assert.throws(
      () => snappyUncompress(input, 'x.index: SSTable block at byte 0'),
      (e: unknown) => e instanceof BamError && e.message === `x.index: SSTable block at byte 0: corrupt Snappy data (${detail}); re-download or re-save the checkpoint`,
      detail,
    );
  }
});
