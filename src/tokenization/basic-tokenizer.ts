/**
 * BERT's BasicTokenizer (google-research/bert `tokenization.py`): text cleanup, CJK splitting, optional lower-casing
 * with accent stripping, and punctuation splitting. Character classes follow Python's `unicodedata` categories,
 * which JavaScript exposes as `\p{...}` in `u`-mode regular expressions. Strings are handled by code point, as
 * Python does, never by UTF-16 unit.
 */

/** Characters Python's `str.isspace()` accepts: what `str.split()` and `str.strip()` treat as whitespace. */
const PYTHON_WHITESPACE_CLASS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PYTHON_WHITESPACE_RUN = new RegExp(`${PYTHON_WHITESPACE_CLASS}+`, 'u');
const PYTHON_STRIP_EDGES = new RegExp(`^${PYTHON_WHITESPACE_CLASS}+|${PYTHON_WHITESPACE_CLASS}+$`, 'gu');

/** `_clean_text` drops NUL, U+FFFD and category C* except \t \n \r (these count as whitespace instead). */
const REMOVED_CHARS = /[\0\uFFFD]|(?![\t\n\r])\p{C}/gu;
/** `_is_whitespace`: space, \t, \n, \r and category Zs, each replaced by one space. */
const CLEANED_WHITESPACE = /[\t\n\r\p{Zs}]/gu;
/** `_is_chinese_char`: the CJK ideograph blocks, exactly as the reference lists them. */
const CJK_IDEOGRAPHS =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARKS = /\p{Mn}/gu;
/** `_is_punctuation`: all non-alphanumeric printable ASCII, plus Unicode category P*. */
const PUNCTUATION = /^[!-\/:-@\[-`{-~\p{P}]$/u;

/** Python's `str.strip()` with no arguments. */
export function stripPythonWhitespace(text: string): string {
  return text.replace(PYTHON_STRIP_EDGES, '');
}

/** The reference's `whitespace_tokenize`: `text.strip().split()`. */
export function whitespaceTokenize(text: string): string[] {
  const stripped = stripPythonWhitespace(text);
  return stripped === '' ? [] : stripped.split(PYTHON_WHITESPACE_RUN);
}

function cleanText(text: string): string {
  return text.replace(REMOVED_CHARS, '').replace(CLEANED_WHITESPACE, ' ');
}

function padCjkIdeographs(text: string): string {
  return text.replace(CJK_IDEOGRAPHS, ' $& ');
}

/** `lower()` then `_run_strip_accents` (NFD, drop category Mn). */
function lowerAndStripAccents(token: string): string {
  return token.toLowerCase().normalize('NFD').replace(NONSPACING_MARKS, '');
}

/** `_run_split_on_punc`: every punctuation character becomes its own token; the runs between them stay whole. */
function splitOnPunctuation(token: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const char of token) {
    if (PUNCTUATION.test(char)) {
      if (current !== '') pieces.push(current);
      pieces.push(char);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

export class BasicTokenizer {
  constructor(readonly doLowerCase: boolean) {}

  tokenize(text: string): string[] {
    const words = whitespaceTokenize(padCjkIdeographs(cleanText(text)));
    const pieces: string[] = [];
    for (const word of words) {
      // A loop, not push(...): one word of punctuation splits into as many pieces as it has characters, and a
      // spread of ~100k arguments overflows the stack.
      for (const piece of splitOnPunctuation(this.doLowerCase ? lowerAndStripAccents(word) : word)) pieces.push(piece);
    }
    // The reference re-splits the joined pieces, which also drops any empty piece.
    return whitespaceTokenize(pieces.join(' '));
  }
}
