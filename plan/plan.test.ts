// plan finds the configuration hand arithmetic predicts, explains a space where nothing passes, and its pure parts
// (space, schedule, ranking, frontier) behave as documented.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planScenario } from '../cli/plan-command.ts';
import { cheaperFailures, planJson, planText } from '../reports/plan-report.ts';
import { loadScenario } from '../scenarios/load.ts';
import { ScenarioError } from '../sim/errors.ts';
import { simulate } from '../sim/simulation.ts';
import { bestYaml } from './best-yaml.ts';
import { expandSpace, parseVary } from './space.ts';
import { failingEverywhere, missOf, paretoFrontier, promotionOrder, rankPassing, planSchedule, resolutionLadder, searchPlan, type PlanSample, type RunFigures } from './search.ts';

/**
 * 35 tenants × 100 events/s = 3,500 events/s of 100-byte events, no noise, random partition keys (even spread):
 * a shard takes 1,000 records/s and 1 MiB/s (350 KB/s here), so 3 shards (3,000/s) throttle and drop, and 4 shards
 * (4,000/s) is the fewest that drop nothing. More shards only add shard-hours, so 4 is the cheapest that passes.
 */
const CONSTANT = `
name: constant-3500
duration: 5m
resolution: 1s
tenants:
  - { name: t, count: 35, rate: 100, noise: none, eventBytes: 100, batchSize: 10 }
kinesis: { shards: 1, partitionKey: random }
dynamodb: { writeCapacity: 10000 }
expect:
  events.dropped: "== 0"
  kinesis.throttledRecords: "== 0"
`;

function scenarioFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ingestlab-plan-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, text);
  return file;
}

