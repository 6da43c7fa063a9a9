/**
 * Every bundled scenario loads, runs, balances its audit, and teaches the lesson its description claims. The
 * thresholds are derived by hand from the scenario files, the AWS limits (../shared/aws-reference.md §) and the price
 * table (sim/pricing/price-table.ts), never copied from a run's output: each derivation is in the comment beside it.
 * Each scenario is simulated once per set of overrides and the result shared by its tests.
 */
import { describe, expect, it } from 'vitest';
import type { ScalingAction } from '../sim/autoscaler.ts';
import { simulate, type SimulationResult } from '../sim/simulation.ts';
import { listBundled, loadScenario, resolveScenarioPath } from './load.ts';

const HOUR = 3_600;
const DAY = 86_400;

const runs = new Map<string, Promise<SimulationResult>>();

/** The simulated result of bundled scenario `name` with dotted-key `overrides`, computed once. */
function run(name: string, overrides: Record<string, unknown> = {}): Promise<SimulationResult> {
  const key = `${name} ${JSON.stringify(overrides)}`;
  let result = runs.get(key);
  if (result === undefined) {
    result = loadScenario(resolveScenarioPath(name), overrides).then(({ scenario, resolvePolicy }) => simulate(scenario, { resolvePolicy }));
    runs.set(key, result);
  }
  return result;
}

/** `x` lies within `fraction` (relative) of `expected`. */
function expectNear(x: number, expected: number, fraction: number): void {
  expect(x).toBeGreaterThanOrEqual(expected * (1 - fraction));
  expect(x).toBeLessThanOrEqual(expected * (1 + fraction));
}

const applied = (a: ScalingAction) => a.refusal === undefined;

describe.each(listBundled())('bundled scenario %s', (name) => {
  it('loads, with a description', async () => {
    const { scenario } = await loadScenario(resolveScenarioPath(name));
    expect(scenario.name).toBe(name);
    expect(scenario.description.length).toBeGreaterThan(0);
  });

  it('runs and its audit balances', async () => {
    const { summary } = await run(name);
    expect(summary.events.offered).toBeGreaterThan(0);
    expect(summary.audit.balanced).toBe(true);
  });

  it('accounts for every offered event: offered = accepted + rejected + dropped', async () => {
    const { events: e } = (await run(name)).summary;
    // The unrounded totals agree to under one event (audit.balanced); offered is a whole number of Poisson draws and
    // the three parts sum to it, so rounding each part separately can move the sum by at most one more event.
    expect(Math.abs(e.offered - (e.accepted + e.rejected + e.dropped))).toBeLessThanOrEqual(1);
  });
});

