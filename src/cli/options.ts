import { BamError } from '../errors.js';

/** Runs a node:util parseArgs call, turning its errors (unknown option, missing value) into one-line BamErrors. */
export function parseCliOptions<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    // parseArgs names the offending option in its first sentence; the rest is advice that does not apply here.
    throw new BamError(`${(e as Error).message.split('. ')[0]}; usage: ${usage}`);
  }
}
