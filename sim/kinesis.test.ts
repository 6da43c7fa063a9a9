import { describe, expect, it } from 'vitest';
import { run, scenario, tenants } from '../test/builders.ts';
import { KinesisModel, onDemandMaxWriteMiBps, putRecordsCalls, putRecordsPerCall, remapRanges, remapUniform, SHARD_LIMITS } from './kinesis.ts';

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

describe('on-demand mode: shards that split at half their limit, in bytes or records (§1.4, issue 13 item 3)', () => {
  /** 12,000 events/s of 64 B (records-bound: 12 × 64 B = 768 KB/s per 12 shards), random keys, no retries, 1 hour. */
  const small = (extra: Record<string, unknown> = {}) =>
    run({
      duration: '60m',
      kinesis: { mode: 'on-demand', partitionKey: 'random', ...extra },
      producer: { maxRetries: 0 },
      tenants: tenants(1, 12_000, { eventBytes: 64, batchSize: 10 }),
      dynamodb: { writeCapacity: 40_000 },
    });

  it('64-byte events at 12,000/s: 4 shards, split at 960 s and 1,920 s, so 26.7% dropped in the hour (not 66.6%)', () => {
    // Each shard takes 1,000 records/s. Minute 1 shows every shard at ≥ 500 records/s → split 900 s later, at 960 s:
    // 8 shards. The minute 960–1,020 s shows them hot again → 16 shards at 1,920 s, enough for 12,000/s.
    // Dropped: 960 s × (12,000 − 4,000) + 960 s × (12,000 − 8,000) = 7,680,000 + 3,840,000 = 11,520,000 of 43,200,000.
    const { summary, timeline } = small();
    expect(summary.events.offered).toBe(43_200_000);
    expect(summary.events.dropped).toBe(11_520_000);
    expect(summary.events.dropped / summary.events.offered).toBeCloseTo(0.2667, 4);
    const shards = timeline.columns.shards;
    expect([shards[959], shards[960], shards[1919], shards[1920]]).toEqual([4, 8, 8, 16]);
    // 16 shards at 750 records/s each are still above half: one more round to 32 at 2,880 s, never more.
    expect(shards[2880]).toBe(32);
    expect(summary.kinesis.shardsMax).toBe(32);
    expect(summary.kinesis.reshards).toBe(4 + 8 + 16);
    expect(summary.audit.balanced).toBe(true);
  });

  it('the same capacity the 2×-previous-peak rule gives for uniform keys: 4 → 8 → 16 shards, each step ≥ 2× the peak seen', () => {
    // With every shard equally loaded, a shard splits exactly when the stream passes half its capacity, so capacity
    // doubles whenever the peak passes half of it, 15 minutes (+ the minute it is measured over) later (§1.4).
    const { timeline } = small();
    const capacity = timeline.columns.kinesisCapacityRps;
    const accepted = timeline.columns.accepted;
    expect([capacity[959], capacity[960], capacity[1920]]).toEqual([4_000, 8_000, 16_000]);
    expect(capacity[960]).toBeGreaterThanOrEqual(2 * accepted[959]!);
    expect(capacity[1920]).toBeGreaterThanOrEqual(2 * accepted[1919]!);
  });

  it('a stream capped at 6 MiB/s stops at 6 shards (two halves split, two quarters not): 6,000 of 12,000 records/s accepted', () => {
    const { timeline, summary } = small({ onDemandMaxWriteMiBps: 6 });
    expect(summary.kinesis.shardsMax).toBe(6);
    // Ranges 1/8, 1/8, 1/8, 1/8, 1/4, 1/4: each takes min(1,000, 12,000 × width) = 1,000 records/s.
    expect(timeline.columns.accepted[3000]).toBeCloseTo(6_000, 6);
  });

  it('caps on-demand writes at 10 GB/s in us-east-1, us-west-2 and eu-west-1 and 200 MB/s elsewhere', () => {
    expect(onDemandMaxWriteMiBps('us-east-1')).toBe(10_240);
    expect(onDemandMaxWriteMiBps('eu-west-1')).toBe(10_240);
    expect(onDemandMaxWriteMiBps('eu-central-1')).toBe(200);
  });

  it('a 1,500 events/s tenant key still throttles 500/s after an hour: its shard splits at 960, 1,920 and 2,880 s but one key never exceeds one shard', () => {
    const { summary, timeline } = run({
      duration: '60m',
      kinesis: { mode: 'on-demand', partitionKey: 'tenant' },
      producer: { maxRetries: 0 },
      tenants: tenants(1, 1_500, { batchSize: 10 }),
      dynamodb: { writeCapacity: 40_000 },
    });
    expect(summary.events.dropped).toBe(500 * 3600);
    const shards = timeline.columns.shards;
    expect([shards[959], shards[960], shards[1920], shards[2880], shards[3599]]).toEqual([4, 5, 6, 7, 7]);
  });
});

