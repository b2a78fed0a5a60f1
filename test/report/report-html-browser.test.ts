import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { collectExperiment } from '../../src/report/collect.js';
import { writeReport } from '../../src/report/write-report.js';
import { fixtureRecipe, makeExperimentDir } from './fixture-experiment.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to open report.html in a browser`;

/** A recipe name with everything that could break out of HTML, an attribute or a script if it were not escaped. */
const HOSTILE_NAME = `demo<!--<script>"&'`;

interface Rendered {
  title: string;
  /** Per chart container: the number of data marks drawn, by kind (axes and legends not counted). */
  charts: Record<string, { lines: number; symbols: number; rules: number }>;
}

describe('report.html in headless Chromium', { skip }, () => {
  let bamDir = '';
  let userDataDir = '';
  let rendered: Rendered;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  before(async () => {
    bamDir = makeExperimentDir(HOSTILE_NAME);
    const { html } = writeReport(collectExperiment(bamDir, fixtureRecipe(HOSTILE_NAME)), join(bamDir, 'out'));
    userDataDir = mkdtempSync(join(tmpdir(), 'bam-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      // Vega renders asynchronously: wait until every container holds an SVG (or an error message).
      await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('svg') !== null || c.classList.contains('error')), undefined, { timeout: 20_000 });
      rendered = await page.evaluate(() => ({
        title: document.querySelector('h1')?.textContent ?? '',
        charts: Object.fromEntries(
          [...document.querySelectorAll('.chart')].map((c) => [
            c.id,
            {
              lines: c.querySelectorAll('svg g.mark-line.role-mark path').length,
              symbols: c.querySelectorAll('svg g.mark-symbol.role-mark path').length,
              rules: c.querySelectorAll('svg g.mark-rule.role-mark line').length,
            },
          ]),
        ),
      }));
    } finally {
      await context.close();
    }
  });
  after(() => {
    rmSync(bamDir, { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
  });

  test('the page opens offline with no console error and loads nothing but itself', () => {
    assert.deepEqual(consoleErrors, []);
    assert.equal(requests.length, 1);
    assert.match(requests[0], /^file:\/\/.*\/report\.html$/);
  });

  test('the hostile experiment name is shown as text, not run as markup', () => {
    assert.equal(rendered.title, `Experiment ${HOSTILE_NAME}`);
  });

  test('every chart drew its data marks', () => {
    assert.deepEqual(Object.keys(rendered.charts), ['chart-1', 'chart-2', 'chart-3', 'chart-4', 'chart-5']);
    // MLM loss: a train and a held-out line with a point per record (3 train + 2 held-out).
    assert.equal(rendered.charts['chart-1'].lines, 2);
    assert.equal(rendered.charts['chart-1'].symbols, 5);
    // Training loss: one line per run that logged (all 10 runs, bam-s2 included).
    assert.equal(rendered.charts['chart-2'].lines, 10);
    // Task losses: per task panel, the 2 single runs of that task and the 4 multi-task runs.
    assert.equal(rendered.charts['chart-3'].lines, 3 * 6);
    // Dev scores: 4 panels (3 tasks + average) × 3 methods, a point and an error bar each.
    assert.equal(rendered.charts['chart-4'].symbols, 12);
    assert.equal(rendered.charts['chart-4'].rules, 12);
    // λ: the two bam runs.
    assert.equal(rendered.charts['chart-5'].lines, 2);
  });
});