/** What each scenario teaches. Every bundled scenario must have an entry here. */
const lessons: Record<string, () => Promise<void>> = {
  /**
   * 300 tenants × 5 events/s = 1,500 events/s of 512 B for 1 h: 5.4 M events. 1,500 records/s on 4 shards is 375 per
   * shard against 1,000 (§1.1), 1,500 × 512 B = 768 KB/s against 4 MiB/s; DynamoDB needs 1,500 WCU/s (1 KB per item)
   * of 2,500; Firehose 768 KB/s of 5 MiB/s. Nothing can throttle. Cost per million accepted events, us-east-1:
   *   API Gateway REST   batches of 10 → 100,000 requests × $3.50/M                            = $0.3500
   *   Kinesis shards     4 shards × 1 h × $0.015 = $0.060, / 5.4                                = $0.0111
   *   Kinesis PPU        one 25 KB unit per 538-byte record × $0.014/M                          = $0.0140
   *   Lambda requests    one invocation per 100-record batch: 10,000 × $0.20/M                  = $0.0020
   *   Lambda duration    (20 ms / 100 + 0.5 ms) × 0.25 GB = 175 GB-s × $0.0000166667            = $0.0029
   *   DynamoDB           (2,500 WCU × $0.00065 + 5 RCU × $0.00013) × 1 h = $1.6257, / 5.4       = $0.3011
   *   Firehose           5,120 B billed per record: 10^6 × 5,120 / 2^30 GB × $0.029             = $0.1383
   *   S3 PUTs            5.4 M × 512 B / 5 MiB ≈ 530 objects × $0.005/1,000 = $0.0026, / 5.4     = $0.0005
   *   total                                                                                    ≈ $0.820
   * Poisson noise moves 5.4 M events by ~0.05% and only the fixed part (shards, capacity) with it: ±1% is ample.
   */
  steady: async () => {
    const { summary: s } = await run('steady');
    expectNear(s.events.offered, 1_500 * HOUR, 0.005);
    expect(s.events.rejected).toBe(0);
    expect(s.events.dropped).toBe(0);
    expect(s.events.lost).toBe(0);
    expect(s.kinesis.throttledRecords).toBe(0);
    expect(s.dynamodb.throttledRequests).toBe(0);
    expect(s.firehose.throttledRecords).toBe(0);
    expect(s.events.stored).toBe(s.events.accepted);
    expect(s.events.delivered).toBe(s.events.accepted);
    expect(s.cost.perMillionEventsUsd).not.toBeNull();
    expectNear(s.cost.perMillionEventsUsd!, 0.82, 0.01);
  },

  /**
   * 1 hot tenant at 1,500/s + 50 × 20/s = 2,500 records/s for 30 min (4.5 M) on 8 shards (8,000 records/s): fresh
   * demand is under a third of the stream's capacity in every row. With `partitionKey: tenant` the hot tenant's key
   * hashes to one shard, which takes 1,000 records/s (§1.1) while it is offered at least 1,500: in steady state that
   * shard accepts 1,000/s and the rest of its fresh records, at least 500/s, are dropped after the retries, so
   * dropped ≥ 500 × 1,800 = 900,000 (95% of that allows for the first seconds before retries pile up and for noise).
   * A dropped record was refused four times (first try + 3 retries), so throttled ≥ 4 × dropped. More shards change
   * nothing for one key (32 shards: the same bound); `tenant-timestamp` spreads 2,500/s as 312.5 per shard of 8.
   */
  'hot-tenant': async () => {
    const { summary: s, timeline } = await run('hot-tenant');
    expectNear(s.events.offered, 2_500 * 1_800, 0.005);
    expect(s.kinesis.throttledRecords).toBeGreaterThan(0);
    expect(s.events.dropped).toBeGreaterThanOrEqual(0.95 * 500 * 1_800);
    expect(s.kinesis.throttledRecords).toBeGreaterThanOrEqual(4 * s.events.dropped - 1);
    const demand = timeline.columns.kinesisDemandRps;
    const capacity = timeline.columns.kinesisCapacityRps;
    for (let r = 0; r < timeline.rows; r++) expect(demand[r]!).toBeLessThan(capacity[r]!);

    const resharded = (await run('hot-tenant', { 'kinesis.shards': 32 })).summary;
    expect(resharded.kinesis.shardsMax).toBe(32);
    expect(resharded.events.dropped).toBeGreaterThanOrEqual(0.95 * 500 * 1_800);

    const spread = (await run('hot-tenant', { 'kinesis.partitionKey': 'tenant-timestamp' })).summary;
    expect(spread.kinesis.throttledRecords).toBe(0);
    expect(spread.events.dropped).toBe(0);
    expect(spread.audit.balanced).toBe(true);
  },

  /**
   * 1,500 + 50 × 20 = 2,500 events/s of 512 B (1 WCU each) into 8 shards with spread keys: 312.5 records/s per shard,
   * nothing throttles in the stream. The table (8,000 WCU) is keyed by tenant: the hot key may write 1,000 WCU/s, so
   * at least 500 of its items/s are refused (every retry is refused again while the backlog waits); stored keeps up
   * at 1,000 + 1,000 = 2,000/s, so the backlog grows by 500/s: 500 × 1,800 = 900,000 at the end, which the drain
   * works off at the key's 1,000/s with no new traffic: about 900 s. Write sharding (10 suffixes: 150 WCU/s per key)
   * throttles nothing; an hourly time bucket throttles as the tenant key does.
   */
  'hot-tenant-table': async () => {
    const { summary: s } = await run('hot-tenant-table');
    expectNear(s.events.offered, 2_500 * 1_800, 0.005);
    expect(s.kinesis.throttledRecords).toBe(0);
    expect(s.events.dropped).toBe(0);
    expect(s.dynamodb.partitionThrottledRequests).toBeGreaterThanOrEqual(500 * 1_800);
    expect(s.dynamodb.throttledRequests).toBe(s.dynamodb.partitionThrottledRequests);
    expectNear(s.drainSeconds, 900, 0.1);
    expect(s.events.stored).toBe(s.events.accepted);
    const bucket = (await run('hot-tenant-table', { 'dynamodb.partitions.key': 'tenant-time-bucket' })).summary;
    expect(bucket.dynamodb.partitionThrottledRequests).toBeGreaterThanOrEqual(500 * 1_800);
    const sharded = (await run('hot-tenant-table', { 'dynamodb.partitions.key': 'tenant-shard' })).summary;
    expect(sharded.dynamodb.throttledRequests).toBe(0);
    expect(sharded.drainSeconds).toBeLessThan(60);
  },

  /**
   * Queries: dashboards 300 × 60/h = 5/s for 2,400 s = 12,000, reports 300 × 30/h = 2.5/s for 600 s = 1,500: 13,500.
   * A dashboard reads 5 events/s × 60 s × 512 B = 153,600 B: ceil(/4,096) = 38 units, eventual 19; 5/s → 95 RCU/s,
   * under the table's 200. Schema lookups: 4 invocations (one per shard) × 300 tenants / 300 s TTL = 4 misses/s of
   * 2 KB, eventual ½ RCU: 2 RCU/s, 4,800 over 2,400 s when nothing is refused (own table). Shared, the reports'
   * 940+ RCU/s take the table's reads and the lookups with them: refused lookups stall the processor.
   */
  'reporting-burst': async () => {
    const { summary: s } = await run('reporting-burst');
    expect(s.queries!.queries).toBe(13_500);
    expect(s.queries!.dynamodbReadThrottled).toBeGreaterThan(0);
    expect(s.queries!.schemaReadThrottled).toBeGreaterThan(0);
    expect(s.kinesis.maxIteratorAgeMs).toBeGreaterThan(60_000);
    expect(s.events.lost).toBe(0);
    const reads = s.scaling.actions.filter((a) => a.resource.endsWith('(reads)') && a.to > a.from);
    expect(reads.length).toBeGreaterThan(0);
    const own = (await run('reporting-burst', { 'queries.schemaTable': 'own' })).summary;
    expect(own.queries!.schemaReadUnits).toBe(4_800);
    expect(own.queries!.schemaReadThrottled).toBe(0);
    expect(own.kinesis.maxIteratorAgeMs).toBeLessThan(2_000);
  },

  /**
   * 200 tenants × 12/s = 2,400 records/s on 4 shards (60%, under the 75% scale-up threshold) until the 5× burst at
   * 600 s: no row before 600 s can throttle (600 records/s and ~320 KB/s per shard). kinesis-scaling-utils counts
   * samples above 75%; it needs 2 (scaleAfterMins 2), and the first minute that can be above is [600, 660), so the
   * second is [660, 720), visible 120 s after it ends (CloudWatch publishDelay): no scale-up before 720 + 120 = 840 s.
   */
  'burst-spike': async () => {
    const { summary: s, timeline } = await run('burst-spike');
    const throttled = timeline.columns.kinesisThrottled;
    for (let r = 0; r < timeline.rows && timeline.time(r) + timeline.step <= 600; r++) expect(throttled[r]).toBe(0);
    expect(s.kinesis.throttledRecords).toBeGreaterThan(0);
    const up = s.scaling.actions.find((a) => a.service === 'kinesis' && a.to > a.from && applied(a));
    expect(up).toBeDefined();
    expect(up!.atSeconds).toBeGreaterThanOrEqual(840);
    expect(s.scaling.kinesis.firstScaleUpAtSeconds).toBe(up!.atSeconds);
  },

  /**
   * Offered, per tenant: 10 min ramp to 5/s (2.5/s mean, 1,500 events) then 5/s to the end (4 h = 14,400 s):
   *   founders 10 × (1,500 + 5 × 13,800) =    705,000
   *   wave-1   90 × (1,500 + 5 × 12,000) =  5,535,000   (from 30 min)
   *   wave-2  150 × (1,500 + 5 × 10,200) =  7,875,000   (from 1 h)
   *   wave-3  250 × (1,500 + 5 ×  7,500) =  9,750,000   (from 1 h 45)
   *   wave-4  500 × (1,500 + 5 ×  4,800) = 12,750,000   (from 2 h 30)      total 36,615,000
   * Until wave-2 the load is at most 100 × 5 = 500/s, 50% of the 1 shard; wave-2 passes 75% (750/s) at 3,600 + 600 ×
   * 250/750 = 3,800 s, so the two minutes above 75% end at 3,840 and 3,900 s at the earliest and the second is
   * published at 3,900 + 120: no scale-up before 4,020 s. The final 1,000 × 5 = 5,000/s needs 5 shards; doubling from
   * 1 reaches at least 8.
   */
  'tenant-onboarding': async () => {
    const { summary: s } = await run('tenant-onboarding');
    expectNear(s.events.offered, 36_615_000, 0.002);
    expect(s.kinesis.shardsInitial).toBe(1);
    expect(s.kinesis.shardsMax).toBeGreaterThan(s.kinesis.shardsInitial);
    expect(s.kinesis.shardsMax).toBeGreaterThanOrEqual(8);
    expect(s.scaling.kinesis.firstScaleUpAtSeconds).not.toBeNull();
    expect(s.scaling.kinesis.firstScaleUpAtSeconds!).toBeGreaterThanOrEqual(4_020);
  },

  /**
   * Offered, per tenant and day: 6 h at 1/s, 6 h ramp to the peak (mean (1 + peak) / 2), 4 h at the peak, 6 h ramp
   * down, 2 h at 1/s. Weekday (peak 10): 21,600 + 118,800 + 144,000 + 118,800 + 7,200 = 410,400; weekend (peak 4):
   * 21,600 + 54,000 + 57,600 + 54,000 + 7,200 = 194,400. Week: 400 × (5 × 410,400 + 2 × 194,400) = 976,320,000.
   * Tables: t = 0 is Thursday 2026-01-08 (ISO week 2); Monday 2026-01-12 00:00 (t = 4 d) starts week 3, whose table
   * is created a day ahead: 2 tables. DynamoDB decreases (§3.4): per table and UTC day at most 27; under v3 after the
   * first 4 each needs an hour since the previous one. Each evening the load falls 10× in 6 h; each target-tracking
   * scale-in brings utilisation to 70% and the next waits for < 50%, a fall of 5/7, so ln 10 / ln 1.4 ≈ 7 scale-ins
   * are wanted in those hours, some under an hour apart once 4 are used: under v3 at least one decrease is refused,
   * while today's rule (v4: up to 4 banked, one more each hour) has room for them all. After
   * Monday 00:00 the week-2 table gets no writes: its consumption is 0 and it scales in to `min` (500).
   */
  'diurnal-week': async () => {
    const { scenario } = await loadScenario(resolveScenarioPath('diurnal-week'));
    const { summary: s } = await run('diurnal-week');
    expectNear(s.events.offered, 976_320_000, 0.002);
    expect(s.dynamodb.tables).toBe(2);
    expect(s.dynamodb.tableRefusals).toEqual([]);

    const ddb = s.scaling.actions.filter((a) => a.service === 'dynamodb');
    const decreases = ddb.filter((a) => a.to < a.from && applied(a));
    expect(decreases.length).toBeGreaterThanOrEqual(1);
    // Today's rule (v4, issue 13) lets every evening ramp-down through; the 2018–2023 one (v3) refuses some.
    expect(ddb.some((a) => a.to < a.from && a.refusal?.includes('decrease quota'))).toBe(false);
    const v3 = (await run('diurnal-week', { 'dynamodb.decreaseRule': 'v3' })).summary.scaling.actions;
    expect(v3.some((a) => a.service === 'dynamodb' && a.to < a.from && a.refusal?.includes('decrease quota'))).toBe(true);

    // The quota holds for every table and UTC day: by hour h of the day at most 4 + h decreases, 27 in all.
    const startEpoch = Date.parse(scenario.dynamodb.startTime) / 1000;
    const utcDay = (at: number) => Math.floor((startEpoch + at) / DAY);
    for (const table of new Set(decreases.map((a) => a.resource))) {
      const mine = decreases.filter((a) => a.resource === table);
      const perDay = new Map<number, number>();
      mine.forEach((a) => {
        const n = (perDay.get(utcDay(a.atSeconds)) ?? 0) + 1;
        perDay.set(utcDay(a.atSeconds), n);
        expect(n).toBeLessThanOrEqual(27);
        const hourOfDay = Math.floor(((startEpoch + a.atSeconds) % DAY) / HOUR);
        expect(n).toBeLessThanOrEqual(4 + hourOfDay);
      });
    }

    expect(new Set(ddb.map((a) => a.resource))).toEqual(new Set(['events_2026_W02', 'events_2026_W03']));
    const oldTableToMin = decreases.find((a) => a.resource === 'events_2026_W02' && a.atSeconds > 4 * DAY && a.to === 500);
    expect(oldTableToMin).toBeDefined();
  },

  /**
   * Quota 256 − 253 existing tables = room for 3. With createAhead 1 d the tables of day 0 and day 1 are created at
   * t = 0 and day 2's at 86,400 s; day 3's CreateTable, due at 172,800 s, is the first refused. Writes are stored for
   * days 0–2 only: 3 × 86,400 s × 1,000/s = 259.2 M. From day 3 (259,200 s) nothing is read; unread records expire 24 h
   * after they arrive, from 345,600 s until the drain stops at 432,000 + 3,900 (an hour plus the Firehose interval):
   * about (435,900 − 345,600) × 1,000 ≈ 90.3 M lost, and everything accepted after that still in the stream.
   */
  'table-per-day': async () => {
    const { summary: s } = await run('table-per-day');
    expectNear(s.events.offered, 5 * DAY * 1_000, 0.002);
    expect(s.dynamodb.tables).toBe(3);
    expect(s.dynamodb.tableRefusals.length).toBeGreaterThanOrEqual(1);
    expect(s.dynamodb.tableRefusals[0]).toContain('at 172800s');
    expect(s.dynamodb.tableRefusals[0]).toContain('table quota 256');
    expect(s.audit.notes.some((n) => n.includes('table quota'))).toBe(true);
    expectNear(s.events.stored, 3 * DAY * 1_000, 0.002);
    expectNear(s.events.lost, 90_300_000, 0.01);
    expect(s.audit.notes.some((n) => n.includes('expired from the stream'))).toBe(true);
    expect(s.events.dropped).toBe(0);
  },
  /**
   * traces/example-day.csv sums IncomingRecords per minute; its rows add up to 162,070,937 events (the file is made by
   * scenarios/make-example-trace.ts; `awk -F, 'NR>3{s+=$2} END{print s}'` gives the sum). Replayed with Poisson noise
   * (±~13,000, 0.008%), the day offers the file's sum within 0.1%. The curve (before 5% noise per minute) is
   * 600 + 2,400 × (1 − cos(2π(h − 4)/24))/2 events/s: 2,400/s at 12:00, 3,000/s at 16:00. kinesis-scaling-utils scales
   * up after two minutes above 75% of 4 shards × 1,000 records/s = 3,000/s; noise of +10% reaches that from about
   * 2,730/s (13:20) on, so the first scale-up falls between 13:00 and 16:00. The sale (20:00–20:30) multiplies the
   * 20:00 rate of 2,400/s by 2.5: 6,000/s, more than 4 shards take, so the stream must have grown past 6 shards.
   */
  'trace-day': async () => {
    const { summary: s } = await run('trace-day');
    expectNear(s.events.offered, 162_070_937, 0.001);
    const first = s.scaling.kinesis.firstScaleUpAtSeconds!;
    expect(first).toBeGreaterThanOrEqual(13 * HOUR);
    expect(first).toBeLessThanOrEqual(16 * HOUR);
    expect(s.kinesis.shardsMax).toBeGreaterThan(6);
    expect(s.events.lost).toBe(0);
  },
};

describe('lessons', () => {
  it('every bundled scenario has a lesson test', () => {
    expect(Object.keys(lessons).sort()).toEqual(listBundled());
  });
  it.each(Object.keys(lessons))('%s', async (name) => {
    await lessons[name]!();
  });
});
