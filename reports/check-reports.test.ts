/** The check report writers (JUnit XML, markdown, terminal text) over one hand-built result set. */
import { describe, expect, test } from 'vitest';
import { DEFAULT_TOLERANCES, type FigureComparison } from './baseline.ts';
import { checkMarkdown, CHECK_COMMENT_MARKER } from './check-markdown.ts';
import type { ScenarioCheck } from './check-result.ts';
import { checkText } from './check-text.ts';
import { escapeXml, junitXml } from './junit.ts';

const regression: FigureComparison = {
  key: 'cost.totalUsd', tolerance: 'cost', tolerancePct: 5, before: 11.026913, after: 12.514099, changePct: 13.487, status: 'regressed',
};
const unchanged: FigureComparison = { ...regression, key: 'events.lost', before: 0, after: 0, changePct: null, status: 'unchanged' };
const fromZero: FigureComparison = { ...regression, key: 'dynamodb.throttledRequests', tolerance: 'throttled', tolerancePct: 10, before: 0, after: 175, changePct: null };

const checks: ScenarioCheck[] = [
  {
    name: 'burst-spike',
    file: 'scenarios/burst-spike.yaml',
    expectations: [
      { key: 'scaling.kinesis.lagSeconds', expected: '< 720', actual: 600, pass: true },
      { key: 'throttleRate', expected: 'max(5m) < 0.05', actual: 0.2, pass: false, detail: 'highest of 5m windows, 10m–15m' },
    ],
    baseline: { state: 'compared', file: 'reports/baselines/burst-spike.json', tolerances: DEFAULT_TOLERANCES, comparisons: [regression, unchanged, fromZero] },
    notes: ['scenarios/burst-spike.yaml changed since its baseline was made'],
    throughput: '73.5% of offered events stored in DynamoDB and delivered to S3.',
  },
  {
    name: 'a<b & "c"',
    file: 'x.yaml',
    expectations: [{ key: 'events.dropped', expected: '== 0', actual: 0, pass: true }],
    baseline: { state: 'missing', file: 'reports/baselines/x.json' },
    notes: [],
  },
];

describe('JUnit', () => {
  const xml = junitXml(checks);

  test('one suite per scenario, one case per expectation and per baseline figure, failures with actual and expected', () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ingestlab check" tests="6" failures="3" errors="0">/);
    expect(xml).toContain('<testsuite name="burst-spike" tests="5" failures="3" errors="0" skipped="0">');
    expect(xml).toContain('<testcase classname="burst-spike.expect" name="scaling.kinesis.lagSeconds &lt; 720"/>');
    expect(xml).toContain(
      '<failure type="expectation" message="throttleRate: actual 0.2 (highest of 5m windows, 10m–15m), expected max(5m) &lt; 0.05">actual:   0.2 (highest of 5m windows, 10m–15m)\nexpected: max(5m) &lt; 0.05</failure>',
    );
    expect(xml).toContain('message="cost.totalUsd: 11.03 → 12.51 (+13.5%), tolerance +5% (cost)"');
    expect(xml).toContain('message="dynamodb.throttledRequests: 0 → 175 (+175 from 0), tolerance +10% (throttled)"');
    expect(xml).toContain('<testcase classname="burst-spike.baseline" name="events.lost within +5% of baseline"/>');
    expect(xml).toContain('<system-out>scenarios/burst-spike.yaml changed since its baseline was made</system-out>');
  });

  test('escapes names and drops characters XML cannot hold', () => {
    expect(xml).toContain('<testsuite name="a&lt;b &amp; &quot;c&quot;" tests="1" failures="0"');
    expect(escapeXml(`x\u0000y'\u001b`)).toBe('xy&apos;');
  });
});

describe('markdown', () => {
  const md = checkMarkdown(checks);

  test('a verdict, a table per scenario, and moved baseline figures with before, after and change', () => {
    expect(md.split('\n')[0]).toBe(CHECK_COMMENT_MARKER);
    expect(md).toContain('## ❌ Capacity check: 1 of 2 scenarios failed: 1 of 3 expectations failed, 2 regressions');
    expect(md).toContain('| ❌ | burst-spike | 1 of 2 passed | 2 regressed |');
    expect(md).toContain('| ✅ | a<b & "c" | 1 of 1 passed | no baseline |');
    expect(md).toContain('| ❌ | `throttleRate` | 0.2 <sub>highest of 5m windows, 10m–15m</sub> | `max(5m) < 0.05` |');
    expect(md).toContain('**Baseline** (`reports/baselines/burst-spike.json`): 2 changed, 1 unchanged');
    expect(md).toContain('| ❌ | `cost.totalUsd` | 11.03 | 12.51 | +13.5% | +5% |');
    expect(md).not.toContain('`events.lost`');
    expect(md).toContain('- scenarios/burst-spike.yaml changed since its baseline was made');
  });

  test('all passing', () => {
    const ok = checkMarkdown([checks[1]!]);
    expect(ok).toContain('## ✅ Capacity check: 1 scenario passed (1 expectation)');
  });
});

describe('terminal text', () => {
  test('actual against expected, regressions, and the tally last', () => {
    const text = checkText(checks);
    expect(text).toContain('✗ burst-spike  scenarios/burst-spike.yaml');
    expect(text).toMatch(/✗ {2}throttleRate +0\.2 +max\(5m\) < 0\.05 +highest of 5m windows, 10m–15m/);
    expect(text).toMatch(/✗ {2}cost\.totalUsd +11\.03 → 12\.51 +\+13\.5% +tolerance \+5% {2}REGRESSION/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('✗ 1 of 2 scenarios failed: 1 of 3 expectations failed, 2 regressions');
  });
});

describe('every check report states the share of offered events stored and delivered (issue 9 #3)', () => {
  test('in the terminal text under the scenario line, and in the markdown under its heading', () => {
    expect(checkText(checks)).toContain('✗ burst-spike  scenarios/burst-spike.yaml\n    73.5% of offered events stored in DynamoDB and delivered to S3.\n');
    expect(checkMarkdown(checks)).toContain('`scenarios/burst-spike.yaml`\n\n73.5% of offered events stored in DynamoDB and delivered to S3.\n');
  });
});