describe('plan on a constant 3,500 events/s', () => {
  const file = scenarioFile(CONSTANT);

  it('the grid over 1..8 shards picks 4 shards (the fewest with 4,000 records/s ≥ 3,500), and 3 fails on drops', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ingestlab-plan-out-')), 'plan');
    const { outcome, files, report } = await planScenario(file, { vary: ['kinesis.shards=1..8:1'], set: [], jobs: 1, out });
    expect(outcome.schedule.method).toBe('grid');
    expect(outcome.full).toHaveLength(8);
    expect(outcome.winner && outcome.points[outcome.winner.id]!.overrides).toEqual({ 'kinesis.shards': 4 });
    expect(outcome.ranked.map((s) => outcome.points[s.id]!.overrides['kinesis.shards'])).toEqual([4, 5, 6, 7, 8]);
    const three = outcome.full.find((s) => outcome.points[s.id]!.overrides['kinesis.shards'] === 3)!;
    expect(three.checks.find((c) => c.key === 'events.dropped')!.pass).toBe(false);
    // best.yaml runs, and runs with 4 shards.
    const best = files.find((f) => f.endsWith('best.yaml'))!;
    const { scenario, resolvePolicy } = await loadScenario(best);
    expect(scenario.kinesis.shards).toBe(4);
    expect(scenario.name).toBe('constant-3500-best');
    expect(simulate(scenario, { resolvePolicy }).summary.events.dropped).toBe(0);
    expect(readFileSync(join(out, 'plan.md'), 'utf8')).toContain('kinesis.shards=4');
    // Fewer shards cost less to run (shard-hours) and all fail: 3, 2, 1, closest in cost first, each with its reason.
    const cheaper = cheaperFailures(outcome);
    expect(cheaper.map((s) => outcome.points[s.id]!.overrides['kinesis.shards'])).toEqual([3, 2, 1]);
    expect(planText({ ...report })).toMatch(/cheaper to run but failing \(3\):\n  kinesis\.shards=3: events\.dropped [\d,]+ \(expected == 0\)/);
  });

  it('successive halving over 1..40 shards for 20 minutes within a budget of 12 full runs still finds 4', async () => {
    const { outcome } = await planScenario(file, { vary: ['kinesis.shards=1..40:1'], set: [], duration: '20m', jobs: 1, budget: 12, out: mkdtempSync(join(tmpdir(), 'ingestlab-plan-out-')) });
    expect(outcome.schedule.method).toBe('halving');
    // η = 3: 40 at 15 s, 14 at 5 s, 5 at 2 s, 3 at 1 s ticks = 40/15 + 14/5 + 5/2 + 3 ≈ 10.97 full runs; the one whole
    // full run left in the budget of 12 makes 4 finalists.
    expect(outcome.rounds.map((r) => [r.resolution, r.runs])).toEqual([[15, 40], [5, 14], [2, 5], [1, 4]]);
    expect(outcome.spent).toBeCloseTo(40 / 15 + 14 / 5 + 5 / 2 + 4, 9);
    expect(outcome.points[outcome.winner!.id]!.overrides).toEqual({ 'kinesis.shards': 4 });
    expect(outcome.winner!.resolution).toBe(1);
  });

  it('at 1.5× today\'s traffic (--set traffic.scale=1.5: 5,250 events/s) it picks 6 shards, on 2 worker threads, and --json names the winner\'s overrides', async () => {
    const { outcome, report, files } = await planScenario(file, { vary: ['kinesis.shards=1..8:1'], set: ['traffic.scale=1.5'], jobs: 2, out: mkdtempSync(join(tmpdir(), 'ingestlab-plan-out-')) });
    expect(report.threads).toBe(2);
    expect(outcome.points[outcome.winner!.id]!.overrides).toEqual({ 'kinesis.shards': 6 });
    const json = planJson({ ...report, files }) as { winner: { overrides: unknown; figures: { offered: number } } };
    expect(json.winner.overrides).toEqual({ 'kinesis.shards': 6 });
    expect(Math.abs(json.winner.figures.offered - 5_250 * 300)).toBeLessThanOrEqual(1);
    // best.yaml carries the growth too, so it runs what plan judged.
    const { scenario } = await loadScenario(files.find((f) => f.endsWith('best.yaml'))!);
    expect(scenario.traffic.scale).toBe(1.5);
  });

  it('when nothing passes (at most 3 shards: 3,000 records/s < 3,500) it names the expectation failing everywhere and the closest configuration', async () => {
    const { outcome } = await planScenario(file, { vary: ['kinesis.shards=1,2,3'], set: [], jobs: 1, out: mkdtempSync(join(tmpdir(), 'ingestlab-plan-out-')) });
    expect(outcome.winner).toBeUndefined();
    const e = outcome.explanation!;
    expect(e.failingEverywhere.map((f) => f.key).sort()).toEqual(['events.dropped', 'kinesis.throttledRecords']);
    expect(outcome.points[e.closest.id]!.overrides).toEqual({ 'kinesis.shards': 3 });
  });
});

describe('plan refuses bad input before running anything', () => {
  const file = scenarioFile(CONSTANT);
  const out = () => mkdtempSync(join(tmpdir(), 'ingestlab-plan-out-'));

  it('no --vary, a misspelt key (with the scenario line and the --vary it came from), a budget too small', async () => {
    await expect(planScenario(file, { vary: [], set: [], jobs: 1, out: out() })).rejects.toThrow(/plan needs at least one --vary/);
    const misspelt = await planScenario(file, { vary: ['kinesis.shard=1..2:1'], set: [], jobs: 1, out: out() }).catch((e: unknown) => e);
    expect(misspelt).toBeInstanceOf(ScenarioError);
    expect((misspelt as ScenarioError).problems[0]!.message).toMatch(/unknown key "shard".*did you mean "shards"\?.*\(--vary kinesis\.shard=1\)/);
    // 40 configurations of a 5-minute run: the coarsest tick with ≥ 80 ticks is 3 s, so halving needs 40/3 + 3 ≈ 16.3.
    await expect(planScenario(file, { vary: ['kinesis.shards=1..40:1'], set: [], jobs: 1, budget: 10, out: out() })).rejects.toThrow(/--budget 10 is too small for 40 configurations: successive halving needs at least 17/);
  });
});

