/** Firehose Direct PUT quotas and their automatic increase (§5; issue 13 item 4). Hand-computed. */
import { describe, expect, it } from 'vitest';
import { run, scenario, tenants } from '../test/builders.ts';
import { FirehoseModel } from './firehose.ts';

const MiB = 1_048_576;
const config = (firehose: Record<string, unknown> = {}) => scenario({ duration: '1h', tenants: tenants(1, 1), firehose }).firehose;

/** 6,000 records of 1,048.576 B each second (6 MiB/s) in 12 PutRecordBatch calls, for `seconds` seconds. */
function push(model: FirehoseModel, seconds: number): number {
  let throttled = 0;
  for (let t = 0; t < seconds; t++) throttled += model.put(t, 1, 6_000, 6 * MiB, 12).throttledRecords;
  return throttled;
}

describe('Direct PUT quota and its automatic increase (§5, AWS Knowledge Center)', () => {
  it('6 MiB/s into us-east-1\'s 5 MiB/s for 10 minutes: 1,000 of 6,000 records/s throttled, 600,000 with the increase off', () => {
    const model = new FirehoseModel(config({ quotaAutoIncrease: false }), 'us-east-1');
    expect(model.limits).toEqual({ records: 500_000, requests: 2_000, bytes: 5 * MiB });
    expect(push(model, 600)).toBeCloseTo(600_000, 6);
  });

  it('with the default ramp (×2, 5 minutes after a throttled minute) throttling stops at 360 s: 360,000 throttled', () => {
    const model = new FirehoseModel(config(), 'us-east-1');
    expect(push(model, 359)).toBeCloseTo(359_000, 6);
    expect(model.put(359, 1, 6_000, 6 * MiB, 12).throttledRecords).toBeCloseTo(1_000, 6);
    // Minute 0 throttled → all three quotas doubled at 60 + 300 = 360 s.
    expect(model.put(360, 1, 6_000, 6 * MiB, 12).throttledRecords).toBe(0);
    expect(model.limits).toEqual({ records: 1_000_000, requests: 4_000, bytes: 10 * MiB });
    expect(model.quotaIncreases).toEqual([360]);
  });

  it('with a 1-minute ramp, 120,000 throttled; a second step comes only while minutes keep throttling', () => {
    const model = new FirehoseModel(config({ quotaIncrease: { delay: '60s' } }), 'us-east-1');
    expect(push(model, 600)).toBeCloseTo(120_000, 6);
    expect(model.quotaIncreases).toEqual([120]);
  });

  it('steps ×2 again while 25 MiB/s keeps throttling: 5 → 10 → 20 → 40 MiB/s at 360, 720 and 1,080 s', () => {
    const model = new FirehoseModel(config(), 'us-east-1');
    for (let t = 0; t < 1_200; t++) model.put(t, 1, 25_000, 25 * MiB, 50);
    expect(model.quotaIncreases).toEqual([360, 720, 1_080]);
    expect(model.limits.bytes).toBe(40 * MiB);
  });
});

describe('through the whole loop', () => {
  // 100 tenants × 60 = 6,000 events/s of 1 KiB on 8 shards: the processor writes 6,000 × 1,024 B = 5.86 MiB/s to Firehose.
  const input = (firehose: Record<string, unknown>) => ({
    duration: '15m',
    tenants: tenants(100, 60, { eventBytes: 1_024, batchSize: 10 }),
    kinesis: { shards: 8, partitionKey: 'random' },
    dynamodb: { writeCapacity: 20_000 },
    firehose: { bufferSeconds: '60s', ...firehose },
  });

  it('a 5.9 MiB/s processor is throttled by Firehose every second to 360 s, then only while its backlog drains (< 480 s); to the end (899 s) with the increase off', () => {
    const on = run(input({})).timeline.columns.firehoseThrottled;
    const off = run(input({ quotaAutoIncrease: false })).timeline.columns.firehoseThrottled;
    const last = (xs: ArrayLike<number>) => {
      let i = -1;
      for (let k = 0; k < xs.length; k++) if (xs[k]! > 0) i = k;
      return i;
    };
    // Every second up to 360 s is throttled; from 360 s the quota is 10 MiB/s, and once the backlog built up until
    // then has been retried through it (about a minute), nothing more.
    expect(Array.from(on).slice(1, 360).every((x) => x > 0)).toBe(true);
    expect(last(on)).toBeGreaterThan(360);
    expect(last(on)).toBeLessThan(480);
    expect(last(off)).toBe(899);
  });
});
