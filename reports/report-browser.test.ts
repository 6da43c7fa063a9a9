// report.html and compare.html in a real browser: headless Debian chromium driven by playwright-core. No console
// errors, no failed requests (the pages must work offline), and every chart has a visible box and drawn geometry.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareScenario } from '../cli/compare-command.ts';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { simulate } from '../sim/simulation.ts';
import { writeRun } from './write-run.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`report-browser.test.ts: ${CHROMIUM} not found, browser checks skipped (apt-get install -y chromium; .ci/run does)`);

const tmp = mkdtempSync(join(tmpdir(), 'ingestlab-browser-'));
let browser: Browser | undefined;

beforeAll(async () => {
  if (!available) return;
  const { scenario, resolvePolicy } = await loadScenario(resolveScenarioPath('burst-spike'));
  const { summary, timeline } = simulate(scenario, { resolvePolicy });
  writeRun(join(tmp, 'run'), summary, timeline);
  await compareScenario('burst-spike', { variant: ['ondemand:kinesis.mode=on-demand,dynamodb.mode=on-demand'], sweep: 'tenants.0.count=50..200x2', set: [], duration: '20m', resolution: '5s', out: join(tmp, 'compare'), quiet: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function check(file: string, minCharts: number) {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const charts = await page.$$eval('svg.chart', (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const paths = [...svg.querySelectorAll('path')].filter((p) => {
        const b = p.getBBox();
        return (p.getAttribute('d') ?? '').length > 4 && (b.width > 0 || b.height > 0);
      });
      return { id: svg.id, width: box.width, height: box.height, paths: paths.length };
    }),
  );
  await page.close();
  expect(problems).toEqual([]);
  // Only the page itself: no fonts, scripts or images fetched from anywhere.
  expect(requests.filter((u) => u !== pathToFileURL(file).href)).toEqual([]);
  expect(charts.length).toBeGreaterThanOrEqual(minCharts);
  for (const c of charts) {
    expect(c.width, c.id).toBeGreaterThan(100);
    expect(c.height, c.id).toBeGreaterThan(50);
    expect(c.paths, c.id).toBeGreaterThan(0);
  }
  return charts.map((c) => c.id);
}

describe('reports in headless Chromium', () => {
  it.skipIf(!available)('report.html loads offline without errors and draws every chart', async () => {
    const ids = await check(join(tmp, 'run', 'report.html'), 5);
    expect(ids).toEqual(['kinesis-capacity', 'dynamodb-capacity', 'throttles', 'iterator-age', 'cost-by-service']);
  });

  it.skipIf(!available)('compare.html loads offline without errors and draws the comparison and sweep charts', async () => {
    const ids = await check(join(tmp, 'compare', 'compare.html'), 3);
    expect(ids).toEqual(['compare-cost-by-service', 'sweep-cost', 'sweep-throttling']);
  });
});
