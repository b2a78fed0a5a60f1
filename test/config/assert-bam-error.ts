import assert from 'node:assert/strict';
import { BamError } from '../../src/errors.js';

/** Asserts that `run` throws a one-line BamError whose message contains every fragment; returns the message. */
export function assertBamError(run: () => unknown, ...fragments: string[]): string {
  let message: string | undefined;
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BamError, `expected a BamError, got ${String(error)}`);
    message = error.message;
  }
  assert.ok(message !== undefined, 'expected a BamError, but nothing was thrown');
  assert.ok(!message.includes('\n'), `message is not one line: ${message}`);
  for (const fragment of fragments) assert.ok(message.includes(fragment), `"${fragment}" missing from: ${message}`);
  return message;
}
