export { BasicTokenizer } from './basic-tokenizer.js';
export { encodeExample, type EncodedInput } from './encode.js';
export { FullTokenizer } from './full-tokenizer.js';
export { loadVocab, vocabFromTokens, type Vocab } from './vocab.js';
export { WordpieceTokenizer } from './wordpiece-tokenizer.js';
