import { BamError } from '../errors.js';
import type { FullTokenizer } from './full-tokenizer.js';

/** One example as BERT input, zero-padded to maxSeqLength. */
export interface EncodedInput {
  inputIds: Int32Array;
  segmentIds: Int32Array;
  /** 1 on real tokens, 0 on padding. */
  inputMask: Int32Array;
  /** The real tokens, [CLS] and [SEP] included (no padding). */
  tokens: string[];
  /** Number of real tokens (= tokens.length). */
  length: number;
}

/**
 * The reference's `_truncate_seq_pair`: while the pair is too long, pop the last token of the longer list (of b
 * when they are equally long). Mutates both lists.
 */
function truncateSeqPair(tokensA: string[], tokensB: string[], maxLength: number): void {
  while (tokensA.length + tokensB.length > maxLength) {
    if (tokensA.length > tokensB.length) tokensA.pop();
    else tokensB.pop();
  }
}

function checkMaxSeqLength(maxSeqLength: number, isPair: boolean): void {
  const minimum = isPair ? 3 : 2;
  if (!Number.isInteger(maxSeqLength) || maxSeqLength < minimum) {
    const layout = isPair ? '[CLS] a [SEP] b [SEP]' : '[CLS] a [SEP]';
    throw new BamError(
      `max_seq_length ${maxSeqLength} cannot hold ${layout}; set max_seq_length to an integer of at least ${minimum}`,
    );
  }
}

/**
 * Turns text (and an optional second text) into BERT inputs exactly as BAM's `SingleOutputTask.featurize`:
 * text_b counts only if it is a non-empty string, and, as in the reference, only if it yields tokens (before and
 * after truncation); `[CLS] a [SEP] (b [SEP])`; segment 0 up to the first [SEP], 1 after it; zero padding.
 */
export function encodeExample(
  tokenizer: FullTokenizer,
  textA: string,
  textB: string | null | undefined,
  maxSeqLength: number,
): EncodedInput {
  checkMaxSeqLength(maxSeqLength, Boolean(textB));
  let tokensA = tokenizer.tokenize(textA);
  const tokensB = textB ? tokenizer.tokenize(textB) : [];
  if (tokensB.length > 0) truncateSeqPair(tokensA, tokensB, maxSeqLength - 3);
  else tokensA = tokensA.slice(0, maxSeqLength - 2);

  const tokens = ['[CLS]', ...tokensA, '[SEP]'];
  const segments = tokens.map(() => 0);
  // Truncation can empty b entirely (max_seq_length ≤ 4); the reference then omits b's [SEP] too.
  if (tokensB.length > 0) {
    tokens.push(...tokensB, '[SEP]');
    segments.push(...tokensB.map(() => 1), 1);
  }

  const inputIds = new Int32Array(maxSeqLength);
  const segmentIds = new Int32Array(maxSeqLength);
  const inputMask = new Int32Array(maxSeqLength);
  inputIds.set(tokenizer.convertTokensToIds(tokens));
  segmentIds.set(segments);
  inputMask.fill(1, 0, tokens.length);
  return { inputIds, segmentIds, inputMask, tokens, length: tokens.length };
}
