import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BasicTokenizer, FullTokenizer } from '../../src/tokenization/index.js';
import { fixtureVocab } from '../fixture-vocab.js';
import { sharedData } from '../shared-data.js';

const sentences = sharedData('tokenization', 'sentences.json');
const goldenUncased = sharedData('tokenization', 'golden-uncased.json');
const uncasedVocab = sharedData('vocab', 'bert-base-uncased', 'vocab.txt');

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

test(
  'uncased tokenization of every GLUE dev sentence equals google-research/bert tokenization.py',
  { skip: sentences.skip || goldenUncased.skip || uncasedVocab.skip },
  (t) => {
    const texts = readJson<string[]>(sentences.path);
    const expected = readJson<string[][]>(goldenUncased.path);
    assert.equal(texts.length, 8436);
    assert.equal(expected.length, texts.length);
    const tokenizer = FullTokenizer.fromVocabFile(uncasedVocab.path, true);
    const mismatches: string[] = [];
    texts.forEach((text, i) => {
      const actual = tokenizer.tokenize(text);
      if (JSON.stringify(actual) !== JSON.stringify(expected[i])) {
        mismatches.push(`#${i} ${JSON.stringify(text)}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected[i])}`);
      }
    });
    t.diagnostic(`${texts.length - mismatches.length} of ${texts.length} strings match the golden tokens`);
    assert.deepEqual(mismatches.slice(0, 5), []);
  },
);

test('cased tokenizer keeps case and accents and splits punctuation, CJK, whitespace', () => {
  const tokenizer = FullTokenizer.fromVocabFile(fixtureVocab.cased, false);
  // "Héllo" is not a cased token, so WordPiece splits it; "é" and "ö" survive because nothing strips accents.
  assert.deepEqual(tokenizer.tokenize('Héllo Wörld'), ['H', '##é', '##llo', 'W', '##ö', '##rl', '##d']);
  assert.deepEqual(tokenizer.tokenize('Café naïve'), ['Café', 'na', '##ï', '##ve']);
  assert.deepEqual(tokenizer.tokenize('Hello, World!'), ['Hello', ',', 'World', '!']);
  // ASCII symbols ($ ^ _) count as punctuation; so do Unicode P* characters (« » —).
  assert.deepEqual(tokenizer.tokenize('U.S.A. $5 ^_^'), ['U', '.', 'S', '.', 'A', '.', '$', '5', '^', '_', '^']);
  assert.deepEqual(tokenizer.tokenize('«Bonjour» — said'), ['«', 'Bon', '##jou', '##r', '»', '—', 'said']);
  // Each CJK ideograph is its own word; hiragana is not in the CJK ranges and stays attached ("きい").
  assert.deepEqual(tokenizer.tokenize('東京は大きい'), ['東', '京', 'は', '大', 'き', '##い']);
  assert.deepEqual(
    tokenizer.tokenize('Paris\tLondon\nBerlin\r\nRome\u3000Oslo\u00a0Bern'),
    ['Paris', 'London', 'Berlin', 'Rome', 'Oslo', 'Bern'],
  );
  // Lower-casing only happens in uncased mode: these stay as written.
  assert.deepEqual(tokenizer.tokenize('İstanbul ß ﬁ'), ['İ', '##stan', '##bul', 'ß', 'ﬁ']);
});

test('cased tokenizer drops NUL, U+FFFD and control/format characters', () => {
  const tokenizer = FullTokenizer.fromVocabFile(fixtureVocab.cased, false);
  // soft hyphen (Cf), zero-width space (Cf), BEL (Cc), NUL, U+FFFD and BOM (Cf) vanish without splitting words.
  assert.deepEqual(tokenizer.tokenize('Hel\u00adlo\u200b Wor\u0007ld\u0000!\ufffd\ufeff'), ['Hello', 'World', '!']);
});

test('WordPiece caps words at 200 characters and turns unmatched words into [UNK]', () => {
  const tokenizer = FullTokenizer.fromVocabFile(fixtureVocab.cased, false);
  // "aa" and "aaa" are not cased tokens but "##aa" is: a, then 99 × ##aa (198 chars), then ##a.
  assert.deepEqual(tokenizer.tokenize('a'.repeat(200)), ['a', ...Array<string>(99).fill('##aa'), '##a']);
  assert.deepEqual(tokenizer.tokenize('a'.repeat(201)), ['[UNK]']);
  // The snowman is in no token, so the whole word containing it is unknown, not just that character.
  assert.deepEqual(tokenizer.tokenize('snow ☃ man x☃'), ['snow', '[UNK]', 'man', '[UNK]']);
  assert.deepEqual(tokenizer.tokenize('ＡＢＣ'), ['[UNK]']);
});

test('uncased mode lower-cases and strips accents after NFD', () => {
  const basic = new BasicTokenizer(true);
  assert.deepEqual(basic.tokenize('Héllo WÖRLD Ǆ'), ['hello', 'world', 'ǆ']);
  // İ lower-cases to i + U+0307, whose mark is then stripped; ß and ﬁ have no single-character lower/NFD change.
  assert.deepEqual(basic.tokenize('İstanbul ß ﬁ'), ['istanbul', 'ß', 'ﬁ']);
  // Final sigma: Σ at the end of a word lower-cases to ς, elsewhere to σ (Python's lower() does the same).
  assert.deepEqual(basic.tokenize('ΟΔΟΣ ΣΑ'), ['οδος', 'σα']);
  assert.deepEqual(new BasicTokenizer(false).tokenize('Héllo WÖRLD'), ['Héllo', 'WÖRLD']);
});

test('basic tokenizer follows Python whitespace and control-character rules', () => {
  const basic = new BasicTokenizer(false);
  // U+2028 (Zl) is neither cleaned nor a Zs space, but Python's str.split() still splits on it.
  assert.deepEqual(basic.tokenize('x\u2028y'), ['x', 'y']);
  // U+001C and U+0085 are whitespace to Python's split() but control characters (Cc) to BERT: removed, no split.
  assert.deepEqual(basic.tokenize('x\u001cy z\u0085w'), ['xy', 'zw']);
  // A lone surrogate is category Cs and is dropped.
  assert.deepEqual(basic.tokenize('a\ud800b'), ['ab']);
  assert.deepEqual(basic.tokenize(' \t\n '), []);
  assert.deepEqual(basic.tokenize(''), []);
  // Astral CJK (U+20000) is padded too; astral emoji is one character, not two UTF-16 halves.
  assert.deepEqual(basic.tokenize('a\u{20000}b 😀!'), ['a', '\u{20000}', 'b', '😀', '!']);
});