describe('best.yaml', () => {
  it('sets the values in place, keeps comments, renames, and rewrites relative paths from /s/x to /s/out/plan as ../../x/…', () => {
    const text = `# my scenario
name: shop
tenants:
  - { name: t, count: 2, trace: { file: traces/day.csv } }
kinesis:
  shards: 2 # today
  autoscaler: { policy: ./policies/mine.ts, minShards: 2 }
`;
    const out = bestYaml({ text, scenarioDir: '/s/x', outDir: '/s/out/plan', overrides: { 'kinesis.shards': 4, 'traffic.scale': 2 }, name: 'shop-best', header: 'planned' });
    expect(out).toContain('# planned');
    expect(out).toContain('# my scenario');
    expect(out).toContain('name: shop-best');
    expect(out).toContain('shards: 4 # today');
    expect(out).toContain('file: ../../x/traces/day.csv');
    expect(out).toContain('policy: ../../x/policies/mine.ts');
    expect(out).toMatch(/traffic:\n {2}scale: 2/);
  });
});

describe('--vary', () => {
  it('reads ranges, steps, factors and lists, and multiplies the dimensions (2 × 3 = 6 points)', () => {
    expect(parseVary('kinesis.shards=2..8:2').values).toEqual([2, 4, 6, 8]);
    expect(parseVary('tenants.0.rate=5..40x2').values).toEqual([5, 10, 20, 40]);
    expect(parseVary('kinesis.shards=1,2,5').values).toEqual([1, 2, 5]);
    expect(parseVary('kinesis.mode=provisioned,on-demand')).toEqual({ key: 'kinesis.mode', values: ['provisioned', 'on-demand'], numeric: false });
    const space = expandSpace([parseVary('kinesis.mode=provisioned,on-demand'), parseVary('kinesis.shards=1..3:1')]);
    expect(space).toHaveLength(6);
    expect(space[4]!.overrides).toEqual({ 'kinesis.mode': 'on-demand', 'kinesis.shards': 2 });
    expect(() => parseVary('kinesis.shards')).toThrow(/KEY=SPEC/);
    expect(() => parseVary('kinesis.shards=8..2')).toThrow(/--vary kinesis.shards: expected from ≤ to/);
  });
});

describe('schedule', () => {
  it('a 40-minute run at 1 s ticks screens at 30 s, then 10 s, 3 s and 1 s', () => {
    expect(resolutionLadder(2400, 1)).toEqual([30, 10, 3, 1]);
  });

  it('200 configurations of a 40-minute run in 64 full runs: η = 2, 200 → 100 → 50 → 25 costs 200/30 + 100/10 + 50/3 + 25 ≈ 58.3, and the 5 whole runs left make 30 finalists', () => {
    const s = planSchedule(200, { duration: 2400, resolution: 1, budget: 64 });
    expect(s.method).toBe('halving');
    expect(s.eta).toBe(2);
    expect(s.rungs.map((r) => r.runs)).toEqual([200, 100, 50, 30]);
    expect(s.cost).toBeCloseTo(200 / 30 + 100 / 10 + 50 / 3 + 30, 9);
    expect(planSchedule(64, { duration: 2400, resolution: 1, budget: 64 }).method).toBe('grid');
  });

  it('refuses a budget below the least halving can do (200/30 + 3/10 + 3/3 + 3 ≈ 10.97 → 11), saying so', () => {
    expect(() => planSchedule(200, { duration: 2400, resolution: 1, budget: 5 })).toThrow(/needs at least 11 full-run equivalents/);
  });
});

const figures = (costUsd: number, lag: number, dropped: number): RunFigures => ({ costUsd, offered: 1000, accepted: 1000, delivered: 1000, dropped, rejected: 0, lost: 0, kinesisLagSeconds: lag, dynamodbLagSeconds: 0, shardsMax: 1 });
const sample = (id: number, f: RunFigures, pass = true): PlanSample => ({ id, resolution: 1, figures: f, checks: [{ key: 'k', expected: '< 1', actual: pass ? 0 : 2, pass, miss: pass ? 0 : 0.5 }] });

