/** The read path (issue 13 item 9): query sizes, Drill scans, schema-cache misses, DynamoDB reads. Hand-computed. */
import { describe, expect, it } from 'vitest';
import { run, tenants } from '../test/builders.ts';
import { DynamoDbModel, dynamoDbConfigSchema } from './dynamodb.ts';
import { QueryModel, queriesConfigSchema, queryReadUnits, schemaMissReadUnits } from './query.ts';

const MiB = 1_048_576;
const group = { name: 't', count: 10, eventsPerSecond: 5, meanBytes: 512 };

describe('query sizes (§3.1: per 4 KB read, eventual halves)', () => {
  it('an hour of a 5 events/s tenant (18,000 × 512 B = 9,216,000 B) is 2,250 RCU strong, 1,125 eventual', () => {
    expect(queryReadUnits(9_216_000, 'strong')).toBe(2_250);
    expect(queryReadUnits(9_216_000, 'eventual')).toBe(1_125);
  });

  it('10 tenants asking once a second over the last hour: 11,250 RCU/s from DynamoDB, 1,125 per key', () => {
    const model = new QueryModel(queriesConfigSchema.parse({ classes: [{ name: 'dash', perTenantPerHour: 3_600, range: '1h' }] }));
    const r = model.tick(0, 1, [group], { objectsPerSecond: 0, bytesPerSecond: 0, heldSeconds: 7 * 86_400 });
    expect(r.queries).toBe(10);
    expect(r.dynamoReadUnits).toBe(11_250);
    expect(r.dynamoReadUnitsPerKeyMax).toBe(1_125);
    expect(r.s3GetRequests).toBe(0);
  });

  it('a 7-day report reads 6 days from S3: every object (1 a minute: 8,640 GETs), 6 days × 1 MiB/s scanned, 43 min of Drill', () => {
    const model = new QueryModel(queriesConfigSchema.parse({ classes: [{ name: 'report', perTenantPerHour: 1, range: '7d' }] }));
    const r = model.tick(0, 3_600, [group], { objectsPerSecond: 1 / 60, bytesPerSecond: MiB, heldSeconds: 7 * 86_400 });
    // 10 queries in the hour; 518,400 s of S3 each: 8,640 objects, 518,400 MiB; 500 ms + 518,400 / 200 s.
    expect(r.queries).toBe(10);
    expect(r.s3GetRequests).toBeCloseTo(86_400, 6);
    expect(r.s3BytesScanned).toBe(10 * 518_400 * MiB);
    expect(r.drillMs / r.drillQueries).toBe(500 + 2_592_000);
  });

  it('queries in a window ask nothing outside it', () => {
    const model = new QueryModel(queriesConfigSchema.parse({ classes: [{ name: 'burst', perTenantPerHour: 3_600, range: '1h', window: { at: '10m', duration: '5m' } }] }));
    const s3 = { objectsPerSecond: 0, bytesPerSecond: 0, heldSeconds: 86_400 };
    expect(model.tick(599, 1, [group], s3).queries).toBe(0);
    expect(model.tick(600, 1, [group], s3).queries).toBe(10);
    expect(model.tick(900, 1, [group], s3).queries).toBe(0);
  });
});

describe('the processor\'s schema cache', () => {
  it('8 invocations seeing 300 tenants with a 5-minute TTL miss 8 times a second: 2 KB eventual reads, 4 RCU/s', () => {
    expect(schemaMissReadUnits(queriesConfigSchema.parse({}), 8, 300, 1)).toBe(4);
  });
});

describe('DynamoDB reads (§3.1, §3.2, §3.6)', () => {
  it('a table of 5 RCU serves 5 of 100 read units a second; one key asking 6,000 RCU/s gets a partition\'s 3,000', () => {
    const small = new DynamoDbModel(dynamoDbConfigSchema.parse({ readCapacity: 5 }));
    expect(small.read(0, 1, 100)).toEqual({ served: 5, throttled: 95 });
    const big = new DynamoDbModel(dynamoDbConfigSchema.parse({ readCapacity: 10_000 }));
    expect(big.read(0, 1, 6_000, 6_000)).toEqual({ served: 3_000, throttled: 3_000 });
    expect(big.usage().readUnitsServed).toBe(3_000);
  });
});

describe('read capacity updates and a stalled processor', () => {
  it('UpdateTable for reads: 5 → 50 RCU after updateSeconds (120 s), then a decrease counts against the daily quota', () => {
    const m = new DynamoDbModel(dynamoDbConfigSchema.parse({ readCapacity: 5 }));
    const name = m.tables()[0]!.name;
    expect(m.requestReadCapacity(0, name, 50)).toEqual({ applied: true });
    expect(m.requestCapacity(60, name, 200).refusal).toMatch(/UPDATING/);
    m.advance(120);
    expect(m.tables()[0]!.readCapacity).toBe(50);
    expect(m.requestReadCapacity(120, name, 10).applied).toBe(true);
    expect(m.decreasesToday(120, name)).toBe(1);
  });
});

describe('through the whole loop', () => {
  it('dashboards at 1 query/s per tenant on a 100-RCU table: served ≤ 100 × 3,600 s, the rest throttled; S3 GETs billed', () => {
    const { summary } = run({
      duration: '1h',
      tenants: tenants(10, 5, { eventBytes: 512, batchSize: 10 }),
      kinesis: { shards: 1 },
      dynamodb: { writeCapacity: 200, readCapacity: 100 },
      firehose: { bufferSeconds: '60s' },
      queries: {
        dynamoWindow: '10m',
        classes: [
          { name: 'dash', perTenantPerHour: 3_600, range: '1m' },
          { name: 'report', perTenantPerHour: 6, range: '1h' },
        ],
      },
    });
    const q = summary.queries!;
    // Dashboards: 10/s × ceil(5 × 60 × 512 / 4,096) / 2 = 10 × 19 = 190 RCU/s at full rate, above the table's 100.
    expect(q.dynamodbReadUnits).toBeLessThanOrEqual(100 * 3_600);
    expect(q.dynamodbReadUnits).toBeGreaterThan(0.9 * 100 * 3_600);
    expect(q.dynamodbReadThrottled).toBeGreaterThan(0);
    // Reports (10 tenants × 6 an hour = 60) read the part of the hour older than 10 minutes from S3, once it exists.
    expect(q.s3GetRequests).toBeGreaterThan(0);
    expect(summary.cost.lines.some((l) => l.service === 's3' && l.item === 'get-requests')).toBe(true);
    expect(summary.audit.balanced).toBe(true);
  });
});
