/** DynamoDB partitions, hot keys and adaptive capacity (§3.2; issue 13 item 8). Hand-computed. */
import { describe, expect, it } from 'vitest';
import { run, tenants } from '../test/builders.ts';
import { dynamoPartitionsSchema, TablePartitions } from './dynamodb-partitions.ts';

const config = (extra: Record<string, unknown> = {}) => dynamoPartitionsSchema.parse(extra);
const one = [{ name: 'hot', count: 1 }];

describe('partition count (§3.2, classic formula UNCONFIRMED)', () => {
  it('a 4,500-WCU table has 5 equal partitions; raised to 15,608 WCU they split in two, twice: 20', () => {
    const p = new TablePartitions(config(), one, 4_500);
    expect(p.count).toBe(5);
    p.admit(0, 1, [0], 15_608);
    expect(p.count).toBe(20);
    expect(p.ranges().every((r) => Math.abs(r.hi - r.lo - 1 / 20) < 1e-12)).toBe(true);
  });

  it('a 2,000-WCU table holding 40 GB has 4 partitions (10 GB each), and keeps them after a scale-down to 100 WCU', () => {
    const p = new TablePartitions(config(), one, 2_000);
    expect(p.count).toBe(2);
    p.addStored(40e9);
    p.admit(0, 1, [0], 2_000);
    expect(p.count).toBe(4);
    p.admit(1, 1, [0], 100);
    expect(p.count).toBe(4);
  });
});

describe('one key writes at most 1,000 WCU/s (§3.2)', () => {
  it('a 1,500 WCU/s tenant on an 8,000-WCU table (8 partitions, 81% idle) gets 1,000: 500 refused by its key', () => {
    const r = new TablePartitions(config(), one, 8_000).admit(0, 1, [1_500], 8_000);
    expect(r.admittedWcu).toBe(1_000);
    expect(r.keyThrottledWcu).toBe(500);
    expect(r.groupThrottledWcu[0]).toBe(500);
  });

  it('with tenant + one of 10 write shards each key takes 150 WCU/s: all 1,500 admitted', () => {
    const r = new TablePartitions(config({ key: 'tenant-shard', writeShards: 10 }), one, 8_000).admit(0, 1, [1_500], 8_000);
    expect(r.admittedWcu).toBeCloseTo(1_500, 9);
    expect(r.keyThrottledWcu).toBe(0);
  });

  it('with tenant + hour bucket the current bucket takes it all: still 500 refused', () => {
    const r = new TablePartitions(config({ key: 'tenant-time-bucket' }), one, 8_000).admit(3_600, 1, [1_500], 8_000);
    expect(r.keyThrottledWcu).toBe(500);
  });
});

describe('adaptive capacity (§3.2)', () => {
  // 2,000 WCU over 4 partitions (40 GB stored): a share of 500 WCU/s each; one tenant writes 800 WCU/s.
  const table = (extra: Record<string, unknown>) => {
    const p = new TablePartitions(config(extra), one, 2_000);
    p.addStored(40e9);
    return p;
  };

  it('instant (since 2019): the hot partition borrows unused capacity, 800 of 800 admitted', () => {
    expect(table({}).admit(0, 1, [800], 2_000).admittedWcu).toBe(800);
  });

  it('off: the partition keeps its 500-WCU share, 300 refused', () => {
    expect(table({ adaptiveCapacity: 'off' }).admit(0, 1, [800], 2_000).partitionThrottledWcu).toBe(300);
  });

  it('with the 2018 docs\' delay (5 min here) 300 are refused each second until 300 s, none after', () => {
    const p = table({ adaptiveDelay: '5m' });
    expect(p.admit(0, 1, [800], 2_000).partitionThrottledWcu).toBe(300);
    expect(p.admit(299, 1, [800], 2_000).partitionThrottledWcu).toBe(300);
    expect(p.admit(300, 1, [800], 2_000).partitionThrottledWcu).toBe(0);
  });
});

describe('splits for heat (UNCONFIRMED delay, 10 minutes)', () => {
  it('two tenants at 700 WCU/s on the same half of a 2,000-WCU table: 400 refused until 600 s, when a split isolates them; none after', () => {
    // MD5 puts "two-0" at 0.420 and "two-1" at 0.117 of the key space: both in [0, ½), one partition of the two.
    const p = new TablePartitions(config(), [{ name: 'two', count: 2 }], 2_000);
    expect(p.admit(0, 1, [1_400], 2_000).partitionThrottledWcu).toBeCloseTo(400, 9);
    expect(p.admit(599, 1, [1_400], 2_000).partitionThrottledWcu).toBeCloseTo(400, 9);
    expect(p.count).toBe(2);
    p.admit(600, 1, [1_400], 2_000);
    expect(p.count).toBe(3);
    expect(p.splitsForHeat).toBe(1);
    // Split halfway between the two keys, (0.117 + 0.420) / 2: each has a partition, boosted to its 700.
    expect(p.ranges()[1]!.lo).toBeCloseTo(0.2685, 3);
    const after = p.admit(601, 1, [1_400], 2_000);
    expect(after.partitionThrottledWcu).toBe(0);
    expect(after.admittedWcu).toBeCloseTo(1_400, 9);
  });

  it('no split for heat while the table as a whole is over its capacity (it needs capacity, not splits)', () => {
    const p = new TablePartitions(config(), [{ name: 'two', count: 2 }], 1_000);
    for (const t of [0, 600, 1_200]) p.admit(t, 1, [1_400], 1_000);
    expect(p.count).toBe(1);
  });
});

describe('through the whole loop', () => {
  it('a 1,500 events/s tenant on a tenant-keyed table stores 1,000/s; tenant-shard keys store all 1,500/s', () => {
    const input = (key: string) => ({
      duration: '5m',
      tenants: tenants(1, 1_500, { eventBytes: 512, batchSize: 10 }),
      kinesis: { shards: 4, partitionKey: 'tenant-timestamp' },
      dynamodb: { writeCapacity: 8_000, partitions: { key } },
    });
    const keyed = run(input('tenant'));
    const stored = keyed.timeline.columns.stored;
    // From the second tick on, the key's 1,000 WCU/s (512 B items: 1 WCU each) is all that is stored per second.
    for (const t of [10, 100, 299]) expect(stored[t]).toBeCloseTo(1_000, 6);
    expect(keyed.summary.dynamodb.partitionThrottledRequests).toBeGreaterThanOrEqual(500 * 299);
    const sharded = run(input('tenant-shard'));
    for (const t of [10, 100, 299]) expect(sharded.timeline.columns.stored[t]).toBeCloseTo(1_500, 6);
    expect(sharded.summary.dynamodb.throttledRequests).toBe(0);
  });
});
