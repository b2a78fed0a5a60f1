import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { replaceAtomically, writeChunksAtomic, writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.js';
import { tempDir as freshFolder } from '../checkpoint/temp-dir.js';

test('replaces the file by a rename: a hard link to the old file keeps the old bytes', () => {
  const dir = freshFolder();
  const path = join(dir, 'results.txt');
  writeFileSync(path, 'old content\n');
  linkSync(path, join(dir, 'old-inode'));
  writeFileAtomic(path, 'new content\n');
  assert.equal(readFileSync(path, 'utf8'), 'new content\n');
  // An in-place rewrite (truncate, then write) would have changed the linked file too.
  assert.equal(readFileSync(join(dir, 'old-inode'), 'utf8'), 'old content\n');
  assert.deepEqual(readdirSync(dir).sort(), ['old-inode', 'results.txt']);
});

test('bytes, UTF-8 strings and JSON are written exactly', () => {
  const dir = freshFolder();
  writeFileAtomic(join(dir, 'a.bin'), Uint8Array.of(0, 255, 7));
  assert.deepEqual([...readFileSync(join(dir, 'a.bin'))], [0, 255, 7]);
  writeFileAtomic(join(dir, 'b.txt'), 'é→😀');
  assert.deepEqual([...readFileSync(join(dir, 'b.txt'))], [...Buffer.from('é→😀', 'utf8')]);
  writeJsonAtomic(join(dir, 'c.json'), { a: [1, 2], b: 'x' });
  assert.equal(readFileSync(join(dir, 'c.json'), 'utf8'), '{"a":[1,2],"b":"x"}\n');
  writeJsonAtomic(join(dir, 'd.json'), { a: 1 }, 2);
  assert.equal(readFileSync(join(dir, 'd.json'), 'utf8'), '{\n  "a": 1\n}\n');
});

test('chunks are written in order, an empty one included', () => {
  const dir = freshFolder();
  const path = join(dir, 'model.safetensors');
  writeChunksAtomic(path, (write) => {
    write(Uint8Array.of(1, 2));
    write(new Uint8Array(0));
    write(new Uint8Array(new Float32Array([1.5]).buffer));
  });
  assert.deepEqual([...readFileSync(path)], [1, 2, ...new Uint8Array(new Float32Array([1.5]).buffer)]);
});

test('a failure while writing leaves the old file and no temporary file', () => {
  const dir = freshFolder();
  const path = join(dir, 'config.json');
  writeFileSync(path, '{"old": true}\n');
  assert.throws(
    () => writeChunksAtomic(path, (write) => {
      write(Buffer.from('{"new": '));
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(readFileSync(path, 'utf8'), '{"old": true}\n');
  assert.deepEqual(readdirSync(dir), ['config.json']);
});

test('a failing rename (a folder in the way) leaves no temporary file', () => {
  const dir = freshFolder();
  const path = join(dir, 'vocab.txt');
  mkdirSync(path);
  writeFileSync(join(path, 'inside'), 'x');
  assert.throws(() => writeFileAtomic(path, 'a\n'), (e: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(e.code ?? ''));
  assert.deepEqual(readdirSync(dir), ['vocab.txt']);
  assert.deepEqual(readdirSync(path), ['inside']);
});

test('a missing folder fails without leaving anything', () => {
  const dir = freshFolder();
  assert.throws(() => writeFileAtomic(join(dir, 'missing', 'x.txt'), 'a'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  assert.deepEqual(readdirSync(dir), []);
});

test('replaceAtomically: a link replaces a file; a folder replaces an empty folder; a stale temporary is cleared', () => {
  const dir = freshFolder();
  const target = join(dir, 'target.tsv');
  writeFileSync(target, 'data');
  const dest = join(dir, 'train.tsv');
  writeFileSync(dest, 'an older copy');
  // What a process of this id killed mid-write would have left.
  writeFileSync(`${dest}.tmp-${process.pid}`, 'stale');
  replaceAtomically(dest, (temporary) => symlinkSync(target, temporary));
  assert.equal(readlinkSync(dest), target);

  const out = join(dir, 'export');
  mkdirSync(out);
  replaceAtomically(out, (temporary) => {
    mkdirSync(temporary);
    writeFileSync(join(temporary, 'config.json'), '{}');
  });
  assert.deepEqual(readdirSync(out), ['config.json']);
  assert.deepEqual(readdirSync(dir).sort(), ['export', 'target.tsv', 'train.tsv']);
});

test('replaceAtomically: a failure removes a half-built folder', () => {
  const dir = freshFolder();
  const out = join(dir, 'export');
  assert.throws(() => replaceAtomically(out, (temporary) => {
    mkdirSync(join(temporary, 'rte'), { recursive: true });
    writeFileSync(join(temporary, 'rte', 'model.safetensors'), 'partial');
    throw new Error('tokenizer.json failed');
  }), /tokenizer\.json failed/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir), []);
});
