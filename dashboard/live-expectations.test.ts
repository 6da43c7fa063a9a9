import { expect, test } from 'vitest';
import { parseExpectation, type Expectation } from '../sim/expectations.ts';
import { compact } from './chart.ts';
import { burstRun } from './test-utils.ts';

const parse = (key: string, text: string): Expectation => {
  const r = parseExpectation(key, text);
  if (!r.ok) throw new Error(r.message);
  return r.expectation;
};

test('judged on the run so far: an upper bound breaks at once, a lower bound waits, windows read complete rows', async () => {
  const { sim, clock, source } = await burstRun({
    expect: { 'events.dropped': '== 0', 'events.stored': '> 1e12', throttleRate: 'max(1m) < 0.01' },
  });
  expect(sim.scenario.expect).toEqual([parse('events.dropped', '== 0'), parse('events.stored', '> 1e12'), parse('throttleRate', 'max(1m) < 0.01')]);
  source.start();
  clock.tick(10_000);
  expect(source.snapshot(10).expectations.map((e) => e.status)).toEqual(['ok', 'pending', 'ok']);
  clock.tick(6_000);
  expect(source.snapshot(10).expectations.map((e) => e.status)).toEqual(['broken', 'pending', 'broken']);
  clock.tick(60_000);
  expect(sim.done).toBe(true);
  const final = source.snapshot(10).expectations;
  expect(final.map((e) => e.status)).toEqual(['broken', 'broken', 'broken']);
  expect(final[0]!.detail).toBe(compact(Math.round(sim.totals.dropped)));
});
