import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c, maskCrc32c, unmaskCrc32c } from '../../src/checkpoint/tf/crc32c.js';

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const bytes = (f: (i: number) => number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => f(i));

test('CRC32C check value: "123456789" -> 0xe3069283', () => {
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
});

test('CRC32C test vectors of RFC 3720 (iSCSI), appendix B.4', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(bytes(() => 0)), 0x8a9136aa);
  assert.equal(crc32c(bytes(() => 0xff)), 0x62a8ab43);
  assert.equal(crc32c(bytes((i) => i)), 0x46dd794e);
  assert.equal(crc32c(bytes((i) => 31 - i)), 0x113fdb5c);
});

test('CRC32C extends across any split, like crc32c::Extend (8-byte fast path and byte tail)', () => {
  const data = Uint8Array.from({ length: 61 }, (_, i) => (i * 37 + 11) & 0xff);
  const whole = crc32c(data);
  for (let split = 0; split <= data.length; split++) {
    assert.equal(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), whole, `split at ${split}`);
  }
});

test('masked CRC: rotate right 15, add 0xa282ead8; unmask inverts it', () => {
  assert.equal(maskCrc32c(0), 0xa282ead8);
  // By hand: rotr15(0xe3069283) = 0x2507c60d; + 0xa282ead8 = 0xc78ab0e5 (mod 2^32).
  assert.equal(maskCrc32c(0xe3069283), 0xc78ab0e5);
  for (const crc of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xe3069283]) assert.equal(unmaskCrc32c(maskCrc32c(crc)), crc);
});