describe('ranking', () => {
  it('a check failing on every configuration of a coarse round is left out of that round\'s choice (iterator age at 30 s ticks)', () => {
    const at = (id: number, cost: number, lagPass: boolean, ageMiss: number): PlanSample => ({
      id,
      resolution: 30,
      figures: figures(cost, 0, 0),
      checks: [
        { key: 'iteratorAgeMs', expected: '< 60000', actual: 105_000, pass: false, miss: ageMiss },
        { key: 'lag', expected: '< 720', actual: lagPass ? 600 : 900, pass: lagPass, miss: lagPass ? 0 : 0.2 },
      ],
    });
    const round = [at(0, 0.003, false, 0.1), at(1, 0.002, true, 0.43), at(2, 0.001, true, 0.43)];
    expect([...failingEverywhere(round)]).toEqual(['iteratorAgeMs']);
    // Without the rule 0 is a near miss (0.1 and 0.2 ≤ 0.25) ahead of 1 and 2 (0.43); with it, 2 and 1 pass, cheapest first.
    expect(promotionOrder(round, 'cost', failingEverywhere(round)).map((x) => x.id)).toEqual([2, 1, 0]);
    expect(promotionOrder(round, 'cost').map((x) => x.id)).toEqual([0, 2, 1]);
  });

  it('the frontier keeps what no other beats on cost, lag and drops: (1,$9) (2,$5) (3,$1); (4,$6 lag 9) is dominated by (2)', () => {
    const s = [sample(1, figures(0.009, 0, 0)), sample(2, figures(0.005, 5, 0)), sample(3, figures(0.001, 60, 10)), sample(4, figures(0.006, 9, 0))];
    expect(paretoFrontier(s).map((x) => x.id)).toEqual([3, 2, 1]);
  });

  it('--objective lag ranks passing runs by scaling lag (60 s before 120 s), cost breaking ties; cost ranks by cost', () => {
    const s = [sample(1, figures(0.001, 120, 0)), sample(2, figures(0.003, 60, 0)), sample(3, figures(0.002, 60, 0)), sample(4, figures(0.0001, 0, 0), false)];
    expect(rankPassing(s, 'lag').map((x) => x.id)).toEqual([3, 2, 1]);
    expect(rankPassing(s, 'cost').map((x) => x.id)).toEqual([1, 3, 2]);
  });

  it('a miss is relative to the larger side: 0.31 against < 0.30 misses by 0.01/0.31; 5 against == 0 by 1', () => {
    expect(missOf(0.31, '<', 0.3)).toBeCloseTo(0.01 / 0.31, 12);
    expect(missOf(5, '==', 0)).toBe(1);
    expect(missOf(0.2, '<', 0.3)).toBe(0);
  });

  it('with a fake evaluator, halving keeps the cheapest passing point among 30 and confirms it at full resolution', async () => {
    // 30 at 30 s, 15 at 10 s, 8 at 3 s, 4 at 1 s = 1 + 1.5 + 2.67 + 4 ≈ 9.17, + 2 finalists from the budget of 12.
    // Point i costs i; it passes from i = 7 on, at every resolution.
    const points = Array.from({ length: 30 }, (_, id) => ({ id, overrides: { x: id } }));
    const seen: number[] = [];
    const outcome = await searchPlan(points, { duration: 2400, resolution: 1, budget: 12, objective: 'cost' }, async (batch, resolution) => {
      seen.push(resolution);
      return batch.map((p) => ({ ...sample(p.id, figures(p.id + 1, 0, 0), p.id >= 7), resolution }));
    });
    expect(outcome.schedule.method).toBe('halving');
    expect(outcome.winner!.id).toBe(7);
    expect(seen).toEqual([30, 10, 3, 1]);
    expect(outcome.rounds.map((r) => r.runs)).toEqual([30, 15, 8, 6]);
  });
});
