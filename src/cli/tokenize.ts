import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BamError } from '../errors.js';
import { FullTokenizer } from '../tokenization/index.js';
import { parseCliOptions } from './options.js';

export const TOKENIZE_USAGE = 'bam tokenize --vocab FILE [--cased] [--json]';
const USAGE = TOKENIZE_USAGE;
const JSON_INPUT_SHAPE = 'one JSON array of strings, e.g. ["Hello world.", "Second text"]';

/** Where `bam tokenize` reads and writes; tests pass in-memory streams. */
export interface TokenizeIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

interface TokenizeOptions {
  vocabPath: string;
  doLowerCase: boolean;
  jsonInput: boolean;
}

function parseTokenizeArgs(args: string[]): TokenizeOptions {
  const { values } = parseCliOptions(USAGE, () => parseArgs({
    args,
    options: { vocab: { type: 'string' }, cased: { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  }));
  if (values.vocab === undefined) throw new BamError(`bam tokenize: --vocab FILE is required; usage: ${USAGE}`);
  return { vocabPath: values.vocab, doLowerCase: !values.cased, jsonInput: values.json === true };
}

async function write(stdout: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stdout.write(text)) await once(stdout, 'drain');
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonTexts(input: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (error) {
    // V8 quotes a snippet of the input, which may span lines; the error must stay on one line.
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new BamError(`bam tokenize --json: stdin is not valid JSON (${reason}); expected ${JSON_INPUT_SHAPE}`);
  }
  if (!Array.isArray(parsed)) {
    throw new BamError(`bam tokenize --json: stdin holds a JSON ${parsed === null ? 'null' : typeof parsed}; expected ${JSON_INPUT_SHAPE}`);
  }
  const badIndex = parsed.findIndex((item) => typeof item !== 'string');
  if (badIndex >= 0) {
    const item: unknown = parsed[badIndex];
    throw new BamError(
      `bam tokenize --json: element ${badIndex} of the stdin array is ${item === null ? 'null' : `a ${typeof item}`}; expected ${JSON_INPUT_SHAPE}`,
    );
  }
  return parsed as string[];
}

/**
 * `bam tokenize --vocab FILE [--cased] [--json]`. Default: each stdin line is one text, and each output line is the
 * JSON array of its tokens. With --json: stdin is one JSON array of strings, stdout one JSON array of token arrays.
 * Lower-cases (and strips accents) unless --cased.
 */
export async function runTokenize(
  args: string[],
  io: TokenizeIO = { stdin: process.stdin, stdout: process.stdout },
): Promise<void> {
  const options = parseTokenizeArgs(args);
  const tokenizer = FullTokenizer.fromVocabFile(options.vocabPath, options.doLowerCase);
  if (options.jsonInput) {
    const texts = parseJsonTexts(await readAll(io.stdin));
    await write(io.stdout, `${JSON.stringify(texts.map((text) => tokenizer.tokenize(text)))}\n`);
    return;
  }
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    await write(io.stdout, `${JSON.stringify(tokenizer.tokenize(line))}\n`);
  }
}
