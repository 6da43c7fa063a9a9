import { describe, expect, test } from 'vitest';
import { UsageError } from '../sim/errors.ts';
import {
  baselineFileName,
  baselineJson,
  compareWithBaseline,
  DEFAULT_TOLERANCES,
  effectiveTolerances,
  KEY_FIGURES,
  parseBaseline,
  parseTolerances,
  type Baseline,
} from './baseline.ts';

const figures = (over: Record<string, number | null>) => ({
  ...Object.fromEntries(KEY_FIGURES.map(({ key }) => [key, 0])),
  'cost.totalUsd': 10,
  'scaling.kinesis.lagSeconds': 600,
  'kinesis.throttledRecords': 1000,
  ...over,
});
const baseline = (over: Partial<Baseline> = {}): Baseline => ({ scenario: 's', scenarioSha256: 'abc', figures: figures({}), ...over });
const byKey = (list: ReturnType<typeof compareWithBaseline>) => Object.fromEntries(list.map((c) => [c.key, c]));

describe('baselines', () => {
  test('a rise beyond the tolerance regresses; within it is worse; a fall is better; from zero is a regression', () => {
    const after = figures({
      'cost.totalUsd': 10.6, // +6% > 5%
      'scaling.kinesis.lagSeconds': 660, // +10%, exactly the tolerance
      'kinesis.throttledRecords': 10, // −99%
      'events.dropped': 1, // from 0
    });
    const c = byKey(compareWithBaseline(baseline(), after, DEFAULT_TOLERANCES));
    expect(c['cost.totalUsd']).toMatchObject({ before: 10, after: 10.6, status: 'regressed', tolerancePct: 5, tolerance: 'cost' });
    expect(c['cost.totalUsd']!.changePct).toBeCloseTo(6, 9);
    expect(c['scaling.kinesis.lagSeconds']).toMatchObject({ status: 'worse', changePct: 10 });
    expect(c['kinesis.throttledRecords']).toMatchObject({ status: 'better', changePct: -99 });
    expect(c['events.dropped']).toMatchObject({ before: 0, after: 1, status: 'regressed', changePct: null });
    expect(c['events.lost']).toMatchObject({ status: 'unchanged' });
  });

  test('figures missing from an older baseline are new; nulls compare only with nulls', () => {
    const old = baseline({ figures: { 'cost.totalUsd': 10, 'cost.perMillionEventsUsd': null } });
    const c = byKey(compareWithBaseline(old, figures({ 'cost.perMillionEventsUsd': 1 }), DEFAULT_TOLERANCES));
    expect(c['latencyMs.p99']!.status).toBe('new');
    expect(c['cost.perMillionEventsUsd']!.status).toBe('incomparable');
  });

  test('tolerances: defaults, then flags, then the baseline file', () => {
    expect(parseTolerances('cost=2, lag=+15%')).toEqual({ cost: 2, lag: 15 });
    expect(() => parseTolerances('money=5')).toThrow(UsageError);
    expect(() => parseTolerances('cost')).toThrow(/name=percent pairs/);
    expect(effectiveTolerances({ cost: 2, lag: 15 }, baseline({ tolerances: { lag: 50 } }))).toEqual({ ...DEFAULT_TOLERANCES, cost: 2, lag: 50 });
  });

  test('files round-trip, and a broken one says how to fix it', () => {
    const b = baseline({ tolerances: { cost: 1 } });
    expect(parseBaseline(baselineJson(b), 'b.json')).toEqual(b);
    expect(() => parseBaseline('{', 'b.json')).toThrow(/b.json is not JSON/);
    expect(() => parseBaseline('{"scenario":"s"}', 'b.json')).toThrow(/regenerate it with --update-baseline/);
    expect(baselineFileName('burst spike/2')).toBe('burst-spike-2.json');
  });
});
