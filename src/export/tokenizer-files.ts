import type { Vocab } from '../tokenization/index.js';

/** BERT's special tokens, in the order Hugging Face lists them. */
const SPECIAL_TOKENS = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' } as const;

/**
 * bam's (Google's) WordPiece gives up on words longer than 200 characters; Hugging Face's BertTokenizer default is
 * 100. The exported tokenizer says 200 so that every consumer tokenizes as bam does.
 */
const MAX_INPUT_CHARS_PER_WORD = 200;

/**
 * `tokenizer.json` in the format of Hugging Face `tokenizers` (read by transformers' fast tokenizers and by
 * transformers.js) for a BERT WordPiece vocabulary: BertNormalizer, BertPreTokenizer, WordPiece, and the
 * `[CLS] a [SEP] b [SEP]` template with token types 0 then 1. It tokenizes exactly as bam's FullTokenizer.
 */
export function tokenizerJson(vocab: Vocab, doLowerCase: boolean): Record<string, unknown> {
  const id = (token: string): number => {
    const found = vocab.tokenToId.get(token);
    if (found === undefined) throw new Error(`tokenizerJson: ${token} is not in ${vocab.source}`);
    return found;
  };
  const cls = id(SPECIAL_TOKENS.cls_token);
  const sep = id(SPECIAL_TOKENS.sep_token);
  const token = (t: string, typeId: number): Record<string, unknown> => ({ SpecialToken: { id: t, type_id: typeId } });
  const sequence = (s: 'A' | 'B', typeId: number): Record<string, unknown> => ({ Sequence: { id: s, type_id: typeId } });
  // A token listed twice maps to its last id, as bam's vocabulary does.
  const vocabObject: Record<string, number> = {};
  for (const [t, i] of vocab.tokenToId) vocabObject[t] = i;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    // No added tokens: Google's tokenizer, and so bam, splits "[CLS]" typed in the text like any other text, where an
    // added token would match it as the special token.
    added_tokens: [],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: doLowerCase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0)],
      pair: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0), sequence('B', 1), token('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: SPECIAL_TOKENS.unk_token,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab: vocabObject,
    },
  };
}

/** `tokenizer_config.json` of a BertTokenizer: casing, special tokens, and the longest input (`model_max_length`). */
export function tokenizerConfigJson(doLowerCase: boolean, modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: doLowerCase,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: true,
    ...SPECIAL_TOKENS,
  };
}

export function specialTokensMapJson(): Record<string, unknown> {
  return { ...SPECIAL_TOKENS };
}
