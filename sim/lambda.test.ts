/** Lambda event-source mapping: the 6 MB payload cut and concurrency as a count (§4; issue 13 items 6 and 7). */
import { describe, expect, it } from 'vitest';
import { run, scenario, tenants } from '../test/builders.ts';
import { batchRecords } from './lambda.ts';

const lambda = (extra: Record<string, unknown> = {}) => scenario({ duration: '1m', tenants: tenants(1, 1), lambda: extra }).lambda;

describe('a batch is cut at 6 MB of the invocation JSON (§4)', () => {
  it('2 KiB events (2,074 B with a 26 B key) take 2,768 B of base64 + 500 B: 1,925 per 6 MiB invocation, not 10,000', () => {
    // ceil(2,074 / 3) × 4 = 2,768; + 500 = 3,268; 6,291,456 / 3,268 = 1,925.1.
    expect(batchRecords(lambda({ batchSize: 10_000 }), 2_074)).toBe(1_925);
  });

  it('100 B events stay at batchSize 100 (668 B of JSON each: 9,418 would fit)', () => {
    expect(batchRecords(lambda(), 126)).toBe(100);
  });

  it('through the loop: 400 events/s of 2 KiB, batchSize 10,000, 30 s window: 748 invocations in an hour, not 144', () => {
    // Per 1 s tick the shard reads 400 records; with one poll per 30 s window, invocations per tick are
    // max(400 / batch, 1/30): 400/1,925 = 0.2078 → × 3,600 s = 748; uncapped 400/10,000 = 0.04 → 144.
    const input = (lambdaExtra: Record<string, unknown>) => ({
      duration: '1h',
      tenants: tenants(1, 400, { eventBytes: 2_048 }),
      kinesis: { shards: 1, partitionKey: 'tenant-timestamp' },
      lambda: { batchSize: 10_000, batchWindow: '30s', ...lambdaExtra },
      dynamodb: { writeCapacity: 2_000 },
    });
    expect(run(input({})).summary.lambda.invocations).toBe(748);
    expect(run(input({ maxPayloadBytes: 1e12 })).summary.lambda.invocations).toBe(144);
  });
});

describe('lambda.maxConcurrency is a count of invocations running at once (issue 13 item 7)', () => {
  it('steady: 4 shards, each with a batch in flight every second → 4 concurrent at the peak', () => {
    const { summary } = run({
      duration: '5m',
      tenants: tenants(300, 5, { eventBytes: 512, batchSize: 10 }),
      kinesis: { shards: 4 },
      dynamodb: { writeCapacity: 2_000 },
    });
    expect(summary.lambda.maxConcurrency).toBe(4);
  });

  it('1 shard at 1,000 records/s, 10 batches of 100 × (20 ms + 100 × 2.5 ms) = 2.7 s of work a second: 3 concurrent with PF 4, 2 with PF 2', () => {
    const input = (pf: number) => ({
      duration: '2m',
      tenants: tenants(1, 1_000, { eventBytes: 100, batchSize: 10 }),
      kinesis: { shards: 1, partitionKey: 'random' },
      lambda: { parallelizationFactor: pf, perRecordMs: 2.5, batchMs: 20, batchSize: 100 },
      dynamodb: { writeCapacity: 2_000 },
    });
    expect(run(input(4)).summary.lambda.maxConcurrency).toBe(3);
    expect(run(input(2)).summary.lambda.maxConcurrency).toBe(2);
  });
});
