/**
 * Expectations: every form parses to the AST it should; every mistake is a ScenarioError at the line and column of
 * the offending value; evaluation against hand-built summaries and timelines gives hand-computed values.
 */
import { describe, expect, test } from 'vitest';
import { parseScenario } from '../scenarios/load.ts';
import { run, tenants } from '../test/builders.ts';
import { ScenarioError } from './errors.ts';
import {
  evaluateExpectation,
  evaluateExpectations,
  parseExpectation,
  SUMMARY_FIELD_NAMES,
  type Expectation,
} from './expectations.ts';
import type { Summary } from './summary.ts';
import { Timeline, type TimelineColumn } from './timeline.ts';

const HEAD = `name: t
duration: 10m
tenants:
  - { name: t, rate: 10 }
`;

/** Parses HEAD + an expect block; returns the expectations or the problems as `line:col path: message`. */
function load(expectBlock: string): Expectation[] | string[] {
  try {
    return parseScenario(HEAD + expectBlock, 'x.yaml').expect;
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
}

const parsed = (key: string, text: string) => {
  const r = parseExpectation(key, text);
  if (!r.ok) throw new Error(r.message);
  return r.expectation;
};
const failure = (key: string, text: string) => {
  const r = parseExpectation(key, text);
  if (r.ok) throw new Error(`expected "${text}" to fail`);
  return r.message;
};

describe('parsing', () => {
  test('every form, with and without spaces', () => {
    expect(parsed('scaling.kinesis.lagSeconds', '< 180')).toEqual({
      kind: 'value', source: 'summary', key: 'scaling.kinesis.lagSeconds', text: '< 180', op: '<', threshold: 180,
    });
    expect(parsed('kinesis.throttledRecords', 'rate<0.01')).toMatchObject({ kind: 'rate', op: '<', threshold: 0.01 });
    expect(parsed('throttleRate', 'max(5m) < 0.05')).toMatchObject({ kind: 'window', fn: 'max', windowSeconds: 300, op: '<', threshold: 0.05 });
    expect(parsed('iteratorAgeMs', 'min( 1h30m )>=1e3')).toMatchObject({ kind: 'window', fn: 'min', windowSeconds: 5400, op: '>=', threshold: 1000 });
    expect(parsed('offered', 'avg(30s) != -2.5')).toMatchObject({ kind: 'window', fn: 'avg', windowSeconds: 30, op: '!=', threshold: -2.5 });
    expect(parsed('dropRate', '== 0')).toMatchObject({ kind: 'value', source: 'series' });
    expect(parsed('events.dropped', '== 1_000')).toMatchObject({ op: '==', threshold: 1000 });
    expect(parsed('cost.byService.kinesis', '<= 2')).toMatchObject({ source: 'summary', op: '<=' });
    for (const op of ['<', '<=', '>', '>=', '==', '!=']) expect(parsed('events.lost', `${op} 1`).op).toBe(op);
  });

  test('mistakes say what was expected', () => {
    expect(failure('events.dropped', '=< 1')).toMatch(/cannot read "=< 1": expected "<op> <number>"/);
    expect(failure('events.dropped', '< lots')).toMatch(/expected a number after "<", got "lots"/);
    expect(failure('events.dropped', 'rate < 1%')).toMatch(/fractions \(0.01, not 1%\)/);
    expect(failure('throttleRate', 'max(5 minutes) < 1')).toMatch(/expected a duration inside max/);
    expect(failure('throttleRate', 'rate < 1')).toMatch(/"throttleRate" is a timeline series/);
    expect(failure('cost.totalUsd', 'rate < 1')).toMatch(/"cost.totalUsd" is not a count/);
    expect(failure('events.dropped', 'max(5m) < 1')).toMatch(/run total from summary.json; for its timeline series use dropRate or dropped/);
    expect(failure('latencyMs', 'p(99) < 1')).toMatch(/"latencyMs" is a group of fields.*latencyMs.p99/);
    expect(failure('latencyMs.p99', 'p(99) < 1')).toMatch(/percentiles are fields here/);
    expect(failure('scaling.kinesis.lagSecond', '< 1')).toMatch(/did you mean scaling.kinesis.lagSeconds\?/);
    expect(failure('cost.byService.ec3', '< 1')).toMatch(/unknown field/);
  });

  test('the expect block: a string or a list per key, errors at the value with file:line:col', () => {
    expect(load('')).toEqual([]);
    const ok = load(`expect:
  events.dropped: "== 0"
  throttleRate: ["max(5m) < 0.05", "< 0.01"]
`);
    expect((ok as Expectation[]).map((e) => `${e.key} ${e.text}`)).toEqual(['events.dropped == 0', 'throttleRate max(5m) < 0.05', 'throttleRate < 0.01']);

    expect(
      load(`expect:
  events.dropped: "== 0"
  foo: "< 1"
  throttleRate:
    - "max(5m) < 0.05"
    - "max(5x) < 1"
  events.lost: 0
`),
    ).toEqual([
      '7:8 expect.foo: unknown field "foo": expected a number in summary.json (e.g. events.dropped, scaling.kinesis.lagSeconds) or a timeline series (throttleRate, dropRate, rejectRate, kinesisUtilization, ddbUtilization, offered, …)',
      '10:7 expect.throttleRate[1]: cannot read "max(5x) < 1": expected a duration inside max(…) such as 30s, 5m or 1h, got "5x"',
      '11:16 expect.events.lost: expected an expectation string such as "< 180" or "max(5m) < 0.05" (quoted), got 0',
    ]);
    expect(load('expect: [ "< 1" ]\n')).toEqual(['5:9 expect: expected a mapping of fields to expectations (e.g. events.dropped: "== 0"), got a list']);
    expect(load('expect:\n  throttleRate: []\n')).toEqual(['6:17 expect.throttleRate: expected at least one expectation in the list']);
  });

  test('every numeric field of a real summary.json can be named', () => {
    const { summary } = run({ duration: '1m', tenants: tenants(1, 10) });
    const leaves: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node === 'number') leaves.push(path);
      else if (node && typeof node === 'object' && !Array.isArray(node)) {
        for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
      }
    };
    walk(summary, '');
    expect(leaves.filter((p) => !SUMMARY_FIELD_NAMES.includes(p))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Only the fields evaluation reads. */
function summaryOf(partial: { offered?: number; dropped?: number; duration?: number; perMillion?: number | null }): Summary {
  return {
    durationSeconds: partial.duration ?? 10,
    events: { offered: partial.offered ?? 1000, dropped: partial.dropped ?? 0 },
    scaling: { kinesis: { lagSeconds: 120 } },
    cost: { perMillionEventsUsd: partial.perMillion === undefined ? 1.25 : partial.perMillion, byService: { kinesis: 0.5 } },
  } as unknown as Summary;
}

function timelineOf(duration: number, step: number, columns: Partial<Record<TimelineColumn, number[]>>): Timeline {
  const t = new Timeline(duration, step);
  for (const [name, values] of Object.entries(columns)) t.columns[name as TimelineColumn].set(values);
  return t;
}

const check = (key: string, text: string, summary: Summary, timeline: Timeline) => evaluateExpectation(parsed(key, text), summary, timeline);

describe('evaluation', () => {
  const empty = timelineOf(10, 1, {});

  test('summary fields, rates and nulls', () => {
    const s = summaryOf({ offered: 2000, dropped: 50 });
    expect(check('scaling.kinesis.lagSeconds', '< 180', s, empty)).toEqual({ key: 'scaling.kinesis.lagSeconds', expected: '< 180', actual: 120, pass: true });
    expect(check('events.dropped', 'rate < 0.02', s, empty)).toMatchObject({ actual: 0.025, pass: false, detail: 'share of events.offered' });
    expect(check('cost.byService.kinesis', '== 0.5', s, empty)).toMatchObject({ actual: 0.5, pass: true });
    expect(check('events.dropped', 'rate == 0', summaryOf({ offered: 0 }), empty)).toMatchObject({ actual: 0, pass: true });
    // A null field (nothing accepted, so no cost per million) fails whatever the comparison.
    expect(check('cost.perMillionEventsUsd', '!= 1', summaryOf({ perMillion: null }), empty)).toMatchObject({ actual: null, pass: false });
  });

  test('a ratio series over sliding windows, computed by hand', () => {
    // 100 offered every second; throttled 10, 20, 30 in seconds 2–4. Three-second window sums of throttled:
    // [0–3) 10, [1–4) 30, [2–5) 60, [3–6) 50, [4–7) 30, then 0, 0, 0; each over 300 offered.
    const t = timelineOf(10, 1, { offered: Array(10).fill(100), kinesisThrottled: [0, 0, 10, 20, 30, 0, 0, 0, 0, 0] });
    const s = summaryOf({});
    expect(check('throttleRate', 'max(3s) < 0.1', s, t)).toEqual({
      key: 'throttleRate', expected: 'max(3s) < 0.1', actual: 0.2, pass: false, detail: 'highest of 3s windows, 2s–5s',
    });
    expect(check('throttleRate', 'min(3s) == 0', s, t)).toMatchObject({ actual: 0, pass: true, detail: 'lowest of 3s windows, 5s–8s' });
    expect(check('throttleRate', 'avg(3s) < 1', s, t).actual).toBeCloseTo(180 / 300 / 8, 12);
    expect(check('throttleRate', '< 1', s, t)).toMatchObject({ actual: 0.06, detail: 'whole run' });
    // A window longer than the run is the whole run.
    expect(check('throttleRate', 'max(1h) < 1', s, t)).toMatchObject({ actual: 0.06, detail: 'highest of whole run (shorter than 1h), 0s–10s' });
  });

  test('sum columns read per second, level columns time-weighted, a short last row counted as short', () => {
    // Rows of 2 s; 11 s of scenario, so the last row is 1 s long.
    const t = timelineOf(11, 2, { dropped: [10, 40, 0, 0, 0, 6], iteratorAgeMs: [0, 1000, 3000, 0, 0, 500] });
    const s = summaryOf({ duration: 11 });
    expect(check('dropped', 'max(2s) < 1', s, t)).toMatchObject({ actual: 20, detail: 'highest of 2s windows, 2s–4s' });
    expect(check('dropped', 'max(4s) < 1', s, t)).toMatchObject({ actual: 12.5 });
    expect(check('dropped', 'max(3s) < 1', s, t)).toMatchObject({ actual: 12.5, detail: 'highest of 4s windows, 0s–4s' });
    expect(check('dropped', '< 1', s, t)).toMatchObject({ actual: 56 / 11 });
    // The last window is rows 4–5: 0 for 2 s and 6 in 1 s → 2 per second.
    expect(check('dropped', 'min(4s) == 0', s, t)).toMatchObject({ actual: 0 });
    expect(check('iteratorAgeMs', 'max(4s) < 1', s, t)).toMatchObject({ actual: 2000 });
    expect(check('iteratorAgeMs', '< 1', s, t).actual).toBeCloseTo((2 * 4000 + 500) / 11, 12);
  });

  test('windows that leave a burst read exactly zero', () => {
    const t = timelineOf(8, 1, { offered: Array(8).fill(3), dropped: [0.1, 0.2, 0.7, 0, 0, 0, 0, 0] });
    expect(check('dropRate', 'min(3s) == 0', summaryOf({}), t)).toMatchObject({ actual: 0, pass: true });
  });

  test('evaluateExpectations keeps the order of the block', () => {
    const s = summaryOf({});
    const list = [parsed('events.dropped', '== 0'), parsed('throttleRate', 'max(1s) < 1')];
    expect(evaluateExpectations(list, s, empty).map((r) => r.key)).toEqual(['events.dropped', 'throttleRate']);
  });
});
