import { describe, expect, it } from 'vitest';
import { run, scenario, tenants } from '../test/builders.ts';
import { KinesisModel, remapUniform, SHARD_LIMITS } from './kinesis.ts';

/** Ten minutes at 1 s ticks, a single shard, random keys. */
const oneShard = (extra: Record<string, unknown> = {}) => ({
  duration: '10m',
  kinesis: { shards: 1, partitionKey: 'random' },
  producer: { maxRetries: 0 },
  ...extra,
});

describe('Kinesis shard write limits (§1.1)', () => {
  it('throttles a third of 1,500 records/s on one shard: 1,000 pass each second', () => {
    const { summary } = run({ ...oneShard(), tenants: [{ name: 't', count: 10, rate: 150, eventBytes: 100 }] });
    const e = summary.events;
    // Poisson arrivals around 1,500/s; the shard takes 1,000 of them every second.
    expect(e.dropped / e.offered).toBeGreaterThan(1 / 3 - 0.02);
    expect(e.dropped / e.offered).toBeLessThan(1 / 3 + 0.02);
    expect(summary.kinesis.throttledRecords).toBe(e.dropped);
  });

  it('throttles nothing at 800 records/s (seven standard deviations below the limit)', () => {
    const { summary } = run({ ...oneShard(), tenants: [{ name: 't', count: 10, rate: 80, eventBytes: 100 }] });
    expect(summary.kinesis.throttledRecords).toBe(0);
    expect(summary.events.dropped).toBe(0);
  });

  it('drops about half of 500 records/s of 4 KB: the 1 MiB/s byte limit binds first', () => {
    const { summary } = run({ ...oneShard(), tenants: [{ name: 't', count: 1, rate: 500, eventBytes: 4096 }] });
    // 500 × (4,096 B + 32 B of random partition key) = 2,064,000 B/s against 1,048,576 B/s.
    const expected = 1 - SHARD_LIMITS.writeBytes / (500 * (4096 + 32));
    expect(summary.events.dropped / summary.events.offered).toBeCloseTo(expected, 1);
    expect(Math.abs(summary.events.dropped / summary.events.offered - expected)).toBeLessThan(0.02);
  });

  it('recovers throttled records with retries when the overload is short', () => {
    // 1,200/s for the first second only, then 600/s: the 200 throttled in second one fit in second two's headroom.
    const noRetry = run({
      duration: '5s',
      kinesis: { shards: 1, partitionKey: 'random' },
      producer: { maxRetries: 0 },
      tenants: tenants(1, 600, { bursts: [{ at: '0s', duration: '1s', multiplier: 2 }] }),
    });
    const withRetry = run({
      duration: '5s',
      kinesis: { shards: 1, partitionKey: 'random' },
      producer: { maxRetries: 3 },
      tenants: tenants(1, 600, { bursts: [{ at: '0s', duration: '1s', multiplier: 2 }] }),
    });
    expect(noRetry.summary.events.dropped).toBe(200);
    expect(withRetry.summary.events.dropped).toBe(0);
    expect(withRetry.summary.kinesis.throttledRecords).toBe(200);
    expect(withRetry.summary.events.accepted).toBe(1200 + 4 * 600);
  });

  it('puts a tenant-keyed hot tenant on one shard while random keys spread it', () => {
    const groups = [
      { name: 'hot', count: 1, rate: 1500, noise: 'none' },
      { name: 'cold', count: 40, rate: 10, noise: 'none' },
    ];
    // 1,900 records/s on 4 shards is under half the stream's 4,000/s.
    const byTenant = run({ duration: '1m', tenants: groups, kinesis: { shards: 4, partitionKey: 'tenant' }, producer: { maxRetries: 0 } });
    const spread = run({ duration: '1m', tenants: groups, kinesis: { shards: 4, partitionKey: 'tenant-timestamp' }, producer: { maxRetries: 0 } });
    // The hot tenant's shard takes at most 1,000/s of its 1,500/s plus its share of the cold tenants.
    expect(byTenant.summary.kinesis.throttledRecords).toBeGreaterThanOrEqual(500 * 60);
    expect(spread.summary.kinesis.throttledRecords).toBe(0);
    expect(byTenant.summary.scaling.kinesis.underProvisionedSeconds).toBe(0);
  });
});

