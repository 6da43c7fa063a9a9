/**
 * The examples of issue 13 (model fidelity), each through the whole simulation loop on a bundled scenario, with the
 * figures the issue gives or that follow by hand from the rules. Unit tests of each rule sit beside its model.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, resolveScenarioPath } from '../../scenarios/load.ts';
import { simulate, type SimulationResult } from '../../sim/simulation.ts';

const runs = new Map<string, Promise<SimulationResult>>();
function run(name: string, overrides: Record<string, unknown> = {}): Promise<SimulationResult> {
  const key = `${name} ${JSON.stringify(overrides)}`;
  let result = runs.get(key);
  if (result === undefined) {
    result = loadScenario(resolveScenarioPath(name), overrides).then(({ scenario, resolvePolicy }) => simulate(scenario, { resolvePolicy }));
    runs.set(key, result);
  }
  return result;
}
const kinesisActions = (r: SimulationResult) => r.summary.scaling.actions.filter((a) => a.service === 'kinesis');

describe('item 1: burst-spike with scaleUp.scalePct 300 falls back to SplitShard', () => {
  it('UpdateShardCount 4 → 12 is refused at 840 s; eight SplitShards, 30 s apart, reach 12 shards at 1,080 s (it used to stay at 4)', async () => {
    const r = await run('burst-spike', { 'kinesis.autoscaler.scaleUp.scalePct': 300 });
    const k = kinesisActions(r);
    expect(k[0]).toMatchObject({ atSeconds: 840, from: 4, to: 12 });
    expect(k[0]!.refusal).toMatch(/more than 2×/);
    const splits = k.slice(1, 9);
    expect(splits.map((a) => [a.atSeconds, a.from, a.to])).toEqual(
      Array.from({ length: 8 }, (_, i) => [840 + 30 * i, 4 + i, 5 + i]),
    );
    expect(r.timeline.columns.shards[1079]).toBe(11);
    expect(r.timeline.columns.shards[1080]).toBe(12);
    // The 49.9% dropped at 4 shards is gone; the first scale-up is the first split.
    expect(r.summary.scaling.kinesis.firstScaleUpAtSeconds).toBe(840);
    expect(r.summary.events.dropped / r.summary.events.offered).toBeLessThan(0.3);
    expect(r.summary.audit.balanced).toBe(true);
  });
});

describe('item 2: the cool-off starts when the stream is ACTIVE again', () => {
  it('burst-spike with 180 s reshards scales up the second time at 22 min (1,320 s = 840 + 180 + 5 min), not 19 min', async () => {
    const r = await run('burst-spike', { 'kinesis.reshardSeconds': 180 });
    const ups = kinesisActions(r).filter((a) => a.to > a.from);
    expect(ups.map((a) => a.atSeconds).slice(0, 2)).toEqual([840, 1_320]);
  });
});

describe('item 5: DynamoDB decreases under the current rule', () => {
  it('diurnal-week: the 2018–2023 rule (v3) refuses 173 decreases, the current one (v4, default) none', async () => {
    const refusals = (r: SimulationResult) =>
      r.summary.scaling.actions.filter((a) => a.service === 'dynamodb' && /decrease quota/.test(a.refusal ?? '')).length;
    expect(refusals(await run('diurnal-week', { 'dynamodb.decreaseRule': 'v3' }))).toBe(173);
    expect(refusals(await run('diurnal-week'))).toBe(0);
  });
});
