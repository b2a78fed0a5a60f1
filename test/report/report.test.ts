import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BamError } from '../../src/errors.js';
import { collectExperiment, collectModels } from '../../src/report/collect.js';
import { escapeHtml, scriptJson } from '../../src/report/html.js';
import { formatGain, formatStat } from '../../src/report/markdown.js';
import { meanStd } from '../../src/report/summary.js';
import { writeReport } from '../../src/report/write-report.js';
import { writeResults } from '../../src/run/results.js';
import { fixtureRecipe, makeExperimentDir, SCORES } from './fixture-experiment.js';

/** The cells of the Markdown table row that starts with `| first |`. */
function row(markdown: string, section: string, first: string): string[] {
  const body = markdown.split(`## ${section}\n`)[1].split('\n## ')[0];
  const line = body.split('\n').find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line !== undefined, `no row "${first}" in section "${section}"`);
  return line.slice(2, -2).split(' | ').slice(1);
}

const sampleStd = (a: number, b: number) => Math.abs(a - b) / Math.SQRT2;

describe('bam report on an experiment in progress', () => {
  let bamDir = '';
  let markdown = '';
  before(() => {
    bamDir = makeExperimentDir('demo');
    writeReport(collectExperiment(bamDir, fixtureRecipe('demo')), join(bamDir, 'out'));
    markdown = readFileSync(join(bamDir, 'out', 'report.md'), 'utf8');
  });
  after(() => rmSync(bamDir, { recursive: true, force: true }));

  test('the table holds mean ± sample std over seeds of each task score, from the results.json files', () => {
    const header = markdown.split('\n').find((l) => l.startsWith('| method |'));
    assert.equal(header, '| method | rte | mrpc | sts | average |');
    // single: rte 62, 64; mrpc (80+84)/2 = 82, (82+86)/2 = 84; sts (70+72)/2 = 71, (74+76)/2 = 75.
    // average per seed: (62+82+71)/3 = 71.667, (64+84+75)/3 = 74.333 -> 73 ± 1.886.
    assert.deepEqual(row(markdown, 'Dev results', 'single'), ['63.00 ± 1.41 (2)', '83.00 ± 1.41 (2)', '73.00 ± 2.83 (2)', '73.00 ± 1.89 (2)']);
    assert.equal(sampleStd(71 + 2 / 3, 74 + 1 / 3).toFixed(2), '1.89');
    // multi: rte 63, 65; mrpc 83, 86; sts 72, 76; average 72.667, 75.667 -> 74.167 ± 2.121.
    assert.deepEqual(row(markdown, 'Dev results', 'multi'), ['64.00 ± 1.41 (2)', '84.50 ± 2.12 (2)', '74.00 ± 2.83 (2)', '74.17 ± 2.12 (2)']);
    // bam: seed 2 is still training, so one seed: 66, 86, 77; average 76.333.
    assert.deepEqual(row(markdown, 'Dev results', 'bam'), ['66.00 (1)', '86.00 (1)', '77.00 (1)', '76.33 (1)']);
    assert.equal(SCORES.bam[2], undefined);
  });

  test('the gain over single is the difference of the means, per task and for the average', () => {
    assert.deepEqual(row(markdown, 'Gain over single', 'multi'), ['+1.00', '+1.50', '+1.00', '+1.17']);
    assert.deepEqual(row(markdown, 'Gain over single', 'bam'), ['+3.00', '+3.00', '+4.00', '+3.33']);
    assert.ok(!markdown.split('## Gain over single')[1].split('\n## ')[0].includes('| single |'));
  });

  test('the pretraining budget comes from the pretraining log: steps, examples, time (across a resume), last held-out MLM', () => {
    const cells = (name: string) => row(markdown, 'Pretraining', name)[0];
    assert.equal(cells('encoder'), 'tiny-mlm');
    assert.equal(cells('steps'), '300 of 400');
    assert.equal(cells('examples (Σ examples/s × logged interval)'), String(80 * 10 + 100 * 10 + 60 * 5));
    assert.equal(cells('training time'), '0:00:25');
    assert.equal(cells('held-out MLM loss (step 200)'), '5.2500');
    assert.equal(cells('held-out MLM accuracy (step 200)'), '21.25%');
  });

  test('a run without results.json is listed as missing, with its progress from the log (the cut last line ignored)', () => {
    const missing = markdown.split('## Missing runs\n')[1];
    assert.match(missing, /^\n1 run\(s\) without a results\.json yet:\n\n- demo-bam-s2 \(training: step 20\/100\)\n$/);
  });

  test('the same inputs give byte-identical report files', () => {
    writeReport(collectExperiment(bamDir, fixtureRecipe('demo')), join(bamDir, 'again'));
    for (const file of ['report.md', 'report.html']) {
      assert.ok(readFileSync(join(bamDir, 'out', file)).equals(readFileSync(join(bamDir, 'again', file))), file);
    }
  });

  test('report.html is one file: Vega inlined, no external script, stylesheet or image', () => {
    const html = readFileSync(join(bamDir, 'out', 'report.html'), 'utf8');
    assert.ok(html.includes('vega.parse'));
    assert.ok(html.length > 400_000, 'vega.min.js is inlined');
    assert.doesNotMatch(html, /<(script|link|img)[^>]*\s(src|href)=/i);
    assert.equal((html.match(/<div class="chart" id="chart-\d">/g) ?? []).length, 5);
  });

  test('model names as rows: the columns are the tasks their results hold; a missing model is listed, not an error', () => {
    const input = collectModels(bamDir, ['demo-multi-s1', 'demo-single-sts-s2', 'not-trained']);
    assert.deepEqual(input.columns, ['rte', 'mrpc', 'sts']);
    writeReport(input, join(bamDir, 'models-out'));
    const md = readFileSync(join(bamDir, 'models-out', 'report.md'), 'utf8');
    assert.deepEqual(row(md, 'Dev results', 'demo-multi-s1'), ['63.00 (1)', '83.00 (1)', '72.00 (1)', '72.67 (1)']);
    assert.deepEqual(row(md, 'Dev results', 'demo-single-sts-s2'), ['—', '—', '75.00 (1)', '—']);
    assert.deepEqual(row(md, 'Dev results', 'not-trained'), ['—', '—', '—', '—']);
    assert.ok(!md.includes('## Gain over'));
    assert.ok(!md.includes('## Pretraining'));
    assert.match(md, /\n- not-trained\n/);
  });
});