describe('UpdateShardCount rules (§1.3)', () => {
  const model = (shards: number, per24h = 10) =>
    new KinesisModel(
      scenario({ duration: '1h', tenants: tenants(1, 1), kinesis: { shards, updateShardCountPer24h: per24h } }).kinesis,
      [{ name: 't', count: 1, meanBytes: 100 }],
      scenario({ duration: '1h', tenants: tenants(1, 1) }).producer,
      1,
    );

  it('refuses more than 2× and less than ½ of the open shards', () => {
    const k = model(1);
    expect(k.requestShardCount(0, 3)).toEqual({ applied: false, refusal: expect.stringMatching(/more than 2×/) });
    expect(k.requestShardCount(0, 2).applied).toBe(true);
    const k8 = model(8);
    expect(k8.requestShardCount(0, 3).refusal).toMatch(/less than ½/);
    expect(k8.requestShardCount(0, 4).applied).toBe(true);
  });

  it('refuses while the stream is UPDATING and applies the new count on completion', () => {
    const k = model(2);
    expect(k.requestShardCount(0, 4).applied).toBe(true);
    expect(k.shards).toBe(2);
    expect(k.requestShardCount(10, 3).refusal).toMatch(/UPDATING/);
    k.completeReshard();
    expect(k.shards).toBe(4);
    expect(k.reshards).toBe(1);
  });

  it('refuses the 11th call in a rolling 24 hours and allows it once the first call is 24 h old', () => {
    const k = model(1);
    let shards = 1;
    for (let i = 0; i < 10; i++) {
      const target = shards === 1 ? 2 : 1;
      expect(k.requestShardCount(i * 3600, target).applied).toBe(true);
      k.completeReshard();
      shards = target;
    }
    expect(k.requestShardCount(10 * 3600, shards === 1 ? 2 : 1).refusal).toMatch(/10 UpdateShardCount calls/);
    // The first call was at t = 0; at t = 24 h it leaves the window.
    expect(k.requestShardCount(24 * 3600, shards === 1 ? 2 : 1).applied).toBe(true);
  });

  it('kept 2 calls a day before ~2020 (a parameter)', () => {
    const k = model(1, 2);
    expect(k.requestShardCount(0, 2).applied).toBe(true);
    k.completeReshard();
    expect(k.requestShardCount(60, 1).applied).toBe(true);
    k.completeReshard();
    expect(k.requestShardCount(120, 2).refusal).toMatch(/2 UpdateShardCount calls/);
  });
});

describe('remapUniform', () => {
  it('moves amounts between equal hash ranges by overlap, conserving the total', () => {
    const src = Float64Array.from([30, 60]);
    const dst = new Float64Array(3);
    remapUniform(src, 0, 2, dst, 0, 3);
    // Old [0,½) → new [0,⅓) all and [⅓,⅔) half of it: 30 → 20 + 10; old [½,1) → 60 → 20 + 40.
    expect([...dst].map((x) => Math.round(x * 1e9) / 1e9)).toEqual([20, 30, 40]);
  });
});

describe('on-demand mode (§1.4)', () => {
  it('writes 4 MiB/s from the start, then throttles a jump above twice the previous peak for 15 minutes', () => {
    // 1 MiB/s for 30 min (records of 1,024 B incl. key), then 6 MiB/s: capacity is max(4 MiB/s, 2 × 1 MiB/s) = 4 MiB/s
    // until the 6 MiB/s... is seen as a peak 15 minutes later; then 2 × peak ≥ 6 MiB/s and throttling stops.
    const { summary, timeline } = run({
      duration: '60m',
      kinesis: { mode: 'on-demand', partitionKey: 'random' },
      producer: { maxRetries: 0 },
      tenants: tenants(1, 1024, { eventBytes: 1024 - 32, bursts: [{ at: '30m', duration: '30m', multiplier: 6 }] }),
    });
    const throttledRows = [...timeline.columns.kinesisThrottled.keys()].filter((r) => timeline.columns.kinesisThrottled[r]! > 0);
    expect(timeline.columns.kinesisThrottled.slice(0, 1800).every((x) => x === 0)).toBe(true);
    expect(throttledRows[0]).toBe(1800);
    // Throttling lasts about the 15-minute follow time (plus up to a minute of peak bookkeeping).
    const span = throttledRows.at(-1)! - throttledRows[0]! + 1;
    expect(span).toBeGreaterThanOrEqual(15 * 60);
    expect(span).toBeLessThanOrEqual(17 * 60);
    expect(summary.kinesis.reshards).toBe(0);
    // The stream's shards grew with its capacity; every accepted record still reached the processor (stored, or in
    // flight behind the 100-WCU default table when the drain limit came).
    expect(summary.kinesis.shardsMax).toBeGreaterThan(4);
    expect(summary.audit.balanced).toBe(true);
  });
});
