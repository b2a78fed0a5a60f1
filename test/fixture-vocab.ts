import { join } from 'node:path';
import { projectRoot } from './shared-data.js';

/**
 * Small vocabularies kept in the repository (test/fixtures/vocab/), so that tokenizer, featurization and model tests
 * run without ../shared/data: [PAD] [UNK] [CLS] [SEP] [MASK] at ids 0–4, then the few tokens the tests use.
 * uncased: lower-case words and "##" pieces; cased: the pieces bert-base-cased splits the cased tests' text into.
 */
export const fixtureVocab = {
  uncased: join(projectRoot, 'test', 'fixtures', 'vocab', 'uncased-vocab.txt'),
  cased: join(projectRoot, 'test', 'fixtures', 'vocab', 'cased-vocab.txt'),
};