describe('uneven hash ranges after SplitShard / MergeShards (§1.3)', () => {
  const model = (shards: number, extra: Record<string, unknown> = {}) =>
    new KinesisModel(
      scenario({ duration: '1h', tenants: tenants(1, 1), kinesis: { shards, partitionKey: 'random', ...extra } }).kinesis,
      [{ name: 't', count: 1, meanBytes: 100 }],
      scenario({ duration: '1h', tenants: tenants(1, 1), producer: { maxRetries: 0 } }).producer,
      1,
    );

  it('after SplitShard at 25%, 2,000 records/s throttle 500/s on the 75% shard (equal halves would take them all)', () => {
    const k = model(1);
    expect(k.splitShard(0, 0.25)).toEqual({ applied: true, activeAt: 30 });
    expect(k.updating).toBe(true);
    k.completeReshard();
    expect(k.ranges()).toEqual([{ lo: 0, hi: 0.25 }, { lo: 0.25, hi: 1 }]);
    const t = k.put(30, Float64Array.from([2_000]));
    expect([...t.shardRecords]).toEqual([500, 1_000]);
    expect(t.throttledRecords).toBeCloseTo(500, 9);
    const halves = model(2);
    expect(halves.put(0, Float64Array.from([2_000])).throttledRecords).toBe(0);
  });

  it('MergeShards joins the two shards meeting at a boundary, and refuses a boundary that is not one or a stream UPDATING', () => {
    const k = model(4);
    expect(k.mergeShards(0, 0.3).refusal).toMatch(/no two adjacent open shards meet at 0.3/);
    expect(k.mergeShards(0, 0.5).applied).toBe(true);
    expect(k.splitShard(1, 0.1).refusal).toMatch(/UPDATING/);
    k.completeReshard();
    expect(k.ranges()).toEqual([{ lo: 0, hi: 0.25 }, { lo: 0.25, hi: 0.75 }, { lo: 0.75, hi: 1 }]);
    // The two outer shards kept their ranges (their consumers carry on); the middle one is new.
    expect([...k.lastKept]).toEqual([0, -1, 3]);
    expect(k.reshards).toBe(1);
  });

  it('refuses a split at a shard boundary', () => {
    expect(model(2).splitShard(0, 0.5).refusal).toMatch(/not inside an open shard/);
  });

  it('with maxShardsPerStream 500 (2018–~2021): 300 → 501 is refused, 600 → 500 is refused, 600 → 499 is allowed', () => {
    expect(model(300, { maxShardsPerStream: 500 }).requestShardCount(0, 501).refusal).toMatch(/above 500 shards per stream/);
    const big = model(600, { maxShardsPerStream: 500 });
    expect(big.requestShardCount(0, 500).refusal).toMatch(/can only be scaled down below 500/);
    expect(big.requestShardCount(0, 499)).toEqual({ applied: true, activeAt: 180 });
  });
});

describe('remapRanges', () => {
  it('moves retries from ranges ¼ + ¾ to halves by overlap: 40 and 60 → 40 + 20 and 40', () => {
    const dst = new Float64Array(2);
    remapRanges(Float64Array.from([40, 60]), 0, Float64Array.from([0, 0.25, 1]), dst, 0, Float64Array.from([0, 0.5, 1]));
    expect([...dst].map((x) => Math.round(x * 1e9) / 1e9)).toEqual([60, 40]);
  });
});

describe('PutRecords request limits (§1.1)', () => {
  it('500 records per call at most: 512 B records → 500 per call, a 1,200-event batch takes 3 calls', () => {
    expect(putRecordsPerCall(538, 10 * 1_048_576)).toBe(500);
    expect(putRecordsCalls(1_200, 538, 10 * 1_048_576)).toBe(3);
  });

  it('the request byte cap binds for 20 KiB records: 5 MiB (before) fits 255, 10 MiB (today) 500; a 500-event batch takes 2 calls, then 1', () => {
    // 20,506 B with a 26 B key: 5,242,880 / 20,506 = 255.7; 10,485,760 / 20,506 = 511.4 → capped at 500.
    expect(putRecordsPerCall(20_506, 5 * 1_048_576)).toBe(255);
    expect(putRecordsPerCall(20_506, 10 * 1_048_576)).toBe(500);
    expect(putRecordsCalls(500, 20_506, 5 * 1_048_576)).toBe(2);
    expect(putRecordsCalls(500, 20_506, 10 * 1_048_576)).toBe(1);
  });

  it('through the loop: batches of 1,000 events go as 2 API Gateway requests (120 for 60,000 events, not 60); a load balancer sends 60', () => {
    const input = (apiGateway: Record<string, unknown>) => ({
      duration: '60s',
      tenants: tenants(100, 10, { eventBytes: 512, batchSize: 1_000 }),
      kinesis: { shards: 2 },
      apiGateway,
      dynamodb: { writeCapacity: 2_000 },
    });
    const rest = run(input({ type: 'rest' })).summary;
    expect(rest.events.offered).toBe(60_000);
    expect(rest.apiGateway.requests).toBe(120);
    expect(run(input({ type: 'alb' })).summary.apiGateway.requests).toBe(60);
  });

  it('through the loop: 20 KiB events in batches of 400 take 2 requests each under the old 5 MiB cap, 1 under 10 MiB', () => {
    const input = (mib: number) => ({
      duration: '60s',
      tenants: tenants(1, 400, { eventBytes: 20_480, batchSize: 400 }),
      kinesis: { shards: 12, putRecordsMaxRequestMiB: mib },
      dynamodb: { writeCapacity: 20_000 },
    });
    // 24,000 events in 60 batches of 400 (8.2 MB, under API Gateway's 10 MB): 120 requests at 5 MiB (255 records
    // per call), 60 at 10 MiB.
    expect(run(input(5)).summary.apiGateway.requests).toBe(120);
    expect(run(input(10)).summary.apiGateway.requests).toBe(60);
  });
});
