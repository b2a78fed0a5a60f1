import { parseArgs } from 'node:util';
import { getKernels } from '../engine/index.js';
import { BamError } from '../errors.js';
import { predictPairs, readPairsFile } from '../predict.js';
import { parseCliOptions } from './options.js';

export const PREDICT_USAGE = 'bam predict --model DIR --pairs FILE.json [--vocab FILE] [--cased] [--max-length N] [--hidden]';

/**
 * `bam predict`: runs a Hugging Face BertForSequenceClassification folder on text pairs and prints JSON. Text is
 * lower-cased unless --cased is given or the folder's tokenizer_config.json says do_lower_case: false.
 */
export async function runPredict(args: string[], io: { stdout: NodeJS.WritableStream } = { stdout: process.stdout }): Promise<void> {
  const { values } = parseCliOptions(PREDICT_USAGE, () => parseArgs({
    args,
    options: {
      model: { type: 'string' },
      pairs: { type: 'string' },
      vocab: { type: 'string' },
      cased: { type: 'boolean' },
      'max-length': { type: 'string', default: '128' },
      hidden: { type: 'boolean', default: false },
    },
    allowPositionals: false,
    strict: true,
  }));
  if (!values.model || !values.pairs) throw new BamError(`--model and --pairs are required; usage: ${PREDICT_USAGE}`);
  const maxLength = Number(values['max-length']);
  if (!Number.isInteger(maxLength) || maxLength < 3) throw new BamError(`--max-length must be an integer ≥ 3, got ${values['max-length']}`);
  const result = predictPairs(getKernels(), values.model, readPairsFile(values.pairs), {
    vocabPath: values.vocab,
    doLowerCase: values.cased ? false : undefined,
    maxLength,
    hidden: values.hidden,
  });
  io.stdout.write(`${JSON.stringify(result)}\n`);
}