describe('report inputs', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bam-report-input-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a bam_dir with none of the runs is a one-line error naming the folder', () => {
    mkdirSync(join(dir, 'empty', 'models'), { recursive: true });
    assert.throws(() => collectExperiment(join(dir, 'empty'), fixtureRecipe('demo')), (e: unknown) => {
      assert.ok(e instanceof BamError);
      assert.match(e.message, /empty\/models: none of the 10 runs .* has a results\.json or training_log\.jsonl/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    assert.throws(() => collectModels(join(dir, 'nowhere'), ['a']), /nowhere \(it has no models\/ folder\): none of the 1 runs/);
  });

  test('a malformed training-log line is an error naming file and line; only the last line may be cut short', () => {
    const model = join(dir, 'bad', 'models', 'm');
    mkdirSync(model, { recursive: true });
    const good = { type: 'train', trial: 1, step: 1, total_steps: 2, lr: 1, lambda: null, loss: 1, task_losses: {}, examples_per_s: 1, elapsed_s: 1 };
    const log = join(model, 'training_log.jsonl');
    writeFileSync(log, `${JSON.stringify(good)}\n{"type":"train","trial":1,"st\n${JSON.stringify(good)}\n`);
    assert.throws(() => collectModels(join(dir, 'bad'), ['m']), (e: unknown) => {
      assert.ok(e instanceof BamError);
      assert.match(e.message, /models\/m\/training_log\.jsonl:2: not a JSON object: /);
      return true;
    });
    writeFileSync(log, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, loss: 'high' })}\n`);
    assert.throws(() => collectModels(join(dir, 'bad'), ['m']), /training_log\.jsonl:2: "loss" must be a number, got "high"/);
    writeFileSync(log, `${JSON.stringify({ ...good, type: 'test' })}\n`);
    assert.throws(() => collectModels(join(dir, 'bad'), ['m']), /training_log\.jsonl:1: "type" must be "train" or "eval", got "test"/);
    writeFileSync(log, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, step: 2 })}`);
    assert.deepEqual(collectModels(join(dir, 'bad'), ['m']).runs[0].log?.train.map((r) => r.step), [1, 2], 'a complete last line without a newline counts');
  });

  test('a task loss of null (older logs: no example of the task since the previous record) is left out; a string is an error', () => {
    const model = join(dir, 'nulls', 'models', 'm');
    mkdirSync(model, { recursive: true });
    const record = { type: 'train', trial: 1, step: 1, total_steps: 2, lr: 1, lambda: null, loss: 1, task_losses: { rte: 0.5, wnli: null }, examples_per_s: 1, elapsed_s: 1 };
    const log = join(model, 'training_log.jsonl');
    writeFileSync(log, `${JSON.stringify(record)}
`);
    assert.deepEqual(collectModels(join(dir, 'nulls'), ['m']).runs[0].log?.train[0].task_losses, { rte: 0.5 });
    writeFileSync(log, `${JSON.stringify({ ...record, task_losses: { rte: 'low' } })}
`);
    assert.throws(() => collectModels(join(dir, 'nulls'), ['m']), /training_log\.jsonl:1: "task_losses\.rte" must be a number, got "low"/);
  });

  test('a malformed results.json is an error naming the file', () => {
    const model = join(dir, 'badresults', 'models', 'm');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(model, 'results.json'), '{"trials": [{"trial": 1, "seed": 1, "results": {"rte": {"accuracy": "70"}}}]}');
    assert.throws(() => collectModels(join(dir, 'badresults'), ['m']), /m\/results\.json: trial 1 has non-numeric metrics for "rte"/);
  });

  test('user names are escaped in report.md and report.html', () => {
    const name = 'x<b>&"y\'|z';
    const model = join(dir, 'names', 'models', name);
    mkdirSync(model, { recursive: true });
    writeResults(join(model, 'results.txt'), join(model, 'results.json'), name, [{ trial: 1, seed: 1, results: { rte: [['accuracy', 50]] } }]);
    writeReport(collectModels(join(dir, 'names'), [name]), join(dir, 'names-out'));
    const md = readFileSync(join(dir, 'names-out', 'report.md'), 'utf8');
    assert.ok(md.includes('| x\\<b\\>&"y\'\\|z | 50.00 (1) | 50.00 (1) |'));
    const html = readFileSync(join(dir, 'names-out', 'report.html'), 'utf8');
    assert.ok(html.includes('<td>x&#60;b&#62;&#38;&#34;y&#39;|z</td>'));
    assert.ok(!html.includes('x<b>'));
  });
});

describe('report formatting helpers', () => {
  test('meanStd: mean, sample standard deviation (n − 1), null for one value', () => {
    assert.deepEqual(meanStd([1, 2, 3, 4]), { mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    assert.deepEqual(meanStd([7]), { mean: 7, std: null, n: 1 });
  });

  test('cells and gains', () => {
    assert.equal(formatStat({ mean: 61, std: 1.2345, n: 3 }), '61.00 ± 1.23 (3)');
    assert.equal(formatStat(undefined), '—');
    assert.equal(formatGain(0.004), '+0.00');
    assert.equal(formatGain(-0.004), '-0.00');
    assert.equal(formatGain(-1.5), '-1.50');
  });

  test('escapeHtml and scriptJson leave nothing that ends an element or a script', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const json = scriptJson({ name: '</script><!--\u2028&' });
    assert.equal(json, '{"name":"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026"}');
    assert.deepEqual(JSON.parse(json), { name: '</script><!--\u2028&' });
  });
});
